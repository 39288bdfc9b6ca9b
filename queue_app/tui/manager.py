"""Hall manager (大厅管理): every window's state, current ticket and time, waiting per
domain with the oldest wait, targets breached in colour; open, close, pause, resume; change
what a window serves, the targets and the boards' notice line."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Sparkline, Static

from queue_app.api_models import (
    SeatOut,
    SignInLockOut,
    StaffingOut,
    TicketOut,
    WindowFiguresOut,
    WindowOut,
)
from queue_app.client import ApiError
from queue_app.domain.dispatch import Candidate, eligible
from queue_app.domain.hall import Coverage, Hall, Targets
from queue_app.domain.layouts import dispatch_windows
from queue_app.tui.clerk import PauseScreen
from queue_app.tui.i18n import N_
from queue_app.tui.live import LiveScreen
from queue_app.tui.manager_dialogs import (
    NoticeChosen,
    NoticeScreen,
    ProfileChosen,
    ProfileScreen,
    TargetsScreen,
)
from queue_app.tui.notices import notices_in_trouble, notices_line
from queue_app.tui.printers import in_trouble, printers_line
from queue_app.tui.reports import ReportScreen
from queue_app.tui.widgets import ConfirmScreen, HallHeader, OfflineBanner

STATE_STYLE = {
    "idle": "bold yellow",
    "calling": "bold cyan",
    "serving": "bold green",
    "paused": "magenta",
    "closed": "dim",
}


TREND_BUCKET_MINUTES = 10
PARKED = N_("{number} at window {window}, {m} min")  # 补材料: parked there that long
PARKED_NOTED = N_("{number} at window {window}, {m} min: {note}")
SETTLED_MINUTES = 5.0  # utilisation over a shorter time says nothing yet


def settled(f: WindowFiguresOut) -> bool:
    return f.open_minutes >= SETTLED_MINUTES


def uncallable(
    waiting: list[TicketOut],
    windows: list[WindowOut],
    hall: Hall | None,
    coverage: Coverage | None,
) -> list[TicketOut]:
    """The waiting tickets no open window may call, by dispatch's own rule (what the window
    covers, a transfer's target, a priority-only window); a paused window counts as open."""
    if hall is None or coverage is None:
        return []
    rules = dispatch_windows(hall, coverage)
    open_windows = [rules[w.number] for w in windows if w.state != "closed" and w.number in rules]
    return [t for t in waiting if not any(eligible(candidate(t), w) for w in open_windows)]


def candidate(t: TicketOut) -> Candidate:
    """A waiting ticket as dispatch sees it (its place in line does not matter here)."""
    return Candidate(
        id=0,
        matters=frozenset(i.matter for i in t.items),
        queue_key=t.issued_at,
        priority=t.priority is not None,
        target_window=t.target_window,
        target_domain=t.target_domain,
        held_for=t.held_for,
    )


class ManagerScreen(LiveScreen):
    """The hall's manager view; ``read_only``: a city account's look at a hall it does not
    manage (no action offered; Escape goes back to the city's view)."""

    REFRESH_S = 30.0  # the minutes shown run on between events
    CHANGES = frozenset(
        {"open", "close", "pause", "resume", "profile", "targets", "release", "notice"}
        | {"bookings"}
    )
    BINDINGS = [
        Binding("escape", "back", N_("City view")),
        Binding("o", "open", N_("Open")),
        Binding("c", "close", N_("Close")),
        Binding("p", "pause", N_("Pause")),
        Binding("u", "resume", N_("Resume")),
        Binding("s", "profile", N_("Serves")),
        Binding("t", "targets", N_("Targets")),
        Binding("r", "release", N_("Release seat")),
        Binding("b", "reports", N_("Reports")),
        Binding("e", "cases", N_("Rating cases")),
        # the footer has no room left in 120 columns: the notice line itself names the key
        Binding("n", "notice", N_("Board notice"), show=False),
        Binding("k", "bookings", N_("Bookings"), show=False),  # 预约: closures, bans
    ]
    DEFAULT_CSS = """
    ManagerScreen #windows { width: 5fr; height: 1fr; border: round $primary; }
    ManagerScreen #domains { width: 2fr; min-width: 38; height: 1fr; border: round $accent;
                             margin-left: 1; }
    ManagerScreen #alerts { height: auto; max-height: 3; background: $error 30%;
                            color: $text; display: none; }
    ManagerScreen #alerts.-shown { display: block; }
    ManagerScreen #parked { height: auto; max-height: 2; display: none; }
    ManagerScreen #parked.-shown { display: block; }
    ManagerScreen #summary { height: 1; background: $boost; }
    ManagerScreen #targets { height: 1; }
    ManagerScreen #notice { height: 1; }
    ManagerScreen #printers { height: auto; display: none; }
    ManagerScreen #printers.-shown { display: block; }
    ManagerScreen #printers.-trouble { background: $error 30%; }
    ManagerScreen #notices { height: auto; display: none; }
    ManagerScreen #notices.-shown { display: block; }
    ManagerScreen #notices.-trouble { background: $error 30%; }
    ManagerScreen #staffing { height: 1; }
    ManagerScreen #trend-label { height: 1; }
    ManagerScreen #trend { height: 3; }
    """

    def compose(self) -> ComposeResult:
        yield HallHeader()
        yield OfflineBanner()
        with Horizontal():  # two tables, each in its own frame: their rows are not one row
            yield DataTable(id="windows", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="domains", cursor_type="none", zebra_stripes=True)
        yield Static(id="alerts")
        yield Static(id="printers")
        yield Static(id="notices")
        yield Static(id="parked")
        yield Static(id="targets")
        yield Static(id="notice")
        yield Static(id="staffing")
        yield Static(id="trend-label")
        yield Sparkline([], id="trend", summary_function=max)
        yield Static(id="summary")
        yield Footer(compact=True, show_command_palette=False)  # every key in 120 columns

    windows: dict[int, WindowOut]
    seats: dict[int, SeatOut]  # who sits at which window
    notice: str | None = None  # the boards' notice line, as last read

    def __init__(self, read_only: bool = False) -> None:
        super().__init__()
        self.read_only = read_only

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A read-only view offers no change, and Escape only there."""
        if action == "back":
            return self.read_only
        return not (self.read_only and action in self.CHANGES)

    async def action_back(self) -> None:
        await self.hall_app.back_to_city()

    def on_mount(self) -> None:
        self.windows, self.seats = {}, {}
        w = self.w
        self.sub_title = w.role("manager")
        hall = self.hall_app.hall
        if self.read_only and hall is not None:  # a city account's look at one of its halls
            read_only = w._("read-only")
            self.sub_title = f"{hall.hall.name} · {self.sub_title} · {read_only}"
        windows = self.query_one("#windows", DataTable)
        windows.border_title = w._("Windows")
        windows.add_columns(
            w.pgettext("column", "Window"),
            w._("Name"),
            w._("Clerk"),
            w._("State"),
            w._("Ticket"),
            w._("Time"),
            w._("Served"),
            w._("Utilisation"),
            w.pgettext("column", "Reason"),
        )
        domains = self.query_one("#domains", DataTable)
        domains.border_title = w._("Waiting by domain")
        domains.add_columns(
            w._("Domain"), w.pgettext("column", "Waiting"), w._("Longest wait"), w._("Mean today")
        )
        super().on_mount()

    async def load(self) -> None:
        windows = await self.client.windows()
        self.seats = {s.window: s for s in await self.client.seats()}
        waiting = await self.client.tickets()
        parked = await self.client.tickets(status="parked")
        counts = (await self.client.stats()).counts
        stats = await self.client.window_stats()
        today = await self.client.domain_waits()
        series = await self.client.queue_series(TREND_BUCKET_MINUTES)
        self._show_notice((await self.client.display()).notice)
        await self._show_printers()
        await self._show_notices()
        self._show_staffing(await self.client.staffing())
        self._show_trend(series.waiting)
        wait_target, serve_target = self._targets()
        self.query_one("#targets", Static).update(
            self._(
                "wait target {wait} min · service target {serve} min (beyond: red)",
                wait=round(wait_target / 60),
                serve=round(serve_target / 60),
            )
        )
        now = self.hall_app.clock()
        self._show_parked(parked, now)
        self._show_windows(windows, {f.window: f for f in stats.windows}, now)
        self._show_domains(waiting, {d.domain: d.mean_wait_minutes for d in today.domains}, now)
        overdue = await self._overdue_cases()
        self._show_alerts(windows, waiting, now, await self.client.sign_in_locks(), overdue)
        busy = sum(1 for w in windows if w.state in ("calling", "serving"))
        idle = sum(1 for w in windows if w.state == "idle")
        # over the windows open long enough to say something (None until two are)
        balance = f"{stats.load_balance:.2f}" if stats.load_balance is not None else "-"
        self.query_one("#summary", Static).update(
            self._(
                "serving {busy} · idle {idle} · waiting {waiting} · done today {done} · "
                "no-show {no_show} · bundles in one visit {bundles} · load balance {balance} "
                "(windows open 30 min or more; 0 = even)",
                busy=busy,
                idle=idle,
                waiting=len(waiting),
                done=counts.get("done", 0),
                no_show=counts.get("no_show", 0),
                bundles=stats.bundles_served,
                balance=balance,
            )
        )

    def _show_alerts(
        self,
        windows: list[WindowOut],
        waiting: list[TicketOut],
        now: float,
        locks: list[SignInLockOut],
        overdue: int = 0,
    ) -> None:
        """One line for what needs the manager now: tickets no open window may call (they
        would wait for ever), windows serving past the service target, accounts and
        addresses locked out after failed sign-ins (``queue-app staff passwd`` lifts one),
        and 好差评 cases past a deadline (``e`` lists them)."""
        w = self.w
        parts = []
        if overdue:
            parts.append(w._("poor-rating cases overdue: {n} (e)", n=overdue))
        stuck = uncallable(waiting, windows, self.hall_app.hall, self.hall_app.coverage)
        if stuck:
            shown = w.join(
                [
                    w._("{number} ({priority})", number=t.number, priority=w.priority(t.priority))
                    if t.priority
                    else t.number
                    for t in stuck[:6]
                ]
            )
            more = f" … +{len(stuck) - 6}" if len(stuck) > 6 else ""
            parts.append(w._("no open window may call: {tickets}", tickets=shown + more))
        _, serve_target = self._targets()
        late = []
        for x in windows:
            t = x.ticket
            since = (t.started_at or t.called_at) if t else None
            if t and since and now - since > serve_target:
                minutes = w._("{m} min", m=f"{(now - since) / 60:.0f}")
                late.append(w._("window {n} {t} ({m})", n=x.number, t=t.number, m=minutes))
        if late:
            parts.append(
                w._(
                    "past the {target} min service target: {windows}",
                    target=round(serve_target / 60),
                    windows=w.join(late),
                )
            )
        if locks:
            shown = w.join(
                [
                    w._("{name} ({m} min)", name=k.name, m=f"{max(1, (k.until - now) / 60):.0f}")
                    if k.kind == "account"
                    else w._(
                        "address {name} ({m} min)",
                        name=k.name,
                        m=f"{max(1, (k.until - now) / 60):.0f}",
                    )
                    for k in locks[:6]
                ]
            )
            more = f" … +{len(locks) - 6}" if len(locks) > 6 else ""
            parts.append(w._("sign-in locked: {who}", who=shown + more))
        alerts = self.query_one("#alerts", Static)
        alerts.update(Text("⚠ " + " · ".join(parts), style="bold") if parts else "")
        alerts.set_class(bool(parts), "-shown")

    async def _show_printers(self) -> None:
        """Every slip printer of the hall file and its state (a hall without printers: no
        line)."""
        hall = self.hall_app.hall
        line = self.query_one("#printers", Static)
        printers = await self.client.printers() if hall is not None and hall.printers else []
        line.update(printers_line(printers, self.w))
        line.set_class(bool(printers), "-shown")
        line.set_class(in_trouble(printers), "-trouble")

    async def _show_notices(self) -> None:
        """The notices waiting, the dead letters, the last error (a hall without senders:
        no line)."""
        hall = self.hall_app.hall
        line = self.query_one("#notices", Static)
        if hall is None or not hall.notices.senders:
            line.set_class(False, "-shown")
            return
        summary = await self.client.notice_summary()
        line.update(notices_line(summary, self.w))
        line.set_class(True, "-shown")
        line.set_class(notices_in_trouble(summary), "-trouble")

    def _show_parked(self, parked: list[TicketOut], now: float) -> None:
        """补材料: how many tickets are parked, and each one's window, how long and what is
        missing, the longest parked first (shown only when there are some)."""
        line = self.query_one("#parked", Static)
        w = self.w
        each = [
            w._(
                PARKED_NOTED if t.park_note else PARKED,
                number=t.number,
                window=t.window or "-",
                m=f"{max(0.0, now - (t.parked_at or now)) / 60:.0f}",
                note=t.park_note,
            )
            for t in parked
        ]
        said = w._("parked for materials: {n}", n=len(parked)) + " · " + w.join(each)
        line.update(Text(said) if parked else "")
        line.set_class(bool(parked), "-shown")

    async def _overdue_cases(self) -> int:
        """How many 好差评 cases are past a deadline (0 from a server that keeps none)."""
        try:
            return len(await self.client.cases("overdue"))
        except ApiError as exc:
            if exc.status != 404:
                raise
            return 0

    def action_bookings(self) -> None:
        """预约管理: close slots or days to bookings, reopen them, lift a ban."""
        from queue_app.tui.manager_bookings import BookingAdminScreen

        async def open_it() -> None:
            said = await self.act(self.client.health)
            if said is not None:
                self.app.push_screen(BookingAdminScreen(said["day"], self.w))

        self.run_worker(open_it(), group="action")

    def action_cases(self) -> None:
        from queue_app.tui.cases import CasesScreen

        self.app.push_screen(CasesScreen(read_only=self.read_only))

    def _show_notice(self, notice: str | None) -> None:
        """The line the hall's boards show under the calls, and the key that changes it."""
        self.notice = notice
        w = self.w
        text = w._("board notice: {text}", text=notice) if notice else w._("board notice: none")
        if not self.read_only:
            text = w._("{line} (n: change)", line=text)
        self.query_one("#notice", Static).update(Text(text, style="bold" if notice else "dim"))

    def _show_staffing(self, s: StaffingOut) -> None:
        """The latest hour's arrivals against the windows open: red when too few."""
        line = self.query_one("#staffing", Static)
        hall = self.hall_app.hall
        if not s.hours or hall is None:
            line.update(self._("staffing: too few arrivals today yet"))
            return
        h = s.hours[-1]
        p90 = (
            self._("{m} min", m=f"{s.p90_now:.0f}") if s.p90_now is not None else self._("growing")
        )
        text = self._(
            "staffing from {hour}: {rate} arrivals/h · {hold} min/ticket · "
            "p90 <= {target} min needs {needed} windows · {open} open: p90 {p90} (Erlang C)",
            target=f"{s.target_minutes:.0f}",
            hour=dt.datetime.fromtimestamp(h.start, hall.zone).strftime("%H:%M"),
            rate=f"{h.rate_per_hour:.0f}",
            hold=f"{s.hold_minutes:.1f}",
            needed=h.needed,
            open=s.open_windows,
            p90=p90,
        )
        line.update(Text(text, style="bold red" if s.open_windows < h.needed else ""))

    def _show_trend(self, waiting: list[int]) -> None:
        """Queue length over the day; a plot needs a few points first."""
        label = self.query_one("#trend-label", Static)
        trend = self.query_one("#trend", Sparkline)
        if len(waiting) < 3:
            label.update(
                self._(
                    "Waiting, every {m} minutes today (too few points yet)",
                    m=TREND_BUCKET_MINUTES,
                )
            )
            trend.data = []
            return
        label.update(
            self._(
                "Waiting, every {m} minutes today · peak {peak} · now {now}",
                m=TREND_BUCKET_MINUTES,
                peak=max(waiting),
                now=waiting[-1],
            )
        )
        trend.data = [float(x) for x in waiting]

    def _targets(self) -> tuple[float, float]:
        hall = self.hall_app.hall
        if hall is None:
            return 20 * 60.0, 40 * 60.0
        return hall.targets.wait_minutes * 60.0, hall.targets.serve_minutes * 60.0

    def _show_windows(
        self, windows: list[WindowOut], figures: dict[int, WindowFiguresOut], now: float
    ) -> None:
        _, serve_target = self._targets()
        table = self.query_one("#windows", DataTable)
        row = table.cursor_row
        table.clear()
        self.windows = {w.number: w for w in windows}
        for w in windows:
            t = w.ticket
            since = (t.started_at or t.called_at) if t else None
            elapsed = now - since if since else None
            late = elapsed is not None and elapsed > serve_target
            table.add_row(
                str(w.number),
                Text(self._("{name} (changed)", name=w.name), style="bold")
                if w.changed
                else w.name,
                (s.full_name or s.username) if (s := self.seats.get(w.number)) else "",
                Text(self.w.window_state(w.state), style=STATE_STYLE.get(w.state, "")),
                t.number if t else "",
                Text(
                    self._("{m} min", m=f"{elapsed / 60:.0f}") if elapsed else "",
                    style="bold red" if late else "",
                ),
                str(f.served) if (f := figures.get(w.number)) else "",
                f"{f.utilisation:.0%}" if f and f.utilisation is not None and settled(f) else "",
                w.reason,
                key=str(w.number),
            )
        if windows:
            table.move_cursor(row=min(row, len(windows) - 1))

    def _show_domains(
        self, waiting: list[TicketOut], mean_today: dict[str, float], now: float
    ) -> None:
        """Per domain: waiting now, the longest wait now, and the mean wait today (minutes,
        issue to first call); the domains with people waiting first, longest wait first."""
        wait_target, _ = self._targets()
        catalog = self.hall_app.catalog
        by_domain: dict[str, list[float]] = defaultdict(list)
        for t in waiting:
            domains = {catalog.matter(i.matter).domain for i in t.items} if catalog else {"?"}
            for d in domains:
                by_domain[d].append(now - t.issued_at)
        table = self.query_one("#domains", DataTable)
        table.clear()

        def minutes(seconds: float | None) -> Text:
            if seconds is None:
                return Text("")
            return Text(
                self._("{m} min", m=f"{seconds / 60:.0f}"),
                style="bold red" if seconds > wait_target else "",
            )

        order = sorted(by_domain, key=lambda d: -max(by_domain[d]))
        order += sorted(set(mean_today) - set(by_domain), key=lambda d: -mean_today[d])
        for domain in order:
            waits = by_domain.get(domain, [])
            mean = mean_today.get(domain)
            table.add_row(
                domain,
                str(len(waits)),
                minutes(max(waits) if waits else None),
                minutes(mean * 60 if mean is not None else None),
            )

    def _selected(self) -> int | None:
        table = self.query_one("#windows", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key else None

    def _window_action(self, name: str, *args: str) -> None:
        number = self._selected()
        if number is None:
            return

        async def run() -> None:
            await self.act(lambda: getattr(self.client, name)(number, *args))
            self.reload()

        self.run_worker(run(), group="action")

    def action_reports(self) -> None:
        """The 报表 screen over this hall (read-only here too when this view is)."""
        self.app.push_screen(ReportScreen(read_only=self.read_only))

    def action_open(self) -> None:
        self._window_action("open_window")

    def action_close(self) -> None:
        self._window_action("close_window")

    def action_resume(self) -> None:
        self._window_action("resume")

    def action_pause(self) -> None:
        def done(reason: str | None) -> None:
            if reason:
                self._window_action("pause", reason)

        self.app.push_screen(PauseScreen(), done)

    def action_release(self) -> None:
        """Free the selected window's seat (asked first: its clerk is signed out)."""
        number = self._selected()
        seat = self.seats.get(number) if number is not None else None
        if seat is None:
            if number is not None:
                self.notify(self._("No one is signed in at window {n}", n=number))
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.run_worker(self._release(seat), group="action")

        question = self._(
            "Sign {name} out of window {n}? Their terminal must sign in again.",
            name=seat.full_name or seat.username,
            n=seat.window,
        )
        self.app.push_screen(ConfirmScreen(question, self.w), confirmed)

    async def _release(self, seat: SeatOut) -> None:
        done = await self.act(lambda: self.client.release_seat(seat.window))
        if done is not None:
            self.notify(self._("Window {n} is free", n=done.window))
        self.reload()

    def action_profile(self) -> None:
        number = self._selected()
        window = self.windows.get(number) if number is not None else None
        if window is None:
            return

        async def run() -> None:
            choices = await self.act(self.client.hall_profiles)
            if choices is None:
                return

            def chosen(choice: ProfileChosen | None) -> None:
                if choice is not None:
                    self.run_worker(self._set_profile(window.number, choice), group="action")

            self.app.push_screen(
                ProfileScreen(window.number, window.name, window.changed, choices, self.w),
                chosen,
            )

        self.run_worker(run(), group="action")

    async def _set_profile(self, number: int, choice: ProfileChosen) -> None:
        done = await self.act(lambda: self.client.set_profile(number, choice.profile))
        if done is not None:
            self.notify(self._("Window {n} is now {name}", n=number, name=done.name))
        self.reload()

    def action_targets(self) -> None:
        hall = self.hall_app.hall
        if hall is None:
            return

        def chosen(targets: Targets | None) -> None:
            if targets is not None:
                self.run_worker(self._set_targets(targets), group="action")

        self.app.push_screen(TargetsScreen(hall.targets, self.w), chosen)

    async def _set_targets(self, targets: Targets) -> None:
        done = await self.act(lambda: self.client.set_targets(targets))
        if done is not None:
            self.notify(
                self._(
                    "wait target {wait} min, service target {serve} min",
                    wait=done.wait_minutes,
                    serve=done.serve_minutes,
                )
            )

    def action_notice(self) -> None:
        """Set or clear the notice line of the hall's boards."""

        def chosen(choice: NoticeChosen | None) -> None:
            if choice is not None:
                self.run_worker(self._set_notice(choice.text), group="action")

        self.app.push_screen(NoticeScreen(self.notice, self.w), chosen)

    async def _set_notice(self, text: str | None) -> None:
        done = await self.act(lambda: self.client.set_notice(text))
        if done is not None:
            self.notify(
                self._("The boards show: {text}", text=done.text)
                if done.text
                else self._("The boards show no notice")
            )
        self.reload()
