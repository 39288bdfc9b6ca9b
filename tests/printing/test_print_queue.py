"""Printed slips end to end: a hall server (the real app, its printer workers) prints to a
real TCP listener on 127.0.0.1 that decodes the ESC/POS stream. Tickets issued at a desk
station print in order, exactly once, through the printer going away and coming back;
issuing never waits on it; the desk and the manager see its state; reprints print."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from queue_app.domain.catalog import Catalog
from queue_app.loaders import load_hall_for
from queue_app.server import HallServer, create_app
from queue_app.server.printers import PrintSettings
from queue_app.store import Store
from queue_app.store.print_jobs import PRINTER_STATE
from queue_app.store.staff import Role, add_staff
from tests.conftest import midday_hall
from tests.printing.escpos_listener import EscposListener, number_of, qr_of, text_of
from tests.server.conftest import PASSWORD

pytestmark = pytest.mark.anyio
PUBLIC = "http://hall.example:8600"
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
FAST = PrintSettings(retry_first_s=0.05, retry_max_s=0.2, poll_s=0.2, timeout_s=5)


@pytest.fixture()
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture()
def printer() -> Iterator[EscposListener]:
    listener = EscposListener().start()
    yield listener
    listener.stop()


def printing_hall(tmp_path: Path, device: str, paper: int = 58, status: bool = True) -> Path:
    """The mini hall (on the real clock) with a desk station and a kiosk printing at
    ``device``, and a kiosk without a printer."""
    path = midday_hall(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["printers"] = {"front": {"device": device, "paper": paper, "status": status}}
    data["stations"] = [
        {"name": "desk-1", "kind": "desk", "printer": "front"},
        {"name": "kiosk-1", "kind": "kiosk"},
        {"name": "kiosk-2", "kind": "kiosk", "printer": "front"},
    ]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture()
async def hall(
    tmp_path: Path, db_url: str, mini_catalog: Catalog, printer: EscposListener
) -> AsyncIterator[HallServer]:
    hall = load_hall_for(printing_hall(tmp_path, printer.device), mini_catalog)
    store = Store(db_url, mini_catalog, hall)
    add_staff(store, "desk", Role.DESK, PASSWORD)
    add_staff(store, "mgr", Role.MANAGER, PASSWORD)
    store.open_window(1, actor="mgr")
    app = create_app(store, public_url=PUBLIC, printing=FAST)
    async with app.running():
        yield app
    store.dispose()


async def client(app: HallServer, station: str | None = "desk-1", user: str = "desk") -> Any:
    transport = httpx.ASGITransport(app=app)
    c = httpx.AsyncClient(transport=transport, base_url="http://hall")
    body: dict[str, Any] = {"username": user, "password": PASSWORD}
    if station:
        body["station"] = station
    r = await c.post("/api/auth/sign-in", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["station"] == station
    c.headers["Authorization"] = f"Bearer {r.json()['token']}"
    return c


async def issue(c: httpx.AsyncClient) -> dict[str, Any]:
    r = await c.post("/api/tickets", json={"matters": ["M-SBK"]})
    assert r.status_code == 201, r.text
    return dict(r.json())


async def printer_state(c: httpx.AsyncClient) -> dict[str, Any]:
    r = await c.get("/api/printers")
    assert r.status_code == 200, r.text
    (front,) = r.json()
    return dict(front)


async def until(check: Any, within_s: float = 30.0) -> Any:
    """Until ``await check()`` is true (a deadline for a stuck test, not a guess)."""
    deadline = time.monotonic() + within_s
    while not (got := await check()):
        assert time.monotonic() < deadline, f"not true within {within_s} s"
        await asyncio.sleep(0.02)
    return got


async def test_slips_print_in_order_once_through_an_outage_and_reprint(
    hall: HallServer, printer: EscposListener
) -> None:
    desk = await client(hall)
    first = [await issue(desk) for _ in range(2)]
    slips = await asyncio.to_thread(printer.wait_for, 2)
    assert [number_of(s) for s in slips] == ["A001", "A002"]
    lines = text_of(slips[0])
    assert lines[:4] == ["测试大厅", lines[1], "A001", "综合业务"]
    assert "·社会保障卡申领" in lines
    assert any(t.startswith("前面等候：") for t in lines)
    assert "扫码查看排队进度" in lines
    assert [qr_of(s) for s in slips] == [[f"{PUBLIC}/t/{i['token']}"] for i in first]
    assert (await printer_state(desk))["state"] == "online"

    printer.stop()  # the printer goes away mid-queue
    started = time.monotonic()
    during = [await issue(desk) for _ in range(3)]
    assert time.monotonic() - started < 3.0  # issuing never waits on the printer
    down = await until(
        lambda: _state_is(desk, "offline"),
    )
    assert down["waiting"] == 3 and "127.0.0.1" in down["detail"]

    printer.start()  # back on the same port
    slips = await asyncio.to_thread(printer.wait_for, 5)
    assert [number_of(s) for s in slips] == ["A001", "A002", "A003", "A004", "A005"]
    assert [qr_of(s)[0] for s in slips[2:]] == [f"{PUBLIC}/t/{i['token']}" for i in during]
    up = await until(lambda: _state_is(desk, "online", waiting=0))
    assert up["stations"] == ["desk-1", "kiosk-2"] and up["last_printed_at"] is not None

    r = await desk.post("/api/tickets/A002/print")
    assert r.status_code == 201, r.text
    assert r.json()["copy_no"] == 2 and r.json()["printer"] == "front"
    slips = await asyncio.to_thread(printer.wait_for, 6)
    assert number_of(slips[5]) == "A002" and "（补打 第 2 张）" in text_of(slips[5])
    assert len(slips) == 6 and not printer.errors

    kinds = [
        (e.kind, e.detail.get("state"))
        for e in hall.state.service.store.events_after(0)
        if e.kind == PRINTER_STATE
    ]
    assert kinds == [
        (PRINTER_STATE, "online"),
        (PRINTER_STATE, "offline"),
        (PRINTER_STATE, "online"),
    ]
    await desk.aclose()


async def _state_is(
    c: httpx.AsyncClient, state: str, waiting: int | None = None
) -> dict[str, Any] | None:
    got = await printer_state(c)
    if got["state"] != state or (waiting is not None and got["waiting"] != waiting):
        return None
    return got


@SQLITE_ONLY
async def test_paper_out_holds_the_slips_until_paper_is_back(
    hall: HallServer, printer: EscposListener
) -> None:
    desk = await client(hall)
    stream = hall.state.service.events.subscribe(prompt=True)  # a terminal's live events
    printer.paper_out = True
    await issue(desk)
    out = await until(lambda: _state_is(desk, "paper_out"))
    assert out["waiting"] == 1 and out["detail"] == "out of paper"
    assert printer.slips == []
    sent = b""
    while not stream.queue.empty():
        sent += stream.queue.get_nowait()
    assert b"event: printer_changed" in sent and b'"printer_state"' in sent, sent
    printer.paper_out = False
    slips = await asyncio.to_thread(printer.wait_for, 1)
    assert number_of(slips[0]) == "A001"
    await until(lambda: _state_is(desk, "online", waiting=0))
    await desk.aclose()


@SQLITE_ONLY
async def test_a_station_without_a_printer_prints_nothing_and_reprint_names_one(
    hall: HallServer, printer: EscposListener
) -> None:
    kiosk = await client(hall, "kiosk-1")
    await issue(kiosk)
    r = await kiosk.post("/api/tickets/A001/print")
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_printer_here"
    manager = await client(hall, None, "mgr")
    assert (await printer_state(manager))["waiting"] == 0
    r = await manager.post("/api/tickets/A001/print", json={"printer": "nowhere"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_such_printer"
    r = await manager.post("/api/tickets/A001/print", json={"printer": "front"})
    assert r.status_code == 201 and r.json()["copy_no"] == 1
    slips = await asyncio.to_thread(printer.wait_for, 1)
    assert number_of(slips[0]) == "A001"
    await kiosk.aclose()
    await manager.aclose()


@SQLITE_ONLY
async def test_sign_in_refuses_a_station_the_hall_file_lacks(hall: HallServer) -> None:
    transport = httpx.ASGITransport(app=hall)
    async with httpx.AsyncClient(transport=transport, base_url="http://hall") as c:
        body = {"username": "desk", "password": PASSWORD, "station": "desk-9"}
        r = await c.post("/api/auth/sign-in", json=body)
        assert r.status_code == 404, r.text
        err = r.json()["error"]
        assert err["code"] == "no_such_station" and err["field"] == "station"
        assert "desk-1, kiosk-1, kiosk-2" in err["message_en"]
        add_staff(hall.state.service.store, "c1", Role.CLERK, PASSWORD)
        body = {"username": "c1", "password": PASSWORD, "window": 1, "station": "desk-1"}
        r = await c.post("/api/auth/sign-in", json=body)
        assert r.status_code == 422, r.text
        err = r.json()["error"]
        assert err["code"] == "station_not_for_role" and err["message_zh"].startswith("窗口")


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_two_servers_on_one_database_print_each_slip_once_in_order(
    tmp_path: Path, db_url: str, mini_catalog: Catalog, printer: EscposListener
) -> None:
    """Two server processes' workers on one PostgreSQL database and one printer: one holds
    the printer at a time; when it stops, the other takes over; every slip once, in order."""
    hall = load_hall_for(printing_hall(tmp_path, printer.device), mini_catalog)
    stores = [Store(db_url, mini_catalog, hall) for _ in range(2)]
    add_staff(stores[0], "desk", Role.DESK, PASSWORD)
    stores[0].open_window(1, actor="desk")
    apps = [create_app(s, public_url=PUBLIC, printing=FAST) for s in stores]
    async with apps[1].running():
        async with apps[0].running():
            desks = [await client(app) for app in apps]
            for i in range(4):
                await issue(desks[i % 2])
            slips = await asyncio.to_thread(printer.wait_for, 4)
            await until(lambda: _state_is(desks[1], "online", waiting=0))
        # the first server has stopped: the second takes its printer over
        for _ in range(2):
            await issue(desks[1])
        slips = await asyncio.to_thread(printer.wait_for, 6)
        await until(lambda: _state_is(desks[1], "online", waiting=0))
    assert [number_of(s) for s in slips] == [f"A00{i}" for i in range(1, 7)]
    assert len(printer.slips) == 6
    for d in desks:
        await d.aclose()
    for s in stores:
        s.dispose()


@SQLITE_ONLY
async def test_a_kiosk_at_its_station_prints_the_slips_it_issues(
    hall: HallServer, printer: EscposListener
) -> None:
    add_staff(hall.state.service.store, "kiosk", Role.KIOSK, PASSWORD)
    kiosk = await client(hall, "kiosk-2", "kiosk")
    issued = await issue(kiosk)
    slips = await asyncio.to_thread(printer.wait_for, 1)
    assert number_of(slips[0]) == issued["ticket"]["number"] == "A001"
    assert qr_of(slips[0]) == [f"{PUBLIC}/t/{issued['token']}"]
    r = await kiosk.get("/api/printers")  # a kiosk reads only what issuing needs
    assert r.status_code == 403, r.text
    await kiosk.aclose()


@SQLITE_ONLY
async def test_the_public_hall_shows_a_printers_kind_not_its_address(
    hall: HallServer, printer: EscposListener
) -> None:
    transport = httpx.ASGITransport(app=hall)
    async with httpx.AsyncClient(transport=transport, base_url="http://hall") as anon:
        public = (await anon.get("/api/hall")).json()
    assert public["printers"]["front"]["device"] == "tcp"
    assert str(printer.port) not in str(public)
    manager = await client(hall, None, "mgr")
    assert (await printer_state(manager))["device"] == printer.device  # staff see where
    await manager.aclose()
