"""The manager's 好差评 cases (``e`` on the manager's view): every poor rating's case with its
deadlines, the overdue ones in red, this month's 回访率 and 整改率; assign the return visit,
record the visit, the rectification and the feedback, raise and decide an appeal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from queue_app.api_cases import CaseFiguresOut, CaseOut, StepOut
from queue_app.tui.case_dialogs import AssignScreen, Noted, NoteScreen
from queue_app.tui.i18n import N_, Words
from queue_app.tui.live import LiveScreen
from queue_app.tui.widgets import HallHeader, OfflineBanner

LATE = "bold red"
SHOWS = ("open", "overdue", "all")


def stage_word(w: Words, stage: str) -> str:
    words = {
        "visit": w._("to visit"),
        "rectify": w._("to rectify"),
        "feedback": w._("to answer"),
        "closed": w.pgettext("case", "closed"),
    }
    return words.get(stage, stage)


def show_word(w: Words, show: str) -> str:
    words = {
        "open": w.pgettext("case", "open"),
        "overdue": w.pgettext("case", "overdue"),
        "all": w.pgettext("case", "all"),
    }
    return words[show]


def appeal_word(w: Words, c: CaseOut) -> str:
    if c.appeal is None:
        return ""
    if c.decision is None:
        return w._("under review")
    return w._("upheld") if c.decision == "upheld" else w._("rejected")


def rate(x: float | None) -> str:
    return f"{x:.0%}" if x is not None else "-"


class CasesScreen(LiveScreen):
    """The hall's 好差评 cases; ``read_only``: a city account's look (no change offered)."""

    REFRESH_S = 300.0  # a deadline passes at midnight, with no event
    CHANGES = frozenset({"assign", "visit", "rectify", "answer", "appeal", "decide"})
    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        Binding("s", "show", N_("Show")),
        Binding("a", "assign", N_("Assign")),
        Binding("v", "visit", N_("Visit")),
        Binding("r", "rectify", N_("Rectify")),
        Binding("f", "answer", N_("Feedback")),
        Binding("p", "appeal", N_("Appeal")),
        Binding("d", "decide", N_("Decide")),
    ]
    DEFAULT_CSS = """
    CasesScreen #cases { height: 1fr; border: round $primary; }
    CasesScreen #case { height: auto; max-height: 8; border: round $accent; padding: 0 1; }
    CasesScreen #case-figures { height: 1; background: $boost; }
    """

    def __init__(self, read_only: bool = False) -> None:
        super().__init__()
        self.read_only = read_only
        self.show = "open"
        self.cases: dict[int, CaseOut] = {}

    def compose(self) -> ComposeResult:
        yield HallHeader()
        yield OfflineBanner()
        yield DataTable(id="cases", cursor_type="row", zebra_stripes=True)
        yield Static(id="case")
        yield Static(id="case-figures")
        yield Footer(compact=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (self.read_only and action in self.CHANGES)

    def on_mount(self) -> None:
        w = self.w
        self.sub_title = w._("Poor-rating cases")
        table = self.query_one("#cases", DataTable)
        table.add_columns(
            w._("Day"),
            w.pgettext("case", "Ticket"),
            w.pgettext("column", "Window"),
            w.pgettext("case", "Clerk"),
            w._("Rating"),
            w._("Visit by"),
            w._("Visit due"),
            w._("Rectify by"),
            w._("Stage"),
            w.pgettext("case", "Appeal"),
        )
        super().on_mount()

    async def load(self) -> None:
        found = await self.client.cases(self.show)
        figures = await self.client.case_figures()
        w = self.w
        table = self.query_one("#cases", DataTable)
        table.border_title = w._("Cases ({show}: {n})", show=show_word(w, self.show), n=len(found))
        row = table.cursor_row
        table.clear()
        self.cases = {c.id: c for c in found}
        for c in found:
            table.add_row(*self._cells(c), key=str(c.id))
        if found:
            table.move_cursor(row=min(row, len(found) - 1))
        self._show_case()
        self._show_figures(figures)

    def _cells(self, c: CaseOut) -> list[Text]:
        w = self.w
        style = "red" if c.overdue else ""

        def due(day: str, late: bool) -> Text:
            return Text(day[5:], style=LATE if late else style)

        if c.fix_required is False:
            fix = Text("—", style=style)
        else:
            fix = due(c.fix_due, "rectify" in c.late)
            if c.fix_required is None:
                fix.stylize("dim")
        return [
            Text(c.day[5:], style=style),
            Text(c.number, style=style),
            Text(str(c.window), style=style),
            Text(c.clerk, style=style),
            Text(w.rating(c.level), style="bold red" if c.level == 1 else "red"),
            Text(c.assignee or "", style=style),
            due(c.visit_due, "visit" in c.late),
            fix,
            Text(stage_word(w, c.stage), style=LATE if c.overdue else ""),
            Text(appeal_word(w, c), style=style),
        ]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_case()

    def _selected(self) -> CaseOut | None:
        table = self.query_one("#cases", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.cases.get(int(key)) if key else None

    def _step(self, label: str, s: StepOut | None) -> str:
        if s is None:
            return ""
        zone = self.hall_app.hall.zone if self.hall_app.hall else None
        when = dt.datetime.fromtimestamp(s.at, zone).strftime("%m-%d %H:%M")
        return self._("{step}: {by} {when} “{note}”", step=label, by=s.by, when=when, note=s.note)

    def _show_case(self) -> None:
        c = self._selected()
        box = self.query_one("#case", Static)
        if c is None:
            box.update(self._("No case here: every poor rating opens one"))
            return
        w = self.w
        head = self._(
            "{number} of {day}, window {window} ({clerk}): {rating}",
            number=c.number,
            day=c.day,
            window=c.window,
            clerk=c.clerk,
            rating=w.rating(c.level),
        )
        lines = [
            head,
            self._step(w._("return visit"), c.visit),
            self._step(w._("rectification"), c.fix),
            self._step(w._("feedback"), c.feedback),
            self._step(w._("appeal"), c.appeal),
            self._step(appeal_word(w, c), c.decided),
        ]
        late = [stage_word(w, s) for s in c.late]
        text = Text("\n".join(x for x in lines if x))
        if late:
            text.append("\n" + self._("overdue: {steps}", steps=w.join(late)), style=LATE)
        box.update(text)

    def _show_figures(self, f: CaseFiguresOut) -> None:
        self.query_one("#case-figures", Static).update(
            self._(
                "{first} to {last}: {opened} cases · return-visit rate {visits} · "
                "rectification rate {fixes} · appeals {appeals} (upheld {upheld}) · "
                "overdue now {overdue}",
                first=f.first,
                last=f.last,
                opened=f.opened,
                visits=rate(f.visit_rate),
                fixes=rate(f.fix_rate),
                appeals=f.appeals,
                upheld=f.upheld,
                overdue=f.overdue,
            )
        )

    # ------------------------------------------------------------ actions
    def action_back(self) -> None:
        self.app.pop_screen()

    def action_show(self) -> None:
        self.show = SHOWS[(SHOWS.index(self.show) + 1) % len(SHOWS)]
        self.reload()

    def _ask(
        self,
        prompt: str,
        send: Callable[[CaseOut, Noted], Awaitable[CaseOut]],
        check: str | None = None,
    ) -> None:
        """Ask for a note on the highlighted case (``prompt``: a msgid naming its
        ``{number}``), then ``send`` it."""
        c = self._selected()
        if c is None:
            return

        def noted(n: Noted | None) -> None:
            if n is not None:
                self.run_worker(self._send(lambda: send(c, n)), group="action")

        self.app.push_screen(NoteScreen(self._(prompt, number=c.number), check, self.w), noted)

    async def _send(self, step: Callable[[], Awaitable[CaseOut]]) -> None:
        done = await self.act(step)
        if done is not None:
            self.notify(
                self._(
                    "{number}: {stage}", number=done.number, stage=stage_word(self.w, done.stage)
                )
            )
        self.reload()

    def action_assign(self) -> None:
        c = self._selected()
        if c is None:
            return

        async def run() -> None:
            staff = await self.act(self.client.staff)
            if staff is None:
                return
            managers = [s for s in staff if s.role == "manager" and not s.disabled]

            def chosen(username: str | None) -> None:
                if username:
                    step = lambda: self.client.assign_case(c.id, username)  # noqa: E731
                    self.run_worker(self._send(step), group="action")

            self.app.push_screen(AssignScreen(c.number, managers, self.w), chosen)

        self.run_worker(run(), group="action")

    def action_visit(self) -> None:
        self._ask(
            N_("Return visit for {number}: what did it find?"),
            lambda c, n: self.client.visit_case(c.id, n.note, n.checked),
            self._("It calls for rectification"),
        )

    def action_rectify(self) -> None:
        self._ask(
            N_("Rectification for {number}: what was done?"),
            lambda c, n: self.client.rectify_case(c.id, n.note),
        )

    def action_answer(self) -> None:
        self._ask(
            N_("Feedback for {number}: what was the citizen told?"),
            lambda c, n: self.client.answer_case(c.id, n.note),
        )

    def action_appeal(self) -> None:
        self._ask(
            N_("Appeal against the rating of {number}: on what grounds?"),
            lambda c, n: self.client.appeal_case(c.id, n.note),
        )

    def action_decide(self) -> None:
        self._ask(
            N_("Review of the appeal for {number}: the grounds"),
            lambda c, n: self.client.decide_case(c.id, n.checked, n.note),
            self._("Upheld: the rating is set aside (kept, out of the rates)"),
        )
