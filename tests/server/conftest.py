"""API fixtures: the app over a real store, reached in-process through httpx."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from queue_app.server import create_app
from queue_app.store import Store


@pytest.fixture()
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture()
async def api(store: Store) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(store)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hall") as client:
        yield client
    app.state.service.close()
