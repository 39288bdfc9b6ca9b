"""The server's hold on the store: one writer thread for every change, reads in parallel.

SQLite admits one writer at a time; letting every request thread compete for the lock
gives long lock back-offs in the tail. Funnelling changes through a single thread keeps
them in order and short, while reads run on the thread pool.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

from queue_app.search import CatalogSearch
from queue_app.server.events import PUBLIC_NAMES, Broadcaster
from queue_app.store import Store

T = TypeVar("T")


class HallService:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.search = CatalogSearch(store.catalog)
        self.names = {m.code: m.name for m in store.catalog.matters}
        self._pool: ThreadPoolExecutor | None = None  # made on first use, again after close
        self.events = Broadcaster()
        self.events.version = self._logged = store.last_event_id()

    async def write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a change on the writer thread, then publish what it logged (a refusal leaves
        the log as it was, so nothing is published for it)."""
        loop = asyncio.get_running_loop()

        def run() -> tuple[T | None, BaseException | None, list[Any]]:
            try:
                result, error = fn(*args, **kwargs), None
            except BaseException as exc:  # re-raised on the event loop below
                result, error = None, exc
            # only this thread moves the cursor, so each event is published once
            new = self.store.events_after(self._logged)
            if new:
                self._logged = new[-1].id
            return result, error, new

        result, error, new = await loop.run_in_executor(self._writer(), run)
        for e in new:
            self.events.publish(
                {
                    "id": e.id,
                    "event": PUBLIC_NAMES.get(e.kind, "changed"),
                    "kind": e.kind,
                    "ticket": e.ticket_number,
                    "window": e.window,
                    "at": e.at,
                }
            )
        if error is not None:
            raise error
        return result  # type: ignore[return-value]

    async def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await run_in_threadpool(fn, *args, **kwargs)

    def _writer(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="queue-writer")
        return self._pool

    def close(self) -> None:
        """Finish queued changes and stop the writer thread (a later write starts a new one)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
