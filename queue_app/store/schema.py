"""The database's schema revision, kept by Alembic (the revisions in ``migrations/versions``).

``upgrade`` brings a database to this code's revision (the head): an empty database from
nothing; one written by release 0.1.0 (its tables, no ``alembic_version``) is taken for
revision 0001, stamped so, then upgraded. Processes starting together take turns: a
PostgreSQL advisory lock, SQLite's write lock (``BEGIN IMMEDIATE``). ``require_current``
refuses a database behind the code. A database already at the head costs two small reads:
Alembic is imported only when there is something to do.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from queue_app.store.engine import WRITE

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"
RELEASE_0_1_0 = "0001"  # the revision of a database written before migrations existed
RELEASE_0_1_0_TABLES = frozenset(
    {
        "business_day",
        "day_counter",
        "event",
        "hall_setting",
        "hall_window",
        "idempotency",
        "staff",
        "staff_session",
        "ticket",
        "ticket_item",
        "window_profile",
    }
)
_LOCK = "queue_app_schema"
_IN_PROCESS = threading.Lock()  # Alembic keeps its running context in module globals
_REVISION_FILE = re.compile(r"^(\d{4})_\w+\.py$")  # revision NNNN in NNNN_what.py


class SchemaError(Exception):
    """The database's schema does not fit this code; the message says what to do."""


class SchemaBehind(SchemaError):
    """The database is at an older revision than this code needs."""

    def __init__(self, url: str, revision: str | None, head: str) -> None:
        self.revision, self.head = revision, head
        super().__init__(
            f"the database is at revision {revision or 'none (no tables)'}, this code needs "
            f"{head}: run `queue-app db upgrade --db {url}`"
        )


@dataclass(frozen=True, slots=True)
class Status:
    """Where a database stands."""

    revision: str | None  # None: no table of queue_app yet
    head: str  # the revision this code needs
    unstamped: bool = False  # release 0.1.0's tables without alembic_version (0001)

    @property
    def at_head(self) -> bool:
        return self.revision == self.head


@dataclass(frozen=True, slots=True)
class Revision:
    id: str
    down: str | None
    title: str  # the first line of its docstring


def head() -> str:
    """The newest revision: the highest NNNN of the files ``NNNN_what.py`` (a straight
    line of revisions, each revising the one before; a test holds Alembic to this)."""
    return max(_revision_ids())


def known(revision: str) -> bool:
    """Whether this code has the revision (a newer release may have upgraded the database)."""
    return revision in _revision_ids()


def status(engine: Engine) -> Status:
    with engine.connect() as conn:
        return _status(conn)


def current(engine: Engine) -> str | None:
    """The database's revision (0001 for release 0.1.0's tables; None: none of ours)."""
    return status(engine).revision


def require_current(engine: Engine) -> None:
    """Raise ``SchemaBehind`` unless the database is at this code's revision."""
    now = status(engine)
    if not now.at_head:
        _require_known(now.revision)
        raise SchemaBehind(_shown(engine), now.revision, now.head)


def upgrade(engine: Engine, hall: str | None = None) -> Status:
    """Bring the database to the head; returns where it stood before. ``hall``: the code of
    the hall whose rows a database from before hall keys holds (revision 0005 keys them)."""
    before = status(engine)
    if before.at_head and not before.unstamped:
        return before
    with _locked(engine) as conn:
        before = _status(conn)  # again under the lock: another process may have done it
        if before.at_head and not before.unstamped:
            return before
        _require_known(before.revision)
        from alembic import command

        config = alembic_config(conn)
        config.attributes["hall"] = hall
        if before.unstamped:
            command.stamp(config, RELEASE_0_1_0)
        command.upgrade(config, "head")
    return before


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database down to ``revision`` ("base": none of our tables left)."""
    with _locked(engine) as conn:
        _require_known(_status(conn).revision)
        from alembic import command

        command.downgrade(alembic_config(conn), revision)


def history() -> list[Revision]:
    """The revisions, newest first."""
    return [
        Revision(
            s.revision,
            s.down_revision if isinstance(s.down_revision, str) else None,
            (s.doc or "").strip().splitlines()[0] if s.doc else "",
        )
        for s in _script().walk_revisions()
    ]


def alembic_config(conn: Connection | None = None) -> Config:
    """Alembic's configuration, built in code: no alembic.ini. The migrations run on
    ``conn`` (inside its transaction) rather than on an engine of their own."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        config.attributes["connection"] = conn
    return config


@functools.cache
def _revision_ids() -> frozenset[str]:
    files = (MIGRATIONS / "versions").iterdir()
    return frozenset(m.group(1) for f in files if (m := _REVISION_FILE.match(f.name)))


@contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    """One transaction that holds the schema against other processes: SQLite's write lock
    (taken at BEGIN), a transaction-scoped advisory lock on PostgreSQL; and against other
    threads of this one.

    On SQLite, foreign keys are off meanwhile and checked before the commit (SQLite's way
    to change a schema): a batch "move and copy" drops a table that others refer to."""
    with _IN_PROCESS, engine.connect().execution_options(**{WRITE: True}) as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            _sqlite_pragma(conn, "PRAGMA foreign_keys=OFF")  # no tx yet
        try:
            with conn.begin():
                if not sqlite:
                    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": _LOCK})
                yield conn
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all() if sqlite else []
                if broken:
                    raise SchemaError(f"the change would break foreign keys: {broken[:3]}")
        finally:
            if sqlite:
                _sqlite_pragma(conn, "PRAGMA foreign_keys=ON")


def _sqlite_pragma(conn: Connection, pragma: str) -> None:
    """Run ``pragma`` on the DBAPI connection itself: outside SQLAlchemy's transaction."""
    driver = conn.connection.driver_connection
    assert driver is not None  # an open connection has one
    driver.execute(pragma)


def _status(conn: Connection) -> Status:
    tables = set(inspect(conn).get_table_names())
    if VERSION_TABLE in tables:
        rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
        if len(rows) > 1:
            raise SchemaError(f"the database is at several revisions at once ({', '.join(rows)})")
        if rows:
            return Status(rows[0], head())
    ours = tables & RELEASE_0_1_0_TABLES  # no revision recorded: what tables are there?
    if not ours:
        return Status(None, head())
    if ours != RELEASE_0_1_0_TABLES:
        missing = ", ".join(sorted(RELEASE_0_1_0_TABLES - ours))
        raise SchemaError(
            f"the database has some of queue_app's tables but not {missing}, and no "
            f"{VERSION_TABLE}: it was not written by queue_app 0.1.0 or later"
        )
    return Status(RELEASE_0_1_0, head(), unstamped=True)


def _require_known(revision: str | None) -> None:
    if revision is not None and not known(revision):
        raise SchemaError(
            f"the database is at revision {revision}, which this code does not know (its "
            f"newest is {head()}): a newer queue_app upgraded it; run that release"
        )


def _shown(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


@functools.cache
def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())
