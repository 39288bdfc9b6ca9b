"""API fixtures: the app over a real store, reached in-process through httpx, signed in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from queue_app.domain.catalog import Catalog
from queue_app.server import HallServer, create_app
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from tests.conftest import midday_hall
from tests.server.live import sqlite_url
from tests.server.threaded import ThreadedServer

PASSWORD = "correct-horse-9"


@pytest.fixture()
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture()
async def app(store: Store) -> AsyncIterator[HallServer]:
    application = create_app(store)
    yield application
    application.state.service.close()


@pytest.fixture()
async def anon(app: HallServer) -> AsyncIterator[httpx.AsyncClient]:
    """A client that has not signed in."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hall") as client:
        yield client


async def sign_in(client: httpx.AsyncClient, username: str, window: int | None = None) -> str:
    body: dict = {"username": username, "password": PASSWORD}
    if window is not None:
        body["window"] = window
    r = await client.post("/api/auth/sign-in", json=body)
    assert r.status_code == 200, r.text
    return r.json()["token"]


@pytest.fixture()
async def api(
    app: HallServer, anon: httpx.AsyncClient, store: Store
) -> AsyncIterator[httpx.AsyncClient]:
    """A client signed in as a manager (who may do everything)."""
    add_staff(store, "mgr", Role.MANAGER, PASSWORD, "王经理")
    token = await sign_in(anon, "mgr")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://hall", headers={"Authorization": f"Bearer {token}"}
    ) as client:
        yield client


@pytest.fixture()
def threaded_hall(tmp_path: Path, mini_catalog: Catalog) -> Iterator[ThreadedServer]:
    """A real uvicorn server in this process over a new SQLite file (the mini hall)."""
    server = ThreadedServer(sqlite_url(tmp_path), mini_catalog, midday_hall(tmp_path)).start()
    yield server
    server.stop()
