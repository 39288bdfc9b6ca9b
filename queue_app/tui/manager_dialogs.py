"""The manager's dialogs: what a window serves (a profile of the layout, or the layout's
own back), the hall's wait and service targets, and the boards' notice line."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList
from textual.widgets.option_list import Option

from queue_app.api_models import ProfileChoice
from queue_app.domain.errors import Refused
from queue_app.domain.hall import Targets
from queue_app.domain.profiles import WindowProfile
from queue_app.domain.public_text import NOTICE_MOST, clean_notice
from queue_app.i18n import message
from queue_app.tui.i18n import N_, Words

RESTORE = "restore"


@dataclass(frozen=True)
class ProfileChosen:
    """The manager's choice for a window: a profile, or None for the layout file's own."""

    profile: WindowProfile | None


def _windows(numbers: list[int], w: Words) -> str:
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]}–{numbers[-1]}"
    return w.join([str(n) for n in numbers])


class ProfileScreen(ModalScreen[ProfileChosen | None]):
    """Pick what window ``number`` serves from now on."""

    BINDINGS = [Binding("escape", "dismiss(None)", N_("Cancel"))]
    DEFAULT_CSS = """
    ProfileScreen { align: center middle; }
    ProfileScreen > Vertical { width: 72; height: auto; max-height: 80%;
                               border: heavy $accent; background: $surface; padding: 1 2; }
    ProfileScreen OptionList { height: auto; max-height: 16; }
    """

    def __init__(
        self, number: int, current: str, changed: bool, choices: list[ProfileChoice], w: Words
    ) -> None:
        super().__init__()
        self.number, self.current, self.changed = number, current, changed
        self.choices = choices
        self.w = w
        w.bindings(self)

    def compose(self) -> ComposeResult:
        w = self.w
        options = [
            Option(
                w._(
                    "{name} (windows {windows} in the layout)",
                    name=c.profile.name,
                    windows=_windows(c.windows, w),
                ),
                id=str(i),
            )
            for i, c in enumerate(self.choices)
        ]
        options.append(Option(w._("What the layout file says"), id=RESTORE))
        with Vertical():
            yield Label(
                w._("Window {n} (now {name}) is to serve:", n=self.number, name=self.current)
            )
            if self.changed:
                yield Label(w._("Changed today; the day's close restores the layout"))
            yield OptionList(*options, id="profiles")

    @on(OptionList.OptionSelected, "#profiles")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        oid = event.option.id
        if oid == RESTORE:
            self.dismiss(ProfileChosen(None))
        elif oid is not None:
            self.dismiss(ProfileChosen(self.choices[int(oid)].profile))


class TargetsScreen(ModalScreen[Targets | None]):
    """Set the minutes a ticket may wait, and be served, before it shows in colour."""

    BINDINGS = [Binding("escape", "dismiss(None)", N_("Cancel"))]
    DEFAULT_CSS = """
    TargetsScreen { align: center middle; }
    TargetsScreen > Vertical { width: 56; height: auto; border: heavy $accent;
                               background: $surface; padding: 1 2; }
    """

    def __init__(self, current: Targets, w: Words) -> None:
        super().__init__()
        self.current = current
        self.w = w
        w.bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.w._("Wait target (minutes): longer waits show red"))
            yield Input(str(self.current.wait_minutes), type="integer", id="wait")
            yield Label(self.w._("Service target (minutes): longer service shows red"))
            yield Input(str(self.current.serve_minutes), type="integer", id="serve")
            yield Button(self.w.pgettext("targets", "OK"), variant="primary", id="ok")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        values = []
        for field in ("wait", "serve"):
            raw = self.query_one(f"#{field}", Input).value.strip()
            if not raw.isdigit() or not 1 <= int(raw) <= 600:
                self.notify(self.w._("Enter minutes between 1 and 600"), severity="warning")
                self.query_one(f"#{field}", Input).focus()
                return
            values.append(int(raw))
        self.dismiss(Targets(wait_minutes=values[0], serve_minutes=values[1]))


@dataclass(frozen=True)
class NoticeChosen:
    """The boards' notice line from now on: its text, or None for none."""

    text: str | None


class NoticeScreen(ModalScreen[NoticeChosen | None]):
    """Set or clear the one line the hall's boards show under the calls (e.g. 今日 16:00
    后暂停受理出入境业务): Enter sets what is typed, an empty line or Clear takes it off."""

    BINDINGS = [Binding("escape", "dismiss(None)", N_("Cancel"))]
    DEFAULT_CSS = """
    NoticeScreen { align: center middle; }
    NoticeScreen > Vertical { width: 80; height: auto; border: heavy $accent;
                              background: $surface; padding: 1 2; }
    NoticeScreen Horizontal { height: auto; margin-top: 1; }
    NoticeScreen Button { margin-right: 2; }
    """

    def __init__(self, current: str | None, w: Words) -> None:
        super().__init__()
        self.current = current
        self.w = w
        w.bindings(self)

    def compose(self) -> ComposeResult:
        w = self.w
        with Vertical():
            yield Label(
                w._(
                    "The notice line on the hall's boards (one line, at most {most} "
                    "characters; empty: no notice)",
                    most=NOTICE_MOST,
                )
            )
            yield Input(self.current or "", id="notice-text")
            with Horizontal():
                yield Button(w.pgettext("notice", "Set"), variant="primary", id="set")
                yield Button(w.pgettext("notice", "Clear"), id="clear")

    @on(Input.Submitted)
    @on(Button.Pressed, "#set")
    def _set(self) -> None:
        field = self.query_one("#notice-text", Input)
        try:
            text = clean_notice(field.value)
        except Refused as refused:  # told here, in the terminal's words; nothing sent
            self.notify(message(refused, self.w.lang), severity="warning")
            field.focus()
            return
        self.dismiss(NoticeChosen(text))

    @on(Button.Pressed, "#clear")
    def _clear(self) -> None:
        self.dismiss(NoticeChosen(None))
