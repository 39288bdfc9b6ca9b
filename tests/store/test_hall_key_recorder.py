"""The hall-key audit's recorder (tests/hall_key_recorder.py) on a real PostgreSQL: its
listener in this process, in a process started as the tests start servers, and the session
failing on what they record. Each test records into a directory of its own, not the
session's: the statements without the hall key sent here on purpose fail nothing else."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, event, select, text

from queue_app.store import schema
from tests import hall_key_recorder as recorder
from tests.conftest import REPO, _worker_pg_url, clean_pg, pg_base_url
from tests.hall_key_audit import violations
from tests.server import live


def pg_url() -> str:
    url = pg_base_url()
    if not url:
        pytest.skip("PostgreSQL not configured (QUEUE_APP_TEST_PG)")
    return url


def this_test() -> str:
    return os.environ["PYTEST_CURRENT_TEST"]


def test_the_listener_records_each_statement_and_what_it_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(recorder.DIR_ENV, str(tmp_path))
    recorder.install()
    md = MetaData()
    ticket = Table(
        "ticket",
        md,
        Column("hall", String(40), primary_key=True),
        Column("id", Integer, primary_key=True),
        Column("status", String(12)),
        prefixes=["TEMPORARY"],
    )
    good = select(ticket.c.id).where(ticket.c.hall == "h1", ticket.c.status == "waiting")
    bad = select(ticket.c.id).where(ticket.c.status == "waiting")
    engine = create_engine(pg_url())
    try:
        with engine.begin() as conn:
            md.create_all(conn, checkfirst=False)  # a temporary table hides a real one
            conn.execute(ticket.insert().values(hall="h1", id=1, status="waiting"))
            for _ in range(3):  # recorded once
                assert conn.execute(good).scalars().all() == [1]
                assert conn.execute(bad).scalars().all() == [1]
    finally:
        engine.dispose()
    lite = create_engine("sqlite://")  # not PostgreSQL: not audited
    with lite.begin() as conn:
        conn.execute(text("CREATE TABLE staff (username TEXT)"))
        conn.execute(text("SELECT username FROM staff"))
    lite.dispose()

    [file] = tmp_path.glob("*.jsonl")
    assert file.name == f"{os.getpid()}.jsonl"
    summary = recorder.collect(tmp_path)
    # each once: the insert and the two selects (the CREATE is not audited)
    assert len(file.read_text().splitlines()) == len(summary.statements) == 3
    found = {f.sql.split("WHERE")[-1].strip(): f for f in summary.statements.values()}
    assert found["ticket.status = %(status_1)s::VARCHAR"].violations == (
        "ticket in SELECT: no hall key",
    )
    assert found["ticket.hall = %(hall_1)s::VARCHAR AND ticket.status = %(status_1)s::VARCHAR"]
    assert [f.sql for f in summary.violating] == [
        found["ticket.status = %(status_1)s::VARCHAR"].sql
    ]
    assert summary.violating[0].tests == {this_test()}
    assert all("CREATE" not in sql and "staff" not in sql for sql in summary.statements)


def test_a_process_started_as_the_servers_are_records_in_the_shared_directory(
    tmp_path: Path,
) -> None:
    """A Python process with the environment ``LiveServer`` gives ``queue-app serve``
    (sitecustomize from the PYTHONPATH; run from elsewhere than the repository, where a
    site-packages ``tests`` would otherwise be found)."""
    script = (
        "import sys\n"
        "from sqlalchemy import create_engine, text\n"
        "engine = create_engine(sys.argv[1])\n"
        "with engine.begin() as c:\n"
        "    c.execute(text('CREATE TEMPORARY TABLE staff (hall VARCHAR(40), username TEXT)'))\n"
        "    c.execute(text('SELECT username FROM staff'))\n"
        "    c.execute(text('SELECT username FROM staff WHERE hall = :h'), {'h': 'h1'})\n"
    )
    env = recorder.recording_env({**live.ENV, **recorder.launched_by()}, tmp_path)
    r = subprocess.run(
        [sys.executable, "-c", script, pg_url()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    [file] = tmp_path.glob("*.jsonl")
    assert file.name != f"{os.getpid()}.jsonl"  # the child's own
    summary = recorder.collect(tmp_path)
    assert set(summary.statements) == {
        "SELECT username FROM staff",
        "SELECT username FROM staff WHERE hall = %(h)s",
    }
    bad = summary.statements["SELECT username FROM staff"]
    assert bad.violations == ("staff in SELECT: no hall key",)
    assert bad.tests == {this_test()}


def test_a_migration_is_not_audited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Revision 0004 copies staff_session into window_seat (an INSERT ... SELECT without a
    hall): sent, and not recorded."""
    url = _worker_pg_url(pg_url())
    clean_pg(url)
    monkeypatch.setenv(recorder.DIR_ENV, str(tmp_path))
    recorder.install()
    sent: list[str] = []
    engine = create_engine(url)
    event.listen(engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    try:
        schema.upgrade(engine)
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM window_seat")).scalar()
    finally:
        engine.dispose()
    unkeyed = [s for s in sent if s.startswith("INSERT INTO window_seat") and violations(s)]
    assert unkeyed, "the migration no longer sends the statement this test is about"
    summary = recorder.collect(tmp_path)
    assert [f.sql for f in summary.violating] == ["SELECT count(*) FROM window_seat"]
    assert not set(sent) & set(unkeyed) & set(summary.statements)


INNER_TEST = """
import os

from sqlalchemy import create_engine, text


def test_a_statement_without_the_hall_key():
    engine = create_engine(os.environ["QUEUE_APP_TEST_PG"])
    with engine.begin() as conn:
        conn.execute(text("CREATE TEMPORARY TABLE staff (hall VARCHAR(40), username TEXT)"))
        conn.execute(text("SELECT username FROM staff"))
    engine.dispose()
"""


def test_what_a_session_records_fails_it_once_enforced(tmp_path: Path) -> None:
    """A session of its own, with this suite's hooks (tests/conftest.py as a plugin), on a
    test sending a statement without the hall key: enforced, it fails and names the
    statement and the test."""
    pg_url()
    (tmp_path / "test_inner.py").write_text(INNER_TEST, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.pop(recorder.DIR_ENV, None)  # a session directory of its own, not this session's
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    cmd += ["-p", "tests.conftest", str(tmp_path / "test_inner.py")]

    r = subprocess.run(
        cmd,
        cwd=tmp_path,
        env={**env, recorder.SWITCH_ENV: "enforce"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "1 passed" in r.stdout, r.stdout + r.stderr
    assert r.returncode == pytest.ExitCode.TESTS_FAILED, r.stdout
    assert "hall-key audit (enforced)" in r.stdout and "SELECT username FROM staff" in r.stdout
    assert "sent by: test_inner.py::test_a_statement_without_the_hall_key (call)" in r.stdout


@pytest.mark.parametrize(("switch", "fails"), [("", True), ("enforce", True), ("record", False)])
def test_the_switch_says_whether_a_missing_key_fails_the_run(
    switch: str, fails: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(recorder.SWITCH_ENV, switch)
    assert recorder.enforced() is fails
