"""What staff found trying the command line (issue 12), each in a real process."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli import run
from tests.conftest import hall_file
from tests.server.live import LiveServer, sqlite_url


def test_an_ambiguous_code_lists_the_matters_it_could_be(tmp_path: Path) -> None:
    db = hall_file(tmp_path / "hall.db")
    r = run("--db", db, "ticket", "issue", "511A0101", "--priority", "老年人")
    assert r.returncode == 1 and "ambiguous_matter" in r.stderr
    assert "电影放映单位设立审批（内资）" in r.stderr and "公路超限运输许可" in r.stderr
    assert "511A0101000002-" in r.stderr and "Traceback" not in r.stderr


def test_help_gives_each_command_its_summary_on_one_line() -> None:
    r = run("--help")  # at 200 columns: nothing needs wrapping
    assert r.returncode == 0, r.stderr
    assert "or the one hall --hall names), demo staff and the morning so far" in r.stdout
    assert "waits per class and domain, utilisation" in r.stdout
    r = run("window", "--help")
    assert "turn window 5 into an 企业开办 window for the peak" in r.stdout


def test_simulate_names_the_hall_once() -> None:
    r = run("simulate", "--days", "1")
    assert r.returncode == 0, r.stderr
    first = r.stdout.splitlines()[0]
    assert first.count("区政务服务中心") == 1, first


def test_day_status_on_an_empty_day_says_there_is_nothing_yet(mini_env: dict[str, str]) -> None:
    r = run("day", "status", env=mini_env)
    assert r.returncode == 0, r.stderr
    assert "今日尚无取号" in r.stdout
    r = run("--lang", "en", "day", "status", env=mini_env)
    assert "no tickets yet today" in r.stdout


def test_the_terminals_need_a_terminal() -> None:
    for args in (("desk",), ("manager",), ("display",), ("window", "1")):
        r = run("--lang", "en", *args, "--server", "http://127.0.0.1:9")  # nothing listens
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert "needs a terminal" in r.stderr and "Traceback" not in r.stderr


def test_a_window_that_does_not_exist_is_said_before_any_sign_in(tmp_path: Path) -> None:
    server = LiveServer(sqlite_url(tmp_path))
    server.add_accounts((("c1", "clerk"),), "s3cret-pass")
    server.start()
    try:
        r = run("window", "99", "--server", server.url, "--user", "c1")
        en = run("window", "99", "--lang", "en", "--server", server.url, "--user", "c1")
    finally:
        server.stop()
    assert r.returncode == 2 and "没有 99 号窗口" in r.stderr and "窗口：1, 2" in r.stderr, r.stderr
    assert en.returncode == 2 and "window 99 does not exist" in en.stderr, en.stderr
    assert "windows: 1, 2" in en.stderr
