"""Sign-in: account and password (a clerk's window comes from the command line)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label


class SignInScreen(Screen[None]):
    DEFAULT_CSS = """
    SignInScreen { align: center middle; }
    SignInScreen > Vertical { width: 60; height: auto; border: round $accent; padding: 1 2; }
    """

    def compose(self) -> ComposeResult:
        w = self.app.words  # type: ignore[attr-defined]
        role = self.app.role  # type: ignore[attr-defined]
        window = self.app.window  # type: ignore[attr-defined]
        where = f" · {w['window_n'].format(n=window)}" if window else ""
        with Vertical():
            yield Label(f"{w['sign_in']} · {w[role]}{where}")
            yield Input(placeholder=w["username"], id="username")
            yield Input(placeholder=w["password"], password=True, id="password")
            yield Button(w["sign_in"], variant="primary", id="go")

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
