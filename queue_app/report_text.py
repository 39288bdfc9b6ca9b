"""A report as the terminal shows it (rich tables) and as CSV, in the reader's language."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Group
from rich.table import Table
from rich.text import Text

from queue_app.domain.errors import N_
from queue_app.domain.report import change
from queue_app.report_models import FiguresOut, LineOut, ReportOut

Say = Callable[[str], str]  # a msgid in the reader's language

BY_WORDS = {
    "hall": N_("hall"),
    "window": N_("window"),
    "clerk": N_("clerk"),
    "department": N_("department"),
    "matter": N_("matter"),
    "domain": N_("domain"),
    "class": N_("ticket class"),
    "hour": N_("hour issued"),
}


def _num(v: float | None, digits: int = 1) -> str:
    return "–" if v is None else f"{v:.{digits}f}"


def _share(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.1f}%"


# (header msgid, the figure as text): the columns of the table and the CSV, in order
COLUMNS: list[tuple[str, Callable[[FiguresOut], str]]] = [
    (N_("issued"), lambda f: str(f.issued)),
    (N_("served"), lambda f: str(f.served)),
    (N_("no-shows"), lambda f: str(f.no_shows)),
    (N_("transfers"), lambda f: str(f.transfers)),
    (N_("cancelled"), lambda f: str(f.cancelled)),
    (N_("mean wait (min)"), lambda f: _num(f.mean_wait_minutes)),
    (N_("median wait"), lambda f: _num(f.median_wait_minutes)),
    (N_("p90 wait"), lambda f: _num(f.p90_wait_minutes)),
    (N_("within target"), lambda f: _share(f.within_target_share)),
    (N_("mean handling (min)"), lambda f: _num(f.mean_handling_minutes)),
    (N_("bundles"), lambda f: str(f.bundles)),
    (N_("in one visit"), lambda f: _share(f.one_visit_share)),
    (N_("ratings"), lambda f: str(f.rated)),
    (N_("poor-rating rate"), lambda f: _share(f.bad_rate)),
]


def _row(line: LineOut) -> list[str]:
    return [line.label, *(show(line.now) for _, show in COLUMNS)]


def table(report: ReportOut, say: Say) -> Group:
    """The period's lines and total, the comparison with the period before, and the
    load balance over the days."""
    title = say(N_("{hall} · {first} to {last} · by {by}")).format(
        hall=report.hall, first=report.first, last=report.last, by=say(BY_WORDS[report.by])
    )
    t = Table(title=title, title_justify="left", header_style="bold")
    t.add_column(say(BY_WORDS[report.by]), overflow="fold", max_width=28)
    for header, _ in COLUMNS:
        t.add_column(say(header), justify="right")
    for line in report.lines:
        t.add_row(*_row(line))
    t.add_row(*_row(report.total.model_copy(update={"label": say(N_("total"))})), style="bold")
    return Group(
        t,
        _compared(report, say),
        Text(balance(report, say)),
        Text(proxies(report, say)),
        Text(cases(report, say)),
    )


def proxies(report: ReportOut, say: Say) -> str:
    """The period's 代评 (entered by staff for citizens at windows without a 评价器), apart
    from the citizens' own ratings that the rates are of."""
    f = report.total.now
    poor = sum(n for lv, n in f.proxy_ratings.items() if lv <= 2)
    return say(
        N_("ratings entered by staff for citizens (not in the rates): {count}, {poor} of them poor")
    ).format(count=f.proxy_rated, poor=poor)


def cases(report: ReportOut, say: Say) -> str:
    """The 好差评 cases of the period: opened, 回访率, 整改率, appeals, overdue."""
    c = report.cases
    return say(
        N_(
            "好差评 cases: {opened} opened, 回访率 {visits}, 整改率 {fixes}, "
            "{upheld} of {appeals} appeals upheld, {overdue} overdue now"
        )
    ).format(
        opened=c.opened,
        visits=_share(c.visit_rate),
        fixes=_share(c.fix_rate),
        upheld=c.upheld,
        appeals=c.appeals,
        overdue=c.overdue,
    )


@dataclass(frozen=True, slots=True)
class Compared:
    """A figure of this period against the period before; ``better``: which way is good
    (1 up, -1 down, 0 neither)."""

    msgid: str
    now: float | None
    before: float | None
    share: bool
    better: int

    @property
    def change(self) -> float | None:
        return change(self.now, self.before)

    def show(self, v: float | None) -> str:
        return _share(v) if self.share else _num(v, 0 if isinstance(v, int) else 1)


def compared(report: ReportOut) -> list[Compared]:
    """The period's total against the period before, figure by figure."""
    now, before = report.total.now, report.total.before
    return [
        Compared(N_("issued"), now.issued, before.issued, False, 0),
        Compared(N_("served"), now.served, before.served, False, 0),
        Compared(N_("mean wait (min)"), now.mean_wait_minutes, before.mean_wait_minutes, False, -1),
        Compared(N_("p90 wait"), now.p90_wait_minutes, before.p90_wait_minutes, False, -1),
        Compared(N_("within target"), now.within_target_share, before.within_target_share, True, 1),
        Compared(N_("poor-rating rate"), now.bad_rate, before.bad_rate, True, -1),
    ]


def _compared(report: ReportOut, say: Say) -> Table:
    t = Table(
        title=say(N_("against {first} to {last}")).format(
            first=report.previous_first, last=report.previous_last
        ),
        title_justify="left",
        header_style="bold",
    )
    for header in ("", say(N_("this period")), say(N_("the period before")), say(N_("change"))):
        t.add_column(header, justify="right" if header else "left")
    for c in compared(report):
        moved = c.change
        t.add_row(
            say(c.msgid), c.show(c.now), c.show(c.before), "–" if moved is None else f"{moved:+.0%}"
        )
    return t


def balance(report: ReportOut, say: Say) -> str:
    """The days' 忙闲均衡度 in one line: the mean and the range."""
    days = [d.load_balance for d in report.trend if d.load_balance is not None]
    if not days:
        return say(N_("load balance: no day with two windows open"))
    mean = sum(days) / len(days)
    return say(
        N_("load balance (0 = even): {mean} on average over {days} days, {best} to {worst}")
    ).format(mean=_num(mean, 2), days=len(days), best=_num(min(days), 2), worst=_num(max(days), 2))


def csv_text(report: ReportOut, say: Say) -> str:
    """One row per group and the total, the figures as plain numbers (minutes, shares 0–1)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    fields = [
        k
        for k in FiguresOut.model_fields
        if k not in ("outcomes", "ratings", "excluded_ratings", "proxy_ratings")
    ]
    levels = range(5, 0, -1)
    w.writerow(
        [
            *("from", "to", "by", "key", "label", *fields),
            *(f"rating_{lv}" for lv in levels),
            *(f"proxy_{lv}" for lv in levels),
        ]
    )
    for line in [
        *report.lines,
        report.total.model_copy(update={"key": "", "label": say(N_("total"))}),
    ]:
        values = [getattr(line.now, k) for k in fields]
        ratings = [line.now.ratings.get(lv, 0) for lv in levels]
        ratings += [line.now.proxy_ratings.get(lv, 0) for lv in levels]
        w.writerow(
            [report.first, report.last, report.by.value, line.key, line.label, *values, *ratings]
        )
    return buf.getvalue()
