"""Several halls served by one process share one FastAPI application (built once) and
never each other's state: each request reaches its own hall's service, and local mode's
operator acts only in its own hall."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from queue_app.cli_hall import local_app
from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.server import create_app
from queue_app.store import Store
from tests.conftest import Clock

pytestmark = pytest.mark.anyio


@pytest.fixture()
def anyio_backend() -> str:
    return "asyncio"


async def test_two_halls_in_one_process_keep_apart(
    tmp_path: Path, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    other_hall = mini_hall.model_copy(
        update={"hall": mini_hall.hall.model_copy(update={"name": "另一个大厅"})}
    )
    stores = [
        Store(f"sqlite:///{tmp_path / 'a.db'}", mini_catalog, mini_hall, clock=clock),
        Store(f"sqlite:///{tmp_path / 'b.db'}", mini_catalog, other_hall, clock=clock),
    ]
    local, plain = local_app(stores[0], "operator"), create_app(stores[1])
    assert local.api is plain.api  # one application, built once
    try:
        async with (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=local), base_url="http://a") as a,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=plain), base_url="http://b") as b,
        ):
            assert (await a.post("/api/windows/1/open")).status_code == 200
            assert (await a.post("/api/tickets", json={"matters": ["M-SBK"]})).status_code == 201
            assert [t["number"] for t in (await a.get("/api/tickets")).json()] == ["A001"]
            r = await b.get("/api/tickets")  # the other hall: no operator, no sign-in
            assert r.status_code == 401 and r.json()["error"]["code"] == "not_signed_in"
            r = await b.post("/api/tickets", json={"matters": ["M-SBK"]})
            assert r.status_code == 401
            assert (await a.get("/api/display")).json()["look"]["hall"] == "测试大厅"
            assert (await b.get("/api/display")).json()["look"]["hall"] == "另一个大厅"
            assert sum(stores[1].counts().values()) == 0 and stores[0].counts()["waiting"] == 1
    finally:
        for app in (local, plain):
            app.state.service.close()
        for s in stores:
            s.dispose()
