"""Hall display (叫号显示屏): the latest calls in large type, a new call highlighted, the
waiting count per ticket class; each call spoken through espeak-ng when it is installed,
one at a time."""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter, deque
from string import Formatter

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Static

from queue_app.client import ServerEvent
from queue_app.tui.bigtype import beside, big
from queue_app.tui.i18n import N_
from queue_app.tui.live import LiveScreen
from queue_app.tui.widgets import HallHeader, OfflineBanner

LATEST = 10
PLEASE = N_("{number} to window {window}")  # the call, shown and spoken
FRESH_S = 4.0  # how long a new call stands out


class Speaker:
    """Speaks queued sentences one after another (never overlapping, none skipped)."""

    def __init__(self, command: str | None = None) -> None:
        self.command = command if command is not None else shutil.which("espeak-ng")
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.spoken: list[str] = []

    async def run(self) -> None:
        while True:
            sentence = await self.queue.get()
            self.spoken.append(sentence)
            if self.command:
                proc = await asyncio.create_subprocess_exec(
                    self.command,
                    "-v",
                    "cmn",
                    sentence,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.DEVNULL,
                )
                await proc.wait()

    def say(self, sentence: str) -> None:
        self.queue.put_nowait(sentence)


class DisplayScreen(LiveScreen):
    DEFAULT_CSS = """
    DisplayScreen #newest { height: 7; content-align: center middle; text-style: bold;
                            background: $success-darken-2; border: heavy $success; }
    DisplayScreen #newest.-fresh { background: $warning-darken-2; border: heavy $warning; }
    DisplayScreen #calls { width: 2fr; border: round $accent; }
    DisplayScreen #classes { width: 1fr; border: round $accent; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.calls: deque[tuple[str, int]] = deque(maxlen=LATEST)
        self._unflash: Timer | None = None
        self.speaker = Speaker()

    def compose(self) -> ComposeResult:
        yield HallHeader()
        yield OfflineBanner()
        yield Static(id="newest")
        with Horizontal():
            yield Static(id="calls")
            yield Static(id="classes")

    def on_mount(self) -> None:
        self.sub_title = self.w.role("display")
        self.run_worker(self.speaker.run(), group="speech")
        super().on_mount()

    def sentence(self, number: str, window: int) -> str:
        return self._(PLEASE, number=number, window=window)

    def hall_changed(self, event: ServerEvent) -> None:
        if event.event == "ticket_called" and event.data.get("ticket"):
            number, window = str(event.data["ticket"]), int(event.data["window"])
            self.calls.appendleft((number, window))
            self.speaker.say(self.sentence(number, window))
            self._show_calls()
            self._flash()
        super().hall_changed(event)

    async def load(self) -> None:
        if not self.calls:  # first load: the tickets at windows now, latest call first
            at_windows = [w for w in await self.client.windows() if w.ticket is not None]
            at_windows.sort(key=lambda w: -(w.ticket.called_at or 0))  # type: ignore[union-attr]
            self.calls.extend((w.ticket.number, w.number) for w in at_windows)  # type: ignore[union-attr]
            self._show_calls()
        waiting = await self.client.tickets()
        hall = self.hall_app.hall
        names = {c.prefix: c.name for c in hall.ticket_classes} if hall else {}
        by_class = Counter(t.number.rstrip("0123456789") for t in waiting)
        table = Table(title=self._("Waiting by class"), expand=True, show_header=False, box=None)
        table.add_column("")
        table.add_column("", justify="right")
        for prefix, name in names.items():
            table.add_row(f"{prefix} {name}", str(by_class.get(prefix, 0)))
        self.query_one("#classes", Static).update(table)

    def _flash(self) -> None:
        """A new call stands out for a few seconds."""
        newest = self.query_one("#newest", Static)
        newest.add_class("-fresh")
        if self._unflash is not None:
            self._unflash.stop()
        self._unflash = self.set_timer(FRESH_S, lambda: newest.remove_class("-fresh"))

    def big_sentence(self, number: str, window: int) -> tuple[str, str, str]:
        """The call in large type: the number and the window big, the words between plain."""
        values = {"number": number, "window": str(window)}
        parts: list[str | tuple[str, str, str]] = []
        for literal, field, _, _ in Formatter().parse(self._(PLEASE)):
            if literal:
                parts.append(literal)
            if field:
                parts.append(big(values[field]))
        return beside(*parts)

    def _show_calls(self) -> None:
        newest = self.query_one("#newest", Static)
        if self.calls:
            number, window = self.calls[0]
            lines = [*self.big_sentence(number, window), "", self.sentence(number, window)]
            newest.update(Text("\n".join(lines), style="bold"))
        table = Table(title=self._("Latest calls"), expand=True, show_header=False, box=None)
        table.add_column("")
        table.add_column("", justify="right")
        for number, window in list(self.calls)[1:]:
            table.add_row(number, self._("window {n}", n=window))
        self.query_one("#calls", Static).update(table)
