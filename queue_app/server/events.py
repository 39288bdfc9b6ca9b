"""Live events: after every committed change the new event-log rows are published to each
subscriber's bounded queue, each event encoded once for all of them. A subscriber that falls
behind is dropped; it reconnects and refetches (the stream opens with a snapshot version),
so a slow client never slows the hall.

What a subscriber costs the server is its writes, not their bytes: each one wakes its task
and passes the ASGI layers and a socket write (some 45 µs on a hall server, 9 ms an event
for 200 boards). So the anonymous streams (display boards, status pages) are written at
most once every ``BATCH_S``: an event after a quiet spell goes out at once, those that
follow within ``BATCH_S`` together, encoded once into one write for every board. Streams
of signed-in terminals (few) get each event at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

KEEPALIVE_S = 15.0
BATCH_S = 0.5  # anonymous streams: at most one write this often
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
    "parked": "ticket_parked",  # 补材料: the citizen fetches a missing material
    "unparked": "ticket_unparked",  # back: its window calls it next
    "hold_released": "queue_changed",
    "window_opened": "window_changed",
    "window_closed": "window_changed",
    "window_paused": "window_changed",
    "window_resumed": "window_changed",
    "day_closed": "day_closed",
    "rated": "ticket_rated",
    "window_profiled": "hall_changed",  # what a window serves (GET /api/hall again)
    "targets_set": "hall_changed",
    "notice_set": "notice_changed",  # the boards' notice line (GET /api/display again)
    "staff_edited": "seat_changed",  # the name or number the window's screen shows
    "signed_in": "seat_changed",  # someone sat down at the window, or left it
    "signed_out": "seat_changed",
    # a slip printed or asked for again, a printer's state changed (GET /api/printers)
    "slip_printed": "printer_changed",
    "slip_requested": "printer_changed",
    "printer_state": "printer_changed",
    **dict.fromkeys(  # a 好差评 case (no name, no text: the id is in the log's detail)
        (
            "case_opened",
            "case_assigned",
            "case_visited",
            "case_rectified",
            "case_answered",
            "case_appealed",
            "case_decided",
        ),
        "case_changed",
    ),
    **dict.fromkeys(  # a booking (预约): its code in the log's detail, never its number
        (
            "booked",
            "booking_moved",
            "booking_cancelled",
            "checked_in",
            "booking_no_show",
            "slots_closed",
            "slots_reopened",
            "ban_lifted",
        ),
        "booking_changed",
    ),
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
TOO_SLOW = {"event": "resync", "reason": "too slow; reconnect and refetch"}


def encode(event: str, data: dict[str, Any], event_id: int | None = None) -> bytes:
    """One server-sent event as the stream carries it."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


KEEPALIVE = b": keepalive\n\n"
RESYNC_FRAME = encode("resync", RESYNC)  # ends a stream: handed over by identity


@dataclass(eq=False)
class Subscriber:
    """One open stream: the encoded events not yet written (bytes shared by every
    subscriber), and whether the broadcaster has let it go. A ``prompt`` one gets each
    event at once, the others in batches."""

    prompt: bool = False
    queue: asyncio.Queue[bytes] = field(default_factory=lambda: asyncio.Queue(maxsize=QUEUE_SIZE))
    dropped: bool = False
    joined_at: int = 0  # the batch gathering when it subscribed: what came before it is not its


class Broadcaster:
    """Every event encoded once and the same bytes queued for each subscriber: at once for
    the prompt ones, in batches (``batch_s``) for the others; a keepalive to all of them
    every ``keepalive_s`` while any is open. Used on the event loop only."""

    def __init__(self, keepalive_s: float = KEEPALIVE_S, batch_s: float = BATCH_S) -> None:
        self._prompt: set[Subscriber] = set()
        self._batched: set[Subscriber] = set()
        self.version = 0  # id of the newest event published
        self.keepalive_s, self.batch_s = keepalive_s, batch_s
        self._pending: list[bytes] = []  # for the batched subscribers, after the last write
        self._window: asyncio.TimerHandle | None = None  # a batch is being gathered
        self._ticker: asyncio.Task[None] | None = None

    def subscribe(self, *, prompt: bool = False) -> Subscriber:
        """A new subscriber (call on the event loop: it starts the keepalives)."""
        sub = Subscriber(prompt, joined_at=0 if prompt else len(self._pending))
        (self._prompt if prompt else self._batched).add(sub)
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.get_running_loop().create_task(self._keep_alive())
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        self._prompt.discard(sub)
        self._batched.discard(sub)

    @property
    def subscribers(self) -> int:
        return len(self._prompt) + len(self._batched)

    @property
    def gathering(self) -> bool:
        """A batch is being gathered: the batched subscribers get the next event with it."""
        return self._window is not None

    def publish(self, message: dict[str, Any]) -> None:
        """Hand ``message`` to every subscriber without waiting."""
        self.version = max(self.version, int(message.get("id", 0)))
        frame = encode(message["event"], message, message.get("id"))
        self._offer(frame, self._prompt)
        if self._window is not None:
            self._pending.append(frame)
            return
        self._offer(frame, self._batched)
        if self.batch_s > 0:
            self._window = asyncio.get_running_loop().call_later(self.batch_s, self._batch)

    def _batch(self) -> None:
        """The end of a batch's time: what came meanwhile in one write, and a new batch
        begins; with nothing, the next event goes out at once."""
        self._window = None
        if self._pending:
            frame = b"".join(self._pending)
            late = {sub for sub in self._batched if sub.joined_at}
            self._offer(frame, self._batched - late)
            for sub in late:  # subscribed while the batch gathered: only what came after
                if rest := self._pending[sub.joined_at :]:
                    self._offer(b"".join(rest), {sub})
                sub.joined_at = 0
            self._pending.clear()
            self._window = asyncio.get_running_loop().call_later(self.batch_s, self._batch)

    def _offer(self, frame: bytes, subs: set[Subscriber]) -> None:
        for sub in list(subs):
            try:
                sub.queue.put_nowait(frame)
            except asyncio.QueueFull:  # fallen behind: its stream ends once drained
                sub.dropped = True
                self.unsubscribe(sub)

    def resync_all(self) -> None:
        """Events may have been missed (the database connection was lost): end every
        stream with a resync, so each client reconnects and refetches."""
        self._pending.clear()  # (they refetch)
        for sub in [*self._prompt, *self._batched]:
            sub.dropped = True
            self.unsubscribe(sub)
            # (a full queue: its stream ends with a resync once it has drained it)
            with contextlib.suppress(asyncio.QueueFull):
                sub.queue.put_nowait(RESYNC_FRAME)

    async def _keep_alive(self) -> None:
        while self.subscribers:
            await asyncio.sleep(self.keepalive_s)
            self._offer(KEEPALIVE, self._prompt)
            self._offer(KEEPALIVE, self._batched)

    def close(self) -> None:
        """Stop the keepalives and the batch being gathered (the server is stopping)."""
        with contextlib.suppress(RuntimeError):  # their loop is already closed
            if self._window is not None:
                self._window.cancel()
            if self._ticker is not None and not self._ticker.done():
                self._ticker.cancel()
        self._window = self._ticker = None
        self._pending.clear()


async def writes(broadcaster: Broadcaster, sub: Subscriber) -> AsyncIterator[bytes]:
    """What one subscriber's stream writes: the retry hint and a snapshot version, then
    its events and keepalives, all those waiting in one write; until a resync ends it."""
    yield f"retry: {RETRY_MS}\n\n".encode() + encode(
        "snapshot", {"version": broadcaster.version}, broadcaster.version
    )
    queue = sub.queue
    while True:
        frames = [await queue.get()]
        while not queue.empty() and frames[-1] is not RESYNC_FRAME:
            frames.append(queue.get_nowait())
        if frames[-1] is RESYNC_FRAME:
            yield b"".join(frames)
            return
        if sub.dropped and queue.empty():
            yield b"".join(frames) + encode("resync", TOO_SLOW)
            return
        yield b"".join(frames) if len(frames) > 1 else frames[0]
