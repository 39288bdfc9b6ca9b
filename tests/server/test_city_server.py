"""Several halls in one database and on one server: each at /halls/<code>, the first also
at /; numbering, the day, staff, sessions and events are each hall's own. SQLite (one file)
and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from queue_app.demo_live import EmbeddedServer
from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.domain.ticket import Outcome
from queue_app.loaders import load_hall_for
from queue_app.server import create_app
from queue_app.server.app import HallServer
from queue_app.server.city import CityServer
from queue_app.store import Store, make_engine
from queue_app.store.staff import Role, add_staff
from tests.conftest import Clock, hall_coded, midday_hall
from tests.server.test_event_streams import until_async

pytestmark = pytest.mark.anyio


@pytest.fixture()
def anyio_backend() -> str:
    return "asyncio"


@asynccontextmanager
async def city(
    db_url: str, catalog: Catalog, hall: Hall, clock: Clock
) -> AsyncIterator[tuple[CityServer, list[HallServer], httpx.AsyncClient]]:
    engine = make_engine(db_url)
    halls = [hall_coded(hall, "east", "东区大厅"), hall_coded(hall, "west", "西区大厅")]
    stores = [Store(engine, catalog, h, clock=clock) for h in halls]
    for s in stores:
        add_staff(s, "desk1", Role.DESK, "desk-password")
    servers = [create_app(s) for s in stores]
    app = CityServer(servers)
    try:
        async with AsyncExitStack() as stack:
            for server in servers:
                await stack.enter_async_context(server.running())
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://hall") as http:
                yield app, servers, http
    finally:
        engine.dispose()


async def sign_in(
    http: httpx.AsyncClient, root: str, username: str = "desk1", password: str = "desk-password"
) -> dict[str, str]:
    """The headers of a session signed in at the hall at ``root``."""
    body = {"username": username, "password": password}
    r = await http.post(f"{root}/api/auth/sign-in", json=body)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def test_two_halls_on_one_database_number_and_count_apart(
    db_url: str, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    async with city(db_url, mini_catalog, mini_hall, clock) as (_, servers, http):
        heard: dict[str, list[Any]] = {"east": [], "west": []}
        for server in servers:
            server.state.service.events.publish = heard[server.code].append  # type: ignore[method-assign]
        east, west = await sign_in(http, "/halls/east"), await sign_in(http, "/halls/west")
        body = {"matters": ["M-SBK"]}
        for _ in range(2):
            r = await http.post("/halls/east/api/tickets", json=body, headers=east)
            assert r.status_code == 201, r.text
        r = await http.post("/halls/west/api/tickets", json=body, headers=west)
        assert r.json()["ticket"]["number"] == "A001", r.text  # each hall numbers its own day
        east_list = await http.get("/halls/east/api/tickets", headers=east)
        assert [t["number"] for t in east_list.json()] == ["A001", "A002"]
        west_list = await http.get("/halls/west/api/tickets", headers=west)
        assert [t["number"] for t in west_list.json()] == ["A001"]
        on_root = await http.get("/api/tickets", headers=east)  # the first hall, also at /
        assert on_root.json() == east_list.json()
        look = (await http.get("/halls/west/api/display")).json()["look"]
        assert look["hall"] == "西区大厅"

        def issued(code: str) -> int:
            return [m.get("kind") for m in heard[code]].count("issued")

        # west's own event came after east's on the one channel (PostgreSQL) or log
        await until_async(lambda: issued("east") == 2 and issued("west") == 1, "the events")
        assert issued("west") == 1  # never the other hall's


async def test_an_account_and_its_session_belong_to_one_hall(
    db_url: str, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    async with city(db_url, mini_catalog, mini_hall, clock) as (_, servers, http):
        east = await sign_in(http, "/halls/east")
        r = await http.get("/halls/west/api/tickets", headers=east)
        assert r.status_code == 403  # east's session is not west's
        assert r.json()["error"]["code"] == "not_your_hall"
        r = await http.post("/halls/west/api/tickets", json={"matters": ["M-SBK"]}, headers=east)
        assert r.status_code == 403 and r.json()["error"]["code"] == "not_your_hall"
        r = await http.post(  # refused before its body is read: malformed JSON is no 422
            "/halls/west/api/tickets",
            content=b"{",
            headers={**east, "Content-Type": "application/json"},
        )
        assert r.status_code == 403
        r = await http.post("/halls/west/api/tickets", content=b"{")  # anonymous
        assert r.status_code == 401 and r.json()["error"]["code"] == "not_signed_in"
        assert sum(servers[1].state.service.store.counts().values()) == 0


async def test_a_city_account_reads_every_hall_and_changes_one_only_as_its_manager(
    db_url: str, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    async with city(db_url, mini_catalog, mini_hall, clock) as (_, servers, http):
        east_store, west_store = (s.state.service.store for s in servers)
        add_staff(east_store, "mayor", Role.CITY, "city-password")
        add_staff(west_store, "mayor", Role.MANAGER, "other-password")  # a manager in west
        mayor = await sign_in(http, "/halls/east", "mayor", "city-password")
        me = await http.get("/halls/east/api/auth/me", headers=mayor)
        assert me.json()["role"] == "city"
        for root in ("/halls/east", "/halls/west"):
            for read in ("/api/tickets", "/api/stats/today", "/api/windows", "/api/staff"):
                got = await http.get(root + read, headers=mayor)
                assert got.status_code == 200, (root, read, got.text)
        r = await http.post("/halls/east/api/windows/1/open", headers=mayor)
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
        r = await http.post("/halls/east/api/tickets", json={"matters": ["M-SBK"]}, headers=mayor)
        assert r.status_code == 403
        r = await http.post("/halls/west/api/windows/1/open", headers=mayor)  # a manager there
        assert r.status_code == 200, r.text
        assert [w.status.value for w in west_store.windows() if w.number == 1] == ["open"]
        assert all(w.status.value == "closed" for w in east_store.windows())
        assert sum(east_store.counts().values()) == 0


async def test_a_hall_the_server_does_not_serve_is_a_404_in_the_error_shape(
    db_url: str, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    async with city(db_url, mini_catalog, mini_hall, clock) as (_, _servers, http):
        r = await http.get("/halls/north/api/tickets")
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "no_such_hall"
        assert r.json()["error"]["field"] == "hall"
        page = await http.get("/halls/west/display")
        assert page.status_code == 200
        assert 'data-root="/halls/west"' in page.text and "/halls/west/web/common.js" in page.text


async def test_the_city_view_shows_every_hall_side_by_side(
    db_url: str, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    async with city(db_url, mini_catalog, mini_hall, clock) as (_, servers, http):
        east_store, west_store = (s.state.service.store for s in servers)
        add_staff(west_store, "mayor", Role.CITY, "city-password")
        east_store.open_window(1)
        east_store.open_window(2)
        for _ in range(3):
            east_store.issue(["M-SBK"])
        t = east_store.call_next(1)
        assert t is not None
        east_store.start(1)
        east_store.finish(1, Outcome.COMPLETED)
        east_store.rate(1, t.number, 1, reasons=["other"])  # 非常不满意
        west_store.issue(["M-SBK"])
        mayor = await sign_in(http, "/halls/west", "mayor", "city-password")
        desk = await sign_in(http, "/halls/east")
        refused = await http.get("/halls/east/api/city", headers=desk)
        assert refused.status_code == 403  # a hall's own staff: not the city's view
        clock.advance(minutes=mini_hall.targets.wait_minutes + 1)
        got = (await http.get("/halls/east/api/city", headers=mayor)).json()
        assert got == (await http.get("/halls/west/api/city", headers=mayor)).json()
        by = {h["code"]: h for h in got["halls"]}
        assert [h["code"] for h in got["halls"]] == ["east", "west"]
        assert by["east"]["waiting"] == 2 and by["west"]["waiting"] == 1
        assert by["east"]["served"] == 1 and by["west"]["served"] == 0
        assert (by["east"]["windows_open"], by["east"]["windows_busy"]) == (2, 0)
        assert (by["east"]["ratings"], by["east"]["poor_ratings"]) == (1, 1)
        assert by["east"]["over_target"] and by["west"]["over_target"]
        assert by["east"]["longest_wait_minutes"] > mini_hall.targets.wait_minutes
        assert by["west"]["path"] == "/halls/west" and by["west"]["name"] == "西区大厅"


async def test_on_a_real_server_each_halls_stream_carries_only_its_own_events(
    db_url: str, mini_catalog: Catalog, tmp_path: Path
) -> None:
    """Two halls' boards on one uvicorn, each reading its hall's /api/events: a ticket of
    one hall is an event on its stream and never on the other's."""
    engine = make_engine(db_url)
    noon = load_hall_for(midday_hall(tmp_path), mini_catalog)  # the real clock: open now
    halls = [hall_coded(noon, "east", "东区大厅"), hall_coded(noon, "west", "西区大厅")]
    stores = [Store(engine, mini_catalog, h) for h in halls]
    seen: dict[str, list[dict[str, Any]]] = {"east": [], "west": []}

    async def board(http: httpx.AsyncClient, code: str, ready: asyncio.Event) -> None:
        async with http.stream("GET", f"/halls/{code}/api/events") as r:
            async for line in r.aiter_lines():
                if line.startswith("data:"):
                    data = json.loads(line[5:])
                    if "version" in data and "kind" not in data:
                        ready.set()  # the snapshot: following from here
                    else:
                        seen[code].append(data)

    def issued(code: str) -> list[str]:
        return [e["ticket"] for e in seen[code] if e.get("kind") == "issued"]

    try:
        with EmbeddedServer(CityServer([create_app(s) for s in stores])) as server:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
                ready = {code: asyncio.Event() for code in seen}
                boards = [asyncio.create_task(board(http, c, ready[c])) for c in seen]
                await asyncio.wait_for(asyncio.gather(*(e.wait() for e in ready.values())), 30)
                await asyncio.to_thread(stores[0].issue, ["M-SBK"])
                await asyncio.to_thread(stores[0].issue, ["M-SBK"])
                await asyncio.to_thread(stores[1].issue, ["M-YL"])
                await until_async(
                    lambda: len(issued("east")) == 2 and len(issued("west")) == 1, "the events"
                )
                for task in boards:
                    task.cancel()
        assert issued("east") == ["A001", "A002"] and issued("west") == ["A001"]
    finally:
        for s in stores:
            s.dispose()
