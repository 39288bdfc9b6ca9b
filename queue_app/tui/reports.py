"""The 报表 screen (a manager's, or a city account's look at a hall): a period (today, this
week, this month, last month or typed dates) by a breakdown (hall, window, clerk,
department, matter, domain, class, hour); the lines and their total as the command's
table has them, the total against the period before, the month's ranking by 满意率, and
plots: waits by hour of issue, load per window, the days' served and waits, 忙闲均衡度.
Fetched on demand (F5), not on every event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Input, Select, Static
from textual_plotext import PlotextPlot

from queue_app.client import ApiError, ServerEvent
from queue_app.domain.errors import Refused
from queue_app.domain.report import Period
from queue_app.domain.rollup import By
from queue_app.i18n import message
from queue_app.report_models import LineOut, RankedOut, ReportOut
from queue_app.report_text import BY_WORDS, COLUMNS, balance, compared, proxies
from queue_app.tui import report_plots as plots
from queue_app.tui.i18n import N_
from queue_app.tui.live import LiveScreen
from queue_app.tui.widgets import HallHeader, OfflineBanner

PRESETS = {
    "today": N_("Today"),
    "week": N_("This week"),
    "month": N_("This month"),
    "last_month": N_("Last month"),
    "custom": N_("Dates typed"),
}
WAIT_COLUMN = N_("mean wait (min)")
RANKED = 3  # windows and clerks named in the ranking line


def preset(name: str, today: dt.date) -> Period:
    """The period a preset names, seen from ``today``."""
    if name == "today":
        return Period(today, today)
    if name == "week":
        return Period(today - dt.timedelta(days=today.weekday()), today)
    if name == "month":
        return Period(today.replace(day=1), today)
    if name == "last_month":
        end = today.replace(day=1) - dt.timedelta(days=1)
        return Period(end.replace(day=1), end)
    raise ValueError(f"no preset {name!r}")


@dataclass(frozen=True, slots=True)
class Shown:
    """What the screen shows: the report by the breakdown chosen, and by hour and by
    window for the plots (the same report when the breakdown is one of them)."""

    report: ReportOut
    hours: ReportOut
    windows: ReportOut


class ReportScreen(LiveScreen):
    """A hall's report over a period; ``read_only``: a city account's look."""

    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        Binding("f5", "refresh", N_("Refresh")),
    ]
    DEFAULT_CSS = """
    ReportScreen #controls { height: 3; }
    ReportScreen #period { width: 18; }
    ReportScreen #by { width: 18; }
    ReportScreen #first, ReportScreen #last { width: 18; }
    ReportScreen #note { width: 1fr; height: 3; content-align: left middle; padding: 0 1; }
    ReportScreen #note.-error { color: $text-error; text-style: bold; }
    ReportScreen #lines { height: auto; min-height: 5; max-height: 45%;
                          border: round $primary; }
    ReportScreen #ranking { height: auto; max-height: 2; padding: 0 1; background: $boost; }
    ReportScreen #middle { height: 10; }
    ReportScreen #plots { height: 1fr; min-height: 8; }
    ReportScreen #compare { width: 46; border: round $accent; }
    ReportScreen PlotextPlot { border: round $primary; }
    """

    period: Period
    by: By
    shown: Shown | None = None
    sort: tuple[int, bool] | None = None  # the column the lines are sorted by, descending

    def __init__(self, read_only: bool = False) -> None:
        super().__init__()
        self.read_only = read_only
        self.preset_name = "month"
        self.period = preset(self.preset_name, self._today())
        self.by = By.WINDOW

    def compose(self) -> ComposeResult:
        w = self.w
        yield HallHeader()
        yield OfflineBanner()
        with Horizontal(id="controls"):
            yield Select(
                [(w._(label), key) for key, label in PRESETS.items()],
                value=self.preset_name,
                allow_blank=False,
                id="period",
            )
            yield Input(self.period.first, placeholder="YYYY-MM-DD", max_length=10, id="first")
            yield Input(self.period.last, placeholder="YYYY-MM-DD", max_length=10, id="last")
            yield Select(
                [(w._(BY_WORDS[b]), b) for b in By], value=self.by, allow_blank=False, id="by"
            )
            yield Static(id="note")
        yield DataTable(id="lines", zebra_stripes=True, cursor_type="row")
        yield Static(id="ranking")
        with Horizontal(id="middle"):
            yield DataTable(id="compare", cursor_type="none")
            yield PlotextPlot(id="trend")
        with Horizontal(id="plots"):
            yield PlotextPlot(id="hours")
            yield PlotextPlot(id="load")
            yield PlotextPlot(id="balance")
        yield Footer()

    def on_mount(self) -> None:
        w = self.w
        self.sub_title = w._("Reports")
        hall = self.hall_app.hall
        if self.read_only and hall is not None:
            read_only = w._("read-only")
            self.sub_title = f"{hall.hall.name} · {self.sub_title} · {read_only}"
        compare = self.query_one("#compare", DataTable)
        compare.add_columns("", w._("this period"), w._("the period before"), w._("change"))
        legend = {
            "#trend": w._(
                "[{served}]■[/] served  [{wait}]─[/] mean wait (min, right)",
                served=plots.SERVED,
                wait=plots.MEAN,
            ),
            "#hours": w._(
                "[{mean}]■[/] mean  [{p90}]■[/] p90  [{target}]─[/] target",
                mean=plots.MEAN,
                p90=plots.P90,
                target=plots.TARGET,
            ),
            "#load": w._("busy over open time, %"),
            "#balance": w._("0 = even"),
        }
        titles = {
            "#trend": w._("Served and mean wait, day by day"),
            "#hours": w._("Wait by hour of issue (min)"),
            "#load": w._("Load per window"),
            "#balance": w._("Load balance, day by day"),
        }
        for selector, title in titles.items():
            plot = self.query_one(selector, PlotextPlot)
            plot.border_title, plot.border_subtitle = title, legend[selector]
        self._say(w._("Dates as YYYY-MM-DD, then Enter · F5 refresh"))
        super().on_mount()

    def hall_changed(self, event: ServerEvent) -> None:
        """A report is read on demand, not on every change in the hall."""

    def _today(self) -> dt.date:
        hall = self.hall_app.hall
        return dt.datetime.fromtimestamp(self.hall_app.clock(), hall.zone if hall else None).date()

    # ------------------------------------------------------------------ choosing
    def action_back(self) -> None:
        self.app.pop_screen()

    def action_refresh(self) -> None:
        self.reload()

    @on(Select.Changed, "#period")
    def _preset_chosen(self, event: Select.Changed) -> None:
        name = str(event.value)
        if name == self.preset_name:
            return
        if name == "custom":
            self.query_one("#first", Input).focus()
            return
        self.preset_name = name
        self._choose(preset(name, self._today()))

    @on(Select.Changed, "#by")
    def _by_chosen(self, event: Select.Changed) -> None:
        if event.value != self.by:
            self.by, self.sort = By(str(event.value)), None
            self.reload()

    @on(Input.Submitted, "#first, #last")
    def _dates_typed(self) -> None:
        first = self.query_one("#first", Input).value.strip()
        last = self.query_one("#last", Input).value.strip()
        try:
            period = Period.of(first, last)
        except Refused as refused:
            bad = "#last" if refused.field == "to" else "#first"
            said = message(refused, self.w.lang)
            if not (first and last):
                bad, said = "#last" if first else "#first", self._("Type both days, YYYY-MM-DD")
            self._say(said, error=True)
            self.notify(said, severity="warning")
            self.query_one(bad, Input).focus()
            return
        self.preset_name = "custom"
        with self.prevent(Select.Changed):
            self.query_one("#period", Select).value = "custom"
        self._choose(period)

    def _choose(self, period: Period) -> None:
        self.period = period
        self.query_one("#first", Input).value = period.first
        self.query_one("#last", Input).value = period.last
        self.reload()

    @on(DataTable.HeaderSelected, "#lines")
    def _sort_by(self, event: DataTable.HeaderSelected) -> None:
        """A figure's header sorts the lines by it, largest first; again, smallest first."""
        if event.column_index == 0:
            self.sort = None
        elif self.sort is not None and self.sort[0] == event.column_index:
            self.sort = (event.column_index, not self.sort[1])
        else:
            self.sort = (event.column_index, True)
        if self.shown is not None:
            self._show_lines(self.shown.report)

    # ------------------------------------------------------------------ reading
    async def load(self) -> None:
        period, by = self.period, self.by
        self._say(self._("Reading {first} to {last}…", first=period.first, last=period.last))
        try:
            report = await self.client.report(by, period.first, period.last)
            hours = (
                report
                if by is By.HOUR
                else await self.client.report(By.HOUR, period.first, period.last)
            )
            windows = (
                report
                if by is By.WINDOW
                else await self.client.report(By.WINDOW, period.first, period.last)
            )
        except ApiError as exc:
            self._say(exc.message(self.w.lang), error=True)
            raise
        self.shown = Shown(report, hours, windows)
        self._show(self.shown)

    def _say(self, text: str, error: bool = False) -> None:
        note = self.query_one("#note", Static)
        note.update(Text(text))
        note.set_class(error, "-error")

    # ------------------------------------------------------------------ showing
    def _show(self, shown: Shown) -> None:
        r = shown.report
        self._show_lines(r)
        self._show_compare(r)
        self._show_ranking(r)
        plots.served_and_waits(self.query_one("#trend", PlotextPlot), r)
        plots.waits_by_hour(self.query_one("#hours", PlotextPlot), shown.hours, self._target())
        plots.load_per_window(self.query_one("#load", PlotextPlot), shown.windows)
        plots.balance_by_day(self.query_one("#balance", PlotextPlot), r)
        said = balance(r, self.w._)
        if r.total.now.proxy_rated:  # 代评, apart from the citizens' own ratings
            said = f"{said} · {proxies(r, self.w._)}"
        self._say(said)

    def _target(self) -> float:
        hall = self.hall_app.hall
        return float(hall.targets.wait_minutes) if hall is not None else 20.0

    def _show_lines(self, r: ReportOut) -> None:
        w = self.w
        table = self.query_one("#lines", DataTable)
        table.clear(columns=True)
        table.border_title = w._(
            "{hall} · {first} to {last} · by {by}",
            hall=r.hall,
            first=r.first,
            last=r.last,
            by=w._(BY_WORDS[r.by]),
        )
        table.add_column(w._(BY_WORDS[r.by]), key="label")
        for header, _ in COLUMNS:
            table.add_column(w._(header), key=header)
        for line in self._sorted(r.lines):
            table.add_row(*self._cells(line), key=line.key or "-")
        total = r.total.model_copy(update={"label": w._("total")})
        table.add_row(*self._cells(total, "bold"), key="total")

    def _sorted(self, lines: list[LineOut]) -> list[LineOut]:
        if self.sort is None:
            return lines
        column, descending = self.sort
        show = COLUMNS[column - 1][1]

        def figure(line: LineOut) -> float:
            text = show(line.now).rstrip("%")
            return float(text) if text not in ("", "–") else float("-inf")

        return sorted(lines, key=figure, reverse=descending)

    def _cells(self, line: LineOut, style: str = "") -> list[Text]:
        """A line's label and figures (its mean wait red past the hall's wait target)."""
        over = (line.now.mean_wait_minutes or 0.0) > self._target()
        cells = [Text(line.label, style=style)]
        for header, show in COLUMNS:
            red = over and header == WAIT_COLUMN
            cells.append(Text(show(line.now), style="bold red" if red else style, justify="right"))
        return cells

    def _show_compare(self, r: ReportOut) -> None:
        table = self.query_one("#compare", DataTable)
        table.clear()
        table.border_title = self._(
            "against {first} to {last}", first=r.previous_first, last=r.previous_last
        )
        for c in compared(r):
            moved = c.change
            style = ""
            if moved and c.better:
                style = "green" if (moved > 0) == (c.better > 0) else "bold red"
            table.add_row(
                self._(c.msgid),
                Text(c.show(c.now), justify="right"),
                Text(c.show(c.before), justify="right"),
                Text("–" if moved is None else f"{moved:+.0%}", style=style, justify="right"),
            )

    def _show_ranking(self, r: ReportOut) -> None:
        """The last month of the period: the first windows and clerks by 满意率."""
        ranking = self.query_one("#ranking", Static)
        months = sorted(set(r.window_ranking) | set(r.clerk_ranking))
        if not months:
            ranking.update(self._("No ratings in this period"))
            return
        month = months[-1]

        def named(ranked: list[RankedOut]) -> str:
            return self.w.join(
                [
                    self._(
                        "#{rank} {label} ({rate})",
                        rank=x.rank,
                        label=x.label,
                        rate="–" if x.satisfied_rate is None else f"{x.satisfied_rate:.0%}",
                    )
                    for x in ranked[:RANKED]
                ]
            )

        ranking.update(
            self._(
                "{month} by satisfaction · windows: {windows} · clerks: {clerks}",
                month=month,
                windows=named(r.window_ranking.get(month, [])) or "–",
                clerks=named(r.clerk_ranking.get(month, [])) or "–",
            )
        )
