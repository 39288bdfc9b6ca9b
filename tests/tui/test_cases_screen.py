"""The manager's 好差评 cases screen driven by Textual's Pilot: the loop by keys, the overdue
cases in red (there and on the manager's view), an appeal set aside."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox, DataTable, OptionList

from queue_app.client import AsyncHallClient
from queue_app.domain.cases import Show
from queue_app.domain.ticket import Outcome
from queue_app.store import Store, case_ops
from queue_app.store.staff import Role, add_staff
from queue_app.tui.app import HallApp
from queue_app.tui.case_dialogs import AssignScreen, NoteScreen
from queue_app.tui.cases import CasesScreen
from queue_app.tui.manager import ManagerScreen
from tests.conftest import why
from tests.tui.helpers import has_rows, on, quiet, text_of, until
from tests.tui.inprocess import PW, InProcessHall

pytestmark = pytest.mark.anyio
SIZE = (120, 36)


def rated(store: Store, level: int, window: int = 1, clerk: str = "wang") -> str:
    """A visit served at ``window`` by ``clerk`` and rated ``level``; its number."""
    store.issue(["M-SBK"])
    store.call_next(window, actor=clerk)
    store.start(window, actor=clerk)
    t = store.finish(window, Outcome.COMPLETED, actor=clerk)
    store.rate(window, t.number, level, actor=clerk, reasons=why(level))
    return t.number


def cells(app: HallApp, row: int = 0) -> list[str]:
    table = app.screen.query_one("#cases", DataTable)
    return [str(c) for c in table.get_row_at(row)]


async def note(pilot, app: HallApp, text: str, check: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Write ``text`` in the open note dialog (ticking its box if asked) and record it."""
    await until(pilot, lambda: on(app, NoteScreen, "#note"))
    await pilot.press(*text)
    if check:
        app.screen.query_one("#check", Checkbox).value = True
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, CasesScreen))


async def test_the_case_loop_by_keys(hall: InProcessHall, boss: AsyncHallClient) -> None:
    store = hall.store
    store.open_window(1)
    add_staff(store, "li", Role.MANAGER, PW, "李主任")
    number = rated(store, 1)
    app = hall.terminal("manager", "boss")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: has_rows(app, ManagerScreen, "#windows"))
        await pilot.press("e")
        await until(pilot, lambda: has_rows(app, CasesScreen, "#cases"))
        assert cells(app)[1:5] == [number, "1", "wang", "非常不满意"]
        assert cells(app)[6:9] == ["11-24", "12-14", "待回访"]
        await pilot.press("a")
        await until(pilot, lambda: on(app, AssignScreen, "#managers"))
        options = app.screen.query_one("#managers", OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert "李主任（li）" in labels
        options.highlighted = labels.index("李主任（li）")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CasesScreen) and cells(app)[5] == "li")
        await pilot.press("v")
        await note(pilot, app, "等候过久属实", check=True)
        await until(pilot, lambda: cells(app)[8] == "待整改")
        assert "回访核实：boss" in text_of(app, "#case") and "等候过久属实" in text_of(app, "#case")
        await pilot.press("f")  # feedback before the rectification: refused, nothing changes
        await note(pilot, app, "已告知")
        await until(pilot, lambda: any("请先记录" in n.message for n in app._notifications))
        await pilot.press("r")
        await note(pilot, app, "午间增开窗口")
        await until(pilot, lambda: cells(app)[8] == "待反馈")
        await pilot.press("f")
        await note(pilot, app, "已电话告知")
        table = app.screen.query_one("#cases", DataTable)
        await until(pilot, lambda: table.row_count == 0)  # closed: no longer open
        await pilot.press("s", "s")  # open → overdue → all
        await until(pilot, lambda: table.row_count == 1 and cells(app)[8] == "已办结")
        assert "回访率 100%" in text_of(app, "#case-figures")
        assert "整改率 100%" in text_of(app, "#case-figures")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ManagerScreen))
    [case] = await boss.cases("all")
    assert (case.assignee, case.visit.by, case.fix.by, case.feedback.by) == (
        "li", "boss", "boss", "boss",
    )  # fmt: skip


async def test_overdue_cases_are_red_and_an_appeal_sets_a_rating_aside(
    hall: InProcessHall,
) -> None:
    store, clock = hall.store, hall.clock
    store.open_window(1)
    late = rated(store, 2)  # Monday: its visit is due on Tuesday
    clock.advance(hours=48)  # Wednesday
    store.open_window(1)
    fresh = rated(store, 1)
    app = hall.terminal("manager", "boss")
    async with hall.running(), app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: has_rows(app, ManagerScreen, "#windows"))
        await until(pilot, lambda: "差评工单逾期：1 件" in text_of(app, "#alerts"))
        await pilot.press("e")
        await until(pilot, lambda: has_rows(app, CasesScreen, "#cases"))
        table = app.screen.query_one("#cases", DataTable)
        assert [cells(app, i)[1] for i in range(2)] == [late, fresh]
        overdue, on_time = table.get_row_at(0), table.get_row_at(1)
        assert all("red" in str(c.style) for c in overdue)  # the whole row
        assert "bold red" in str(overdue[6].style)  # the visit's deadline, passed
        assert "red" not in str(on_time[6].style)
        assert "逾期：待回访" in text_of(app, "#case")
        await pilot.press("s")  # overdue only
        await until(pilot, lambda: table.row_count == 1)
        await pilot.press("p")
        await note(pilot, app, "群众误按")
        await until(pilot, lambda: cells(app)[9] == "待复核")
        await pilot.press("d")
        await note(pilot, app, "回放录像确认误评", check=True)
        await until(pilot, lambda: table.row_count == 0)  # set aside: closed, late no more
        await pilot.press("s")
        await until(pilot, lambda: table.row_count == 2 and cells(app)[9] == "申诉成立")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ManagerScreen))
        await until(pilot, lambda: "差评工单逾期" not in text_of(app, "#alerts"))
    decided = next(c for c in case_ops.listing(store, Show.ALL) if c.number == late)
    assert decided.set_aside and decided.decided is not None and decided.decided.by == "boss"


def test_a_read_only_look_offers_no_change() -> None:
    screen = CasesScreen.__new__(CasesScreen)
    screen.read_only = True
    for action in ("assign", "visit", "rectify", "answer", "appeal", "decide"):
        assert not screen.check_action(action, ())
    assert screen.check_action("show", ()) and screen.check_action("back", ())


async def test_the_cases_screen_and_its_dialogs_in_english(hall: InProcessHall) -> None:
    from tests.tui.test_english import assert_english

    store, clock = hall.store, hall.clock
    store.open_window(1)
    rated(store, 2)
    seen = rated(store, 1)
    case_id = next(c.id for c in case_ops.listing(store, Show.ALL) if c.number == seen)
    case_ops.visit(store, case_id, "waited too long: true", True, "boss")
    clock.advance(hours=48)  # the first one's visit is late
    app = hall.terminal("manager", "boss", lang="en")
    async with hall.running(), app.run_test(size=SIZE, notifications=True) as pilot:
        await until(pilot, lambda: has_rows(app, ManagerScreen, "#windows"))
        await until(pilot, lambda: "poor-rating cases overdue: 1" in text_of(app, "#alerts"))
        assert_english(app, "manager with an overdue case")
        await pilot.press("e")
        await until(pilot, lambda: has_rows(app, CasesScreen, "#cases"))
        await quiet(pilot)
        assert cells(app)[8] == "to visit" and "overdue: to visit" in text_of(app, "#case")
        assert_english(app, "the cases")
        app.screen.query_one("#cases", DataTable).move_cursor(row=1)
        await until(pilot, lambda: "return visit: boss" in text_of(app, "#case"))
        assert_english(app, "a visited case")
        await pilot.press("v")
        await until(pilot, lambda: on(app, NoteScreen, "#check"))
        await pilot.press("enter")  # nothing written: asked again
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        assert_english(app, "the visit dialog")
        await pilot.press("escape")
        await pilot.press("a")
        await until(pilot, lambda: on(app, AssignScreen, "#managers"))
        assert_english(app, "the assign dialog")
        await pilot.press("escape")
        await pilot.press("d")  # no appeal to decide: refused
        await note(pilot, app, "because")
        await until(pilot, lambda: any("No appeal" in n.message for n in app._notifications))
        await quiet(pilot)
        await pilot.press("s", "s")
        await until(pilot, lambda: "all" in str(app.screen.query_one("#cases").border_title))
        await quiet(pilot)
        assert_english(app, "every case, after a refusal")
