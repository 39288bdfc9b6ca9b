"""The ``queue-app`` command as a user runs it: real files, real SQLite; most commands run
in this process (``run``), a few as a real process (``run_process``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from queue_app.cli import app
from queue_app.store import schema
from tests.conftest import FIXTURES, REPO


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    """``queue-app ARGS`` run in this process (each command is its own invocation, as from
    a shell; the process start-up is what ``run_process`` and tests/cli/test_start.py cover).
    An exception the command did not turn into a message fails the test, as a traceback on
    a real process's stderr would."""
    # as in run_process: the test's environment, not this shell's, names the database
    given: dict[str, str | None] = {"COLUMNS": "200", "QUEUE_APP_DB": None, **(env or {})}
    before = Path.cwd()
    os.chdir(cwd)
    try:
        r = CliRunner().invoke(app, list(args), env=given)
    finally:
        os.chdir(before)
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception
    return subprocess.CompletedProcess(list(args), r.exit_code, r.stdout, r.stderr)


def run_process(
    *args: str, env: dict[str, str] | None = None, cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    """``queue-app ARGS`` as a user runs it: a real process."""
    full_env = {**os.environ, "COLUMNS": "200"}
    full_env.pop("QUEUE_APP_DB", None)  # the test's environment, not this shell's
    full_env |= env or {}
    return subprocess.run(
        [sys.executable, "-m", "queue_app", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=120,
    )


def test_catalog_stats_and_check() -> None:
    r = run("--lang", "en", "catalog", "stats")
    assert r.returncode == 0, r.stderr
    assert "matters: 667" in r.stdout and "departments: 27" in r.stdout
    enterprise = int(r.stdout.split("enterprise ")[1].split(",")[0])
    assert enterprise >= 61
    r = run("--lang", "en", "catalog", "check")
    assert r.returncode == 0 and r.stdout.startswith("ok: ")


def test_catalog_check_rejects_a_broken_file_with_exit_2(tmp_path: Path) -> None:
    text = (FIXTURES / "mini_catalog.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        text.replace("promised_days: 5\n    legal_days: 20", "promised_days: 5\n    legal_days: 2"),
        encoding="utf-8",
    )
    r = run_process("catalog", "check", str(bad))  # the exit code of a real process
    assert r.returncode == 2
    assert f"{bad}:" in r.stderr and "legal_days: expected at least promised_days" in r.stderr
    assert "Traceback" not in r.stderr + r.stdout


def test_catalog_search_finds_by_pinyin_initials() -> None:
    r = run("--json", "catalog", "search", "gtgsh", "--limit", "3")
    assert r.returncode == 0, r.stderr
    names = [h["name"] for h in json.loads(r.stdout)]
    assert any("个体工商户" in n for n in names), names


def test_hall_check(tmp_path: Path) -> None:
    r = run("--lang", "en", "hall", "check", "windows/default.yaml")
    assert r.returncode == 0, r.stderr
    assert "23 windows" in r.stdout and "matters this hall can accept" in r.stdout
    bad = tmp_path / "hall.yaml"
    bad.write_text(
        (REPO / "windows" / "township.yaml")
        .read_text(encoding="utf-8")
        .replace("recall_limit: 3", "recall_limit: many"),
        encoding="utf-8",
    )
    r = run("hall", "check", str(bad))
    assert r.returncode == 2
    assert "recall_limit: expected a whole number; got 'many'" in r.stderr


def test_hall_city(tmp_path: Path) -> None:
    r = run("--lang", "en", "hall", "city", "windows/city.yaml")
    assert r.returncode == 0, r.stderr
    assert "/halls/township-centre: 镇便民服务中心 · 4 windows" in r.stdout
    assert "matters no place of the city handles (0)" in r.stdout
    shutil.copy(REPO / "windows" / "default.yaml", tmp_path / "default.yaml")
    shutil.copy(REPO / "windows" / "default.yaml", tmp_path / "copy.yaml")
    (tmp_path / "city.yaml").write_text(
        "city: {code: a-city, name: 某区}\nhalls:\n  - file: default.yaml\n  - file: copy.yaml\n",
        encoding="utf-8",
    )
    r = run("--lang", "en", "hall", "city", str(tmp_path / "city.yaml"))
    assert r.returncode == 2 and "district-hall" in r.stderr, r.stderr  # two halls, one code
    (tmp_path / "city.yaml").write_text(
        "city: {code: a-city, name: 某区}\nhalls:\n  - file: nowhere.yaml\n", encoding="utf-8"
    )
    r = run("--lang", "en", "hall", "city", str(tmp_path / "city.yaml"))
    assert r.returncode == 2 and "city.yaml:3: halls[0].file: file not found" in r.stderr


def test_ticket_and_window_commands_share_state_through_the_database(
    mini_env: dict[str, str], tmp_path: Path
) -> None:
    db = mini_env["QUEUE_APP_DB"]

    def q(*args: str) -> subprocess.CompletedProcess[str]:
        return run("--db", db, "--actor", "tester", *args, env=mini_env)

    assert q("window", "open", "1").returncode == 0
    r = q("--json", "ticket", "issue", "M-SBK", "--priority", "老年人")
    assert r.returncode == 0, r.stderr
    slip = json.loads(r.stdout)
    assert slip["ticket"]["number"] == "V001" and slip["ahead"] == 0
    r = q("--json", "ticket", "issue", "--bundle", "GR-TX")
    assert json.loads(r.stdout)["ticket"]["number"] == "A001"
    r = q("window", "call-next", "1")
    assert "V001" in r.stdout
    assert q("window", "start", "1").returncode == 0
    r = q("window", "finish", "1", "--outcome", "办结")
    assert r.returncode == 0 and "已办结" in r.stdout
    assert "A001" in q("window", "call-next", "1").stdout
    q("window", "start", "1")
    r = q("window", "finish", "1", "--outcome", "M-YL=受理")
    assert r.returncode == 1 and "outcome_missing" in r.stderr and "M-SBK" in r.stderr
    r = q("window", "finish", "1", "--outcome", "M-YL=受理", "--outcome", "M-SBK=办结")
    assert r.returncode == 0, r.stderr
    r = q("--json", "ticket", "show", "A001")
    shown = json.loads(r.stdout)
    assert [e["kind"] for e in shown["events"]] == ["issued", "called", "started", "finished"]
    assert {e["actor"] for e in shown["events"]} == {"tester"}
    r = q("day", "status")
    assert "已办结 2" in r.stdout


def test_refusals_are_clear_and_change_nothing(mini_env: dict[str, str]) -> None:
    db = mini_env["QUEUE_APP_DB"]
    r = run("--db", db, "window", "call-next", "1", env=mini_env)
    assert r.returncode == 1 and "window_closed" in r.stderr and "未开放" in r.stderr
    r = run("--db", db, "window", "pause", "1", "--reason", "休息", env=mini_env)
    assert r.returncode == 1 and "window_not_open" in r.stderr
    r = run("--db", db, "ticket", "issue", "NOPE", env=mini_env)
    assert r.returncode == 1 and "unknown_matter" in r.stderr
    r = run("--db", db, "ticket", "issue", "M-SBK", "--priority", "vip", env=mini_env)
    assert r.returncode == 1 and "无法识别的优先类别" in r.stderr and "Unknown" not in r.stderr
    r = run(
        "--lang", "en", "--db", db, "ticket", "issue", "M-SBK", "--priority", "vip", env=mini_env
    )
    assert r.returncode == 1 and 'Unknown priority "vip"' in r.stderr
    r = run("--db", db, "--json", "day", "status", env=mini_env)
    assert json.loads(r.stdout)["waiting"] == 0
    for out in (r.stdout, r.stderr):
        assert "Traceback" not in out


def test_window_serve_and_hall_targets_on_the_database(mini_env: dict[str, str]) -> None:
    def q(*args: str) -> subprocess.CompletedProcess[str]:
        return run("--db", mini_env["QUEUE_APP_DB"], *args, env=mini_env)

    r = q("window", "serve", "1", "--like", "4")
    assert r.returncode == 0 and "1 号窗口：出入境窗口 (专业窗口)" in r.stdout, r.stderr
    assert "出入境窗口" in q("window", "list").stdout.splitlines()[3]
    assert q("window", "serve", "1").returncode == 2  # --like or --restore
    r = q("--lang", "en", "window", "serve", "1", "--like", "4", "--restore")
    assert r.returncode == 2 and "exactly one of" in r.stderr
    assert q("window", "serve", "1", "--restore").returncode == 0
    assert json.loads(q("--json", "hall", "targets").stdout) == {
        "wait_minutes": 20,
        "serve_minutes": 40,
    }
    assert q("hall", "targets", "--serve", "0").returncode == 2  # out of range
    r = q("--json", "hall", "targets", "--serve", "30")
    assert json.loads(r.stdout) == {"wait_minutes": 20, "serve_minutes": 30}
    r = q("--json", "hall", "targets", "--restore")
    assert json.loads(r.stdout)["serve_minutes"] == 40


def test_unreachable_database_is_a_message_not_a_traceback(mini_env: dict[str, str]) -> None:
    r = run(
        "--lang",
        "en",
        "--db",
        "postgresql+psycopg://nobody:x@127.0.0.1:1/none",
        "window",
        "list",
        env=mini_env,
    )
    assert r.returncode == 1 and "database problem" in r.stderr
    assert "Traceback" not in r.stderr


def test_db_current_upgrade_and_history_on_a_release_0_1_0_file(tmp_path: Path) -> None:
    path = tmp_path / "hall.db"
    url = f"sqlite:///{path}"
    r = run("--lang", "en", "db", "current", "--db", url)
    assert r.returncode == 1 and r.stderr.startswith(f"error: no database file at {path}: ")
    assert not path.exists()  # looking made no file
    shutil.copyfile(FIXTURES / "release_0_1_0.db", path)
    r = run("--lang", "en", "db", "current", "--db", url)
    assert r.returncode == 0 and "release 0.1.0's tables, not yet stamped" in r.stdout
    r = run("--lang", "en", "--db", url, "db", "upgrade")  # the global --db does as well
    assert r.returncode == 0, r.stderr
    head = schema.head()
    assert r.stdout == (
        f"{url}: release 0.1.0's tables taken for revision 0001, upgraded to {head}\n"
    )
    r = run("--lang", "en", "--json", "db", "current", "--db", url)
    assert json.loads(r.stdout) == {
        "database": url,
        "revision": head,
        "head": head,
        "at_head": True,
    }
    r = run("--lang", "en", "db", "upgrade", "--db", url)
    assert r.stdout == f"{url}: at revision {head} already, nothing to do\n"
    r = run("--lang", "en", "db", "history")
    assert r.returncode == 0 and r.stdout.startswith(f"{head} (head)")
    assert "0001  The schema of release 0.1.0" in r.stdout


def test_db_upgrade_creates_an_empty_database_and_says_what_went_wrong(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    r = run("--lang", "en", "db", "upgrade", "--db", url)
    assert r.returncode == 0 and r.stdout == f"{url}: created at revision {schema.head()}\n"
    r = run(
        "--lang",
        "en",
        "db",
        "upgrade",
        "--db",
        "postgresql+psycopg://nobody:secret@127.0.0.1:1/none",
    )
    assert r.returncode == 1 and r.stderr.startswith("error: database problem: Operational")
    assert "Traceback" not in r.stderr


def test_demo_plain_runs_a_morning(tmp_path: Path) -> None:
    r = run("--lang", "en", "demo", "--plain", "--tickets", "40", env={"QUEUE_APP_DB": ""})
    assert r.returncode == 0, r.stderr
    assert "served per window" in r.stdout and "mean wait" in r.stdout


def test_demo_without_a_terminal_says_so() -> None:
    r = run("demo", env={"QUEUE_APP_DB": ""})
    assert r.returncode == 2 and "--plain" in r.stderr and "Traceback" not in r.stderr
