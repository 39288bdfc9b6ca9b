"""A period's reports as the hall's Excel workbook (XlsxWriter): a 日报, 周报, 月报 or 年报
by the period (报表 for any other), an overview sheet, a sheet per breakdown and a 好差评
sheet; numbers stay numbers under number formats, charts are Excel's own. Pure formatting
over ``ReportOut``: whoever calls it fetches the reports."""

from __future__ import annotations

import calendar
import datetime as dt
import io
from collections.abc import Mapping
from enum import StrEnum

from xlsxwriter.workbook import Workbook

from queue_app.domain.errors import N_
from queue_app.domain.rollup import By
from queue_app.report_models import ReportOut
from queue_app.report_workbook import breakdowns, overview, ratings
from queue_app.report_workbook.sheet import Say, Styles

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Kind(StrEnum):
    """What a period's report is called, by its days."""

    DAY = "daily"
    WEEK = "weekly"
    MONTH = "monthly"
    YEAR = "annual"
    OTHER = "report"


KIND_WORDS = {
    Kind.DAY: N_("daily report"),
    Kind.WEEK: N_("weekly report"),
    Kind.MONTH: N_("monthly report"),
    Kind.YEAR: N_("annual report"),
    Kind.OTHER: N_("report"),
}


def kind_of(first: str, last: str) -> Kind:
    """One day; seven days; a calendar month; a calendar year; or another period."""
    a, b = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    if a == b:
        return Kind.DAY
    if (b - a).days == 6:
        return Kind.WEEK
    month_end = calendar.monthrange(a.year, a.month)[1]
    if a.day == 1 and b == a.replace(day=month_end):
        return Kind.MONTH
    if (a.month, a.day, b.month, b.day) == (1, 1, 12, 31) and a.year == b.year:
        return Kind.YEAR
    return Kind.OTHER


def title(report: ReportOut, say: Say) -> str:
    """``测试大厅月报``: the hall and the kind of report."""
    kind = say(KIND_WORDS[kind_of(report.first, report.last)])
    return say(N_("{hall} {kind}")).format(hall=report.hall, kind=kind)


def file_name(report: ReportOut) -> str:
    """An ASCII file name for the workbook: ``monthly-2026-11-01-2026-11-30.xlsx``."""
    return f"{kind_of(report.first, report.last).value}-{report.first}-{report.last}.xlsx"


def workbook(reports: Mapping[By, ReportOut], say: Say) -> bytes:
    """The workbook of one period's reports by each breakdown given (at least one; the
    overview and the 好差评 sheet read the hall's, or any, for the total and trend)."""
    if not reports:
        raise ValueError("no report to write")
    main = reports.get(By.HALL) or next(iter(reports.values()))
    out = io.BytesIO()
    wb = Workbook(out, {"in_memory": True})
    heading = title(main, say)
    wb.set_properties({"title": heading, "subject": f"{main.first} – {main.last}"})
    st = Styles(wb)
    overview.write(wb, st, say, main, heading)
    for by in breakdowns.SHEETS:
        if by in reports:
            breakdowns.write(wb, st, say, reports[by], heading)
    ratings.write(wb, st, say, main, heading)
    wb.close()
    return out.getvalue()
