"""Front desk (咨询导办台): find the citizen's matters, show the guide, issue the ticket."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rich.markup import escape
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Header, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from queue_app.api_models import IssuedOut, StatusOut, TicketOut
from queue_app.client import ApiError
from queue_app.domain.ticket import Priority
from queue_app.tui.booking_dialog import CheckInScreen
from queue_app.tui.guide import bundle_guide, matter_guide, referral_guide, referral_label
from queue_app.tui.i18n import N_, Words
from queue_app.tui.live import LiveScreen
from queue_app.tui.printers import in_trouble, printers_line
from queue_app.tui.widgets import ConfirmScreen, OfflineBanner, qr_text

HITS = 30
CLOSEST = 3  # the suggestions where nothing is found
NONE_CHOSEN = N_("No matter chosen yet (Enter adds, Del removes)")


def _priority_option(w: Words, p: Priority) -> str:
    """A priority group as the desk picks it: its words, and its code where they differ."""
    label = w.priority(p)
    return label if p.value in label else f"{label} ({p.value})"


class DeskScreen(LiveScreen):
    BINDINGS = [
        Binding("f2", "issue", N_("Issue")),
        Binding("f3", "reprint", N_("Reprint")),
        Binding("f4", "unpark", N_("Un-park")),  # 补材料: the citizen is back
        Binding("f6", "check_in", N_("Booking check-in")),  # 预约签到: a booking's code
        Binding("escape", "clear", N_("Clear")),
        Binding("delete", "remove", N_("Remove"), show=False),
        Binding("down", "hit(1)", show=False),  # from the search box: through the hits
        Binding("up", "hit(-1)", show=False),
    ]
    DEFAULT_CSS = """
    DeskScreen #left { width: 3fr; }
    DeskScreen #guide-pane { width: 2fr; border: round $accent; padding: 0 1; }
    DeskScreen #hits { height: 1fr; }
    DeskScreen #chosen { height: 6; }
    DeskScreen #issue-row { height: auto; }
    DeskScreen #priority { width: 1fr; }
    DeskScreen #mobile { width: 28; }
    DeskScreen #status { height: 1; background: $boost; }
    DeskScreen #status.-trouble { background: $error 40%; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.matters: list[str] = []
        self.bundle: str | None = None
        self.last: IssuedOut | None = None
        self.printing = False  # the station prints its slips (reprints go to its printer)

    def compose(self) -> ComposeResult:
        w = self.w
        yield Header()
        yield OfflineBanner()
        with Horizontal():
            with Vertical(id="left"):
                yield Input(
                    placeholder=w._(
                        "Find a matter: name, code, department, keyword or pinyin initials (gtgsh)"
                    ),
                    id="search",
                )
                yield OptionList(id="hits")
                yield Label(w._("Chosen"))
                yield OptionList(id="chosen")
                with Horizontal(id="issue-row"):
                    yield Select(
                        [(_priority_option(w, p), p.value) for p in Priority],
                        prompt=w._("Priority: none"),
                        id="priority",
                    )
                    yield Input(
                        placeholder=w._("Mobile for notices (optional)"),
                        id="mobile",
                        max_length=20,
                    )
                    yield Button(w._("Issue (F2)"), id="issue", variant="success")
            with VerticalScroll(id="guide-pane"):
                yield Static(self._("Guide"), id="guide")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = self.w.role("desk")
        self.query_one("#search", Input).focus()
        self._show_chosen()

    async def load(self) -> None:
        counts = (await self.client.stats()).counts
        said = self._(
            "waiting {waiting} · called {called} · serving {serving} · done {done}",
            waiting=counts.get("waiting", 0),
            called=counts.get("called", 0),
            serving=counts.get("serving", 0),
            done=counts.get("done", 0),
        )
        if counts.get("parked"):  # 补材料: citizens away fetching a material (F4 when back)
            said += " · " + self._("parked {n} (F4)", n=counts["parked"])
        station = self.hall_app.station
        mine = []
        if station:  # the station's printer, as its worker last found it
            mine = [p for p in await self.client.printers() if station in p.stations]
        self.printing = bool(mine)
        status = self.query_one("#status", Static)
        status.update(said + (" · " + printers_line(mine, self.w) if mine else ""))
        status.set_class(in_trouble(mine), "-trouble")

    def action_unpark(self) -> None:
        """A citizen is back with the missing material: their parked ticket is called next
        at the window it was parked at."""

        async def send(number: str) -> str | None:
            try:
                t = await self.client.unpark(number)
            except ApiError as exc:
                return exc.message(self.w.lang)
            where = t.held_for or 0
            said = (
                self._("{number}, please go to window {window}", number=t.number, window=where)
                if where
                else self._("{number} is back in the line at its place", number=t.number)
            )
            self.notify(said)
            return None

        async def show() -> None:
            parked = await self.act(lambda: self.client.tickets(status="parked"))
            if parked is not None:
                self.app.push_screen(UnparkScreen(parked, self.hall_app.clock(), send))

        self.run_worker(show(), group="unpark")

    def action_check_in(self) -> None:
        """预约签到: a booking's code checked in to a ticket (or, too late, its matters as a
        walk-in); the slip shows (and prints at the station) as F2's does."""

        def issued(ticket: IssuedOut | None) -> None:
            if ticket is not None:
                self.last = ticket
                self.app.push_screen(SlipScreen(ticket))

        self.app.push_screen(CheckInScreen(), issued)

    # ------------------------------------------------------------ searching
    @on(Input.Changed, "#search")
    def _search(self, event: Input.Changed) -> None:
        app = self.hall_app
        hits = app.finder.search(event.value, HITS) if app.finder else []
        options = self.query_one("#hits", OptionList)
        options.clear_options()
        options.add_options(
            [Option(self._label(h.kind, h.code, h.name), id=f"{h.kind}:{h.code}") for h in hits]
        )
        if hits:
            options.highlighted = 0
            return
        # nothing found: say so, with the nearest entries to pick from; no guide of an
        # earlier hit stays beside it
        query = event.value.strip()
        if not query:
            self.query_one("#guide", Static).update(self._("Guide"))
            return
        closest = app.finder.closest(query, CLOSEST) if app.finder else []
        missing = self._(
            "Nothing found for “{query}”: try other words, pinyin initials or a code",
            query=escape(query),
        )
        options.add_option(Option(f"[dim]{missing}[/]", disabled=True))
        near = self._("Closest:")
        if closest:
            options.add_option(Option(f"[dim]{escape(near)}[/]", disabled=True))
            options.add_options(
                [
                    Option(self._label(h.kind, h.code, h.name), id=f"{h.kind}:{h.code}")
                    for h in closest
                ]
            )
        said = self._("Nothing found for “{query}”", query=query)
        if closest:
            said += f"\n\n{near}\n" + "\n".join(f"· {h.name}" for h in closest)
        self.query_one("#guide", Static).update(Text(said))

    def action_hit(self, step: int) -> None:
        """Up and Down in the search box move through the hits (Enter takes the one lit)."""
        options = self.query_one("#hits", OptionList)
        if not self.query_one("#search", Input).has_focus:
            return
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def _label(self, kind: str, code: str, name: str) -> str:
        """A hit as the desk reads it: the name, and the department (the codes of a real
        catalog run to 50 characters; the guide shows them)."""
        cat = self.hall_app.catalog
        if kind == "bundle":
            one_visit = escape(self._("One visit"))
            return f"[b]{one_visit}[/b] {name}"
        dept = cat.department_by_code.get(cat.matter(code).department) if cat else None
        label = f"{name}  [dim]{dept.name if dept else ''}[/]"
        refs = self.hall_app.referrals
        if refs is not None and not refs.handled(code):
            label += f"  [b red]{escape(referral_label(refs, code, self.w))}[/]"
        return label

    def _elsewhere(self, kind: str, code: str) -> list[str]:
        """The names of the matters of a hit this hall does not handle (a bundle's too)."""
        app = self.hall_app
        refs, cat = app.referrals, app.catalog
        if refs is None or cat is None:
            return []
        codes = cat.bundle_by_code[code].matters if kind == "bundle" else [code]
        return [cat.matter(c).name for c in codes if not refs.handled(c)]

    @on(Input.Submitted, "#search")
    def _take_first(self) -> None:
        options = self.query_one("#hits", OptionList)
        if options.option_count and options.highlighted is not None:
            self._choose(options.get_option_at_index(options.highlighted).id or "")

    @on(OptionList.OptionHighlighted, "#hits")
    @on(OptionList.OptionHighlighted, "#chosen")
    def _guide(self, event: OptionList.OptionHighlighted) -> None:
        app = self.hall_app
        kind, _, code = (event.option.id or "").partition(":")
        if not (app.catalog and app.coverage and code):
            return
        refs = app.referrals
        if kind == "bundle":
            guide = bundle_guide(app.catalog, app.coverage, code, app.words, refs)
        elif refs is not None and not refs.handled(code):
            guide = referral_guide(app.catalog, refs, code, app.words)
        else:
            guide = matter_guide(app.catalog, app.coverage, code, app.words)
        self.query_one("#guide", Static).update(guide)

    @on(OptionList.OptionSelected, "#hits")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id or "")

    def _choose(self, option_id: str) -> None:
        kind, _, code = option_id.partition(":")
        elsewhere = self._elsewhere(kind, code) if code else []
        if elsewhere:  # no ticket here: the guide says where to go
            self.notify(
                self._(
                    "Not handled in this hall: {matters} (the guide says where)",
                    matters=self.w.join(elsewhere),
                ),
                severity="warning",
            )
            return
        if kind == "bundle":
            self.bundle, self.matters = code, []
        elif code and code not in self.matters:
            self.bundle = None
            self.matters.append(code)
        self._show_chosen()

    def _show_chosen(self) -> None:
        chosen = self.query_one("#chosen", OptionList)
        chosen.clear_options()
        cat = self.hall_app.catalog
        if self.bundle and cat:
            label = self._label("bundle", self.bundle, cat.bundle_by_code[self.bundle].name)
            chosen.add_option(Option(label, id=f"bundle:{self.bundle}"))
        for code in self.matters:
            name = cat.matter(code).name if cat else code
            chosen.add_option(Option(self._label("matter", code, name), id=f"matter:{code}"))
        if not (self.bundle or self.matters):
            none = escape(self._(NONE_CHOSEN))
            chosen.add_option(Option(f"[dim]{none}[/]", disabled=True))

    def action_remove(self) -> None:
        chosen = self.query_one("#chosen", OptionList)
        if chosen.has_focus and chosen.highlighted is not None:
            kind, _, code = (chosen.get_option_at_index(chosen.highlighted).id or "").partition(":")
            if kind == "bundle":
                self.bundle = None
            elif code in self.matters:
                self.matters.remove(code)
            self._show_chosen()

    def action_clear(self) -> None:
        self.matters, self.bundle = [], None
        self.query_one("#priority", Select).clear()
        self.query_one("#mobile", Input).value = ""
        search = self.query_one("#search", Input)
        search.value = ""
        search.focus()
        self._show_chosen()

    # -------------------------------------------------------------- issuing
    @on(Button.Pressed, "#issue")
    def _issue_pressed(self) -> None:
        self.action_issue()

    def action_issue(self) -> None:
        if self.bundle or self.matters:
            self.run_worker(self._issue(), group="issue")
        else:
            self.notify(self._(NONE_CHOSEN), severity="warning")

    async def _issue(self) -> None:
        pri = self.query_one("#priority", Select).value
        mobile = self.query_one("#mobile", Input).value.strip() or None
        issued = await self.act(
            lambda: self.client.issue(
                self.matters,
                bundle=self.bundle,
                priority=pri if isinstance(pri, str) else None,
                mobile=mobile,
            )
        )
        if isinstance(issued, IssuedOut):
            self.last = issued
            self.action_clear()
            self.app.push_screen(SlipScreen(issued))

    def action_reprint(self) -> None:
        if self.last is None:
            return
        if self.printing:
            self.run_worker(self._print_again(self.last), group="issue")
        else:
            self.run_worker(self._reprint(self.last), group="issue")

    async def _print_again(self, last: IssuedOut) -> None:
        """The last slip again on the station's printer (its figures as when it prints)."""
        number = last.ticket.number
        job = await self.act(lambda: self.client.reprint(number))
        if job is not None:
            self.notify(
                self._(
                    "{number}: slip {copy} queued at printer {printer}",
                    number=number,
                    copy=job.copy_no,
                    printer=job.printer,
                )
            )

    async def _reprint(self, last: IssuedOut) -> None:
        """The last slip again, with the people ahead and the wait as they are now."""
        now = await self.act(lambda: self.client.slip_status(last.token))
        if not isinstance(now, StatusOut):
            return  # refused or unreachable: said already
        if now.status != "waiting":
            self.notify(
                self._(
                    "{number} is no longer waiting ({state}): nothing to reprint",
                    number=now.number,
                    state=self.w.ticket_status(now.status),
                ),
                severity="warning",
            )
            return
        self.last = last.model_copy(
            update={"ahead": now.ahead or 0, "estimated_wait_minutes": now.estimated_wait_minutes}
        )
        self.app.push_screen(SlipScreen(self.last))


class UnparkScreen(ModalScreen[bool | None]):
    """补材料: the parked tickets (where, what is missing, how long); Enter on one, or its
    number typed, un-parks it. A refusal is shown in the dialog, which stays open."""

    BINDINGS = [Binding("escape", "dismiss(None)", N_("Cancel"))]
    DEFAULT_CSS = """
    UnparkScreen { align: center middle; }
    UnparkScreen > Vertical { width: 70; height: auto; border: heavy $accent;
                              background: $surface; padding: 1 2; }
    UnparkScreen #parked { height: auto; max-height: 12; }
    UnparkScreen #error { color: $error; height: 2; }
    """

    def __init__(
        self,
        parked: list[TicketOut],
        now: float,
        send: Callable[[str], Awaitable[str | None]],
    ) -> None:
        super().__init__()
        self.parked, self.now, self.send = parked, now, send
        self.w: Words = self.app.words  # type: ignore[attr-defined]
        self.w.bindings(self)
        self.sending = False

    def compose(self) -> ComposeResult:
        w = self.w
        with Vertical():
            yield Label(w._("Back with the materials: which ticket?"))
            options = [
                Option(
                    w._(
                        "{number} · window {window} · {note} · {m} min",
                        number=t.number,
                        window=t.window or "-",
                        note=escape(t.park_note or "-"),
                        m=f"{max(0.0, self.now - (t.parked_at or self.now)) / 60:.0f}",
                    ),
                    id=t.number,
                )
                for t in self.parked
            ]
            if not options:
                none = escape(w._("No ticket is parked now"))
                options = [Option(f"[dim]{none}[/]", disabled=True)]
            yield OptionList(*options, id="parked")
            yield Input(placeholder=w._("or type its number"), id="number")
            yield Static(id="error")

    @on(OptionList.OptionSelected, "#parked")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self._go(event.option.id or "")

    @on(Input.Submitted, "#number")
    def _typed(self, event: Input.Submitted) -> None:
        self._go(event.value.strip().upper())

    def _go(self, number: str) -> None:
        if number and not self.sending:
            self.sending = True
            self.run_worker(self._send(number))

    async def _send(self, number: str) -> None:
        try:
            refused = await self.send(number)
        finally:
            self.sending = False
        if refused:
            self.query_one("#error", Static).update(refused)
        else:
            self.dismiss(True)


class SlipScreen(ModalScreen[None]):
    """The ticket slip: number, matters, where to wait, people ahead, the wait, a QR code
    for the citizen's status page."""

    BINDINGS = [
        Binding("escape", "dismiss", N_("Close")),
        Binding("ctrl+x", "cancel_ticket", N_("Cancel ticket")),
    ]
    DEFAULT_CSS = """
    SlipScreen { align: center middle; }
    SlipScreen > Horizontal { width: auto; height: auto; border: heavy $success;
                              background: $surface; padding: 1 2; }
    SlipScreen #slip-text { width: 44; }
    SlipScreen #qr { width: auto; margin-left: 2; }
    """

    def __init__(self, issued: IssuedOut) -> None:
        super().__init__()
        self.issued = issued
        self.w: Words = self.app.words  # type: ignore[attr-defined]
        self.w.bindings(self)

    def compose(self) -> ComposeResult:
        app = self.app
        w = self.w
        i = self.issued
        wait = (
            w._("{m} minutes", m=f"{i.estimated_wait_minutes:.0f}")
            if i.estimated_wait_minutes is not None
            else w._("no window open")
        )
        names = "\n".join(f"  · {item.name}" for item in i.ticket.items)
        pri = f" · {w.priority(i.ticket.priority)}" if i.ticket.priority else ""
        windows = w._("Windows: {windows}", windows=", ".join(map(str, i.windows)))
        ahead = w._("{n} ahead · estimated wait {wait}", n=i.ahead, wait=wait)
        keys = w._("Esc closes · Ctrl+X cancels")
        title = w._("Ticket slip")
        text = (
            f"[b]{escape(title)}[/b]\n\n"
            f"[b reverse] {i.ticket.number} [/]  {escape(i.class_name)}{escape(pri)}\n\n"
            f"{escape(names)}\n\n{escape(windows)}\n{escape(ahead)}\n\n[dim]{escape(keys)}[/]"
        )
        url = f"{app.server}/t/{i.token}"  # type: ignore[attr-defined]
        with Horizontal():
            yield Static(text, id="slip-text")
            yield Static(qr_text(url), id="qr")

    def action_cancel_ticket(self) -> None:
        def confirmed(yes: bool | None) -> None:
            if yes:
                self.run_worker(self._cancel(), group="cancel")

        question = self.w._(
            "Cancel ticket {number}? This cannot be undone.", number=self.issued.ticket.number
        )
        self.app.push_screen(ConfirmScreen(question, self.w), confirmed)

    async def _cancel(self) -> None:
        client = self.app.client  # type: ignore[attr-defined]
        try:
            await client.cancel(self.issued.ticket.number, self.w._("cancelled at the front desk"))
        except ApiError as exc:  # shown; the slip stays
            self.notify(exc.message(self.w.lang), severity="error")
            return
        self.notify(self.w._("{number} cancelled", number=self.issued.ticket.number))
        self.dismiss()
