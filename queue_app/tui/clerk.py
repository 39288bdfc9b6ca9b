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
from queue_app.domain.rating import RATING_LABELS
from queue_app.domain.ticket import OUTCOME_LABELS, Outcome
from queue_app.tui.bigtype import beside, big
from queue_app.tui.guide import matter_guide
from queue_app.tui.live import LiveScreen
from queue_app.tui.widgets import OfflineBanner

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
            number.update(self.words("idle"))
            number.set_class(True, "-idle")
            guide.update("")
            return
        number.set_class(False, "-idle")
        label = self.words(f"state.{'serving' if t.status == 'serving' else 'calling'}")
        pri = f"  {t.priority_label}" if t.priority_label else ""
        block = beside(big(t.number), f"   {t.number}  {label}{pri}")
        number.update(Text("\n".join(block), style="bold"))
        app = self.hall_app
        if app.catalog and app.coverage:
            from rich.console import Group

            guide.update(
                Group(
                    *(matter_guide(app.catalog, app.coverage, i.matter, app.words) for i in t.items)
                )
            )

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
        self._do(lambda: self.client.no_show(self.number))

    def action_finish(self) -> None:
        if self.ticket is None:
            self.notify(self.words("idle"), severity="warning")
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
            self.notify(self.words("idle"), severity="warning")
            return
        domains = self.hall_app.catalog.domains if self.hall_app.catalog else []

        def done(target: tuple[int | None, str | None, str] | None) -> None:
            if target:
                to_window, to_domain, reason = target
                self._do(
                    lambda: self.client.transfer(
                        self.number, to_window=to_window, to_domain=to_domain, reason=reason
                    )
                )

        self.app.push_screen(TransferScreen(domains), done)

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
    RatingScreen > Vertical { width: 64; height: auto; border: heavy $success;
                              background: $surface; padding: 1 2; }
    RatingScreen Horizontal { height: auto; }
    RatingScreen Button { min-width: 11; margin-right: 1; }
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


class TransferScreen(ModalScreen[tuple[int | None, str | None, str] | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "取消 Cancel")]
    DEFAULT_CSS = """
    TransferScreen { align: center middle; }
    TransferScreen > Vertical { width: 60; height: auto; border: heavy $accent;
                                background: $surface; padding: 1 2; }
    """

    def __init__(self, domains: list[str]) -> None:
        super().__init__()
        self.domains = domains

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("转办 Transfer")
            yield Input(placeholder="转到窗口号 To window", type="integer", id="to-window")
            yield Select([(d, d) for d in self.domains], prompt="或转到领域 or domain", id="domain")
            yield Input(placeholder="原因 Reason", id="reason")
            yield Button("确定 OK", variant="primary", id="ok")

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        raw = self.query_one("#to-window", Input).value.strip()
        domain = self.query_one("#domain", Select).value
        reason = self.query_one("#reason", Input).value.strip()
        to_domain = domain if isinstance(domain, str) else None
        if not raw and to_domain is None:
            self.notify("请填写窗口号或选择领域", severity="warning")
            return
        self.dismiss((int(raw) if raw else None, None if raw else to_domain, reason))


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
