"""The workbook's first sheet: the title, the period against the one before, the hall's key
figures with their change, the 忙闲均衡度, and the day-by-day trend with its chart."""

from __future__ import annotations

import datetime as dt

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from queue_app.domain.errors import N_
from queue_app.domain.report import change
from queue_app.report_models import ReportOut
from queue_app.report_workbook import figures as F
from queue_app.report_workbook.sheet import (
    Col,
    Say,
    Series,
    Styles,
    Value,
    chart,
    key_table,
    page,
    table,
)

CHART_ROWS = 20  # the key figures' chart beside them, in rows of the sheet


def mean_balance(report: ReportOut) -> float | None:
    """The 忙闲均衡度 over the days that had one (0 = every window as busy)."""
    days = [d.load_balance for d in report.trend if d.load_balance is not None]
    return sum(days) / len(days) if days else None


def heading(ws: Worksheet, st: Styles, say: Say, report: ReportOut, title: str) -> None:
    """The sheet's title and the line naming the period and the one it is compared with."""
    ws.write_string(0, 0, title, st.title)
    ws.set_row(0, 26)
    ws.write_string(
        1,
        0,
        say(N_("{first} to {last} ({days} days), against {before_first} to {before_last}")).format(
            first=report.first,
            last=report.last,
            days=len(report.trend),
            before_first=report.previous_first,
            before_last=report.previous_last,
        ),
        st.note,
    )


def write(wb: Workbook, st: Styles, say: Say, report: ReportOut, title: str) -> None:
    """The overview sheet of ``report`` (any breakdown: its total and trend are the hall's)."""
    name = say(N_("Overview"))
    ws = wb.add_worksheet(name)
    heading(ws, st, say, report, title)
    now, before = report.total.now, report.total.before
    ws.write_string(3, 0, say(N_("key figures")), st.section)
    rows: list[tuple[str, str, list[Value]]] = []
    for f in F.KEY:
        a, b = f.get(now), f.get(before)
        moved = change(a, b) if isinstance(a, int | float) and isinstance(b, int | float) else None
        rows.append((f.col.header, f.col.kind, [a, b, moved]))
    rows.append((N_("load balance (0 = even)"), "ratio", [mean_balance(report), None, None]))
    headers = ["", N_("this period"), N_("the period before"), N_("change")]
    end = key_table(ws, st, say, (4, 0), headers, rows, kinds={2: "change"})

    top = max(end, 4 + CHART_ROWS) + 1
    ws.write_string(top, 0, say(N_("day by day")), st.section)
    cols = [Col(N_("day"), "date", 11.0), *(f.col for f in F.TREND)]
    days = [
        [dt.date.fromisoformat(d.day), *(f.get(d.figures) for f in F.TREND), d.load_balance]
        for d in report.trend
    ]
    cols.append(Col(N_("load balance"), "ratio"))
    end = table(ws, st, say, (top + 1, 0), cols, days)
    first, last = top + 2, end - 1
    at = {f: 1 + i for i, f in enumerate(F.TREND)}
    trend = chart(
        wb,
        name,
        say(N_("served and waits, day by day")),
        (first, last),
        0,
        [
            Series(at[F.SERVED], say(F.SERVED.col.header)),
            Series(at[F.MEAN_WAIT], say(F.MEAN_WAIT.col.header), line=True, secondary=True),
            Series(at[F.P90_WAIT], say(F.P90_WAIT.col.header), line=True, secondary=True),
        ],
        axes=(say(N_("tickets")), say(N_("minutes"))),
        size=(640, 20 * CHART_ROWS),
    )
    trend.set_x_axis({"num_format": "mm-dd", "num_font": {"rotation": -45}})
    ws.insert_chart(3, 5, trend, {"x_offset": 10, "y_offset": 4})
    page(ws, (top + 1, top + 1), fit=(1, 1 if len(days) <= 31 else 0))  # a month: one page
