"""Window clerk (综合窗口): the current ticket in large type, one key per action, the
waiting line this window may serve, live."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Select, Static

from queue_app.api_models import TicketOut, WindowOut
from queue_app.client import ApiError
from queue_app.domain.rating import RATING_LABELS
from queue_app.domain.ticket import OUTCOME_LABELS, Outcome
from queue_app.tui.bigtype import beside, big, rows
from queue_app.tui.guide import matter_guide
from queue_app.tui.live import LiveScreen
from queue_app.tui.widgets import ConfirmScreen, OfflineBanner

PAUSE_REASONS = ("休息", "会议", "培训", "系统故障")


class ClerkScreen(LiveScreen):
    REFRESH_S = 30.0  # the minutes shown run on between events
    BINDINGS = [
        Binding("n", "call_next", "叫号 Next"),
        Binding("r", "recall", "重呼 Recall"),
        Binding("s", "start", "开始 Start"),
        Binding("f", "finish", "办结 Finish"),
        Binding("t", "transfer", "转办 Transfer"),
        Binding("x", "no_show", "过号 No-show"),
        Binding("p", "pause", "暂停/恢复 Pause"),
        Binding("o", "open", "开窗 Open"),
        Binding("c", "close", "关窗 Close"),
    ]
    DEFAULT_CSS = """
    ClerkScreen #current-pane { width: 3fr; }
    ClerkScreen #number { height: 5; content-align: center middle; text-style: bold;
                          background: $primary-darken-2; border: heavy $primary; }
    ClerkScreen #number.-idle { background: $surface; border: round $panel; }
    ClerkScreen #matters { height: 1fr; border: round $accent; padding: 0 1; }
    ClerkScreen #line-pane { width: 2fr; }
    ClerkScreen #line { height: 1fr; }
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
        w = self.words
        yield Header()
        yield OfflineBanner()
        with Horizontal():
            with Vertical(id="current-pane"):
                yield Static(w("idle"), id="number", classes="-idle")
                with VerticalScroll(id="matters"):
                    yield Static(id="guide")
            with Vertical(id="line-pane"):
                yield Label(w("waiting_line"))
                yield DataTable(id="line", cursor_type="row", zebra_stripes=True)
        yield Static(id="figures")
        yield Footer()

    def on_mount(self) -> None:
        w = self.words
        self.sub_title = f"{w('clerk')} · {w('window_n').format(n=self.number)}"
        self.query_one("#line", DataTable).add_columns(
            w("col.number"), w("col.matters"), w("col.waited")
        )
        super().on_mount()

    async def load(self) -> None:
        windows = await self.client.windows()
        waiting = await self.client.tickets(window=self.number)
        self.mine = next((x for x in windows if x.number == self.number), None)
        self.ticket = self.mine.ticket if self.mine else None
        self._show_current()
        table = self.query_one("#line", DataTable)
        table.clear()
        now = self.hall_app.clock()
        for t in waiting:
            names = "、".join(i.name for i in t.items)
            pri = f"[{t.priority_label}] " if t.priority_label else ""
            waited = self.words("minutes_n").format(m=f"{(now - t.issued_at) / 60:.0f}")
            table.add_row(t.number, pri + names, waited)
        stats = await self.client.window_stats()
        mine = next((f for f in stats.windows if f.window == self.number), None)
        state = self.words(f"state.{self.mine.state}") if self.mine else "?"
        w = self.words
        figures = ""
        if mine is not None:
            handling = (
                w("minutes_n").format(m=f"{mine.mean_handling_minutes:.1f}")
                if mine.mean_handling_minutes
                else "-"
            )
            figures = w("clerk.figures").format(served=mine.served, handling=handling)
            if mine.ratings and mine.mean_rating is not None:
                figures += w("clerk.rating").format(rating=mine.mean_rating, n=mine.ratings)
        self.query_one("#figures", Static).update(
            f"{w('window_n').format(n=self.number)} · {state}"
            + (f" ({self.mine.reason})" if self.mine and self.mine.reason else "")
            + f" · {w('clerk.callable').format(n=len(waiting))}{figures}"
        )

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
        label = self.words(f"state.{'serving' if t.status == 'serving' else 'calling'}")
        pri = f"  {t.priority_label}" if t.priority_label else ""
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
            reason = f"（{self.mine.reason}）" if self.mine and self.mine.reason else ""
            return self.words("clerk.paused").format(reason=reason)
        if state == "closed":
            return self.words("clerk.closed")
        return self.words("idle")

    def _since(self, t: TicketOut) -> str:
        """Minutes since the call (or the start) and how often it was recalled."""
        since = t.started_at if t.status == "serving" else t.called_at
        minutes = f"{max(0.0, self.hall_app.clock() - since) / 60:.0f}" if since else "-"
        key = "clerk.serving_for" if t.status == "serving" else "clerk.called_ago"
        text = self.words(key).format(m=minutes)
        if t.recalls:
            text += self.words("clerk.recalls").format(n=t.recalls)
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
            self.notify(self.words("nobody"), severity="warning")
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

        question = self.words("clerk.confirm_no_show").format(number=number)
        self.app.push_screen(ConfirmScreen(question, self.hall_app.words), confirmed)

    def action_open(self) -> None:
        self._do(lambda: self.client.open_window(self.number))

    def action_close(self) -> None:
        self._do(lambda: self.client.close_window(self.number))

    def action_finish(self) -> None:
        if self.ticket is None:
            self.notify(self._no_ticket(), severity="warning")
            return

        number = self.ticket.number

        def rated(level: int | None) -> None:
            if level:
                self._do(lambda: self.client.rate(self.number, number, level))

        async def finish(outcomes: dict[str, str]) -> None:
            if await self.act(lambda: self.client.finish(self.number, outcomes=outcomes)):
                self.app.push_screen(RatingScreen(number), rated)  # the citizen's 好差评
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
                return exc.zh if self.hall_app.words.lang == "zh" else exc.en
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

    BINDINGS = [Binding("escape", "dismiss(None)", "取消 Cancel")]
    DEFAULT_CSS = """
    FinishScreen { align: center middle; }
    FinishScreen > Vertical { width: 70; height: auto; border: heavy $accent;
                              background: $surface; padding: 1 2; }
    """

    def __init__(self, ticket: TicketOut) -> None:
        super().__init__()
        self.ticket = ticket

    def compose(self) -> ComposeResult:
        options = [(f"{OUTCOME_LABELS[o]} ({o.value})", o.value) for o in Outcome]
        with Vertical():
            yield Label(f"{self.ticket.number} · 办理结果 Outcome")
            for i, item in enumerate(self.ticket.items):
                yield Label(item.name)
                yield Select(options, value=Outcome.COMPLETED.value, allow_blank=False, id=f"o{i}")
            yield Button("确定 OK", variant="primary", id="ok")

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.dismiss(
            {
                item.matter: str(self.query_one(f"#o{i}", Select).value)
                for i, item in enumerate(self.ticket.items)
            }
        )


class RatingScreen(ModalScreen[int | None]):
    """The citizen's 好差评 on the window's pad: 5 非常满意 … 1 非常不满意; Esc skips."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "跳过 Skip"),
        *(Binding(str(n), f"dismiss({n})", RATING_LABELS[n], show=False) for n in range(1, 6)),
    ]
    DEFAULT_CSS = """
    RatingScreen { align: center middle; }
    RatingScreen > Vertical { width: auto; max-width: 100%; height: auto;
                              border: heavy $success; background: $surface; padding: 1 2; }
    RatingScreen Horizontal { width: auto; height: auto; }
    RatingScreen Button { width: auto; margin-right: 1; }
    """

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"{self.number} · 请对本次服务评价（好差评）· 按 1–5，Esc 跳过")
            with Horizontal():
                for n in range(5, 0, -1):
                    yield Button(f"{n} {RATING_LABELS[n]}", id=f"r{n}")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(int((event.button.id or "r0")[1:]) or None)


Send = Callable[[int | None, str | None, str], Awaitable[str | None]]


class TransferScreen(ModalScreen[bool | None]):
    """To a window or a domain. The dialog sends the transfer itself and stays open, the
    input kept, with the reason shown when it is refused (a window that does not exist,
    one that cannot serve the ticket)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "取消 Cancel")]
    DEFAULT_CSS = """
    TransferScreen { align: center middle; }
    TransferScreen > Vertical { width: 60; height: auto; border: heavy $accent;
                                background: $surface; padding: 1 2; }
    TransferScreen #error { color: $error; height: 2; }  /* fixed: the button stays put */
    """

    def __init__(self, domains: list[str], windows: list[int], send: Send) -> None:
        super().__init__()
        self.domains, self.windows, self.send = domains, windows, send

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("转办 Transfer")
            yield Input(placeholder="转到窗口号 To window", type="integer", id="to-window")
            yield Select([(d, d) for d in self.domains], prompt="或转到领域 or domain", id="domain")
            yield Input(placeholder="原因 Reason", id="reason")
            yield Static(id="error")
            yield Button("确定 OK", variant="primary", id="ok")

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
            self._error("请填写窗口号或选择领域 Give a window or a domain")
            return
        if raw and not raw.isdigit():
            self._error(f"窗口号应为数字 A window number: {raw}")
            return
        if raw and self.windows and int(raw) not in self.windows:
            shown = "、".join(map(str, self.windows))
            self._error(f"没有 {raw} 号窗口（本厅窗口：{shown}） No window {raw}")
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


class PauseScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "取消 Cancel")]
    DEFAULT_CSS = """
    PauseScreen { align: center middle; }
    PauseScreen > Vertical { width: 40; height: auto; border: heavy $warning;
                             background: $surface; padding: 1 2; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("暂停原因 Reason")
            yield Select(
                [(r, r) for r in PAUSE_REASONS],
                value=PAUSE_REASONS[0],
                id="reason",
                allow_blank=False,
            )
            yield Button("暂停 Pause", variant="warning", id="ok")

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.dismiss(str(self.query_one("#reason", Select).value))
