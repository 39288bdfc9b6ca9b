"""Whether a hall's database may be opened: a SQLite file must exist, not be empty and pass
SQLite's quick check (its pages and b-trees whole); a database of either kind must hold
queue_app's tables at this code's revision. Nothing here creates or changes a database:
a new one is made only by ``queue-app db upgrade`` (or the demo)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from queue_app.store import schema
from queue_app.store.engine import make_engine

SQLITE_CORRUPT, SQLITE_NOTADB = 11, 26  # SQLite's primary result codes for a broken file
PROBLEMS_SHOWN = 3  # lines of the quick check's report kept in the message


class Unusable(Exception):
    """The database cannot be opened as a hall's; ``file`` is the SQLite file (None:
    another kind of database), ``url`` the database's URL with its password hidden."""

    def __init__(self, url: str, file: Path | None, problem: str = "") -> None:
        self.url, self.file, self.problem = url, file, problem
        super().__init__(f"{file or url}: {problem or type(self).__name__}")


class Missing(Unusable):
    """No such SQLite file, or a database without queue_app's tables."""


class NoTables(Missing):
    """A database (or SQLite file) without queue_app's tables."""


class Empty(Unusable):
    """A SQLite file of zero bytes (SQLite would take it for a new, empty database)."""


class Damaged(Unusable):
    """A SQLite file that is not a database, or fails the quick check."""


class Unreadable(Unusable):
    """A SQLite file that could not be read (e.g. no permission)."""


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for another kind of database or one in memory."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database).expanduser()


def check_file(path: Path, url: str | None = None) -> None:
    """Raise ``Missing``, ``Empty``, ``Damaged`` or ``Unreadable`` unless ``path`` is a
    SQLite database that passes ``PRAGMA quick_check``. The file is opened for reading and
    writing, never created: SQLite removes the log files it made for the check on closing,
    and folds in what a process that crashed left in the write-ahead log."""
    shown = url or f"sqlite:///{path}"
    if not path.exists():
        raise Missing(shown, path)
    if path.stat().st_size == 0:
        raise Empty(shown, path)
    try:
        with closing(connect_existing(path)) as conn:
            report = [row[0] for row in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as exc:
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
            raise Damaged(shown, path, _one_line(str(exc))) from None
        raise Unreadable(shown, path, _one_line(str(exc))) from None
    if report != ["ok"]:
        raise Damaged(shown, path, "; ".join(_one_line(r) for r in report[:PROBLEMS_SHOWN]))


def _one_line(said: str) -> str:
    """SQLite's report on one line (its lines have breaks in them)."""
    return " ".join(said.split())


def open_hall(url: str) -> Engine:
    """An engine on the hall's database: an existing SQLite file that passes the quick
    check (``check_file``), with queue_app's tables (``NoTables`` if none) at this code's
    revision (``schema.SchemaBehind`` if older). A file that is refused is not changed."""
    shown = make_url(url).render_as_string(hide_password=True)
    file = sqlite_file(url)
    if file is not None:
        check_file(file, shown)
        with plain_engine(file) as plain:  # before ``make_engine`` puts the file in WAL mode
            _require_tables(plain, shown, file)
    engine = make_engine(url)
    try:
        if file is None:
            _require_tables(engine, shown, None)
        schema.require_current(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def connect_existing(file: Path) -> sqlite3.Connection:
    """A plain connection to an existing SQLite file (never creating one), waiting for
    writers; no pragma of ``make_engine``'s."""
    return sqlite3.connect(f"{file.resolve().as_uri()}?mode=rw", uri=True, timeout=30)


@contextmanager
def plain_engine(file: Path) -> Iterator[Engine]:
    """An engine of ``connect_existing`` connections, none kept."""
    engine = create_engine("sqlite://", creator=lambda: connect_existing(file), poolclass=NullPool)
    try:
        yield engine
    finally:
        engine.dispose()


def _require_tables(engine: Engine, shown: str, file: Path | None) -> None:
    if schema.current(engine) is None:
        raise NoTables(shown, file)
