"""The event broadcaster: bounded queues, a slow subscriber dropped (then resyncs),
keepalives on a quiet stream."""

from __future__ import annotations

import asyncio

import pytest

from queue_app.server.events import QUEUE_SIZE, Broadcaster, stream

pytestmark = pytest.mark.anyio


async def test_a_slow_subscriber_is_dropped_and_told_to_resync() -> None:
    b = Broadcaster()
    slow, fast = b.subscribe(), b.subscribe()
    for i in range(1, QUEUE_SIZE + 2):
        b.publish({"id": i, "event": "ticket_issued"})
        await fast.queue.get()  # the fast one keeps up
    assert slow.dropped and not fast.dropped
    assert b.subscribers == 1 and b.version == QUEUE_SIZE + 1
    chunks = [c async for c in stream(b, slow)]
    assert chunks[0].startswith("retry:")
    assert "event: snapshot" in chunks[1]
    assert sum("event: ticket_issued" in c for c in chunks) == QUEUE_SIZE
    assert "event: resync" in chunks[-1]


async def test_keepalive_on_a_quiet_stream_and_unsubscribe_on_close() -> None:
    b = Broadcaster()
    sub = b.subscribe()
    gen = stream(b, sub, keepalive_s=0.05)
    assert (await gen.__anext__()).startswith("retry:")
    assert "snapshot" in await gen.__anext__()
    assert await asyncio.wait_for(gen.__anext__(), 1) == ": keepalive\n\n"
    b.publish({"id": 7, "event": "ticket_called", "ticket": "A001", "window": 3})
    msg = await gen.__anext__()
    assert msg.startswith("id: 7\nevent: ticket_called\n") and '"window": 3' in msg
    await gen.aclose()
    assert b.subscribers == 0


async def test_concurrent_writes_publish_each_event_once(app, api) -> None:
    svc = app.state.service
    sub = svc.events.subscribe()
    await asyncio.gather(
        *[api.post("/api/tickets", json={"matters": ["M-SBK"]}) for _ in range(12)]
    )
    # SQLite publishes right after each change; PostgreSQL a moment later, by NOTIFY
    ids = [(await asyncio.wait_for(sub.queue.get(), 5))["id"] for _ in range(12)]
    await asyncio.sleep(0.3)
    assert sub.queue.empty(), "an event was published twice"
    assert len(set(ids)) == 12 and ids == sorted(ids)
