"""Closing a store on SQLite folds the write-ahead log into the database file, even while
another process keeps the database open (SQLite itself does so only at the last close),
and never waits long for a reader that holds an older state."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.store import Store, make_engine
from queue_app.store.engine import checkpoint
from tests.conftest import Clock, hall_file


def numbers_in_the_file_alone(path: Path, tmp_path: Path) -> list[str]:
    alone = tmp_path / "copy.db"
    shutil.copyfile(path, alone)
    with sqlite3.connect(alone) as conn:
        numbers = [r[0] for r in conn.execute("SELECT number FROM ticket ORDER BY id")]
    conn.close()
    return numbers


def test_dispose_leaves_every_ticket_in_the_file_while_another_holds_it_open(
    tmp_path: Path, mini_catalog: Catalog, mini_hall: Hall
) -> None:
    path = tmp_path / "hall.db"
    store = Store(hall_file(path), mini_catalog, mini_hall, clock=Clock())
    other = sqlite3.connect(path, isolation_level=None)  # another process's connection
    try:
        other.execute("SELECT count(*) FROM ticket").fetchone()  # it has read, now idle
        issued = [store.issue(["M-SBK"]).ticket.number for _ in range(5)]
        store.dispose()
        assert numbers_in_the_file_alone(path, tmp_path) == issued
    finally:
        other.close()


def test_a_reader_of_an_older_state_is_not_waited_for(tmp_path: Path) -> None:
    """The checkpoint copies what it can and says it could not finish (the log is read
    at the next opening); once the reader ends, it finishes."""
    path = tmp_path / "hall.db"
    engine = make_engine(hall_file(path))
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM ticket").fetchone()  # holds this state
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE later (x)")  # a change after it
        assert checkpoint(engine, wait_s=0) is False
        reader.execute("COMMIT")
        assert checkpoint(engine, wait_s=0) is True
        assert Path(f"{path}-wal").stat().st_size == 0  # emptied
    finally:
        reader.close()
        engine.dispose()
