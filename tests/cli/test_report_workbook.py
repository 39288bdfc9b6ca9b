"""The hall's Excel workbook (日报, 周报, 月报): opened with openpyxl, its sheets, Chinese (or
English) headers, numbers stored as numbers under number formats that agree with the
report's figures, charts, the title by the period; and the API's download of it."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from queue_app.cli_hall import in_process, local_app
from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.domain.report import Period
from queue_app.domain.rollup import By
from queue_app.i18n import translations
from queue_app.report_models import FiguresOut, ReportOut
from queue_app.report_workbook import KIND_WORDS, MEDIA_TYPE, Kind, kind_of, workbook
from queue_app.store import Store
from tests.store.test_reports import play_days

DAYS = [dt.date(2026, 11, 16), dt.date(2026, 11, 17), dt.date(2026, 11, 18)]
SHEETS_ZH = ["概览", "窗口", "人员", "部门", "办理事项", "领域", "号类", "时段", "好差评"]
BREAKDOWNS = [By.WINDOW, By.CLERK, By.DEPARTMENT, By.MATTER, By.DOMAIN, By.CLASS, By.HOUR]
ZH = translations("zh").gettext
EN = translations("en").gettext


@pytest.fixture(scope="module")
def store(
    tmp_path_factory: pytest.TempPathFactory, mini_catalog: Catalog, mini_hall: Hall
) -> Iterator[Store]:
    """Three played days of the mini hall, closed."""
    url = f"sqlite:///{tmp_path_factory.mktemp('workbook') / 'hall.db'}"
    s = play_days(url, mini_catalog, mini_hall, DAYS, seed=15, steps=80)
    yield s
    s.dispose()


def reports_of(store: Store, first: str, last: str) -> dict[By, ReportOut]:
    period = Period.of(first, last)
    return {by: ReportOut.of(store.report(by, period)) for by in By}


def opened(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def header_row(ws: Worksheet, first: str) -> int:
    """The row whose first cell is ``first`` (a table's headers)."""
    return next(c.row for c in ws["A"] if c.value == first)


def rows_under(ws: Worksheet, row: int) -> list[dict[str, Any]]:
    """The table whose headers are on ``row``: a dict a row, by header, to its end."""
    heads = [c.value for c in ws[row]]
    out = []
    for r in ws.iter_rows(min_row=row + 1):
        if r[0].value is None:
            break
        out.append({h: c for h, c in zip(heads, r, strict=False) if h})
    return out


def number(cell: Any, expected: float | None, fmt: str) -> None:
    """A figure stored as a number (never text) equal to ``expected``, under ``fmt``."""
    if expected is None:
        assert cell.value is None, cell
        return
    assert isinstance(cell.value, int | float) and not isinstance(cell.value, bool), cell
    assert cell.value == pytest.approx(expected), cell
    assert cell.number_format == fmt, cell


# (header in Chinese, the figure, its number format): checked on every breakdown sheet
CHECKED = [
    ("办结", lambda f: f.served, "#,##0"),
    ("过号", lambda f: f.no_shows, "#,##0"),
    ("平均等候（分钟）", lambda f: f.mean_wait_minutes, "0.0"),
    ("P90等候（分钟）", lambda f: f.p90_wait_minutes, "0.0"),
    ("达标率", lambda f: f.within_target_share, "0.0%"),
    ("平均办理（分钟）", lambda f: f.mean_handling_minutes, "0.0"),
    ("一次办结率", lambda f: f.one_visit_share, "0.0%"),
    ("非常满意", lambda f: f.ratings[5], "#,##0"),
    ("非常不满意", lambda f: f.ratings[1], "#,##0"),
    ("评价数", lambda f: f.rated, "#,##0"),
    ("差评率", lambda f: f.bad_rate, "0.0%"),
    ("满意率", lambda f: f.satisfied_rate, "0.0%"),
]


def _check(row: dict[str, Any], figures: FiguresOut) -> None:
    for header, get, fmt in CHECKED:
        number(row[header], get(figures), fmt)


def test_a_monthly_workbook_holds_the_reports_figures_as_numbers(store: Store) -> None:
    reports = reports_of(store, "2026-11-01", "2026-11-30")
    book = opened(workbook(reports, ZH))
    assert book.sheetnames == SHEETS_ZH
    hall = reports[By.HALL]
    total = hall.total

    ov = book["概览"]
    assert ov["A1"].value == "测试大厅月报"
    assert "2026-11-01 至 2026-11-30（30 天）" in ov["A2"].value
    key = {row_cells[0].value: row_cells for row_cells in ov.iter_rows(min_row=6, max_row=21)}
    served = key["办结"]
    number(served[1], total.now.served, "#,##0")
    number(served[2], total.before.served, "#,##0")
    assert served[3].number_format == "+0.0%;-0.0%;0.0%"
    number(key["平均等候（分钟）"][1], total.now.mean_wait_minutes, "0.0")
    number(key["差评率"][1], total.now.bad_rate, "0.0%")
    trend = rows_under(ov, header_row(ov, "日期"))
    assert [r["日期"].value for r in trend] == [dt.datetime(2026, 11, d) for d in range(1, 31)]
    for r, day in zip(trend, hall.trend, strict=True):
        number(r["办结"], day.figures.served, "#,##0")
        number(r["平均等候（分钟）"], day.figures.mean_wait_minutes, "0.0")
        number(r["忙闲均衡度"], day.load_balance, "0.00")
    assert len(ov._charts) == 1

    for by, name in zip(BREAKDOWNS, SHEETS_ZH[1:-1], strict=True):
        ws, report = book[name], reports[by]
        coded = by in (By.DEPARTMENT, By.MATTER)
        assert ws.freeze_panes == ("C6" if coded else "B6"), name
        assert ws["A1"].value == f"测试大厅月报 · {name}"
        table = rows_under(ws, 5)
        assert len(table) == len(report.lines) + 1 > 1, name
        label = [c.value for c in ws[5]][1 if coded else 0]
        for row, line in zip(table, report.lines, strict=False):
            assert row[label].value == line.label
            _check(row, line.now)
        assert table[-1][label].value == "合计"
        _check(table[-1], report.total.now)
        assert len(ws._charts) == 1, name
    assert "取号" not in [c.value for c in book["窗口"][5]]  # a window issues nothing
    windows = rows_under(book["窗口"], 5)
    busy = sum(x.now.busy_minutes for x in reports[By.WINDOW].lines) / 60
    number(windows[-1]["忙碌（小时）"], busy, "0.0")

    ratings = book["好差评"]
    levels = {r[0].value: r for r in ratings.iter_rows(min_row=5, max_row=11)}
    for level, lv in (("非常满意", 5), ("基本满意", 3), ("非常不满意", 1)):
        number(levels[level][1], total.now.ratings[lv], "#,##0")
        number(levels[level][2], total.before.ratings[lv], "#,##0")
    number(levels["评价数"][1], total.now.rated, "#,##0")
    number(levels["差评率"][1], total.now.bad_rate, "0.0%")
    ranked = rows_under(ratings, header_row(ratings, "2026-11 窗口满意率排名") + 1)
    expected = hall.window_ranking["2026-11"]
    assert [(r["名次"].value, r["窗口"].value) for r in ranked] == [
        (x.rank, x.label) for x in expected
    ]
    for r, x in zip(ranked, expected, strict=True):
        number(r["满意率"], x.satisfied_rate, "0.0%")
    assert len(ratings._charts) == 1


@pytest.mark.parametrize(
    ("first", "last", "kind", "zh"),
    [
        ("2026-11-17", "2026-11-17", Kind.DAY, "日报"),
        ("2026-11-16", "2026-11-22", Kind.WEEK, "周报"),
        ("2026-11-01", "2026-11-30", Kind.MONTH, "月报"),
        ("2028-02-01", "2028-02-29", Kind.MONTH, "月报"),
        ("2026-01-01", "2026-12-31", Kind.YEAR, "年报"),
        ("2026-11-02", "2026-11-30", Kind.OTHER, "报表"),
        ("2026-02-01", "2026-02-27", Kind.OTHER, "报表"),
    ],
)
def test_the_title_says_what_the_period_is(first: str, last: str, kind: Kind, zh: str) -> None:
    assert kind_of(first, last) is kind
    assert ZH(KIND_WORDS[kind]) == zh


def test_a_daily_workbook_in_english(store: Store) -> None:
    book = opened(workbook(reports_of(store, "2026-11-17", "2026-11-17"), EN))
    assert book.sheetnames[0] == "Overview" and book.sheetnames[-1] == "Citizen ratings"
    assert book["Overview"]["A1"].value == "测试大厅 daily report"
    heads = [c.value for c in book["Windows"][5]]
    assert {"window", "served", "mean wait (min)", "poor-rating rate", "utilisation"} <= set(heads)
    trend = rows_under(book["Overview"], header_row(book["Overview"], "day"))
    assert [r["day"].value for r in trend] == [dt.datetime(2026, 11, 17)]


def test_the_api_sends_the_workbook_named_by_its_period(store: Store) -> None:
    async def fetch() -> tuple[bytes, Any]:
        async with in_process(local_app(store, "tester")) as client:
            data = await client.report_workbook("2026-11-16", "2026-11-22", lang="en")
            r = await client.http.get(
                "/api/reports.xlsx", params={"from": "2026-11-16", "to": "2026-11-22"}
            )
            bad = await client.http.get(
                "/api/reports.xlsx", params={"from": "2026-11-22", "to": "2026-11-16"}
            )
            return data, (r, bad)

    data, (r, bad) = asyncio.run(fetch())
    assert opened(data)["Overview"]["A1"].value == "测试大厅 weekly report"
    assert r.status_code == 200 and r.headers["content-type"] == MEDIA_TYPE
    disposition = r.headers["content-disposition"]
    assert 'filename="weekly-2026-11-16-2026-11-22.xlsx"' in disposition
    assert "filename*=UTF-8''%E6%B5%8B%E8%AF%95%E5%A4%A7%E5%8E%85%E5%91%A8%E6%8A%A5" in disposition
    assert opened(r.content)["概览"]["A1"].value == "测试大厅周报"
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "period_backwards"


def test_the_workbook_needs_a_report() -> None:
    with pytest.raises(ValueError):
        workbook({}, ZH)
