"""The 好差评 cases' dialogs: a note with an optional yes/no (the visit's finding and whether
it calls for rectification, the review's grounds and whether the appeal stands), and the
manager a return visit goes to."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, OptionList
from textual.widgets.option_list import Option

from queue_app.api_models import StaffOut
from queue_app.domain.cases import NOTE_MOST
from queue_app.tui.i18n import N_, Words


@dataclass(frozen=True)
class Noted:
    """What the manager wrote, and the yes/no asked with it (False when none was)."""

    note: str
    checked: bool = False


class NoteScreen(ModalScreen[Noted | None]):
    """Ask for a note (1 to ``NOTE_MOST`` characters); ``check``: a yes/no to ask with it."""

    BINDINGS = [Binding("escape", "dismiss(None)", N_("Cancel"))]
    DEFAULT_CSS = """
    NoteScreen { align: center middle; }
    NoteScreen > Vertical { width: 76; height: auto; border: heavy $accent;
                            background: $surface; padding: 1 2; }
    NoteScreen Checkbox { margin-top: 1; }
    NoteScreen Button { margin-top: 1; }
    """

    def __init__(self, prompt: str, check: str | None, w: Words) -> None:
        super().__init__()
        self.prompt, self.check, self.w = prompt, check, w
        w.bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.prompt, id="prompt")
            yield Input(max_length=NOTE_MOST, id="note")
            if self.check is not None:
                yield Checkbox(self.check, id="check")
            yield Button(self.w._("Record"), variant="primary", id="ok")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        box = self.query_one("#note", Input)
        note = box.value.strip()
        if not note:
            self.notify(self.w._("Write what was found or done"), severity="warning")
            box.focus()
            return
        checked = self.check is not None and self.query_one("#check", Checkbox).value
        self.dismiss(Noted(note, checked))


class AssignScreen(ModalScreen[str | None]):
    """Pick the manager account that is to make a case's return visit."""

    BINDINGS = [Binding("escape", "dismiss(None)", N_("Cancel"))]
    DEFAULT_CSS = """
    AssignScreen { align: center middle; }
    AssignScreen > Vertical { width: 60; height: auto; max-height: 80%;
                              border: heavy $accent; background: $surface; padding: 1 2; }
    AssignScreen OptionList { height: auto; max-height: 14; }
    """

    def __init__(self, number: str, managers: list[StaffOut], w: Words) -> None:
        super().__init__()
        self.number, self.managers, self.w = number, managers, w
        w.bindings(self)

    def compose(self) -> ComposeResult:
        options = [
            Option(f"{m.full_name}（{m.username}）" if m.full_name else m.username, id=m.username)
            for m in self.managers
        ]
        with Vertical():
            yield Label(self.w._("Who makes the return visit for {number}?", number=self.number))
            yield OptionList(*options, id="managers")

    @on(OptionList.OptionSelected, "#managers")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
