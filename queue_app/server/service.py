"""The server's hold on the store: changes and reads on threads, and the feed that
publishes every logged event to the live-event subscribers.

SQLite admits one writer at a time; letting every request thread compete for the lock
gives long lock back-offs in the tail. Funnelling its changes through a single thread
keeps them in order and short, while reads run on the thread pool. PostgreSQL takes
concurrent writers (row locks, SKIP LOCKED), so there changes run on the pool too.

Events reach subscribers from the database, not from the request that caused them, so a
change made by another process sharing the database is streamed as well: on PostgreSQL
through LISTEN/NOTIFY, on SQLite by reading the log forward after each own change and
every half second (changes made by other processes on the same file).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from queue_app.domain.city import Elsewhere, Referrals, referrals_of
from queue_app.domain.errors import Refused
from queue_app.domain.hall import Hall
from queue_app.server.errors import error_body
from queue_app.server.events import Broadcaster, message
from queue_app.server.idempotency import Key
from queue_app.server.sessions import SessionCache
from queue_app.server.stream_slots import StreamSlots
from queue_app.store import Store
from queue_app.store.feed import Follower, HallFeeds, feeds_of
from queue_app.store.idempotency import remember_refusal
from queue_app.store.staff import SIGNED_OUT
from queue_app.store.uow import EventInfo

if TYPE_CHECKING:
    from queue_app.search import CatalogSearch

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel | None)
POLL_S = 0.5  # SQLite: how often the log is read for other processes' changes
SWEEP_S = 60.0  # how often bookings past their check-in window become no-shows
# password hashes at once, on threads of their own: a flood of sign-ins queues for them
# without holding the request threads that calls and tickets need
HASHING_AT_ONCE = 2


class HallService:
    def __init__(
        self,
        store: Store,
        streams: StreamSlots | None = None,
        elsewhere: Elsewhere | None = None,
    ) -> None:
        self.store = store
        # the city's other places, for the matters this hall does not handle (none: the
        # hall only says it does not handle them)
        self.elsewhere = elsewhere or Elsewhere(store.catalog)
        self._referrals: tuple[Hall, Referrals] | None = None
        self.names = {m.code: m.name for m in store.catalog.matters}
        self.events = Broadcaster()
        self.streams = streams or StreamSlots()  # the live-event streams open, under caps
        self.sessions = SessionCache()
        # called on the loop with the kind of every event published (this process's and,
        # through the feed, other processes'): the notices' worker looks for new notices
        self.heard: list[Callable[[str], None]] = []
        self._pool: ThreadPoolExecutor | None = None  # made on first use, again after close
        self._hashing: ThreadPoolExecutor | None = None
        self._starting: asyncio.Task[None] | None = None
        self._poller: asyncio.Task[None] | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._feed: tuple[HallFeeds, Follower] | None = None  # PostgreSQL: the listener joined
        self._logged = 0  # SQLite: id of the newest event published
        self._cursor_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        store.uow.on_commit(self._committed)

    @cached_property
    def search(self) -> CatalogSearch:
        """The catalog's search, built on the first search (the pinyin of every matter takes
        a while, which a one-shot command acting on the hall in process should not pay)."""
        from queue_app.search import CatalogSearch

        return CatalogSearch(self.store.catalog)

    def referrals(self, hall: Hall) -> Referrals:
        """What ``hall`` (this hall as in effect) does not handle, and where it is handled;
        kept until what its windows serve changes."""
        kept = self._referrals
        if kept is not None and kept[0].windows == hall.windows and kept[0].handles == hall.handles:
            return kept[1]
        made = referrals_of(hall, self.elsewhere)
        self._referrals = (hall, made)
        return made

    # ------------------------------------------------------------------ feed
    async def start(self) -> None:
        """Begin following the event log (once; every caller waits until it is in place,
        so no change made after this returns goes unpublished). A start that failed is
        tried again by the next caller."""
        task = self._starting
        if task is None or (task.done() and not task.cancelled() and task.exception()):
            # first, or again after a start that failed (a read-only or full database)
            self._starting = task = asyncio.get_running_loop().create_task(self._start())
        await asyncio.shield(task)

    async def _start(self) -> None:
        loop = self._loop = asyncio.get_running_loop()
        await run_in_threadpool(self.store.roll_over)  # a day passed while it was down
        await run_in_threadpool(self.store.purge)  # keys older than a day, ended sessions
        if self.store.hall.bookings.bookable:
            self._sweeper = loop.create_task(self._sweep())
        if self.store.sqlite:
            self._logged = await loop.run_in_executor(self._writer(), self.store.last_event_id)
            self.events.version = max(self.events.version, self._logged)
            self._poller = loop.create_task(self._poll())
            return

        def on_loop(fn: Callable[..., None], *args: Any) -> None:
            """From the listener's thread onto the loop (gone once the server stops)."""
            with contextlib.suppress(RuntimeError):  # the loop closed with a note in flight
                loop.call_soon_threadsafe(fn, *args)

        feeds = feeds_of(self.store.engine)  # one listener for the process's halls
        follower = await run_in_threadpool(
            feeds.join,
            self.store.code,
            lambda row: on_loop(self._publish, row),
            lambda: on_loop(self.events.resync_all),
        )
        self._feed = (feeds, follower)
        last = await run_in_threadpool(self.store.last_event_id)
        self.events.version = max(self.events.version, last)

    def _publish(self, row: dict[str, Any]) -> None:
        self._hand_on(row["id"], row["kind"], row.get("ticket"), row.get("window"), row["at"])

    def _publish_infos(self, infos: list[EventInfo]) -> None:
        """Hand events to the live-event subscribers."""
        for e in infos:
            self._hand_on(e.id, e.kind, e.ticket_number, e.window, e.at)

    def _hand_on(
        self, event_id: int, kind: str, ticket: str | None, window: int | None, at: float
    ) -> None:
        """One event to the subscribers; a session that ended (in another process too) is
        forgotten, so its next request reads the session table."""
        if kind == SIGNED_OUT:
            self.sessions.clear()
        self.events.publish(message(event_id, kind, ticket, window, at))
        for listener in self.heard:
            listener(kind)

    def _drain(self) -> list[EventInfo]:
        """SQLite: events logged since the last drain."""
        new: list[EventInfo] = []
        with self._cursor_lock:
            while batch := self.store.events_after(self._logged):
                new += batch
                self._logged = batch[-1].id
        return new

    def _follow(self, log: list[EventInfo]) -> list[EventInfo]:
        """SQLite, under the cursor lock: the events to publish after a change that logged
        ``log``. SQLite commits one writer at a time, so if ``log`` starts right after the
        cursor no other process logged anything in between and no read is needed."""
        if log[0].id == self._logged + 1:
            self._logged = log[-1].id
            return log
        new: list[EventInfo] = []
        while batch := self.store.events_after(self._logged):
            new += batch
            self._logged = batch[-1].id
        return new

    async def _poll(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(POLL_S)
            try:
                new = await loop.run_in_executor(self._writer(), self._drain)
            except Exception:  # a busy or briefly missing database: try again next round
                continue
            self._publish_infos(new)

    async def _sweep(self) -> None:
        """Bookings never checked in become no-shows once their check-in window passed
        (every server of the hall sweeps; the sweep is one transaction, so they agree)."""
        while True:
            await asyncio.sleep(SWEEP_S)
            try:
                await self.write(self.store.sweep_bookings)
            except Exception:  # a busy or briefly missing database: try again next round
                continue

    # ---------------------------------------------------------------- access
    def _committed(self, infos: list[EventInfo]) -> None:
        """SQLite: publish a committed change's events (on the committing thread, before
        the request that made it answers). PostgreSQL publishes through NOTIFY. On both, a
        session that ended is forgotten before the request that ended it answers."""
        if any(e.kind == SIGNED_OUT for e in infos):
            self.sessions.clear()
        loop = self._loop
        if not self.store.sqlite or not infos or loop is None:
            return
        with self._cursor_lock:
            new = self._follow(infos)
        loop.call_soon_threadsafe(self._publish_infos, new)

    async def write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a change: on SQLite on the writer thread (its events are published as it
        commits); on PostgreSQL, which takes concurrent writers, on the thread pool."""
        await self.start()
        if not self.store.sqlite:
            return await run_in_threadpool(fn, *args, **kwargs)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer(), partial(fn, *args, **kwargs))

    async def act(
        self,
        key: Key | None,
        status: int,
        out: Callable[[Any], M],
        fn: Callable[..., Any],
        *args: Any,
        **kwargs: Any,
    ) -> M:
        """A change made at most once per ``Idempotency-Key``: its response ``out(result)``
        is stored in the change's own transaction; a refusal is stored after it."""
        if key is None:
            return out(await self.write(fn, *args, **kwargs))
        try:
            return out(await self.write(fn, *args, once=key.once(status, out), **kwargs))
        except Refused as exc:
            body = error_body(exc)
            status = exc.status
            refused = key.once(status, lambda _: None)
            await self.write(remember_refusal, self.store.uow, refused, status, body)
            raise

    def write_here(self, fn: Callable[[], T]) -> T:
        """Run a change from a thread of the server's own (a printer's worker) where
        changes run: on SQLite on the writer thread, on PostgreSQL right here."""
        if not self.store.sqlite:
            return fn()
        return self._writer().submit(fn).result()

    async def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await run_in_threadpool(fn, *args, **kwargs)

    async def hash(self, fn: Callable[..., T], *args: Any) -> T:
        """Password hashing, ``HASHING_AT_ONCE`` at a time, off the request threads."""
        if self._hashing is None:
            self._hashing = ThreadPoolExecutor(HASHING_AT_ONCE, thread_name_prefix="hashing")
        return await asyncio.get_running_loop().run_in_executor(self._hashing, fn, *args)

    def _writer(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="queue-writer")
        return self._pool

    def close(self) -> None:
        """Stop following the log, finish queued changes and stop the writer thread (a
        later request starts them again)."""
        for task in (self._poller, self._sweeper, self._starting):
            if task is not None and not task.done():
                with contextlib.suppress(RuntimeError):  # its loop is already closed
                    task.cancel()
        self._poller = self._sweeper = self._starting = None
        self.events.close()
        if self._feed is not None:
            feeds, follower = self._feed
            feeds.leave(follower)
            self._feed = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        if self._hashing is not None:
            self._hashing.shutdown(wait=True)
            self._hashing = None
