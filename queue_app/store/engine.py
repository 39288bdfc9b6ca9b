"""Engines: SQLite (WAL, busy timeout, BEGIN IMMEDIATE for writes) or any SQLAlchemy URL."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

WRITE = "queue_app_write"  # execution option marking a write transaction
# A server runs requests on up to 40 threads. Connections are kept, never opened per
# request (a new PostgreSQL connection is a new server process): SQLite gets one per
# thread; PostgreSQL a fixed pool that busy threads wait for (several servers share the
# database's connection limit).
SQLITE_POOL, PG_POOL = 48, 20
# how long closing a store waits for readers in other processes to let the log be emptied:
# a command run beside a busy server must not wait the busy timeout at its end
CHECKPOINT_WAIT_S = 1.0


def default_database_url() -> str:
    """A SQLite file in the user's data directory (the command's settings read
    ``$QUEUE_APP_DB`` and ``--db`` first)."""
    data = Path(platformdirs.user_data_dir("queue_app", appauthor=False))
    return f"sqlite:///{data / 'hall.db'}"


def make_engine(url: str, *, busy_timeout_s: float = 30.0, echo: bool = False) -> Engine:
    """An engine for ``url``. SQLite files get WAL, a busy timeout, and writes that take the
    write lock at BEGIN (``BEGIN IMMEDIATE``) so a read-then-claim never upgrades under a
    competing writer."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=PG_POOL, max_overflow=0)
    if u.database and u.database != ":memory:":
        Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        echo=echo,
        pool_size=SQLITE_POOL,
        max_overflow=0,
        connect_args={"timeout": busy_timeout_s, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        _use_wal(cur, busy_timeout_s)
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _use_wal(cur: sqlite3.Cursor, timeout_s: float) -> None:
    """Put the file in WAL mode. Switching takes an exclusive lock and SQLite answers
    "database is locked" at once, without its busy handler, while another process opens the
    same new file: try again until one of them has switched it (WAL then stays on the file)."""
    deadline = time.monotonic() + timeout_s
    pause = 0.005
    while True:
        try:
            mode = cur.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode in ("wal", "memory") or time.monotonic() > deadline:
                return  # a database in memory keeps its journal there
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def checkpoint(engine: Engine, wait_s: float = CHECKPOINT_WAIT_S) -> bool:
    """Copy a SQLite database's write-ahead log into its file and empty the log, so that the
    file alone holds every committed change. True when done; False when it could not be
    within ``wait_s``: a reader in another process still holds an older state (what it
    could copy is copied), or the file cannot be written. Nothing is lost either way: the
    log stays beside the file, and the next opening reads it. A database of another kind
    has no such log (True)."""
    if engine.dialect.name != "sqlite":
        return True
    try:
        with engine.connect() as conn:
            driver = conn.connection.driver_connection  # outside any transaction
            assert driver is not None  # an open connection has one
            usual = driver.execute("PRAGMA busy_timeout").fetchone()[0]
            driver.execute(f"PRAGMA busy_timeout={int(wait_s * 1000)}")
            try:
                busy, _, _ = driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                driver.execute(f"PRAGMA busy_timeout={int(usual)}")
    except (sqlite3.Error, SQLAlchemyError):
        return False
    return not busy
