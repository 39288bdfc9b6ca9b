"""Live events: after every committed change the new event-log rows are published to each
subscriber's bounded queue. A subscriber that falls behind is dropped; it reconnects and
refetches (the stream opens with a snapshot version), so a slow client never slows the hall.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

KEEPALIVE_S = 15.0
QUEUE_SIZE = 256
RETRY_MS = 2000

# event-log kinds → the name clients listen for
PUBLIC_NAMES = {
    "issued": "ticket_issued",
    "called": "ticket_called",
    "recalled": "ticket_called",
    "started": "ticket_changed",
    "finished": "ticket_changed",
    "transferred": "queue_changed",
    "no_show": "ticket_changed",
    "requeued": "queue_changed",
    "cancelled": "queue_changed",
    "expired": "queue_changed",
    "window_opened": "window_changed",
    "window_closed": "window_changed",
    "window_paused": "window_changed",
    "window_resumed": "window_changed",
    "day_closed": "day_closed",
    "rated": "ticket_rated",
    "window_profiled": "hall_changed",  # what a window serves (GET /api/hall again)
    "targets_set": "hall_changed",
    "signed_in": "seat_changed",  # someone sat down at the window, or left it
    "signed_out": "seat_changed",
}


def message(
    event_id: int, kind: str, ticket: str | None, window: int | None, at: float
) -> dict[str, Any]:
    """The public form of one event-log row (numbers and windows, never a person)."""
    return {
        "id": event_id,
        "event": PUBLIC_NAMES.get(kind, "changed"),
        "kind": kind,
        "ticket": ticket,
        "window": window,
        "at": at,
    }


RESYNC = {"event": "resync", "reason": "events may have been missed; reconnect and refetch"}


@dataclass(eq=False)
class Subscriber:
    queue: asyncio.Queue[dict[str, Any]] = field(
        default_factory=lambda: asyncio.Queue(maxsize=QUEUE_SIZE)
    )
    dropped: bool = False


class Broadcaster:
    def __init__(self) -> None:
        self._subs: set[Subscriber] = set()
        self.version = 0  # id of the newest event published

    def subscribe(self) -> Subscriber:
        sub = Subscriber()
        self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        self._subs.discard(sub)

    @property
    def subscribers(self) -> int:
        return len(self._subs)

    def publish(self, message: dict[str, Any]) -> None:
        """Hand ``message`` to every subscriber without waiting (call on the event loop)."""
        self.version = max(self.version, int(message.get("id", 0)))
        for sub in list(self._subs):
            try:
                sub.queue.put_nowait(message)
            except asyncio.QueueFull:
                sub.dropped = True
                self._subs.discard(sub)

    def resync_all(self) -> None:
        """Events may have been missed (the database connection was lost): end every
        stream with a resync, so each client reconnects and refetches."""
        for sub in list(self._subs):
            sub.dropped = True
            self._subs.discard(sub)
            # (a full queue: its stream ends with a resync once it has drained it)
            with contextlib.suppress(asyncio.QueueFull):
                sub.queue.put_nowait(RESYNC)


def _sse(event: str, data: dict[str, Any], event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def stream(
    broadcaster: Broadcaster, sub: Subscriber, keepalive_s: float = KEEPALIVE_S
) -> AsyncIterator[str]:
    """The text/event-stream of one subscriber: retry hint, snapshot, events, keepalives."""
    try:
        yield f"retry: {RETRY_MS}\n\n"
        yield _sse("snapshot", {"version": broadcaster.version}, broadcaster.version)
        while True:
            try:
                msg = await asyncio.wait_for(sub.queue.get(), timeout=keepalive_s)
            except TimeoutError:
                if sub.dropped:
                    return
                yield ": keepalive\n\n"
                continue
            if msg is RESYNC:
                yield _sse("resync", RESYNC)
                return
            yield _sse(msg["event"], msg, msg.get("id"))
            if sub.dropped and sub.queue.empty():
                yield _sse(
                    "resync", {"event": "resync", "reason": "too slow; reconnect and refetch"}
                )
                return
    finally:
        broadcaster.unsubscribe(sub)
