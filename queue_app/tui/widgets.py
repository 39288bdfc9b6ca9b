"""Small widgets shared by the screens."""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Header, Label, Static
from textual.widgets._header import HeaderClock, HeaderClockSpace

from queue_app.tui.i18n import N_, Words


def qr_text(data: str) -> Text:
    """A QR code in half-block characters, dark on light (scannable from a screen)."""
    rows = [list(r) for r in segno.make(data, error="m").matrix_iter(border=2)]
    if len(rows) % 2:
        rows.append([0] * len(rows[0]))
    glyph = {(1, 1): "█", (1, 0): "▀", (0, 1): "▄", (0, 0): " "}
    lines = [
        "".join(glyph[(int(bool(a)), int(bool(b)))] for a, b in zip(top, bottom, strict=True))
        for top, bottom in zip(rows[::2], rows[1::2], strict=True)
    ]
    return Text("\n".join(lines), style="black on white")


class OfflineBanner(Static):
    """Shown while the server is unreachable; the screen keeps its last state."""

    DEFAULT_CSS = """
    OfflineBanner { dock: top; height: 1; background: $error; color: $text; display: none; }
    OfflineBanner.-offline { display: block; }
    """

    def on_mount(self) -> None:
        w = self.app.words  # type: ignore[attr-defined]
        self.update(w._("Lost the hall server; reconnecting... (showing the last state)"))
        self.watch(self.app, "online", self._online, init=True)

    def _online(self, online: Any) -> None:
        self.set_class(not online, "-offline")


class HallClock(HeaderClock):
    """The header's clock on the terminal's clock (``app.clock``), in the hall's zone
    (the machine's until the hall is known)."""

    def render(self) -> Text:
        hall = self.app.hall  # type: ignore[attr-defined]
        zone = hall.zone if hall is not None else None
        now = dt.datetime.fromtimestamp(self.app.clock(), zone)  # type: ignore[attr-defined]
        return Text(now.strftime(self.time_format))


class HallHeader(Header):
    """Textual's header with the hall's clock on the right."""

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            yield HallClock() if type(widget) is HeaderClockSpace else widget


class ConfirmScreen(ModalScreen[bool]):
    """Asks before a key that cannot be undone acts: Y (or the button) goes ahead, N or
    Esc leaves things as they are."""

    BINDINGS = [
        Binding("y", "answer(True)", N_("Yes")),
        Binding("n,escape", "answer(False)", N_("No")),
    ]
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical { width: auto; max-width: 90%; height: auto;
                               border: heavy $warning; background: $surface; padding: 1 2; }
    ConfirmScreen Horizontal { width: auto; height: auto; margin-top: 1; }
    ConfirmScreen Button { width: auto; margin-right: 2; }
    """

    def __init__(self, question: str, words: Words) -> None:
        super().__init__()
        self.question, self.w = question, words
        words.bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question, id="question")
            with Horizontal():
                yield Button(self.w._("Yes (Y)"), variant="error", id="yes")
                yield Button(self.w._("No (N)"), id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()  # Enter on its own changes nothing

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")
