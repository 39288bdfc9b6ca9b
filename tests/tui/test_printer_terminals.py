"""The slip printer at the terminals: the desk signed in at its station shows its printer's
state (red when it is offline) and F3 prints the last slip again; the manager sees every
printer. The hall's app in this process prints to a real TCP listener on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from queue_app.domain.booking_rules import BookingRules, SlotScope
from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall, PrinterSpec, Station, StationKind
from queue_app.server import create_app
from queue_app.server.printers import PrintSettings
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from queue_app.tui.app import HallApp
from queue_app.tui.booking_dialog import CheckInScreen
from queue_app.tui.desk import DeskScreen, SlipScreen
from queue_app.tui.manager import ManagerScreen
from tests.conftest import Clock
from tests.printing.escpos_listener import EscposListener, number_of, text_of
from tests.tui.helpers import on, until
from tests.tui.inprocess import PW, URL, InProcessHall
from tests.tui.test_screens import desk_finds

pytestmark = pytest.mark.anyio
SIZE = (120, 36)
FAST = PrintSettings(retry_first_s=0.05, retry_max_s=0.2, poll_s=0.2)


@pytest.fixture()
def printer() -> Iterator[EscposListener]:
    listener = EscposListener().start()
    yield listener
    listener.stop()


@pytest.fixture()
async def hall(
    tmp_path: Path, mini_catalog: Catalog, mini_hall: Hall, clock: Clock, printer: EscposListener
) -> AsyncIterator[InProcessHall]:
    printing = mini_hall.model_copy(
        update={
            "printers": {"front": PrinterSpec(device=printer.device, paper=58)},
            "stations": [Station(name="desk-1", kind=StationKind.DESK, printer="front")],
            "bookings": BookingRules(scopes=[SlotScope(name="all", domains=["社保"], capacity=2)]),
        }
    )
    store = Store(f"sqlite:///{tmp_path / 'hall.db'}", mini_catalog, printing, clock=clock)
    add_staff(store, "d1", Role.DESK, PW)
    add_staff(store, "boss", Role.MANAGER, PW)
    store.open_window(1, actor="boss")
    hall = InProcessHall(store, clock, create_app(store, public_url=URL, printing=FAST))
    async with hall.running():
        yield hall
    store.dispose()


def terminal(hall: InProcessHall, role: str, user: str, station: str | None = None) -> HallApp:
    return HallApp(
        hall.client(),
        role,
        public_url=URL,
        clock=hall.clock,
        username=user,
        password=PW,
        station=station,
    )


def status(app: HallApp, selector: str = "#status") -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_the_desk_shows_its_printer_and_prints_the_last_slip_again(
    hall: InProcessHall, printer: EscposListener
) -> None:
    app = terminal(hall, "desk", "d1", "desk-1")
    async with app.run_test(size=SIZE) as pilot:
        await desk_finds(pilot, app, "sbk")
        await pilot.press("enter", "f2")
        await until(pilot, lambda: on(app, SlipScreen, "#slip-text"))
        await pilot.press("escape")
        slips = await asyncio.to_thread(printer.wait_for, 1)
        assert number_of(slips[0]) == "A001"
        await until(pilot, lambda: "打印机 front：在线（待打印 0 张）" in status(app))

        printer.stop()
        await pilot.press("f3")  # the last slip again: queued, the printer is away
        await until(pilot, lambda: "离线（待打印 1 张）" in status(app))
        assert app.screen.query_one("#status").has_class("-trouble")
        assert isinstance(app.screen, DeskScreen)

        printer.start()
        slips = await asyncio.to_thread(printer.wait_for, 2)
        assert number_of(slips[1]) == "A001" and "（补打 第 2 张）" in text_of(slips[1])
        await until(pilot, lambda: "在线（待打印 0 张）" in status(app))
        assert not app.screen.query_one("#status").has_class("-trouble")


async def test_a_booking_checked_in_at_the_desk_prints_its_slip_there(
    hall: InProcessHall, printer: EscposListener
) -> None:
    async with hall.signed_in("boss") as boss:
        today = (await boss.book_slots(matters=["M-SBK"])).days[0]
        at = next(s.at for s in today.slots if s.start == "09:30")
        booking = await boss.book(["M-SBK"], at=at, mobile="13800138000")
    app = terminal(hall, "desk", "d1", "desk-1")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, DeskScreen, "#hits"))
        await pilot.press("f6")
        await until(pilot, lambda: on(app, CheckInScreen, "#code"))
        await pilot.press(*booking.code)
        await until(pilot, lambda: "138****8000" in str(app.screen.query_one("#booking").render()))
        await pilot.press("enter")
        await until(pilot, lambda: on(app, SlipScreen, "#slip-text"))
        slips = await asyncio.to_thread(printer.wait_for, 1)
        assert number_of(slips[0]) == "Y001"  # the appointment class (预约)
        assert any("社会保障卡申领" in line for line in text_of(slips[0]))


async def test_the_manager_sees_every_printer(hall: InProcessHall, printer: EscposListener) -> None:
    printer.stop()
    hall.store.issue(["M-SBK"], station="desk-1")
    app = terminal(hall, "manager", "boss")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, ManagerScreen, "#printers"))
        await until(pilot, lambda: "打印机 front：离线（待打印 1 张）" in status(app, "#printers"))
        assert app.screen.query_one("#printers").has_class("-shown", "-trouble")
        printer.start()
        await until(pilot, lambda: "打印机 front：在线（待打印 0 张）" in status(app, "#printers"))
