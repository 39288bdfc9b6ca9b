"""SIGTERM to ``queue-app serve``: the server drains its requests, checkpoints the WAL and
closes the database, so that the SQLite file alone (no ``-wal``, no ``-shm``) holds the day:
what an operator copies as a backup after stopping the server."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from queue_app.client import HallClient
from tests.server.live import LiveServer, sqlite_url

PW = "s3cret-pass"
TICKETS = 20


def test_after_sigterm_the_database_file_alone_holds_every_ticket(tmp_path: Path) -> None:
    server = LiveServer(sqlite_url(tmp_path))
    server.add_accounts([("desk1", "desk")], PW)
    server.start()
    try:
        with HallClient(server.url) as c:
            c.sign_in("desk1", PW)
            issued = {c.issue(["M-SBK"]).ticket.number for _ in range(TICKETS)}
    finally:
        proc = server.proc
        server.stop()  # SIGTERM, then wait for the process to end
    assert proc is not None and proc.returncode in (0, -15), server.output()
    assert len(issued) == TICKETS
    alone = tmp_path / "copy" / "hall.db"
    alone.parent.mkdir()
    shutil.copyfile(tmp_path / "hall.db", alone)  # the file only, as a careless backup does
    with sqlite3.connect(alone) as conn:
        found = {row[0] for row in conn.execute("SELECT number FROM ticket")}
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    conn.close()
    assert found == issued
    assert "Traceback" not in server.output(), server.output()
