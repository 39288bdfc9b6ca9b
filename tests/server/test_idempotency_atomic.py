"""A keyed POST that did its work keeps its key for good: an error after the work (the
answer could not be sent) does not free it, and a retry hours later, on a restarted server
over the same database, gets the first slip again instead of a second ticket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from starlette.types import Message

from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.server import HallServer, create_app
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from tests.conftest import Clock
from tests.server.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.anyio
SLIP = {"matters": ["M-SBK"]}


async def _post_and_lose_the_answer(app: HallServer, path: str, headers: dict[str, str]) -> None:
    """POST ``SLIP`` to ``app`` as its HTTP server would, the connection breaking as the
    answer is sent (after the server did the work)."""
    body = httpx.Request("POST", "http://hall", json=SLIP).read()
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *((k.lower().encode(), v.encode()) for k, v in headers.items()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8600),
    }
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        raise ConnectionResetError("the desk's connection broke")

    with pytest.raises(ConnectionResetError):
        await app(scope, receive, send)


async def test_an_error_after_the_issue_never_frees_its_key(
    app: HallServer, api: httpx.AsyncClient, store: Store
) -> None:
    key = {"Idempotency-Key": "desk1-lost-answer"}
    await _post_and_lose_the_answer(
        app, "/api/tickets", {"Authorization": api.headers["Authorization"], **key}
    )
    assert store.counts()["waiting"] == 1  # the ticket was issued before the error
    again = await api.post("/api/tickets", json=SLIP, headers=key)
    assert again.status_code == 201, again.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["ticket"]["number"] == "A001"
    assert store.counts()["waiting"] == 1  # not issued twice


@asynccontextmanager
async def _server(store: Store) -> AsyncIterator[httpx.AsyncClient]:
    """A hall server over ``store`` (one run of it), reached in-process."""
    app = create_app(store)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hall") as client:
            yield client
    finally:
        app.state.service.close()


async def test_a_retry_hours_later_after_a_restart_replays_the_slip(
    db_url: str, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    store = Store(db_url, mini_catalog, mini_hall, clock=clock)
    try:
        add_staff(store, "d1", Role.DESK, PASSWORD)
        for w in mini_hall.windows:
            store.open_window(w.number, actor="setup")
        async with _server(store) as c:
            auth = {"Authorization": f"Bearer {await sign_in(c, 'd1')}"}
            first = await c.post(
                "/api/tickets", json=SLIP, headers={**auth, "Idempotency-Key": "k1"}
            )
    finally:
        store.dispose()
    assert first.status_code == 201, first.text

    clock.advance(hours=7)  # 16:00: the same day, in hours, the desk still signed in
    store = Store(db_url, mini_catalog, mini_hall, clock=clock)  # the server started again
    try:
        async with _server(store) as c:
            again = await c.post(
                "/api/tickets", json=SLIP, headers={**auth, "Idempotency-Key": "k1"}
            )
            other = await c.post(
                "/api/tickets", json=SLIP, headers={**auth, "Idempotency-Key": "k2"}
            )
        waiting = store.counts()["waiting"]
    finally:
        store.dispose()
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    slip, replayed = first.json(), again.json()
    assert (replayed["ticket"]["number"], replayed["token"]) == (
        slip["ticket"]["number"],
        slip["token"],
    )
    assert other.json()["ticket"]["number"] == "A002" and waiting == 2
