"""补材料 on the terminals, driven by Pilot against the hall's app in this process: the clerk
parks the ticket it serves with a note and un-parks it when the citizen is back; the desk
un-parks a returning citizen's ticket; the manager sees what is parked and for how long."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, OptionList

from queue_app.client import AsyncHallClient
from queue_app.tui.clerk import ClerkScreen, ParkScreen
from queue_app.tui.desk import DeskScreen, UnparkScreen
from queue_app.tui.manager import ManagerScreen
from tests.tui.helpers import on, text_of, until
from tests.tui.inprocess import InProcessHall

pytestmark = pytest.mark.anyio
SIZE = (120, 36)


async def test_clerk_parks_with_a_note_calls_the_next_and_un_parks_it_first(
    hall: InProcessHall, boss: AsyncHallClient
) -> None:
    await boss.open_window(1)
    await boss.issue(["M-SBK"])
    await boss.issue(["M-YL"])
    app = hall.terminal("clerk", "c1", window=1)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, ClerkScreen, "#parked"))
        parked = app.screen.query_one("#parked", DataTable)
        assert not parked.display  # nothing parked: no table
        await pilot.press("m")  # nothing in hand: said, no dialog
        await until(pilot, lambda: bool(app._notifications))
        assert isinstance(app.screen, ClerkScreen)
        await pilot.press("n", "s")
        await until(pilot, lambda: "办理中" in text_of(app, "#number"))
        await pilot.press("m")
        await until(pilot, lambda: on(app, ParkScreen, "#note"))
        app.screen.query_one("#note", Input).value = "户口本原件"
        await pilot.press("enter")
        await until(pilot, lambda: parked.row_count == 1 and parked.display)
        assert [str(c) for c in parked.get_row_at(0)][:2] == ["A001", "户口本原件"]
        assert "空闲" in text_of(app, "#number")
        hall.clock.advance(minutes=12)
        await pilot.press("n")  # the window goes on with the next
        await until(pilot, lambda: "A002" in text_of(app, "#number"))
        await pilot.press("s")
        await until(pilot, lambda: "办理中" in text_of(app, "#number"))
        await pilot.press("u")  # the citizen is back
        await until(pilot, lambda: parked.row_count == 0 and not parked.display)
        line = app.screen.query_one("#line", DataTable)
        await until(pilot, lambda: line.row_count == 1)
        assert "补齐回来" in str(line.get_row_at(0)[1])
    t = hall.store.ticket("A001")
    assert (t.status, t.held_for, t.park_note) == ("waiting", 1, "户口本原件")


async def test_desk_un_parks_a_returning_citizen_and_the_manager_sees_the_parked(
    hall: InProcessHall, boss: AsyncHallClient
) -> None:
    await boss.open_window(1)
    for _ in range(2):
        await boss.issue(["M-SBK"])
    for _ in range(2):
        await boss.call_next(1)
        await boss.start(1)
        await boss.park(1, "照片" if _ else "户口本原件")
    hall.clock.advance(minutes=7)
    manager = hall.terminal("manager", "boss")
    async with manager.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(manager, ManagerScreen, "#parked"))
        await until(pilot, lambda: "补材料 2 人" in text_of(manager, "#parked"))
        shown = text_of(manager, "#parked")
        assert "A001（1 号窗口，7 分钟）：户口本原件" in shown and "A002" in shown
    desk = hall.terminal("desk", "d1")
    async with desk.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(desk, DeskScreen, "#status"))
        await until(pilot, lambda: "补材料 2（F4）" in text_of(desk, "#status"))
        await pilot.press("f4")
        await until(pilot, lambda: on(desk, UnparkScreen, "#parked"))
        options = desk.screen.query_one("#parked", OptionList)
        assert options.option_count == 2
        assert "户口本原件" in str(options.get_option_at_index(0).prompt)
        box = desk.screen.query_one("#number", Input)
        box.focus()
        box.value = "a009"  # no such ticket: said in the dialog, which stays
        await pilot.press("enter")
        await until(pilot, lambda: "A009" in text_of(desk, "#error"))
        box.value = "a002"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(desk.screen, DeskScreen))
        await until(pilot, lambda: "补材料 1（F4）" in text_of(desk, "#status"))
    assert hall.store.ticket("A002").held_for == 1
    assert [t.number for t in await boss.tickets(status="parked")] == ["A001"]
