"""Bookings at the terminals. 预约签到 at the front desk (F6): the booking's code typed, the
booking shown with its number masked, checked in to a ticket whose slip shows as F2's; a
clerk's terminal then calls that ticket. Too late for its slot, the dialog offers its
matters as a walk-in. The manager (k) closes a slot and reopens it, and lifts a ban."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from textual.widgets import Button, Input, OptionList

from queue_app.client import AsyncHallClient
from queue_app.domain.booking_rules import BookingRules, NoShowRules, SlotScope
from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.store import Store
from queue_app.tui.booking_dialog import CheckInScreen
from queue_app.tui.clerk import ClerkScreen
from queue_app.tui.desk import DeskScreen, SlipScreen
from queue_app.tui.manager import ManagerScreen
from queue_app.tui.manager_bookings import BookingAdminScreen
from tests.conftest import Clock
from tests.tui.helpers import on, text_of, until
from tests.tui.inprocess import InProcessHall, in_process_hall

pytestmark = pytest.mark.anyio
SIZE = (120, 36)
MOBILE = "13800138000"


@pytest.fixture()
def hall(
    tmp_path: Path, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> Iterator[InProcessHall]:
    """The mini hall at 09:00 on a Monday whose 社保 and 企业开办 matters may be booked."""
    rules = BookingRules(
        scopes=[SlotScope(name="all", domains=["社保", "企业开办"], capacity=2)],
        no_shows=NoShowRules(after=1, within_days=30, ban_days=7),
    )
    layout = mini_hall.model_copy(update={"bookings": rules})
    store = Store(f"sqlite:///{tmp_path / 'hall.db'}", mini_catalog, layout, clock=clock)
    hall = in_process_hall(store, clock)
    try:
        yield hall
    finally:
        hall.app.state.service.close()
        store.dispose()


@pytest.fixture()
async def boss(hall: InProcessHall) -> AsyncIterator[AsyncHallClient]:
    async with hall.running(), hall.signed_in("boss") as c:
        yield c


async def _slot(boss: AsyncHallClient, start: str) -> float:
    """Today's slot starting at ``start`` (hall time), as the API offers it."""
    offer = await boss.book_slots(matters=["M-SBK"])
    today = offer.days[0]
    return next(s.at for s in today.slots if s.start == start)


async def test_the_desk_checks_in_a_booking_and_a_clerk_calls_it(
    hall: InProcessHall, boss: AsyncHallClient, clock: Clock
) -> None:
    await boss.open_window(1)
    booking = await boss.book(["M-SBK"], at=await _slot(boss, "09:30"), mobile=MOBILE)
    desk = hall.terminal("desk", "d1")
    async with desk.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(desk, DeskScreen, "#hits"))
        await pilot.press("f6")
        await until(pilot, lambda: on(desk, CheckInScreen, "#code"))
        await pilot.press(*booking.code)
        await until(pilot, lambda: "138****8000" in text_of(desk, "#booking"))
        shown = text_of(desk, "#booking")
        assert "09:30–10:00" in shown and "社会保障卡申领" in shown and MOBILE not in shown
        await pilot.press("enter")
        await until(pilot, lambda: on(desk, SlipScreen, "#slip-text"))
        slip = text_of(desk, "#slip-text")
        number = (await boss.booking(booking.code)).ticket
        assert number and number in slip and "社会保障卡申领" in slip
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(desk.screen, DeskScreen))
    assert (await boss.booking(booking.code)).status == "checked_in"

    clerk = hall.terminal("clerk", "c1", window=1)
    async with clerk.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(clerk, ClerkScreen, "#line"))
        await pilot.press("n")
        await until(pilot, lambda: number in text_of(clerk, "#number"))
    assert (await boss.ticket(number)).status == "called"


async def test_too_late_the_desk_offers_a_walk_in_ticket_for_its_matters(
    hall: InProcessHall, boss: AsyncHallClient, clock: Clock
) -> None:
    booking = await boss.book(["M-SBK"], at=await _slot(boss, "09:30"), mobile=MOBILE)
    clock.advance(minutes=50)  # 09:50: check-in closed at 09:45
    desk = hall.terminal("desk", "d1")
    async with desk.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(desk, DeskScreen, "#hits"))
        await pilot.press("f6")
        await until(pilot, lambda: on(desk, CheckInScreen, "#code"))
        await pilot.press("x", "-", *booking.code, "9")  # only six digits are taken
        assert desk.screen.query_one("#code", Input).value == booking.code
        await until(pilot, lambda: "138****8000" in text_of(desk, "#booking"))
        walk_in = desk.screen.query_one("#walk-in", Button)
        assert not walk_in.display
        await pilot.press("enter")
        await until(pilot, lambda: walk_in.display)
        assert text_of(desk, "#error").strip()  # the refusal, in Chinese
        await pilot.press("f2")
        await until(pilot, lambda: on(desk, SlipScreen, "#slip-text"))
        assert "社会保障卡申领" in text_of(desk, "#slip-text")
    waiting = await boss.tickets()
    assert [[i.matter for i in t.items] for t in waiting] == [["M-SBK"]]
    assert (await boss.booking(booking.code)).status == "booked"  # not checked in


async def test_the_manager_closes_a_slot_reopens_it_and_lifts_a_ban(
    hall: InProcessHall, boss: AsyncHallClient, clock: Clock
) -> None:
    await boss.book(["M-SBK"], at=await _slot(boss, "09:30"), mobile=MOBILE)
    clock.advance(minutes=50)  # 09:50: never checked in
    hall.store.sweep_bookings()  # as the server does every minute: a no-show, barred
    app = hall.terminal("manager", "boss")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, ManagerScreen, "#windows"))
        await pilot.press("k")
        await until(pilot, lambda: on(app, BookingAdminScreen, "#bans"))
        bans = app.screen.query_one("#bans", OptionList)
        await until(pilot, lambda: "138****8000" in str(bans.get_option_at_index(0).prompt))
        assert "爽约 1 次" in str(bans.get_option_at_index(0).prompt)
        await pilot.press(*"11:00")  # the slot field has the focus; the day is today
        await pilot.click("#close")
        closures = app.screen.query_one("#closures", OptionList)
        await until(pilot, lambda: "11:00" in str(closures.get_option_at_index(0).prompt))
        assert "全部可预约事项" in str(closures.get_option_at_index(0).prompt)
        today = (await boss.book_slots(matters=["M-SBK"])).days[0]
        assert [s.start for s in today.slots if s.closed] == ["11:00"]
        closures.focus()
        closures.highlighted = 0
        await pilot.press("enter")  # reopened
        await until(pilot, lambda: "没有关闭的时段" in str(closures.get_option_at_index(0).prompt))
        app.screen.query_one("#ban-mobile", Input).value = MOBILE
        app.screen.query_one("#ban-reason", Input).value = "系统故障未能签到"
        await pilot.click("#lift")
        await until(pilot, lambda: "没有被限制的号码" in str(bans.get_option_at_index(0).prompt))
    today = (await boss.book_slots(matters=["M-SBK"])).days[0]
    assert not [s for s in today.slots if s.closed]
    assert await boss.bans() == []
