"""The unit of work: one database transaction, retried when the database is busy or a
compare-and-set lost a race, and the events it logged handed back with its result.

    done = uow.run(lambda tx: ...)      # one write transaction; done.result, done.events
    with uow.read() as tx: ...          # one read-only transaction
    with uow.batch(): uow.run(...) ...  # this thread's units of work in one transaction

Listeners registered with ``on_commit`` hear every committed change's events, in the
committing thread, right after the commit (the server publishes them from there).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from queue_app.store import hall_key
from queue_app.store.engine import WRITE

R = TypeVar("R")
ATTEMPTS = 8
# PostgreSQL: serialization_failure, deadlock_detected; both are safe to run again
_RETRY_SQLSTATES = frozenset({"40001", "40P01"})


class Conflict(Exception):
    """A compare-and-set lost to a concurrent writer: the whole unit of work runs again."""


@dataclass(frozen=True, slots=True)
class EventInfo:
    """One row of the event log."""

    id: int
    at: float
    day: str
    kind: str
    ticket_number: str | None
    window: int | None
    actor: str
    detail: dict[str, Any]
    ticket_id: int | None = None


@dataclass(slots=True)
class Tx:
    """An open transaction: its connection, the instant it acts at, what it logged."""

    conn: Connection
    now: float
    events: list[EventInfo] = field(default_factory=list)

    @property
    def dialect(self) -> str:
        return self.conn.dialect.name

    @property
    def hall(self) -> str:
        """The hall this transaction works for."""
        return hall_key.of(self.conn)


@dataclass(frozen=True, slots=True)
class Committed(Generic[R]):
    result: R
    events: list[EventInfo]


def _retryable(exc: DBAPIError, sqlite: bool) -> bool:
    if sqlite:
        return isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower()
    return getattr(exc.orig, "sqlstate", None) in _RETRY_SQLSTATES


class UnitOfWork:
    """Transactions on one engine for one hall, with the hall's clock."""

    def __init__(self, engine: Engine, clock: Callable[[], float], hall: str) -> None:
        self.engine = engine
        self.clock = clock
        self.hall = hall
        self.sqlite = engine.dialect.name == "sqlite"
        self._listeners: list[Callable[[list[EventInfo]], None]] = []
        self._batch = threading.local()  # .conn, .events: a batch open on this thread

    def on_commit(self, listener: Callable[[list[EventInfo]], None]) -> None:
        """Call ``listener`` with the events of every change committed from now on."""
        self._listeners.append(listener)

    @contextmanager
    def read(self) -> Iterator[Tx]:
        with self.engine.connect() as conn, conn.begin():
            yield Tx(hall_key.bind(conn, self.hall), self.clock())

    @contextmanager
    def batch(self, every: int = 64) -> Iterator[None]:
        """The units of work this thread runs inside, each as it is, committed together
        ``every`` at a time (the listeners hear their events at each commit): for a single
        writer replaying work (the history player), where a commit per operation is most
        of the cost. A failure rolls back the ones not yet committed and ends the batch.
        (Not one long transaction: PostgreSQL keeps every version of a row changed in an
        open transaction, and the hall's few hot rows would grow a chain to walk.)"""
        if getattr(self._batch, "conn", None) is not None:
            yield  # already in one
            return
        options = {WRITE: True, hall_key.OPTION: self.hall}
        with self.engine.connect().execution_options(**options) as conn:
            b = self._batch
            b.conn, b.events, b.every, b.done = conn, [], every, 0
            conn.begin()
            try:
                yield
                self._commit_batch()
            except BaseException:
                conn.rollback()
                raise
            finally:
                b.conn = None

    def _commit_batch(self) -> None:
        b = self._batch
        b.conn.commit()
        heard, b.events, b.done = b.events, [], 0
        for listener in self._listeners:
            listener(heard)

    def run(self, op: Callable[[Tx], R], attempts: int = ATTEMPTS) -> Committed[R]:
        """Run ``op`` in one write transaction and commit; run it again from the start
        after a lost compare-and-set or a busy/serialization failure. In a ``batch``, run
        it in the batch's transaction (a failure ends the batch)."""
        b = self._batch
        if getattr(b, "conn", None) is not None:
            if not b.conn.in_transaction():
                b.conn.begin()
            tx = Tx(b.conn, self.clock())
            result = op(tx)
            b.events.extend(tx.events)
            b.done += 1
            if b.done >= b.every:
                self._commit_batch()
            return Committed(result, tx.events)
        for attempt in range(attempts):
            try:
                with (
                    self.engine.connect().execution_options(
                        **{WRITE: True, hall_key.OPTION: self.hall}
                    ) as conn,
                    conn.begin(),
                ):
                    tx = Tx(conn, self.clock())
                    result = op(tx)
            except Conflict:
                if attempt == attempts - 1:
                    raise
            except DBAPIError as exc:
                if attempt == attempts - 1 or not _retryable(exc, self.sqlite):
                    raise
            else:
                for listener in self._listeners:
                    listener(tx.events)
                return Committed(result, tx.events)
            time.sleep(0.001 * (attempt + 1))
        raise AssertionError("unreachable")
