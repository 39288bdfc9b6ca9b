"""The demo's role picker: which terminal to open against the embedded hall server."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from queue_app.domain.hall import Hall
from queue_app.tui.i18n import N_, Words

DEMO_PASSWORD = "demo-pass"  # the demo's accounts (queue_app.demo_live)


class Account(Protocol):
    role: str
    username: str
    window: int | None
    hall: str  # the hall's path on the server ("": the server's first hall)
    hall_name: str  # the hall the account is of


A = TypeVar("A", bound=Account)


class RolePicker(App[A | None]):
    BINDINGS = [("q", "quit_demo", N_("Quit")), ("ctrl+q", "quit_demo", "")]
    CSS = """
    RolePicker OptionList { height: 1fr; }
    RolePicker #hint { height: 4; padding: 0 1; }
    """

    def __init__(self, server: str, hall: Hall, accounts: Sequence[A], lang: str) -> None:
        super().__init__()
        self.server, self.hall, self.accounts = server, hall, accounts
        self.words = Words(lang)
        self.words.bindings(self)
        self.title = f"{hall.hall.name} · " + self.words._("Demo: choose a role")

    def compose(self) -> ComposeResult:
        w = self.words
        names = {x.number: x.name for x in self.hall.windows}
        several = len({a.hall_name for a in self.accounts}) > 1
        options = []
        for i, a in enumerate(self.accounts):
            label = w.role(a.role)
            if a.window is not None:
                label = w._("Window clerk {n}", n=a.window)
                if a.hall_name in ("", self.hall.hall.name):
                    label += f" · {names.get(a.window, '')}"
            if several and a.role != "city":
                label = f"{a.hall_name} · {label}"
            options.append(Option(f"{label}  [dim]({a.username})[/]", id=str(i)))
        yield Header()
        yield Static(
            w._(
                "Server: {server}  ·  demo password: {password}\n"
                "Enter opens a terminal; Ctrl+Q in it comes back here\n"
                "In a browser: {server}/display (board) · /window/{n} (window screen) · "
                "/rate/{n} (rating tablet, account rater{n}) · /kiosk (account kiosk) · /dashboard",
                server=self.server,
                password=DEMO_PASSWORD,
                n=self.hall.windows[0].number,
            ),
            id="hint",
        )
        yield OptionList(*options, id="roles")
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.exit(self.accounts[int(event.option.id or 0)])

    def action_quit_demo(self) -> None:
        self.exit(None)
