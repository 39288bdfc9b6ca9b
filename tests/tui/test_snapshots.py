"""Snapshots of every screen in Chinese at 120x36, against the hall's app in this process
on a clock that stands still (so the header clock and every minute shown are the same on
each run). Update them after a deliberate change with ``pytest tests/tui --snapshot-update``
and look at the SVGs before committing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Select, Static

from queue_app.domain.ticket import Priority
from queue_app.store.staff import Role, add_staff, sign_in
from queue_app.tui.app import HallApp
from queue_app.tui.cases import CasesScreen
from queue_app.tui.clerk import ClerkScreen
from queue_app.tui.desk import DeskScreen
from queue_app.tui.display import DisplayScreen
from queue_app.tui.manager import ManagerScreen
from queue_app.tui.manager_dialogs import NoticeScreen, ProfileScreen, TargetsScreen
from queue_app.tui.picker import RolePicker
from queue_app.tui.reports import ReportScreen
from queue_app.tui.signin import SignInScreen
from tests.conftest import SHANGHAI, why
from tests.tui.helpers import has_rows, on, quiet, until
from tests.tui.inprocess import PW, InProcessHall

SIZE = (120, 36)


@pytest.fixture()
def morning(hall: InProcessHall) -> InProcessHall:
    """A morning begun: windows 1 and 3 open at 09:00 (王芳 signed in at window 3), four
    tickets by 09:12, window 1 serving since 09:15, window 3 calling since 09:20; the
    clock stands at 09:31."""
    store, clock = hall.store, hall.clock
    store.open_window(1, actor="setup")
    store.open_window(3, actor="setup")
    add_staff(store, "wang", Role.CLERK, PW, "王芳")
    sign_in(store, "wang", PW, 3)
    for minutes, matters, bundle, priority in (
        (2, ["M-SBK"], None, Priority.ELDERLY),
        (3, ["M-GT"], None, None),
        (3, [], "QY-KBCYD", None),
        (4, ["M-YL", "M-SBK"], None, None),
    ):
        clock.advance(minutes=minutes)
        store.issue(matters, bundle=bundle, priority=priority)
    clock.advance(minutes=3)
    store.call_next(1)
    store.start(1)
    clock.advance(minutes=5)
    store.call_next(3)
    clock.advance(minutes=11)
    return hall


def app_for(hall: InProcessHall, role: str, user: str, window: int | None = None) -> HallApp:
    return hall.terminal(role, user, window=window)


async def settle(pilot: Pilot, ready: Callable[[], object], signed_in: bool = True) -> None:
    """Wait for ``ready()``, then (once signed in) until the terminal has nothing left to do."""
    await until(pilot, ready)
    if signed_in:
        await quiet(pilot)
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False  # a steady cursor: a blink would land on either side of a slow run


def test_desk_referral(city_hall: InProcessHall, snap_compare) -> None:  # type: ignore[no-untyped-def]
    """A matter the hall does not handle: where it is handled instead."""
    app = app_for(city_hall, "desk", "d1")

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot, lambda: on(app, DeskScreen, "#hits"))
        await pilot.press(*"房屋所有权")
        hits = app.screen.query_one("#hits", OptionList)
        await settle(pilot, lambda: hits.option_count > 0)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_desk_nothing_found(hall: InProcessHall, snap_compare) -> None:  # type: ignore[no-untyped-def]
    """Nothing found: the nearest entries, and no earlier guide."""
    app = app_for(hall, "desk", "d1")

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot, lambda: on(app, DeskScreen, "#hits"))
        await pilot.press(*"sbk")
        hits = app.screen.query_one("#hits", OptionList)
        await settle(pilot, lambda: hits.option_count > 0)
        app.screen.query_one("#search", Input).value = "保障卡坏了"
        await settle(pilot, lambda: hits.option_count > 2)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_desk(morning: InProcessHall, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = app_for(morning, "desk", "d1")

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot, lambda: on(app, DeskScreen, "#hits"))
        await pilot.press(*"gtgsh")
        hits = app.screen.query_one("#hits", OptionList)
        await settle(pilot, lambda: hits.option_count > 0)
        await pilot.press("enter")

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_clerk(morning: InProcessHall, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = app_for(morning, "clerk", "c1", window=1)

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot, lambda: has_rows(app, ClerkScreen, "#line"))

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_manager(morning: InProcessHall, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = app_for(morning, "manager", "boss")

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot, lambda: has_rows(app, ManagerScreen, "#domains"))

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_manager_changing_what_a_window_serves(morning: InProcessHall, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = app_for(morning, "manager", "boss")

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot, lambda: has_rows(app, ManagerScreen, "#domains"))
        app.screen.query_one("#windows", DataTable).move_cursor(row=1)
        await pilot.press("s")
        await settle(pilot, lambda: on(app, ProfileScreen, "#profiles"))

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_manager_targets(morning: InProcessHall, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = app_for(morning, "manager", "boss")

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot, lambda: has_rows(app, ManagerScreen, "#domains"))
        await pilot.press("t")
        await settle(pilot, lambda: on(app, TargetsScreen, "#wait"))

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_manager_notice(morning: InProcessHall, snap_compare) -> None:  # type: ignore[no-untyped-def]
    """The boards' notice line under the targets, and its dialog (``n``) holding it."""
    morning.store.set_notice("今日16:00后暂停受理出入境业务", actor="boss")
    app = app_for(morning, "manager", "boss")

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot, lambda: has_rows(app, ManagerScreen, "#domains"))
        await pilot.press("n")
        await settle(pilot, lambda: on(app, NoticeScreen, "#notice-text"))

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def reports(pilot: Pilot) -> None:
    """From the manager's screen to the 报表 screen, read."""
    await settle(pilot, lambda: has_rows(pilot.app, ManagerScreen, "#windows"))
    await pilot.press("b")
    await settle(pilot, lambda: has_rows(pilot.app, ReportScreen, "#lines"))


def test_reports_month(history: InProcessHall, snap_compare) -> None:  # type: ignore[no-untyped-def]
    """The 报表 screen: this month by window, against the days before, with its plots (the
    README's picture, wider than the rest so every column shows)."""
    app = app_for(history, "manager", "boss")
    assert snap_compare(app, terminal_size=(160, 44), run_before=reports)


def test_the_readme_shows_the_report_snapshot() -> None:
    """docs/report.svg is ``test_reports_month``'s snapshot (copy it after an update)."""
    here = Path(__file__).parent
    shot = here / "__snapshots__" / "test_snapshots" / "test_reports_month.svg"
    assert (here.parents[1] / "docs" / "report.svg").read_bytes() == shot.read_bytes()


def test_reports_bad_date(history: InProcessHall, snap_compare) -> None:  # type: ignore[no-untyped-def]
    """Last month by clerk, then a day that does not exist typed: said, nothing changed."""
    app = app_for(history, "manager", "boss")

    async def run_before(pilot: Pilot) -> None:
        await reports(pilot)
        screen = app.screen
        screen.query_one("#by", Select).value = "clerk"
        screen.query_one("#period", Select).value = "last_month"
        await settle(pilot, lambda: "2026-10-01" in str(screen.query_one("#lines").border_title))
        screen.query_one("#first", Input).value = "2026-10-32"
        screen.query_one("#first", Input).focus()
        await pilot.press("enter")
        await settle(pilot, lambda: screen.query_one("#note").has_class("-error"))

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.fixture()
def poor_ratings(hall: InProcessHall) -> InProcessHall:
    """Poor ratings over three days: on Monday A001 (王芳, window 1; visited, rectification
    due), A002 (window 2; no visit yet: overdue by Wednesday), on Wednesday A001 (appealed);
    the clock stands at 09:31 on Wednesday 2026-11-25."""
    from queue_app.domain.ticket import Outcome
    from queue_app.store import case_ops

    store, clock = hall.store, hall.clock
    add_staff(store, "wang", Role.CLERK, PW, "王芳")

    def rated(window: int, level: int, clerk: str) -> int:
        store.open_window(window, actor="setup")
        store.issue(["M-SBK"])
        store.call_next(window, actor=clerk)
        clock.advance(minutes=3)
        store.start(window, actor=clerk)
        clock.advance(minutes=9)
        t = store.finish(window, Outcome.COMPLETED, actor=clerk)
        store.rate(window, t.number, level, actor=clerk, reasons=why(level))
        return t.id

    visited = rated(1, 1, "wang")
    rated(2, 2, "li")
    case_ops.assign(store, visited, "boss", "boss")
    clock.advance(hours=2)
    case_ops.visit(store, visited, "群众反映等候过久，核实属实", True, "boss")
    clock.now = dt.datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI).timestamp()
    appealed = rated(1, 2, "wang")
    case_ops.appeal(store, appealed, "群众表示误按评价器", "boss")
    clock.now = dt.datetime(2026, 11, 25, 9, 31, tzinfo=SHANGHAI).timestamp()
    return hall


def test_manager_cases(poor_ratings: InProcessHall, snap_compare) -> None:  # type: ignore[no-untyped-def]
    """The 好差评 cases: the overdue one in red, the deadlines, this month's rates."""
    app = app_for(poor_ratings, "manager", "boss")

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot, lambda: has_rows(app, ManagerScreen, "#domains"))
        await pilot.press("e")
        await settle(pilot, lambda: has_rows(app, CasesScreen, "#cases"))

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_display(morning: InProcessHall, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = app_for(morning, "display", "tv")

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot, lambda: on(app, DisplayScreen, "#newest"))
        newest = app.screen.query_one("#newest", Static)
        await settle(pilot, lambda: "窗口" in str(newest.content))

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_sign_in(morning: InProcessHall, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = morning.terminal("clerk", None, window=5)

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot, lambda: on(app, SignInScreen, "#go"), signed_in=False)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_demo_role_picker(snap_compare) -> None:  # type: ignore[no-untyped-def]
    from queue_app.demo_live import accounts
    from queue_app.loaders import (
        default_catalog_path,
        default_hall_path,
        load_catalog,
        load_hall_for,
    )

    catalog = load_catalog(default_catalog_path())
    layout = load_hall_for(default_hall_path(), catalog)
    app = RolePicker("http://127.0.0.1:8600", layout, accounts(layout), "zh")  # type: ignore[arg-type]
    assert snap_compare(app, terminal_size=SIZE)
