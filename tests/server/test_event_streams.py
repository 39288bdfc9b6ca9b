"""Live-event streams on a real uvicorn: anonymous ones capped per address and in all (503
with Retry-After and the one error shape past a cap), streams of a signed-in account apart,
and a stream's slot given back however it ends."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from queue_app.domain.catalog import Catalog
from queue_app.server.service import HallService
from queue_app.server.stream_slots import StreamCaps
from queue_app.store.staff import Role, add_staff
from tests.conftest import midday_hall
from tests.server.conftest import PASSWORD
from tests.server.live import LiveServer, sqlite_url
from tests.server.threaded import ThreadedServer

pytestmark = pytest.mark.anyio
RETRY_AFTER_S = 7
DEADLINE_S = 30.0


@dataclass
class Stream:
    status: int
    head: bytes
    body: bytes  # what was read past the head: a refusal's JSON, a stream's first write
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    def header(self, name: str) -> str | None:
        for line in self.head.decode().split("\r\n")[1:]:
            key, _, value = line.partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        return None

    def close(self) -> None:
        self.writer.close()


async def open_stream(port: int, source: str = "127.0.0.1", token: str | None = None) -> Stream:
    """GET /api/events over a raw socket from the loopback address ``source``: the answer's
    head and its body (a refusal) or first write (a stream: the snapshot)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    writer.write(f"GET /api/events HTTP/1.1\r\nHost: hall\r\n{auth}\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    stream = Stream(int(head.split()[1]), head, b"", reader, writer)
    if stream.status == 200:
        stream.body = await reader.readuntil(b"event: snapshot")
    else:
        stream.body = await reader.readexactly(int(stream.header("content-length") or 0))
        writer.close()
    return stream


def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"not within {DEADLINE_S:.0f} s: {what}"
        time.sleep(0.01)  # polling a count the server's thread changes


async def until_async(condition: Callable[[], bool], what: str) -> None:
    await asyncio.to_thread(until, condition, what)


def capped(tmp_path: Path, catalog: Catalog, caps: StreamCaps) -> ThreadedServer:
    server = ThreadedServer(sqlite_url(tmp_path), catalog, midday_hall(tmp_path), caps)
    store = server.open_store()
    add_staff(store, "boss", Role.MANAGER, PASSWORD)
    store.dispose()
    return server.start()


@pytest.fixture()
def many(tmp_path: Path, mini_catalog: Catalog) -> Iterator[ThreadedServer]:
    """At most 150 anonymous streams from one address, 200 in all, 3 signed in."""
    caps = StreamCaps(per_address=150, anonymous=200, staff=3, retry_after_s=RETRY_AFTER_S)
    server = capped(tmp_path, mini_catalog, caps)
    yield server
    server.stop()


@pytest.fixture()
def one(tmp_path: Path, mini_catalog: Catalog) -> Iterator[ThreadedServer]:
    """One anonymous stream from an address."""
    server = capped(tmp_path, mini_catalog, StreamCaps(per_address=1, anonymous=10, staff=1))
    yield server
    server.stop()


def service(server: ThreadedServer) -> HallService:
    svc: HallService = server.app.state.service
    return svc


def token(server: ThreadedServer) -> str:
    r = httpx.post(
        f"{server.url}/api/auth/sign-in", json={"username": "boss", "password": PASSWORD}
    )
    return str(r.raise_for_status().json()["token"])


def assert_refused(s: Stream, message: str, retry_after: int = RETRY_AFTER_S) -> None:
    assert s.status == 503 and s.header("retry-after") == str(retry_after)
    error = json.loads(s.body)["error"]
    assert error["code"] == "too_many_streams" and error["message_en"] == message
    assert error["message_zh"] and error["message_zh"] != message


async def test_300_anonymous_streams_the_caps_hold_and_staff_streams_still_connect(
    many: ThreadedServer,
) -> None:
    svc = service(many)
    first = await asyncio.gather(*[open_stream(many.port) for _ in range(150)])
    assert {s.status for s in first} == {200}
    assert all(b"event: snapshot" in s.body for s in first)
    past_address = await open_stream(many.port)  # the 151st from 127.0.0.1
    assert_refused(
        past_address,
        f"Too many live event streams are open from this address: try again in {RETRY_AFTER_S} s",
    )
    second = await asyncio.gather(*[open_stream(many.port, "127.0.0.2") for _ in range(149)])
    opened = [s for s in second if s.status == 200]
    assert len(opened) == 50  # 200 in all
    for s in second:
        if s.status != 200:
            assert_refused(
                s, f"Too many live event streams are open: try again in {RETRY_AFTER_S} s"
            )
    assert svc.streams.anonymous == 200 and svc.streams.by_address["127.0.0.1"] == 150

    boss = token(many)
    staff = [await open_stream(many.port, "127.0.0.2", boss) for _ in range(3)]
    assert [s.status for s in staff] == [200, 200, 200]
    assert svc.streams.staff == 3 and svc.streams.anonymous == 200
    assert_refused(
        await open_stream(many.port, token=boss),
        f"Too many signed-in live event streams are open: try again in {RETRY_AFTER_S} s",
    )

    opened[0].close()  # a client goes: its slot is free again
    await until_async(lambda: svc.streams.anonymous == 199, "the closed stream's slot freed")
    again = await open_stream(many.port, "127.0.0.2")
    assert again.status == 200

    for s in [*first, *opened[1:], again, *staff]:
        s.close()
    await until_async(
        lambda: (svc.streams.anonymous, svc.streams.staff, svc.events.subscribers) == (0, 0, 0),
        "every slot and subscription given back",
    )
    assert not svc.streams.by_address


async def test_a_stream_the_server_ends_gives_its_slot_back(one: ThreadedServer) -> None:
    svc = service(one)
    board = await open_stream(one.port)
    assert board.status == 200
    assert_refused(
        await open_stream(one.port),
        "Too many live event streams are open from this address: try again in 10 s",
        retry_after=10,
    )
    loop = svc._loop  # the server's event loop (the broadcaster is used on it only)
    assert loop is not None
    loop.call_soon_threadsafe(svc.events.resync_all)  # as when PostgreSQL's feed breaks
    rest = await asyncio.wait_for(board.reader.read(), DEADLINE_S)  # to the end
    assert b"event: resync" in rest and rest.endswith(b"0\r\n\r\n")  # the last chunk
    await until_async(lambda: svc.streams.anonymous == 0, "the ended stream's slot freed")
    again = await open_stream(one.port)
    assert again.status == 200
    again.close()


async def test_a_terminal_streams_with_its_token_and_reads_each_event_at_once(
    one: ThreadedServer,
) -> None:
    from queue_app.client import AsyncHallClient

    svc = service(one)
    async with AsyncHallClient(one.url) as client:
        await client.sign_in("boss", PASSWORD)
        board = await open_stream(one.port)  # the address's one anonymous stream
        events = client.events()
        assert (await anext(events)).event == "snapshot"
        assert svc.streams.staff == 1 and svc.streams.anonymous == 1
        await client.issue(["M-SBK"])
        await client.issue(["M-SBK"])
        got = [await asyncio.wait_for(anext(events), DEADLINE_S) for _ in range(2)]
        assert [e.event for e in got] == ["ticket_issued", "ticket_issued"]
        assert "name" not in json.dumps([e.data for e in got])
        await events.aclose()
        board.close()
    await until_async(lambda: svc.events.subscribers == 0, "both streams ended")


async def test_serve_takes_its_caps_from_the_settings(tmp_path: Path) -> None:
    server = LiveServer(sqlite_url(tmp_path))
    server.env = {**server.env, "QUEUE_APP_EVENT_STREAMS_PER_ADDRESS": "1"}
    server.start()
    try:
        board = await open_stream(server.port)
        assert board.status == 200
        assert_refused(
            await open_stream(server.port),
            "Too many live event streams are open from this address: try again in 10 s",
            retry_after=10,
        )
        assert (await open_stream(server.port, "127.0.0.2")).status == 200  # another address
    finally:
        server.stop()
