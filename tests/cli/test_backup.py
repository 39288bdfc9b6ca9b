"""``queue-app db backup FILE`` (SQLite's online backup, while a server writes) and ``db
restore FILE``: a backup restored holds every ticket the hall had when it was taken."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest

from queue_app.client import HallClient
from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.store import schema
from tests.cli.test_cli import run
from tests.cli.test_integrity import TICKETS, damage_a_middle_page, hall_with_tickets, snapshot
from tests.conftest import FIXTURES
from tests.server.live import LiveServer, queue_app

PW = "s3cret-pass"
BEFORE = 15  # tickets issued before the backup starts


def tickets(path: Path) -> list[tuple[str, str]]:
    """(number, token) of every ticket in the SQLite file ``path``, in the order issued."""
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT number, token FROM ticket ORDER BY id").fetchall()
    conn.close()
    return [(n, t) for n, t in rows]


def test_a_backup_taken_while_the_server_issues_restores_every_ticket(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    server = LiveServer(url)
    server.add_accounts([("desk1", "desk"), ("desk2", "desk")], PW)
    server.start()
    issued: list[tuple[str, str]] = []  # in the order the server answered
    got = threading.Condition()
    stop = threading.Event()

    def keep_issuing() -> None:
        with HallClient(server.url) as desk:
            desk.sign_in("desk2", PW)
            while not stop.is_set():
                slip = desk.issue(["M-SBK"])
                with got:
                    issued.append((slip.ticket.number, slip.token))
                    got.notify_all()

    backup = tmp_path / "backups" / "hall-backup.db"
    backup.parent.mkdir()
    desk = threading.Thread(target=keep_issuing, daemon=True)
    try:
        with HallClient(server.url) as c:
            c.sign_in("desk1", PW)
            for _ in range(BEFORE):
                slip = c.issue(["M-SBK"])
                issued.append((slip.ticket.number, slip.token))
        desk.start()
        with got:  # the server is taking tickets when the backup starts
            assert got.wait_for(lambda: len(issued) > BEFORE, timeout=60)
            taken_before = len(issued)
        r = queue_app("--json", "db", "backup", str(backup), "--db", url)
        with got:  # ... and still takes them after it
            assert got.wait_for(lambda: not desk.is_alive() or len(issued) > taken_before, 60)
    finally:
        stop.set()
        desk.join(60)
        server.stop()
    assert not desk.is_alive() and r.returncode == 0, r.stderr
    said = json.loads(r.stdout)
    assert said["revision"] == schema.head() and said["backup"] == str(backup)
    assert sorted(f.name for f in backup.parent.iterdir()) == [backup.name]  # one file
    fresh = tmp_path / "fresh" / "hall.db"
    r = run("--lang", "en", "db", "restore", str(backup), "--db", f"sqlite:///{fresh}")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"sqlite:///{fresh}: restored from {backup}: revision ")
    restored = tickets(fresh)
    # one state of the hall: every ticket issued before the backup began, and then those
    # the desk had been given up to some moment during it, none missing, none made up
    assert len(restored) == said["tickets"] >= taken_before
    assert restored == issued[: len(restored)]
    at = ("--db", f"sqlite:///{fresh}", "--hall", server.env["QUEUE_APP_HALL"])  # its hall
    r = run("--lang", "en", *at, "ticket", "show", restored[-1][0])
    assert r.returncode == 0, r.stderr  # the hall opens on the restored file


@pytest.fixture()
def hall(tmp_path: Path, mini_catalog: Catalog, mini_hall: Hall) -> Path:
    (tmp_path / "hall").mkdir()
    return hall_with_tickets(tmp_path / "hall" / "hall.db", mini_catalog, mini_hall)


def test_backup_refuses_to_overwrite_a_file_unless_forced(hall: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup.db"
    backup.write_bytes(b"yesterday's backup")
    r = run("--lang", "en", "db", "backup", str(backup), "--db", f"sqlite:///{hall}")
    assert r.returncode == 1
    assert r.stderr == f"error: {backup} exists already: name another file, or give --force\n"
    assert backup.read_bytes() == b"yesterday's backup"
    r = run("--lang", "en", "db", "backup", str(backup), "--force", "--db", f"sqlite:///{hall}")
    assert r.returncode == 0, r.stderr
    assert r.stdout == (
        f"{backup}: backup of sqlite:///{hall}: revision {schema.head()}, {TICKETS} tickets, "
        "checked\n"
    )
    assert len(tickets(backup)) == TICKETS
    r = run("--lang", "en", "db", "backup", str(hall), "--force", "--db", f"sqlite:///{hall}")
    assert r.returncode == 1 and "is the database itself" in r.stderr


def test_backup_into_a_missing_directory_is_one_line(hall: Path, tmp_path: Path) -> None:
    """A backup disk not mounted: its directory is not made on the hall's own disk."""
    backup = tmp_path / "usb" / "hall.db"
    r = run("--lang", "en", "db", "backup", str(backup), "--db", f"sqlite:///{hall}")
    assert r.returncode == 1 and r.stderr.count("\n") == 1, r.stdout + r.stderr
    assert r.stderr.startswith(f"error: the copy to {backup} failed (")
    assert not backup.parent.exists()


def test_backup_and_restore_of_postgresql_point_to_pg_dump(tmp_path: Path) -> None:
    pg = "postgresql+psycopg://hall:secret@127.0.0.1:1/hall"  # never connected to
    for command in ("backup", "restore"):
        r = run("--lang", "en", "db", command, str(tmp_path / "x.db"), "--db", pg)
        assert r.returncode == 1 and r.stderr.count("\n") == 1
        assert "pg_dump" in r.stderr and "secret" not in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_backup_of_a_damaged_database_is_refused(hall: Path, tmp_path: Path) -> None:
    damage_a_middle_page(hall)
    r = run("--lang", "en", "db", "backup", str(tmp_path / "b.db"), "--db", f"sqlite:///{hall}")
    assert r.returncode == 1 and r.stderr.startswith(f"error: {hall} is damaged (")
    assert not (tmp_path / "b.db").exists()


def test_restore_keeps_the_database_it_replaces(hall: Path, tmp_path: Path) -> None:
    """A damaged hall restored from last night's backup: the damaged file kept aside."""
    backup = tmp_path / "backup.db"
    r = run("db", "backup", str(backup), "--db", f"sqlite:///{hall}")
    assert r.returncode == 0, r.stderr
    damage_a_middle_page(hall)
    damaged = hall.read_bytes()
    r = run("--lang", "en", "--json", "db", "restore", str(backup), "--db", f"sqlite:///{hall}")
    assert r.returncode == 0, r.stderr
    said = json.loads(r.stdout)
    aside = Path(said["kept_aside"])
    assert aside.parent == hall.parent and aside.name.startswith("hall.db.before-restore-")
    assert aside.read_bytes() == damaged
    assert said["tickets"] == TICKETS and said["upgraded_to"] is None
    assert tickets(hall) == tickets(backup)
    r = run("--lang", "en", "--db", f"sqlite:///{hall}", "day", "status")
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("kind", ["missing", "empty", "damaged", "not a hall"])
def test_restore_refuses_a_bad_backup_and_changes_nothing(
    kind: str, hall: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.db"
    if kind == "empty":
        bad.touch()
    elif kind == "damaged":
        shutil.copyfile(hall, bad)
        damage_a_middle_page(bad)
    elif kind == "not a hall":
        with sqlite3.connect(bad) as conn:
            conn.execute("CREATE TABLE notes (text)")
        conn.close()
    before = snapshot(hall.parent)
    r = run("--lang", "en", "db", "restore", str(bad), "--db", f"sqlite:///{hall}")
    assert r.returncode == 1 and r.stderr.count("\n") == 1, r.stdout + r.stderr
    assert r.stderr.endswith("nothing was changed\n") and str(bad) in r.stderr
    assert snapshot(hall.parent) == before


def test_restore_of_an_older_backup_upgrades_it(tmp_path: Path) -> None:
    target = tmp_path / "hall.db"
    release_0_1_0 = FIXTURES / "release_0_1_0.db"
    r = run("--lang", "en", "db", "restore", str(release_0_1_0), "--db", f"sqlite:///{target}")
    assert r.returncode == 0, r.stderr
    assert f"upgraded to revision {schema.head()}" in r.stdout
    assert "kept at" not in r.stdout  # there was nothing to keep
    assert sorted(f.name for f in tmp_path.iterdir()) == ["hall.db"]
    r = run("--lang", "en", "db", "current", "--db", f"sqlite:///{target}")
    assert f"revision {schema.head()} (this release's)" in r.stdout
