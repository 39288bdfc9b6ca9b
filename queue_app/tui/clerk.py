"""Window clerk (综合窗口): the current ticket in large type, one key per action, the
waiting line this window may serve, live."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rich.markup import escape
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    Select,
    SelectionList,
    Static,
)

from queue_app.api_models import TicketOut, WindowOut
from queue_app.client import ApiError
from queue_app.domain.rating import POOR_LEVELS, REASON_WORDS
from queue_app.domain.ticket import NOTE_LENGTH, Outcome
from queue_app.tui.bigtype import beside, big, rows
from queue_app.tui.guide import matter_guide
from queue_app.tui.i18n import N_, RATING_WORDS, Words
from queue_app.tui.live import LiveScreen
from queue_app.tui.widgets import ConfirmScreen, OfflineBanner

PAUSE_REASONS = (N_("Break"), N_("Meeting"), N_("Training"), N_("System failure"))
IDLE = N_("Idle: press N to call the next")


def _with_code(label: str, code: str) -> str:
    """A word and its code, where they differ (what the command line takes)."""
    return label if code in label else f"{label} ({code})"


class ClerkScreen(LiveScreen):
    REFRESH_S = 30.0  # the minutes shown run on between events
    BINDINGS = [
        Binding("n", "call_next", N_("Call next")),
        Binding("r", "recall", N_("Recall")),
        Binding("s", "start", N_("Start")),
        Binding("f", "finish", N_("Finish")),
        Binding("t", "transfer", N_("Transfer")),
        Binding("x", "no_show", N_("No-show")),
        Binding("p", "pause", N_("Pause/resume")),
        Binding("m", "park", N_("Park: materials")),  # 补材料
        Binding("u", "unpark", N_("Un-park"), show=False),  # said above the parked tickets
        Binding("o", "open", N_("Open window")),
        Binding("c", "close", N_("Close window")),
    ]
    DEFAULT_CSS = """
    ClerkScreen #current-pane { width: 3fr; }
    ClerkScreen #number { height: 5; content-align: center middle; text-style: bold;
                          background: $primary-darken-2; border: heavy $primary; }
    ClerkScreen #number.-idle { background: $surface; border: round $panel; }
    ClerkScreen #matters { height: 1fr; border: round $accent; padding: 0 1; }
    ClerkScreen #line-pane { width: 2fr; }
    ClerkScreen #line { height: 1fr; }
    ClerkScreen #parked-label, ClerkScreen #parked { display: none; }
    ClerkScreen #parked { height: auto; max-height: 8; }
    ClerkScreen .-some-parked #parked-label, ClerkScreen .-some-parked #parked {
        display: block; }
    ClerkScreen #figures { height: 1; background: $boost; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.mine: WindowOut | None = None
        self.ticket: TicketOut | None = None

    @property
    def number(self) -> int:
        return int(self.hall_app.window or 0)

    def compose(self) -> ComposeResult:
        yield Header()
        yield OfflineBanner()
        with Horizontal():
            with Vertical(id="current-pane"):
                yield Static(self._(IDLE), id="number", classes="-idle")
                with VerticalScroll(id="matters"):
                    yield Static(id="guide")
            with Vertical(id="line-pane"):
                yield Label(self._("Waiting tickets this window may serve"))
                yield DataTable(id="line", cursor_type="row", zebra_stripes=True)
                yield Label(
                    self._("Parked here: fetching materials (U when back)"), id="parked-label"
                )
                yield DataTable(id="parked", cursor_type="row")
        yield Static(id="figures")
        yield Footer(compact=True, show_command_palette=False)  # every key in 120 columns

    def on_mount(self) -> None:
        w = self.w
        self.sub_title = w.role("clerk") + " · " + w._("window {n}", n=self.number)
        self.query_one("#line", DataTable).add_columns(
            w._("No."), w.pgettext("column", "Matters"), w._("Waited")
        )
        self.query_one("#parked", DataTable).add_columns(
            w._("No."), w._("Missing"), w._("Parked for")
        )
        super().on_mount()

    async def load(self) -> None:
        windows = await self.client.windows()
        waiting = await self.client.tickets(window=self.number)
        parked = await self.client.tickets(window=self.number, status="parked")
        self.mine = next((x for x in windows if x.number == self.number), None)
        self.ticket = self.mine.ticket if self.mine else None
        self._show_current()
        table = self.query_one("#line", DataTable)
        table.clear()
        now = self.hall_app.clock()
        w = self.w
        for t in waiting:
            names = w.join([i.name for i in t.items])
            pri = escape(f"[{w.priority(t.priority)}] ") if t.priority else ""
            if t.held_for == self.number:  # back with the materials: called here next
                back = escape(w._("back with the materials"))
                pri = "[b]" + back + "[/b] " + pri
            waited = w._("{m} min", m=f"{(now - t.issued_at) / 60:.0f}")
            table.add_row(t.number, pri + names, waited)
        self._show_parked(parked, now)
        stats = await self.client.window_stats()
        mine = next((f for f in stats.windows if f.window == self.number), None)
        state = w.window_state(self.mine.state) if self.mine else "?"
        figures = ""
        if mine is not None:
            handling = (
                w._("{m} min", m=f"{mine.mean_handling_minutes:.1f}")
                if mine.mean_handling_minutes
                else "-"
            )
            figures = " · " + w._(
                "served today {served} · mean handling {handling}",
                served=mine.served,
                handling=handling,
            )
            if mine.ratings and mine.mean_rating is not None:
                figures += " · " + w._(
                    "rating {rating:.1f} ({n})", rating=mine.mean_rating, n=mine.ratings
                )
        callable_ = w._("{n} waiting for this window", n=len(waiting))
        self.query_one("#figures", Static).update(
            w._("window {n}", n=self.number)
            + f" · {state}"
            + (f" ({self.mine.reason})" if self.mine and self.mine.reason else "")
            + f" · {callable_}{figures}"
        )

    def _show_parked(self, parked: list[TicketOut], now: float) -> None:
        """The tickets parked at this window (补材料), shown only when there are some."""
        table = self.query_one("#parked", DataTable)
        table.clear()
        for t in parked:
            since = self._("{m} min", m=f"{max(0.0, now - (t.parked_at or now)) / 60:.0f}")
            table.add_row(t.number, t.park_note or "-", since, key=t.number)
        self.query_one("#line-pane").set_class(bool(parked), "-some-parked")

    def _show_current(self) -> None:
        number = self.query_one("#number", Static)
        guide = self.query_one("#guide", Static)
        t = self.ticket
        if t is None:
            number.update(self._no_ticket())
            number.set_class(True, "-idle")
            guide.update("")
            return
        number.set_class(False, "-idle")
        label = self.w.window_state("serving" if t.status == "serving" else "calling")
        pri = f"  {self.w.priority(t.priority)}" if t.priority else ""
        block = beside(big(t.number), "   ", rows([f"{t.number}  {label}{pri}", self._since(t)]))
        number.update(Text("\n".join(block), style="bold"))
        app = self.hall_app
        if app.catalog and app.coverage:
            from rich.console import Group

            guide.update(
                Group(
                    *(matter_guide(app.catalog, app.coverage, i.matter, app.words) for i in t.items)
                )
            )

    def _no_ticket(self) -> str:
        """With no ticket: the window's real state and the key that moves it on."""
        state = self.mine.state if self.mine else "idle"
        if state == "paused":
            if self.mine and self.mine.reason:
                return self._("Paused ({reason}): press P to resume", reason=self.mine.reason)
            return self._("Paused: press P to resume")
        if state == "closed":
            return self._("Window closed: press O to open it")
        return self._(IDLE)

    def _since(self, t: TicketOut) -> str:
        """Minutes since the call (or the start) and how often it was recalled."""
        since = t.started_at if t.status == "serving" else t.called_at
        minutes = f"{max(0.0, self.hall_app.clock() - since) / 60:.0f}" if since else "-"
        if t.status == "serving":
            text = self._("serving for {m} min", m=minutes)
        else:
            text = self._("called {m} min ago", m=minutes)
        if t.recalls:
            text += " · " + self._("recalled {n}×", n=t.recalls)
        return text

    # --------------------------------------------------------------- actions
    def _do(self, make: Callable[[], Awaitable[object]]) -> None:
        """Send one action (never two at once), then show the result without waiting for
        the event stream."""

        async def run() -> None:
            await self.act(make)
            self.reload()

        self.run_worker(run(), group="action")

    async def _call_next_request(self) -> TicketOut | None:
        t = await self.client.call_next(self.number)
        if t is None:
            self.notify(self._("No ticket waiting for this window"), severity="warning")
        return t

    def action_call_next(self) -> None:
        self._do(self._call_next_request)

    def action_recall(self) -> None:
        self._do(lambda: self.client.recall(self.number))

    def action_start(self) -> None:
        self._do(lambda: self.client.start(self.number))

    def action_no_show(self) -> None:
        if self.ticket is None:
            self.notify(self._no_ticket(), severity="warning")
            return
        number = self.ticket.number

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._do(lambda: self.client.no_show(self.number, number))

        question = self._(
            "Mark {number} as a no-show? It would have to queue again.", number=number
        )
        self.app.push_screen(ConfirmScreen(question, self.w), confirmed)

    def action_park(self) -> None:
        """补材料: the citizen being served goes to fetch a missing material (a short note
        says what); the window calls the next meanwhile."""
        if self.ticket is None:
            self.notify(self._no_ticket(), severity="warning")
            return
        number = self.ticket.number

        def noted(note: str | None) -> None:
            if note is not None:
                self._do(lambda: self.client.park(self.number, note, ticket=number))

        self.app.push_screen(ParkScreen(number), noted)

    def action_unpark(self) -> None:
        """The citizen of the parked ticket chosen is back: this window calls it next."""
        table = self.query_one("#parked", DataTable)
        if table.row_count == 0:
            self.notify(self._("No ticket is parked at this window"), severity="warning")
            return
        number = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        self._do(lambda: self.client.unpark_here(self.number, number))

    def action_open(self) -> None:
        self._do(lambda: self.client.open_window(self.number))

    def action_close(self) -> None:
        self._do(lambda: self.client.close_window(self.number))

    def action_finish(self) -> None:
        if self.ticket is None:
            self.notify(self._no_ticket(), severity="warning")
            return

        number = self.ticket.number
        hall = self.hall_app.hall
        # the citizen rates at the window's 评价器; without one the clerk enters a 代评
        proxy = hall is not None and self.number not in hall.rater_windows

        def rated(given: Rated | None) -> None:
            if given:
                level, reasons = given
                self._do(lambda: self.client.rate(self.number, number, level, reasons))

        async def finish(outcomes: dict[str, str]) -> None:
            finished = await self.act(lambda: self.client.finish(self.number, outcomes=outcomes))
            if finished and proxy:
                self.app.push_screen(RatingScreen(number), rated)
            self.reload()

        def done(outcomes: dict[str, str] | None) -> None:
            if outcomes:
                self.run_worker(finish(outcomes), group="action")

        self.app.push_screen(FinishScreen(self.ticket), done)

    def action_transfer(self) -> None:
        if self.ticket is None:
            self.notify(self._no_ticket(), severity="warning")
            return
        domains = self.hall_app.catalog.domains if self.hall_app.catalog else []
        hall = self.hall_app.hall
        windows = sorted(hall.window_by_number) if hall else []

        async def send(to_window: int | None, to_domain: str | None, reason: str) -> str | None:
            try:
                await self.client.transfer(
                    self.number, to_window=to_window, to_domain=to_domain, reason=reason
                )
            except ApiError as exc:
                return exc.message(self.w.lang)
            return None

        def after(_: bool | None) -> None:
            self.reload()

        self.app.push_screen(TransferScreen(domains, windows, send), after)

    def action_pause(self) -> None:
        if self.mine is not None and self.mine.status == "paused":
            self._do(lambda: self.client.resume(self.number))
            return

        def done(reason: str | None) -> None:
            if reason:
                self._do(lambda: self.client.pause(self.number, reason))

        self.app.push_screen(PauseScreen(), done)


class FinishScreen(ModalScreen[dict[str, str] | None]):
    """One outcome per matter (办结 by default)."""

    BINDINGS = [Binding("escape", "dismiss(None)", N_("Cancel"))]
    DEFAULT_CSS = """
    FinishScreen { align: center middle; }
    FinishScreen > Vertical { width: 70; height: auto; border: heavy $accent;
                              background: $surface; padding: 1 2; }
    """

    def __init__(self, ticket: TicketOut) -> None:
        super().__init__()
        self.ticket = ticket
        self.w: Words = self.app.words  # type: ignore[attr-defined]
        self.w.bindings(self)

    def compose(self) -> ComposeResult:
        w = self.w
        options = [(_with_code(w.outcome(o), o.value), o.value) for o in Outcome]
        with Vertical():
            yield Label(w._("{number} · Outcome", number=self.ticket.number))
            for i, item in enumerate(self.ticket.items):
                yield Label(item.name)
                yield Select(options, value=Outcome.COMPLETED.value, allow_blank=False, id=f"o{i}")
            yield Button(w._("OK"), variant="primary", id="ok")

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.dismiss(
            {
                item.matter: str(self.query_one(f"#o{i}", Select).value)
                for i, item in enumerate(self.ticket.items)
            }
        )


Rated = tuple[int, list[str]]  # a level, and the reasons of a poor one


class RatingScreen(ModalScreen[Rated | None]):
    """A 代评: the citizen's 好差评 entered by the clerk on the citizen's word, at a window
    without a 评价器 (``ratings.devices``): 5 非常满意 … 1 非常不满意, the two lowest
    with their reasons; Esc skips. Stored marked as entered by staff, reported apart."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", N_("Skip")),
        *(Binding(str(n), f"level({n})", RATING_WORDS[n], show=False) for n in range(1, 6)),
    ]
    DEFAULT_CSS = """
    RatingScreen { align: center middle; }
    RatingScreen > Vertical { width: auto; max-width: 100%; height: auto;
                              border: heavy $success; background: $surface; padding: 1 2; }
    RatingScreen Horizontal { width: auto; height: auto; }
    RatingScreen Button { width: auto; margin-right: 1; }
    RatingScreen #reasons { width: 60; height: auto; max-height: 10; }
    RatingScreen #hint { color: $warning; height: 1; }
    """

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number
        self.level: int | None = None
        self.w: Words = self.app.words  # type: ignore[attr-defined]
        self.w.bindings(self)

    def compose(self) -> ComposeResult:
        w = self.w
        with Vertical():
            yield Label(
                w._(
                    "{number} · Rating for the citizen: no rating tablet at this window · "
                    "press the level the citizen names, 1–5; Esc skips",
                    number=self.number,
                ),
                id="ask",
            )
            with Horizontal(id="levels"):
                for n in range(5, 0, -1):
                    yield Button(f"{n} {w.rating(n)}", id=f"r{n}")
            reasons = [(w._(word), code) for code, word in REASON_WORDS.items()]
            yield SelectionList[str](*reasons, id="reasons")
            yield Static(id="hint")
            yield Button(w._("OK"), variant="primary", id="ok")

    def on_mount(self) -> None:
        for part in ("#reasons", "#hint", "#ok"):
            self.query_one(part).display = False

    def action_level(self, level: int) -> None:
        if self.level is not None:
            return  # choosing the reasons of a poor one
        if level not in POOR_LEVELS:
            self.dismiss((level, []))
            return
        self.level = level
        self.query_one("#ask", Label).update(
            self.w._(
                "{number} · {level}: what went wrong? Pick one or more, then OK",
                number=self.number,
                level=self.w.rating(level),
            )
        )
        self.query_one("#levels").display = False
        for part in ("#reasons", "#hint", "#ok"):
            self.query_one(part).display = True
        self.query_one("#reasons", SelectionList).focus()

    @on(Button.Pressed, "#levels Button")
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_level(int((event.button.id or "r0")[1:]))

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        picked = list(self.query_one("#reasons", SelectionList).selected)
        if not picked:
            self.query_one("#hint", Static).update(self.w._("Pick at least one reason"))
            return
        assert self.level is not None
        self.dismiss((self.level, [str(p) for p in picked]))


Send = Callable[[int | None, str | None, str], Awaitable[str | None]]


class TransferScreen(ModalScreen[bool | None]):
    """To a window or a domain. The dialog sends the transfer itself and stays open, the
    input kept, with the reason shown when it is refused (a window that does not exist,
    one that cannot serve the ticket)."""

    BINDINGS = [Binding("escape", "dismiss(None)", N_("Cancel"))]
    DEFAULT_CSS = """
    TransferScreen { align: center middle; }
    TransferScreen > Vertical { width: 60; height: auto; border: heavy $accent;
                                background: $surface; padding: 1 2; }
    TransferScreen #error { color: $error; height: 2; }  /* fixed: the button stays put */
    """

    def __init__(self, domains: list[str], windows: list[int], send: Send) -> None:
        super().__init__()
        self.domains, self.windows, self.send = domains, windows, send
        self.w: Words = self.app.words  # type: ignore[attr-defined]
        self.w.bindings(self)

    def compose(self) -> ComposeResult:
        w = self.w
        with Vertical():
            yield Label(w._("Transfer"))
            yield Input(placeholder=w._("To window"), type="integer", id="to-window")
            yield Select([(d, d) for d in self.domains], prompt=w._("or to a domain"), id="domain")
            yield Input(placeholder=w._("Reason"), id="reason")
            yield Static(id="error")
            yield Button(w._("OK"), variant="primary", id="ok")

    def _error(self, text: str) -> None:
        self.query_one("#error", Static).update(text)

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        raw = self.query_one("#to-window", Input).value.strip()
        domain = self.query_one("#domain", Select).value
        reason = self.query_one("#reason", Input).value.strip()
        to_domain = domain if isinstance(domain, str) else None
        if not raw and to_domain is None:
            self._error(self.w._("Give a window or a domain"))
            return
        if raw and not raw.isdigit():
            self._error(self.w._("A window number: {raw}", raw=raw))
            return
        if raw and self.windows and int(raw) not in self.windows:
            shown = self.w.join([str(n) for n in self.windows])
            self._error(
                self.w._("No window {raw} (this hall's windows: {shown})", raw=raw, shown=shown)
            )
            self.query_one("#to-window", Input).focus()
            return
        to_window = int(raw) if raw else None
        if not self.sending:  # one transfer in flight at a time
            self.sending = True
            self.run_worker(self._send(to_window, None if raw else to_domain, reason))

    sending = False

    async def _send(self, to_window: int | None, to_domain: str | None, reason: str) -> None:
        try:
            refused = await self.send(to_window, to_domain, reason)
        finally:
            self.sending = False
        if refused:
            self._error(refused)
        else:
            self.dismiss(True)


class ParkScreen(ModalScreen[str | None]):
    """补材料: what the citizen goes to fetch (optional); Enter parks, Esc does not."""

    BINDINGS = [Binding("escape", "dismiss(None)", N_("Cancel"))]
    DEFAULT_CSS = """
    ParkScreen { align: center middle; }
    ParkScreen > Vertical { width: 60; height: auto; border: heavy $warning;
                            background: $surface; padding: 1 2; }
    """

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number
        self.w: Words = self.app.words  # type: ignore[attr-defined]
        self.w.bindings(self)

    def compose(self) -> ComposeResult:
        w = self.w
        with Vertical():
            yield Label(w._("{number} · Park: the citizen fetches a material", number=self.number))
            yield Input(
                placeholder=w._("What is missing (e.g. the original household register)"),
                max_length=NOTE_LENGTH,
                id="note",
            )
            yield Button(w._("Park"), variant="warning", id="ok")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.dismiss(self.query_one("#note", Input).value.strip())


class PauseScreen(ModalScreen[str | None]):
    """Why the window pauses, from a short list (in the terminal's language)."""

    BINDINGS = [Binding("escape", "dismiss(None)", N_("Cancel"))]
    DEFAULT_CSS = """
    PauseScreen { align: center middle; }
    PauseScreen > Vertical { width: 40; height: auto; border: heavy $warning;
                             background: $surface; padding: 1 2; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.w: Words = self.app.words  # type: ignore[attr-defined]
        self.w.bindings(self)

    def compose(self) -> ComposeResult:
        w = self.w
        reasons = [w._(r) for r in PAUSE_REASONS]
        with Vertical():
            yield Label(w._("Reason for the pause"))
            yield Select(
                [(r, r) for r in reasons],
                value=reasons[0],
                id="reason",
                allow_blank=False,
            )
            yield Button(w._("Pause"), variant="warning", id="ok")

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.dismiss(str(self.query_one("#reason", Select).value))
