"""The 报表 screen: opened from the manager's screen (and from a city account's read-only
view of a hall), a period and a breakdown chosen, the lines, total and comparison the
store's own report over the played history; a bad date said and nothing changed."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static
from textual_plotext import PlotextPlot

from queue_app.client import ApiError
from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.domain.report import Period
from queue_app.domain.rollup import By
from queue_app.report_models import ReportOut
from queue_app.report_text import COLUMNS, compared
from queue_app.store import Store, make_engine
from queue_app.store.staff import Role, add_staff
from queue_app.tui.app import HallApp
from queue_app.tui.city import CityScreen
from queue_app.tui.manager import ManagerScreen
from queue_app.tui.reports import ReportScreen, preset
from tests.conftest import SHANGHAI, Clock, hall_coded
from tests.tui.conftest import TODAY
from tests.tui.helpers import has_rows, on, quiet, text_of, until
from tests.tui.history import play_days
from tests.tui.inprocess import PW, InProcessHall, city_terminal

pytestmark = pytest.mark.anyio
SIZE = (120, 36)
MONTH = Period(dt.date(2026, 11, 1), TODAY)


def rows(app: HallApp, selector: str) -> list[list[str]]:
    table = app.screen.query_one(selector, DataTable)
    return [[str(c).strip() for c in table.get_row_at(i)] for i in range(table.row_count)]


def expected_lines(report: ReportOut) -> list[list[str]]:
    """The table as the command's columns show ``report``: each line, then the total."""
    lines = [[x.label, *(show(x.now) for _, show in COLUMNS)] for x in report.lines]
    return [*lines, ["合计", *(show(report.total.now) for _, show in COLUMNS)]]


def expected_compare(report: ReportOut) -> list[list[str]]:
    return [[c.msgid, c.show(c.now), c.show(c.before)] for c in compared(report)]


def store_report(store: Store, by: By, period: Period) -> ReportOut:
    return ReportOut.of(store.report(by, period))


async def open_reports(pilot: Pilot[object], app: HallApp) -> ReportScreen:
    await until(pilot, lambda: has_rows(app, ManagerScreen, "#windows"))
    await pilot.press("b")
    await until(pilot, lambda: has_rows(app, ReportScreen, "#lines"))
    await quiet(pilot)
    assert isinstance(app.screen, ReportScreen)
    return app.screen


async def shown(pilot: Pilot[object], screen: ReportScreen, by: By, period: Period) -> None:
    """Wait until the screen shows ``by`` over ``period``."""
    await until(
        pilot,
        lambda: (
            screen.shown is not None
            and (screen.shown.report.by, screen.shown.report.first, screen.shown.report.last)
            == (by, period.first, period.last)
        ),
    )
    await quiet(pilot)


def test_the_presets_name_their_periods() -> None:
    wed = dt.date(2026, 11, 25)
    assert preset("today", wed) == Period(wed, wed)
    assert preset("week", wed) == Period(dt.date(2026, 11, 23), wed)
    assert preset("month", wed) == Period(dt.date(2026, 11, 1), wed)
    assert preset("last_month", wed) == Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert preset("last_month", dt.date(2027, 1, 5)).first == "2026-12-01"


async def test_the_manager_reads_a_month_by_window_then_other_periods_and_breakdowns(
    history: InProcessHall,
) -> None:
    async with history.running(), history.signed_in("boss") as boss:
        app = history.terminal("manager", "boss")
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_reports(pilot, app)
            await shown(pilot, screen, By.WINDOW, MONTH)  # this month by window, at first
            month = store_report(history.store, By.WINDOW, MONTH)
            assert await boss.report("window", MONTH.first, MONTH.last) == month
            assert rows(app, "#lines") == expected_lines(month)
            assert [r[:3] for r in rows(app, "#compare")] == [
                [app.words._(m), now, before] for m, now, before in expected_compare(month)
            ]
            assert month.total.now.served > 150 and month.total.before.served > 50
            lines = app.screen.query_one("#lines", DataTable)
            assert "2026-11-01 至 2026-11-25 · 按窗口" in str(lines.border_title)
            assert "第1名" in text_of(app, "#ranking")  # the month's ranking by 满意率
            assert "忙闲均衡度" in text_of(app, "#note")

            period = app.screen.query_one("#period", Select)
            last_month = Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
            period.value = "last_month"
            await shown(pilot, screen, By.WINDOW, last_month)
            assert rows(app, "#lines") == expected_lines(
                store_report(history.store, By.WINDOW, last_month)
            )
            assert app.screen.query_one("#first", Input).value == "2026-10-01"

            by = app.screen.query_one("#by", Select)
            by.value = By.HOUR
            await shown(pilot, screen, By.HOUR, last_month)
            hours = store_report(history.store, By.HOUR, last_month)
            assert rows(app, "#lines") == expected_lines(hours)
            assert [x.key for x in hours.lines][:2] == ["09", "10"]

            period.value = "week"
            week = Period(dt.date(2026, 11, 23), TODAY)
            await shown(pilot, screen, By.HOUR, week)
            assert rows(app, "#lines") == expected_lines(store_report(history.store, By.HOUR, week))

            by.value = By.CLERK
            period.value = "today"  # live: today's figures from the raw rows
            today = Period(TODAY, TODAY)
            await shown(pilot, screen, By.CLERK, today)
            live = store_report(history.store, By.CLERK, today)
            assert rows(app, "#lines") == expected_lines(live) and live.total.now.served > 0

            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, ManagerScreen))


async def test_the_lines_sort_by_a_figure_and_plots_are_drawn(history: InProcessHall) -> None:
    async with history.running():
        app = history.terminal("manager", "boss")
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_reports(pilot, app)
            await shown(pilot, screen, By.WINDOW, MONTH)
            table = app.screen.query_one("#lines", DataTable)
            served = [c.key for c in table.columns.values()].index("served")
            column = list(table.columns)[served]
            for _ in range(2):
                table.post_message(DataTable.HeaderSelected(table, column, served, "办结"))
                await pilot.pause()
                figures = [int(r[served]) for r in rows(app, "#lines")[:-1]]
                assert figures == sorted(figures, reverse=screen.sort == (served, True))
                assert rows(app, "#lines")[-1][0] == "合计"  # the total stays last
            for selector in ("#trend", "#hours", "#load", "#balance"):
                plot = app.screen.query_one(selector, PlotextPlot)
                drawn = plot.render().plain  # type: ignore[union-attr]
                assert plot.border_title
                assert any(c == "█" or "\u2800" < c <= "\u28ff" for c in drawn), selector


async def test_a_bad_date_says_why_and_changes_nothing(history: InProcessHall) -> None:
    async with history.running():
        app = history.terminal("manager", "boss")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            screen = await open_reports(pilot, app)
            await shown(pilot, screen, By.WINDOW, MONTH)
            before, report = rows(app, "#lines"), screen.shown
            first = app.screen.query_one("#first", Input)
            last = app.screen.query_one("#last", Input)
            note = app.screen.query_one("#note", Static)
            for a, b, said in (
                ("2026-11-31", "2026-11-25", "2026-11-31 不是日期（应为 YYYY-MM-DD）"),
                ("2026-11-20", "2026-11-10", "期间的结束日（2026-11-10）早于开始日（2026-11-20）"),
                ("", "2026-11-10", "请输入起止两个日期（YYYY-MM-DD）"),
            ):
                first.value, last.value = a, b
                first.focus()
                await pilot.press("enter")
                await until(pilot, lambda said=said: said in text_of(app, "#note"))
                await quiet(pilot)
                assert note.has_class("-error")
                assert screen.period == MONTH and screen.shown is report
                assert rows(app, "#lines") == before
                assert app.screen.query_one("#period", Select).value == "month"
            assert any("早于开始日" in str(n.message) for n in app._notifications)

            first.value, last.value = "2026-11-16", "2026-11-20"  # a week typed: shown
            last.focus()
            await pilot.press("enter")
            typed = Period(dt.date(2026, 11, 16), dt.date(2026, 11, 20))
            await shown(pilot, screen, By.WINDOW, typed)
            assert not note.has_class("-error")
            assert app.screen.query_one("#period", Select).value == "custom"
            assert rows(app, "#lines") == expected_lines(
                store_report(history.store, By.WINDOW, typed)
            )


async def test_a_refused_or_lost_read_is_shown_and_f5_reads_again(
    history: InProcessHall,
) -> None:
    async with history.running():
        app = history.terminal("manager", "boss")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            screen = await open_reports(pilot, app)
            await shown(pilot, screen, By.WINDOW, MONTH)
            before = rows(app, "#lines")
            real = app.client.report

            async def refused(*_: Any) -> ReportOut:
                raise ApiError(503, "busy", "服务器忙，请稍后再试", "the server is busy")

            app.client.report = refused  # type: ignore[method-assign]
            await pilot.press("f5")
            await until(pilot, lambda: "服务器忙" in text_of(app, "#note"))
            await quiet(pilot)
            assert rows(app, "#lines") == before and app.is_running
            app.client.report = real  # type: ignore[method-assign]
            await pilot.press("f5")
            await until(pilot, lambda: "忙闲均衡度" in text_of(app, "#note"))
            assert rows(app, "#lines") == before


# ------------------------------------------------------------------------- the city


@pytest.fixture()
def city(
    tmp_path: Path, mini_catalog: Catalog, mini_hall: Hall
) -> Iterator[tuple[list[Store], Clock]]:
    """Two halls of a city on one database, the east one with two past days."""
    clock = Clock(dt.datetime(2026, 11, 19, 8, tzinfo=SHANGHAI))
    engine = make_engine(f"sqlite:///{tmp_path / 'city.db'}")
    halls = [hall_coded(mini_hall, "east", "东区大厅"), hall_coded(mini_hall, "west", "西区大厅")]
    stores = [Store(engine, mini_catalog, h, clock=clock) for h in halls]
    play_days(stores[0], clock, [dt.date(2026, 11, 19), dt.date(2026, 11, 20)], random.Random(3))
    clock.now = dt.datetime(2026, 11, 23, 10, tzinfo=SHANGHAI).timestamp()
    add_staff(stores[0], "mayor", Role.CITY, PW)
    yield stores, clock
    engine.dispose()


async def test_a_city_account_reads_a_halls_reports_read_only(
    city: tuple[list[Store], Clock],
) -> None:
    stores, clock = city
    async with city_terminal(stores, clock) as app, app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: has_rows(app, CityScreen, "#halls"))
        await pilot.press("enter")  # the east hall, read-only
        screen = await open_reports(pilot, app)
        month = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 23))
        await shown(pilot, screen, By.WINDOW, month)
        assert screen.read_only and "东区大厅" in screen.sub_title
        assert "只读" in screen.sub_title
        expected = store_report(stores[0], By.WINDOW, month)
        assert expected.hall == "东区大厅" and expected.total.now.served > 0
        assert rows(app, "#lines") == expected_lines(expected)
        await pilot.press("escape")
        await until(pilot, lambda: on(app, ManagerScreen, "#windows"))
        assert app.screen.read_only  # type: ignore[attr-defined]
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, CityScreen))
