"""The clients try a request the network failed again, with the same Idempotency-Key, until
the server answers or ``retry_for`` has passed; a POST without a key never once it may have
reached the server. Real sockets on 127.0.0.1: a gate in front of a real hall server."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from queue_app.client import ApiError, AsyncHallClient, HallClient
from queue_app.demo_live import EmbeddedServer
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from tests.server.gate import Gate

PW = "desk-pass-42"
KINDS = ["sync", "async"]
WAIT_S = 20  # bound on any condition awaited


class Sent:
    """The Idempotency-Key of every attempt the client made (a refused connection counts
    too), noted by its real transport once the attempt is over."""

    def __init__(self) -> None:
        self.keys: list[str | None] = []
        self.changed = threading.Condition()

    def note(self, request: httpx.Request) -> None:
        with self.changed:
            self.keys.append(request.headers.get("idempotency-key"))
            self.changed.notify_all()

    def wait_for(self, attempts: int) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.keys) >= attempts, WAIT_S)


class AsyncNotingTransport(httpx.AsyncHTTPTransport):
    def __init__(self, sent: Sent) -> None:
        super().__init__()
        self.sent = sent

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        finally:
            self.sent.note(request)


class Call(threading.Thread):
    """One client method called on its own thread with the sync or async client; its
    result or ``ApiError`` kept, and the keys it sent."""

    def __init__(
        self, kind: str, url: str, method: str, *args: Any, token: str | None, retry_for: float
    ) -> None:
        super().__init__(daemon=True)
        self.kind, self.url, self.method, self.args = kind, url, method, args
        self.token, self.retry_for = token, retry_for
        self.sent = Sent()
        self.result: Any = None
        self.error: ApiError | None = None
        self.seconds = 0.0

    def run(self) -> None:
        started = time.monotonic()
        try:
            self.result = self._sync() if self.kind == "sync" else asyncio.run(self._async())
        except ApiError as exc:
            self.error = exc
        self.seconds = time.monotonic() - started

    def _sync(self) -> Any:
        transport = AsyncNotingTransport(self.sent)  # the sync client runs the async one
        with HallClient(self.url, self.token, retry_for=self.retry_for, transport=transport) as c:
            return getattr(c, self.method)(*self.args)

    async def _async(self) -> Any:
        transport = AsyncNotingTransport(self.sent)
        c = AsyncHallClient(self.url, self.token, retry_for=self.retry_for, transport=transport)
        try:
            return await getattr(c, self.method)(*self.args)
        finally:
            await c.aclose()

    def outcome(self) -> Any:
        self.join(WAIT_S + self.retry_for)
        assert not self.is_alive(), "the call did not end"
        return self.result


def _ends_unreachable(call: Call, gate: Gate) -> ApiError:
    """Run ``call`` (through ``gate``, closed after): it must end in the unreachable error."""
    try:
        call.start()
        assert call.outcome() is None
    finally:
        gate.close()
    assert call.error is not None and call.error.code == "unreachable"
    return call.error


@pytest.fixture(params=["sqlite"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'hall.db'}"


@pytest.fixture()
def server(store: Store) -> Iterator[EmbeddedServer]:
    add_staff(store, "d1", Role.DESK, PW)
    with EmbeddedServer(store) as s:
        yield s


@pytest.fixture()
def token(server: EmbeddedServer) -> str:
    with HallClient(server.url) as c:
        return c.sign_in("d1", PW).token


@pytest.mark.parametrize("kind", KINDS)
def test_a_keyed_issue_goes_again_with_its_key_until_the_server_answers(
    kind: str, server: EmbeddedServer, token: str, store: Store
) -> None:
    # refused twice (restarting), then: no answer, the ticket issued but its answer lost,
    # a proxy's 503, and at last the server's answer
    gate = Gate(server.port, ["drop", "lost", "503"])
    call = Call(kind, gate.url, "issue", ["M-SBK"], token=token, retry_for=30)
    try:
        call.start()
        call.sent.wait_for(2)
        gate.open()
        issued = call.outcome()
    finally:
        gate.close()
    assert call.error is None, call.error
    key = call.sent.keys[0]
    assert key and set(call.sent.keys) == {key} and len(call.sent.keys) >= 6
    assert gate.keys == [key] * 4  # each try reached the gate with the one key
    assert issued.ticket.number == "A001"  # the answer lost was replayed, not issued again
    assert store.counts()["waiting"] == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_post_without_a_key_goes_again_only_if_it_never_left(
    kind: str, server: EmbeddedServer
) -> None:
    # the sign-in carries no key: refused connections are tried again ...
    gate = Gate(server.port)
    call = Call(kind, gate.url, "sign_in", "d1", PW, token=None, retry_for=30)
    try:
        call.start()
        call.sent.wait_for(2)
        gate.open()
        assert call.outcome().username == "d1" and call.error is None
    finally:
        gate.close()
    assert len(call.sent.keys) >= 3 and gate.keys == [None]

    # ... but not one that reached the gate and got no answer (a retry would be answered)
    gate = Gate(server.port, ["drop"])
    gate.open()
    call = Call(kind, gate.url, "sign_in", "d1", PW, token=None, retry_for=30)
    _ends_unreachable(call, gate)
    assert call.sent.keys == [None] and gate.keys == [None]
    assert call.seconds < 10  # it did not spend the retry time either


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("script", [[], ["503"] * 1000], ids=["refused", "proxy-503"])
def test_a_read_gives_up_after_the_bound_as_unreachable(
    kind: str, script: list[str], server: EmbeddedServer
) -> None:
    gate = Gate(server.port, script)
    if script:
        gate.open()
    call = Call(kind, gate.url, "health", token=None, retry_for=1.0)
    error = _ends_unreachable(call, gate)
    assert error.zh == "无法连接大厅服务器"
    assert ("HTTP 503" if script else "ConnectError") in error.en
    assert 1.0 <= call.seconds < 6
    # tried again within the bound (how many times depends on how long each try takes:
    # 4 on an idle machine, backing off from 0.1 s; 3 seen on a loaded one)
    assert len(call.sent.keys) >= 2
    assert set(call.sent.keys) == {None}
