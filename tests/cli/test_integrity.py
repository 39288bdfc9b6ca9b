"""A hall's database that is not there, empty or damaged is refused at start with one line
saying what to do, and left as it was: ``queue-app serve`` never starts on it, never makes
a new empty hall in its place. Only ``queue-app db upgrade`` (and the demo) make one."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.store import Store, schema
from tests.cli.test_cli import run
from tests.conftest import FIXTURES, Clock, hall_file
from tests.server.live import free_port, queue_app

PAGE = 4096
TICKETS = 40


def hall_with_tickets(path: Path, catalog: Catalog, hall: Hall) -> Path:
    """A hall's SQLite file at ``path`` holding ``TICKETS`` tickets, compacted (every page
    in use: a damaged page is one the quick check reads)."""
    store = Store(hall_file(path), catalog, hall, clock=Clock())
    try:
        for _ in range(TICKETS):
            store.issue(["M-SBK"])
    finally:
        store.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("VACUUM")
    conn.close()
    return path


def damage_a_middle_page(path: Path) -> None:
    """Overwrite a page in the middle of the file, as a failing disk or a torn copy does."""
    data = bytearray(path.read_bytes())
    assert len(data) % PAGE == 0 and len(data) // PAGE >= 8, len(data)
    middle = len(data) // PAGE // 2
    data[middle * PAGE : (middle + 1) * PAGE] = bytes(range(256)) * (PAGE // 256)
    path.write_bytes(data)
    with sqlite3.connect(path) as conn:  # the premise
        try:
            report = conn.execute("PRAGMA quick_check").fetchall()
        except sqlite3.DatabaseError:
            report = []
        assert report != [("ok",)]
    conn.close()


def snapshot(directory: Path) -> dict[str, str]:
    """Every file of ``directory`` and a digest of its bytes."""
    return {
        f.name: hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(directory.iterdir())
        if f.is_file()
    }


@pytest.fixture(params=["damaged", "empty"])
def bad_file(
    request: pytest.FixtureRequest, tmp_path: Path, mini_catalog: Catalog, mini_hall: Hall
) -> Path:
    """A hall's file with a damaged page in its middle, or of zero length."""
    path = tmp_path / "hall.db"
    if request.param == "empty":
        path.touch()
    else:
        damage_a_middle_page(hall_with_tickets(path, mini_catalog, mini_hall))
    return path


def test_serve_refuses_a_damaged_or_empty_file_with_one_line(bad_file: Path) -> None:
    before = snapshot(bad_file.parent)
    url = f"sqlite:///{bad_file}"
    r = queue_app("--lang", "en", "serve", "--port", str(free_port()), "--db", url)
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout == "" and r.stderr.count("\n") == 1, r.stderr  # one line
    assert r.stderr.startswith(f"error: {bad_file} is ")
    assert ("0 bytes" if bad_file.stat().st_size == 0 else "damaged") in r.stderr
    assert f"`queue-app db restore BACKUP --db {url}`" in r.stderr
    assert snapshot(bad_file.parent) == before  # nothing made, nothing changed


@pytest.mark.parametrize(
    "command",
    [("ticket", "issue", "M-SBK"), ("staff", "add", "d1", "--role", "desk"), ("db", "upgrade")],
)
def test_commands_refuse_a_damaged_or_empty_file(bad_file: Path, command: tuple[str]) -> None:
    """The commands acting on the database, and the upgrade, which makes only a new file."""
    before = snapshot(bad_file.parent)
    env = {"QUEUE_APP_STAFF_PASSWORD": "s3cret-pass", "QUEUE_APP_DB": f"sqlite:///{bad_file}"}
    r = run("--lang", "en", *command, env=env)
    assert r.returncode == 1 and r.stderr.count("\n") == 1, r.stdout + r.stderr
    assert r.stderr.startswith(f"error: {bad_file} is ") and "db restore" in r.stderr
    assert snapshot(bad_file.parent) == before


def test_a_database_not_made_is_refused_and_not_made(db_url: str, tmp_path: Path) -> None:
    """No SQLite file, or a PostgreSQL database without tables: ``serve`` and the commands
    say how to make the hall's database, and make nothing; ``db upgrade`` makes it."""
    shown = make_url(db_url).render_as_string(hide_password=True)  # a password is not shown
    env = {"QUEUE_APP_STAFF_PASSWORD": "s3cret-pass", "QUEUE_APP_DB": db_url}
    r = run("--lang", "en", "staff", "add", "boss", "--role", "manager", env=env)
    assert r.returncode == 1 and r.stderr.count("\n") == 1, r.stdout + r.stderr
    assert f"`queue-app db upgrade --db {shown}`" in r.stderr
    if db_url.startswith("sqlite"):
        assert r.stderr.startswith(f"error: no database file at {tmp_path / 'hall.db'}: ")
        r = queue_app("--lang", "en", "serve", "--port", str(free_port()), "--db", db_url)
        assert r.returncode == 1 and r.stderr.startswith("error: no database file at ")
        assert r.stderr.count("\n") == 1 and r.stdout == "", r.stderr
        assert list(tmp_path.iterdir()) == []
    else:
        assert r.stderr.startswith(f"error: {shown} has no tables of queue_app: ")
    r = run("--lang", "en", "db", "upgrade", "--db", db_url)
    assert r.returncode == 0 and "created at revision" in r.stdout
    r = run("--lang", "en", "staff", "add", "boss", "--role", "manager", env=env)
    assert r.returncode == 0, r.stderr


def test_a_sqlite_file_of_another_program_is_refused_unchanged(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (text)")
    conn.close()
    before = snapshot(tmp_path)
    r = run("--lang", "en", "--db", f"sqlite:///{other}", "window", "list")
    assert r.returncode == 1
    assert r.stderr.startswith(f"error: {other} has no tables of queue_app: ")
    assert snapshot(tmp_path) == before


def test_a_database_behind_the_code_is_still_said_so(tmp_path: Path) -> None:
    path = tmp_path / "hall.db"
    shutil.copyfile(FIXTURES / "release_0_1_0.db", path)
    r = run("--lang", "en", "--db", f"sqlite:///{path}", "window", "list")
    assert r.returncode == 1 and "this code needs" in r.stderr
    assert f"run `queue-app db upgrade --db sqlite:///{path}`" in r.stderr
    assert schema.head() in r.stderr
