"""The event broadcaster: each event encoded once for every subscriber, anonymous streams
written in batches, bounded queues (a slow subscriber dropped, then resyncs), keepalives
on a quiet stream, what is waiting written at once."""

from __future__ import annotations

import asyncio
import re

import pytest

from queue_app.server.events import QUEUE_SIZE, RESYNC_FRAME, Broadcaster, writes

pytestmark = pytest.mark.anyio


def called(i: int) -> dict:
    return {"id": i, "event": "ticket_called", "kind": "called", "ticket": "A001", "window": 3}


async def test_an_event_is_encoded_once_for_every_subscriber() -> None:
    b = Broadcaster(batch_s=0)
    subs = [b.subscribe() for _ in range(3)] + [b.subscribe(prompt=True)]
    b.publish(called(7))
    frames = [s.queue.get_nowait() for s in subs]
    assert all(f is frames[0] for f in frames)  # the same bytes, not equal copies
    assert frames[0].startswith(b"id: 7\nevent: ticket_called\n") and b'"window": 3' in frames[0]
    b.close()


async def test_anonymous_streams_get_a_burst_in_one_write_and_terminals_each_event() -> None:
    b = Broadcaster(batch_s=0.05)
    board, terminal = b.subscribe(), b.subscribe(prompt=True)
    for i in (1, 2, 3):
        b.publish(called(i))
    first = board.queue.get_nowait()  # after a quiet spell: at once
    assert re.findall(rb"id: (\d+)", first) == [b"1"] and board.queue.empty()
    rest = await asyncio.wait_for(board.queue.get(), 5)  # the others together, once
    assert re.findall(rb"id: (\d+)", rest) == [b"2", b"3"]
    assert [re.findall(rb"id: (\d+)", terminal.queue.get_nowait()) for _ in range(3)] == [
        [b"1"],
        [b"2"],
        [b"3"],
    ]
    b.close()


async def test_a_stream_opened_while_a_batch_gathers_gets_only_what_came_after() -> None:
    """Its snapshot version covers what was published before it: a board that opened
    just after a call must not be told of that call again (it would speak it)."""
    b = Broadcaster(batch_s=0.05)
    early = b.subscribe()
    for i in (1, 2):
        b.publish(called(i))  # 1 at once, 2 gathering
    late = b.subscribe()
    b.publish(called(3))
    assert re.findall(rb"id: (\d+)", early.queue.get_nowait()) == [b"1"]
    rest = await asyncio.wait_for(early.queue.get(), 5)
    assert re.findall(rb"id: (\d+)", rest) == [b"2", b"3"]
    after = await asyncio.wait_for(late.queue.get(), 5)
    assert re.findall(rb"id: (\d+)", after) == [b"3"] and late.queue.empty()
    b.close()


async def test_a_slow_subscriber_is_dropped_and_told_to_resync() -> None:
    b = Broadcaster(batch_s=0)
    slow, fast = b.subscribe(), b.subscribe()
    for i in range(1, QUEUE_SIZE + 2):
        b.publish(called(i))
        await fast.queue.get()  # the fast one keeps up
    assert slow.dropped and not fast.dropped
    assert b.subscribers == 1 and b.version == QUEUE_SIZE + 1
    chunks = [c async for c in writes(b, slow)]
    assert chunks[0].startswith(b"retry:") and b"event: snapshot" in chunks[0]
    # all it had waiting in one write, then the resync
    assert len(chunks) == 2 and chunks[1].count(b"event: ticket_called") == QUEUE_SIZE
    assert chunks[1].endswith(b"\n\n") and b"event: resync" in chunks[1]
    b.close()


async def test_a_resync_ends_every_stream_after_what_it_had_waiting() -> None:
    b = Broadcaster(batch_s=0)
    sub = b.subscribe()
    b.publish(called(1))
    b.resync_all()
    chunks = [c async for c in writes(b, sub)]
    assert chunks[1].startswith(b"id: 1\n") and chunks[1].endswith(RESYNC_FRAME)
    assert b.subscribers == 0
    b.close()


async def test_keepalive_on_a_quiet_stream() -> None:
    b = Broadcaster(keepalive_s=0.05, batch_s=0)
    sub = b.subscribe()
    gen = writes(b, sub)
    assert (await gen.__anext__()).startswith(b"retry:")
    assert await asyncio.wait_for(gen.__anext__(), 5) == b": keepalive\n\n"
    b.publish(called(7))
    assert (await asyncio.wait_for(gen.__anext__(), 5)).startswith(b"id: 7\n")
    await gen.aclose()
    b.close()


async def test_concurrent_writes_publish_each_event_once(app, api) -> None:
    svc = app.state.service
    sub = svc.events.subscribe(prompt=True)
    await asyncio.gather(
        *[api.post("/api/tickets", json={"matters": ["M-SBK"]}) for _ in range(12)]
    )
    # SQLite publishes right after each change; PostgreSQL a moment later, by NOTIFY
    ids = [
        int(re.findall(rb"id: (\d+)", await asyncio.wait_for(sub.queue.get(), 5))[0])
        for _ in range(12)
    ]
    await asyncio.sleep(0.3)
    assert sub.queue.empty(), "an event was published twice"
    assert len(set(ids)) == 12 and ids == sorted(ids)
