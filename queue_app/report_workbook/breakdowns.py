"""A sheet per breakdown (windows, clerks, departments, matters, domains, ticket classes,
hours): a row per group and the total, the figures banded under Chinese headers, against
the period before, and a chart where one helps."""

from __future__ import annotations

from dataclasses import dataclass

from xlsxwriter.workbook import Workbook

from queue_app.domain.errors import N_
from queue_app.domain.report import change
from queue_app.domain.rollup import By
from queue_app.report_models import FiguresOut, LineOut, ReportOut
from queue_app.report_text import BY_WORDS
from queue_app.report_workbook import figures as F
from queue_app.report_workbook.overview import heading
from queue_app.report_workbook.sheet import Col, Say, Series, Styles, Value, chart, page, table

SHEETS = {
    By.WINDOW: N_("Windows"),
    By.CLERK: N_("Clerks"),
    By.DEPARTMENT: N_("Departments"),
    By.MATTER: N_("Matters"),
    By.DOMAIN: N_("Domains"),
    By.CLASS: N_("Ticket classes"),
    By.HOUR: N_("Hours"),
}
MOST_IN_A_CHART = 30  # more groups than this (a real catalog's matters): no chart


@dataclass(frozen=True, slots=True)
class Plot:
    """A breakdown's chart: columns of ``bars`` and a line of ``line`` on the right axis;
    or, for long names, horizontal bars alone."""

    title: str
    bars: tuple[F.Fig, ...]
    line: F.Fig | None = None
    right_axis: str = N_("minutes")


PLOTS = {
    By.WINDOW: Plot(N_("load per window"), (F.SERVED,), F.UTILISATION, N_("utilisation")),
    By.CLERK: Plot(N_("served and handling per clerk"), (F.SERVED,), F.MEAN_HANDLING),
    By.DEPARTMENT: Plot(N_("served per department"), (F.SERVED,)),
    By.MATTER: Plot(N_("served per matter"), (F.SERVED,)),
    By.DOMAIN: Plot(N_("served and waits per domain"), (F.SERVED,), F.MEAN_WAIT),
    By.CLASS: Plot(N_("tickets and waits per class"), (F.ISSUED, F.SERVED), F.MEAN_WAIT),
    By.HOUR: Plot(N_("tickets and waits by hour"), (F.ISSUED, F.SERVED), F.MEAN_WAIT),
}
COMPARED = [
    Col(N_("served before")),
    Col(N_("change"), "change"),
    Col(N_("mean wait before (min)"), "min"),
    Col(N_("change"), "change"),
]


def _bands(by: By) -> list[tuple[str, list[F.Fig]]]:
    """The figures of ``by``'s sheet; a window or a clerk issues and cancels nothing, and
    has a load."""
    load = {By.WINDOW: F.WINDOW_LOAD, By.CLERK: F.CLERK_LOAD}.get(by)
    if load is None:
        return F.BANDS
    (volume, figs), *rest = F.BANDS
    at_window = [f for f in figs if f not in (F.ISSUED, F.CANCELLED)]
    return [(volume, at_window), *rest, (F.LOAD, load)]


def _load_of(report: ReportOut) -> FiguresOut:
    """The hall's figures, with the windows' (or clerks') busy and open time added up."""
    now = report.total.now
    if report.by not in (By.WINDOW, By.CLERK):
        return now
    busy = sum(x.now.busy_minutes for x in report.lines)
    opened = sum(x.now.open_minutes for x in report.lines)
    used = busy / opened if opened else None
    return now.model_copy(
        update={"busy_minutes": busy, "open_minutes": opened, "utilisation": used}
    )


def _compared(line: LineOut) -> list[Value]:
    now, before = line.now, line.before
    return [
        before.served,
        change(now.served, before.served),
        before.mean_wait_minutes,
        change(now.mean_wait_minutes, before.mean_wait_minutes),
    ]


def write(wb: Workbook, st: Styles, say: Say, report: ReportOut, title: str) -> None:
    """The sheet of ``report``'s breakdown (its ``by``)."""
    by = report.by
    name = say(SHEETS[by])
    ws = wb.add_worksheet(name)
    heading(ws, st, say, report, say(N_("{title} · {what}")).format(title=title, what=name))
    coded = by in (By.DEPARTMENT, By.MATTER)
    names = [Col(N_("code"), "text", None)] if coded else []
    names.append(Col(BY_WORDS[by], "text", None))
    bands = _bands(by)
    figs = [f for _, fs in bands for f in fs]
    cols = [*names, *(f.col for f in figs), *COMPARED]

    def row(line: LineOut, label: str) -> list[Value]:
        shown: list[Value] = [line.key, label] if coded else [label]
        return [*shown, *(f.get(line.now) for f in figs), *_compared(line)]

    total = report.total.model_copy(update={"key": "", "now": _load_of(report)})
    end = table(
        ws,
        st,
        say,
        (3, 0),
        cols,
        [row(x, x.label) for x in report.lines],
        row(total, say(N_("total"))),
        bands=[
            ("", len(names)),
            *((b, len(fs)) for b, fs in bands),
            (N_("against the period before"), len(COMPARED)),
        ],
    )
    page(ws, (3, 4), (5, len(names)), fit=(2, 0))
    n = len(report.lines)
    if not 0 < n <= MOST_IN_A_CHART:
        return
    plot = PLOTS[by]
    at = {f: len(names) + i for i, f in enumerate(figs)}
    series = [Series(at[f], say(f.col.header)) for f in plot.bars]
    if plot.line is not None:
        series.append(Series(at[plot.line], say(plot.line.col.header), line=True, secondary=True))
    size = (min(1100, max(560, 200 + 48 * n)), 340) if plot.line else (720, 110 + 30 * n)
    c = chart(
        wb,
        name,
        say(plot.title),
        (5, 4 + n),
        len(names) - 1,
        series,
        axes=(say(N_("tickets")), say(plot.right_axis) if plot.line else None),
        kind="column" if plot.line else "bar",
        size=size,
    )
    ws.insert_chart(end + 1, len(names), c, {"x_offset": 4, "y_offset": 8})
