"""Sign-in: account and password (a clerk's window comes from the command line)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label

from queue_app.tui.i18n import Words


class SignInScreen(Screen[None]):
    DEFAULT_CSS = """
    SignInScreen { align: center middle; }
    SignInScreen > Vertical { width: 60; height: auto; border: round $accent; padding: 1 2; }
    """

    def compose(self) -> ComposeResult:
        w: Words = self.app.words  # type: ignore[attr-defined]
        role = self.app.role  # type: ignore[attr-defined]
        window = self.app.window  # type: ignore[attr-defined]
        where = " · " + w._("window {n}", n=window) if window else ""
        with Vertical():
            yield Label(w._("Sign in") + f" · {w.role(role)}{where}")
            yield Input(placeholder=w._("Account"), id="username")
            yield Input(placeholder=w._("Password"), password=True, id="password")
            yield Button(w._("Sign in"), variant="primary", id="go")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "username":
            self.query_one("#password", Input).focus()
        else:
            self._go()

    def on_button_pressed(self, _: Button.Pressed) -> None:
        self._go()

    def _go(self) -> None:
        user = self.query_one("#username", Input).value.strip()
        password = self.query_one("#password", Input).value
        if user and password:
            self.app.begin(user, password)  # type: ignore[attr-defined]
