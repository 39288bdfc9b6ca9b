"""预约签到 at the front desk: the booking's 6-digit code typed, the booking shown (masked
number, slot, matters, state), checked in to a ticket (its slip printed at the desk's
station as F2's are); too late for its slot (or missed already), its matters as a walk-in
ticket instead."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from queue_app.api_models import IssuedOut
from queue_app.client import ApiError
from queue_app.tui.i18n import N_, Words

if TYPE_CHECKING:
    from queue_app.api_bookings import BookingOut
    from queue_app.client import AsyncHallClient

CODE_LENGTH = 6
BOOKING_STATES = {  # a booking's status as the desk reads it
    "booked": N_("booked"),
    "checked_in": N_("checked in"),
    "cancelled": N_("cancelled"),
    "no_show": N_("missed"),
}


class CheckInScreen(ModalScreen[IssuedOut | None]):
    """The code typed (Enter looks it up, Enter again checks it in); the ticket issued is
    the dialog's result. A refusal shows in the dialog, which stays open; a late booking
    offers its matters as a walk-in ticket (F2)."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", N_("Cancel")),
        Binding("f2", "walk_in", N_("Walk-in ticket")),
    ]
    DEFAULT_CSS = """
    CheckInScreen { align: center middle; }
    CheckInScreen > Vertical { width: 72; height: auto; border: heavy $accent;
                               background: $surface; padding: 1 2; }
    CheckInScreen #booking { height: auto; min-height: 5; margin: 1 0; }
    CheckInScreen #error { color: $error; height: auto; }
    CheckInScreen #buttons { height: auto; }
    CheckInScreen #buttons Button { margin-right: 2; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.w: Words = self.app.words  # type: ignore[attr-defined]
        self.w.bindings(self)
        self.booking: BookingOut | None = None
        self.late = False  # refused as too late: a walk-in ticket is offered
        self.sending = False

    @property
    def client(self) -> AsyncHallClient:
        return self.app.client  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        w = self.w
        with Vertical():
            yield Label(w._("Check in a booking: its 6-digit code"))
            yield Input(placeholder="123456", id="code", max_length=CODE_LENGTH, restrict=r"[0-9]*")
            yield Static(id="booking")
            yield Static(id="error")
            with Horizontal(id="buttons"):
                yield Button(w._("Check in (Enter)"), id="check-in", variant="success")
                yield Button(w._("Walk-in ticket (F2)"), id="walk-in", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#walk-in", Button).display = False
        self.query_one("#check-in", Button).disabled = True
        self.query_one("#code", Input).focus()

    def _say(self, error: str = "") -> None:
        self.query_one("#error", Static).update(escape(error))

    # ------------------------------------------------------------ looking up
    @on(Input.Changed, "#code")
    def _typed(self, event: Input.Changed) -> None:
        self.booking, self.late = None, False
        self.query_one("#booking", Static).update("")
        self.query_one("#walk-in", Button).display = False
        self.query_one("#check-in", Button).disabled = True
        self._say()
        if len(event.value) == CODE_LENGTH:
            self.run_worker(self._look_up(event.value), group="booking", exclusive=True)

    async def _look_up(self, code: str) -> None:
        try:
            booking = await self.client.booking(code)
        except ApiError as exc:
            self._say(exc.message(self.w.lang))
            return
        if self.query_one("#code", Input).value != code:
            return  # typed on meanwhile
        self.booking = booking
        self.query_one("#booking", Static).update(self._details(booking))
        self.query_one("#check-in", Button).disabled = booking.status != "booked"
        if booking.status == "no_show":  # its time passed: a walk-in ticket instead
            self._offer_walk_in()

    def _offer_walk_in(self) -> None:
        self.late = True
        self.query_one("#walk-in", Button).display = True

    def _details(self, b: BookingOut) -> str:
        w = self.w
        state = w._(BOOKING_STATES.get(b.status, b.status))
        lines = [
            f"[b]{escape(b.code)}[/b]  {escape(state)}"
            + (f"  → [b]{escape(b.ticket)}[/b]" if b.ticket else ""),
            escape(w._("Time: {day} {start}–{end}", day=b.day, start=b.start, end=b.end)),
            escape(w._("Mobile: {mobile}", mobile=b.mobile)),
            escape(w._("Matters:")),
            *(f"  · {escape(m.name)}" for m in b.matters),
        ]
        return "\n".join(lines)

    # ------------------------------------------------------------ checking in
    @on(Input.Submitted, "#code")
    @on(Button.Pressed, "#check-in")
    def _check_in(self) -> None:
        b = self.booking
        if b is None or b.status != "booked" or self.sending:
            return
        self.sending = True
        self.run_worker(self._send_check_in(b.code), group="booking")

    async def _send_check_in(self, code: str) -> None:
        try:
            issued = await self.client.check_in(code)
        except ApiError as exc:
            self._say(exc.message(self.w.lang))
            if exc.code == "booking_late":
                self._offer_walk_in()
            return
        finally:
            self.sending = False
        self.dismiss(issued)

    @on(Button.Pressed, "#walk-in")
    def _walk_in_pressed(self) -> None:
        self.action_walk_in()

    def action_walk_in(self) -> None:
        b = self.booking
        if b is None or not self.late or self.sending:
            return
        self.sending = True
        self.run_worker(self._send_walk_in([m.code for m in b.matters]), group="booking")

    async def _send_walk_in(self, matters: list[str]) -> None:
        try:
            issued = await self.client.issue(matters)
        except ApiError as exc:
            self._say(exc.message(self.w.lang))
            return
        finally:
            self.sending = False
        self.dismiss(issued)
