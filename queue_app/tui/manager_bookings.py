"""The manager's bookings dialog (预约管理): close a slot or a whole day to bookings (and
reopen it), and lift a number's ban after no-shows, with the reason, through the client."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from queue_app.client import ApiError
from queue_app.tui.i18n import N_, Words

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from queue_app.client import AsyncHallClient


def _none(said: str) -> Option:
    return Option(f"[dim]{escape(said)}[/]", disabled=True)


class BookingAdminScreen(ModalScreen[None]):
    """A day's closures (Enter on one reopens it) and a form to close a slot ("09:30") or,
    with no time, the day; the numbers barred from booking and a form to lift a ban."""

    BINDINGS = [Binding("escape", "dismiss(None)", N_("Close"))]
    DEFAULT_CSS = """
    BookingAdminScreen { align: center middle; }
    BookingAdminScreen > Vertical { width: 96; height: auto; max-height: 90%;
                                    border: heavy $accent; background: $surface; padding: 1 2; }
    BookingAdminScreen Horizontal { height: auto; }
    BookingAdminScreen #day { width: 18; }
    BookingAdminScreen #start { width: 13; }
    BookingAdminScreen #reason, BookingAdminScreen #ban-reason { width: 1fr; }
    BookingAdminScreen #ban-mobile { width: 22; }
    BookingAdminScreen OptionList { height: auto; max-height: 8; }
    BookingAdminScreen #said { height: auto; margin-top: 1; }
    BookingAdminScreen .title { text-style: bold; margin-top: 1; }
    """

    def __init__(self, today: str, w: Words) -> None:
        super().__init__()
        self.today = today
        self.w = w
        w.bindings(self)

    @property
    def client(self) -> AsyncHallClient:
        return self.app.client  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        w = self.w
        with Vertical():
            yield Label(w._("Close booking slots: a day, and a slot's start (empty: the day)"))
            with Horizontal():
                yield Input(self.today, placeholder="YYYY-MM-DD", id="day")
                yield Input(placeholder="HH:MM", id="start")
                yield Input(placeholder=w._("Reason"), id="reason")
                yield Button(w._("Close to bookings"), variant="warning", id="close")
            yield Label(w._("Closed (Enter reopens)"), classes="title")
            yield OptionList(id="closures")
            yield Label(w._("Barred from booking after no-shows"), classes="title")
            yield OptionList(id="bans")
            with Horizontal():
                yield Input(placeholder=w._("Full mobile number"), id="ban-mobile")
                yield Input(placeholder=w._("Reason"), id="ban-reason")
                yield Button(w._("Lift ban"), variant="primary", id="lift")
            yield Static(id="said")

    def on_mount(self) -> None:
        self.query_one("#start", Input).focus()
        self.run_worker(self._load(), group="bookings", exclusive=True)

    def _say(self, text: str) -> None:
        self.query_one("#said", Static).update(escape(text))

    async def _send(self, action: Callable[[], Awaitable[object]]) -> object | None:
        try:
            return await action()
        except ApiError as exc:
            self._say(exc.message(self.w.lang))
            return None

    async def _load(self) -> None:
        w = self.w
        day = self.query_one("#day", Input).value.strip()
        closures = await self._send(lambda: self.client.closures(day or None))
        if isinstance(closures, list):
            options = self.query_one("#closures", OptionList)
            options.clear_options()
            for c in closures:
                when = c.start or w._("the whole day")
                scope = c.scope or w._("all bookable matters")
                line = f"{c.day} {when}  {scope}  {c.reason}"
                options.add_option(Option(escape(line), id=c.id))
            if not closures:
                options.add_option(_none(w._("Nothing closed")))
        bans = await self._send(self.client.bans)
        if isinstance(bans, list):
            options = self.query_one("#bans", OptionList)
            options.clear_options()
            for b in bans:
                line = w._(
                    "{mobile} · {n} no-shows · until {day}",
                    mobile=b.mobile,
                    n=b.no_shows,
                    day=b.until,
                )
                options.add_option(Option(escape(line)))
            if not bans:
                options.add_option(_none(w._("No number is barred")))

    @on(Input.Submitted, "#day")
    def _day(self) -> None:
        self.run_worker(self._load(), group="bookings", exclusive=True)

    @on(Input.Submitted, "#start")
    @on(Input.Submitted, "#reason")
    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        day = self.query_one("#day", Input).value.strip()
        start = self.query_one("#start", Input).value.strip() or None
        reason = self.query_one("#reason", Input).value.strip()
        self.run_worker(self._close_slots(day, start, reason), group="bookings")

    async def _close_slots(self, day: str, start: str | None, reason: str) -> None:
        done = await self._send(lambda: self.client.close_slots(day, start, None, reason))
        if done is not None:
            when = start or self.w._("the whole day")
            self._say(self.w._("Closed to bookings: {day} {when}", day=day, when=when))
            self.query_one("#start", Input).value = ""
            await self._load()

    @on(OptionList.OptionSelected, "#closures")
    def _reopen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.run_worker(self._reopening(event.option.id), group="bookings")

    async def _reopening(self, closure: str) -> None:
        done = await self._send(lambda: self.client.reopen_slots(closure))
        if done is not None:
            self._say(self.w._("Open to bookings again"))
            await self._load()

    @on(Input.Submitted, "#ban-mobile")
    @on(Input.Submitted, "#ban-reason")
    @on(Button.Pressed, "#lift")
    def _lift(self) -> None:
        mobile = self.query_one("#ban-mobile", Input).value.strip()
        reason = self.query_one("#ban-reason", Input).value.strip()
        if not (mobile and reason):
            self._say(self.w._("Give the full number and the reason"))
            return
        self.run_worker(self._lifting(mobile, reason), group="bookings")

    async def _lifting(self, mobile: str, reason: str) -> None:
        done = await self._send(lambda: self.client.lift_ban(mobile, reason))
        if done is not None:
            self._say(self.w._("Ban lifted: {mobile}", mobile=getattr(done, "mobile", "")))
            self.query_one("#ban-mobile", Input).value = ""
            self.query_one("#ban-reason", Input).value = ""
            await self._load()
