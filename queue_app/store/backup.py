"""Backups of a hall on SQLite: SQLite's online backup copies the database as one
consistent state while a server goes on writing, into a file of its own (no write-ahead
log beside it); a restore checks a backup, keeps the database it replaces aside and puts
the backup in its place. PostgreSQL has ``pg_dump`` and ``pg_restore`` for this."""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from queue_app.store import schema
from queue_app.store.engine import make_engine
from queue_app.store.integrity import (
    Empty,
    Missing,
    Unusable,
    check_file,
    connect_existing,
    plain_engine,
    sqlite_file,
)
from queue_app.store.tables import ticket_t

# SQLite's files beside a database: its logs (WAL mode's; a rollback journal left by a crash)
LOG_SUFFIXES = ("-wal", "-shm", "-journal")


class BackupError(Exception):
    """A backup or restore that cannot be done; ``file`` is the file it is about. Nothing
    was changed."""

    def __init__(self, file: Path | str, problem: str = "") -> None:
        self.file, self.problem = file, problem
        super().__init__(f"{file}: {problem or type(self).__name__}")


class NotSQLite(BackupError):
    """The database is not a SQLite file (``file``: its URL): PostgreSQL has pg_dump."""


class Exists(BackupError):
    """The backup's file exists already (and overwriting it was not asked for)."""


class SameFile(BackupError):
    """The backup's file is the database itself."""


class NoBackup(BackupError):
    """No such file."""


class BadBackup(BackupError):
    """An empty or damaged file, or one that could not be read (``problem`` says which)."""


class NotAHall(BackupError):
    """A SQLite database, but not one of queue_app (none or only some of its tables)."""


class TooNew(BackupError):
    """A hall's database at a revision this code does not know (a newer release's)."""

    def __init__(self, file: Path, revision: str) -> None:
        self.revision = revision
        super().__init__(file, revision)


class CopyFailed(BackupError):
    """The copy itself failed (e.g. the disk is full or the directory is missing)."""


@dataclass(frozen=True, slots=True)
class Summary:
    """What a checked copy holds."""

    file: Path
    revision: str
    tickets: int
    size: int  # bytes


@dataclass(frozen=True, slots=True)
class Restored:
    backup: Summary
    aside: Path | None  # where the database it replaced was kept (None: there was none)
    before: schema.Status  # the restored database's revision before its upgrade


def backup(url: str, dest: Path, *, force: bool = False) -> Summary:
    """Copy the hall's SQLite database at ``url`` to ``dest`` while others may write to it;
    the copy is checked before it takes ``dest``'s name. Refuses another kind of
    database, a missing, empty or damaged one, and an existing ``dest`` unless ``force``."""
    source = sqlite_file(url)
    if source is None:
        raise NotSQLite(_shown(url))
    check_file(source, url)
    if _same(dest, source):
        raise SameFile(dest)
    if dest.exists() and not force:
        raise Exists(dest)
    partial = dest.with_name(dest.name + ".partial")  # beside it: the rename is atomic
    try:
        _copy(source, partial, dest)
        summary = describe(partial)
        os.replace(partial, dest)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Summary(dest, summary.revision, summary.tickets, summary.size)


def describe(file: Path) -> Summary:
    """Check a copy (the quick check; a hall's tables at a revision this code knows) and
    say what it holds. Raises ``NoBackup``, ``BadBackup``, ``NotAHall`` or ``TooNew``;
    changes nothing."""
    try:
        check_file(file)
    except Missing:
        raise NoBackup(file) from None
    except Empty:
        raise BadBackup(file, "0 bytes") from None
    except Unusable as exc:
        raise BadBackup(file, exc.problem) from None
    with plain_engine(file) as engine:
        try:
            revision = schema.status(engine).revision
        except schema.SchemaError as exc:
            raise NotAHall(file, str(exc)) from None
        if revision is None:
            raise NotAHall(file)
        if not schema.known(revision):
            raise TooNew(file, revision)
        with engine.connect() as conn:
            tickets = conn.execute(select(func.count()).select_from(ticket_t)).scalar_one()
    return Summary(file, revision, tickets, file.stat().st_size)


def restore(url: str, source: Path, hall: str | None = None) -> Restored:
    """Put the backup ``source`` in the place of the hall's SQLite database at ``url``:
    the backup is checked (``describe``), copied beside the database and checked again;
    the database (and its log files) is renamed ``NAME.before-restore-YYYYmmdd-HHMMSS``;
    the copy takes its name and is upgraded to this code's revision if older. The server
    must be stopped first: one still running would go on writing to the renamed file.
    ``hall``: the hall whose rows a backup from before hall keys holds."""
    target = sqlite_file(url)
    if target is None:
        raise NotSQLite(_shown(url))
    if _same(source, target):
        raise SameFile(source)
    summary = describe(source)
    staged = target.with_name(target.name + ".restoring")
    try:
        _copy(source, staged, target, make_directory=True)
        describe(staged)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    try:
        aside = _set_aside(target)
        os.replace(staged, target)
    except OSError as exc:
        raise CopyFailed(target, str(exc)) from None
    engine = make_engine(url)
    try:
        before = schema.upgrade(engine, hall=hall)
    finally:
        engine.dispose()
    return Restored(summary, aside, before)


def _copy(source: Path, dest: Path, shown: Path, *, make_directory: bool = False) -> None:
    """SQLite's online backup of ``source`` into a new file ``dest``, in one step (one
    consistent state, however others write meanwhile), left in rollback-journal mode: a
    single file. A failure is ``CopyFailed`` naming ``shown``, the file meant; ``dest``'s
    directory is made only if ``make_directory`` (a backup's missing directory may be a
    disk not mounted)."""
    try:
        if make_directory:
            dest.parent.mkdir(parents=True, exist_ok=True)
        dest.unlink(missing_ok=True)  # what an earlier, interrupted copy left
        with closing(connect_existing(source)) as src, closing(sqlite3.connect(dest)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
    except (sqlite3.Error, OSError) as exc:
        raise CopyFailed(shown, str(exc)) from None


def _set_aside(target: Path) -> Path | None:
    """Rename the database and its log files out of the way; the new name of the file
    (None: there was none)."""
    logs = [target.with_name(target.name + suffix) for suffix in LOG_SUFFIXES]
    if not any(f.exists() for f in (target, *logs)):
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = target.with_name(f"{target.name}.before-restore-{stamp}")
    n = 1
    while aside.exists():  # a second restore within the second
        n += 1
        aside = target.with_name(f"{target.name}.before-restore-{stamp}-{n}")
    for suffix, log in zip(LOG_SUFFIXES, logs, strict=True):
        if log.exists():  # the logs first: a log never stays beside another database
            os.replace(log, aside.with_name(aside.name + suffix))
    if target.exists():
        os.replace(target, aside)
    return aside


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _same(a: Path, b: Path) -> bool:
    return a.exists() and b.exists() and os.path.samefile(a, b)
