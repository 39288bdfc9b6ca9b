"""How a server hears of every event logged to the database, whichever process logged it.

PostgreSQL: a trigger on the event table (made by migration 0001) sends each new row with
``NOTIFY`` when its transaction commits; every server keeps one connection that ``LISTEN``s
and hands the rows on in commit order (ids are not: a transaction may commit after one that
took a later id).
SQLite lives on one machine, and its writers take turns, so ids commit in order there and
the log is simply read forward from a cursor.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

CHANNEL = "queue_app_events"  # the trigger of migration 0001 sends on it


class PgListener:
    """A thread that LISTENs for new events and passes each to ``on_event`` (a dict with
    id, kind, ticket, window, at). After a lost connection it reconnects with back-off and
    calls ``on_gap``: events committed meanwhile were not heard, so readers must refetch."""

    def __init__(
        self,
        engine: Engine,
        on_event: Callable[[dict[str, Any]], object],
        on_gap: Callable[[], object],
        *,
        poll_s: float = 0.5,
        max_backoff_s: float = 10.0,
    ) -> None:
        self._dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._on_event = on_event
        self._on_gap = on_gap
        self._poll_s = poll_s
        self._max_backoff_s = max_backoff_s
        self._stop = threading.Event()
        self.listening = threading.Event()
        self._thread = threading.Thread(target=self._run, name="queue-listen", daemon=True)

    def launch(self) -> None:
        """Start listening and return at once (``listening`` is set once LISTEN is in place)."""
        self._thread.start()

    def start(self, timeout_s: float = 10.0) -> None:
        """Start listening; returns once LISTEN is in place (so no later commit is missed)."""
        self.launch()
        if not self.listening.wait(timeout_s):
            raise ConnectionError(f"could not LISTEN on the database within {timeout_s:.0f} s")

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self._poll_s * 4)

    def _run(self) -> None:
        import psycopg

        backoff, heard_before = 0.25, False
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    if heard_before:
                        self._on_gap()
                    heard_before, backoff = True, 0.25
                    self.listening.set()
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=self._poll_s):
                            self._on_event(json.loads(note.payload))
            except psycopg.Error:
                self.listening.clear()
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self._max_backoff_s)


class HallFeeds:
    """The halls of this process on one database share one ``PgListener`` (one connection
    and thread, however many halls the server serves): each event goes to its hall's
    followers only; a gap is everyone's. ``feeds_of`` gives an engine's; the listener runs
    while someone follows."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._followers: dict[str, list[Follower]] = {}
        self._lock = threading.Lock()
        self._listener: PgListener | None = None

    def join(
        self,
        hall: str,
        on_event: Callable[[dict[str, Any]], object],
        on_gap: Callable[[], object],
        timeout_s: float = 10.0,
    ) -> Follower:
        """Hand ``hall``'s events to ``on_event`` from now on; returns once the listener
        is in place (no later commit is missed). ``leave`` with what it returns."""
        follower = Follower(hall, on_event, on_gap)
        with self._lock:
            self._followers.setdefault(hall, []).append(follower)
            listener = self._listener
            if listener is None:
                listener = self._listener = PgListener(self._engine, self._event, self._gap)
                listener.launch()
        if not listener.listening.wait(timeout_s):
            self.leave(follower)
            raise ConnectionError(f"could not LISTEN on the database within {timeout_s:.0f} s")
        return follower

    def leave(self, follower: Follower) -> None:
        """Stop handing events to ``follower``; the last to leave stops the listener."""
        with self._lock:
            mine = self._followers.get(follower.hall, [])
            if follower in mine:
                mine.remove(follower)
            if not mine:
                self._followers.pop(follower.hall, None)
            listener = self._listener if not self._followers else None
            if listener is not None:
                self._listener = None
                with _feeds_lock:
                    if _feeds.get(id(self._engine)) is self:
                        del _feeds[id(self._engine)]
        if listener is not None:
            listener.stop()

    def _event(self, row: dict[str, Any]) -> None:
        for follower in self._followers.get(str(row.get("hall")), ()):
            follower.on_event(row)

    def _gap(self) -> None:
        for followers in list(self._followers.values()):
            for follower in followers:
                follower.on_gap()


@dataclass(eq=False)
class Follower:
    """One follower of a hall's events (``HallFeeds.join``)."""

    hall: str
    on_event: Callable[[dict[str, Any]], object]
    on_gap: Callable[[], object]


_feeds: dict[int, HallFeeds] = {}  # by id of the engine: each engine's while it is followed
_feeds_lock = threading.Lock()


def feeds_of(engine: Engine) -> HallFeeds:
    """The one ``HallFeeds`` of ``engine`` in this process."""
    with _feeds_lock:
        feeds = _feeds.get(id(engine))
        if feeds is None or feeds._engine is not engine:
            feeds = _feeds[id(engine)] = HallFeeds(engine)
        return feeds
