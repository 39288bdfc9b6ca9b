"""Helpers shared by the terminal tests."""

from __future__ import annotations

import io
import time
from collections.abc import Callable

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from queue_app.tui.app import HallApp
from queue_app.tui.live import LiveScreen

FOREVER = ("live", "speech")  # worker groups that run as long as the terminal


def on(app: App[object], screen: type, selector: str) -> bool:
    """``screen`` is showing and has mounted ``selector`` (a pushed screen composes later)."""
    return isinstance(app.screen, screen) and bool(app.screen.query(selector))


def has_rows(app: App[object], screen: type, selector: str) -> bool:
    """``screen`` shows the table ``selector`` with at least one row."""
    return on(app, screen, selector) and app.screen.query_one(selector, DataTable).row_count > 0


async def until(pilot: Pilot[object], check: Callable[[], object], timeout: float = 15.0) -> None:
    """Let the app run until ``check()`` is true (the UI works in workers); checked after
    each round of the app's messages, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {check}")
        await pilot.pause()  # the messages in flight handled, the process idle


async def quiet(pilot: Pilot[object]) -> None:
    """Wait until the terminal has nothing left to do: the live stream has connected (its
    snapshot seen), no reload is waiting to begin and every worker but the lasting ones
    has finished."""
    app = pilot.app
    assert isinstance(app, HallApp)
    await until(pilot, lambda: app.last_event is not None)
    while True:
        await pilot.pause()
        busy = [w for w in app.workers if w.group not in FOREVER and not w.is_finished]
        pending = any(isinstance(s, LiveScreen) and s.reload_pending for s in app.screen_stack)
        if busy:
            await app.workers.wait_for_complete(busy)
        elif pending:
            await until(
                pilot,
                lambda: (
                    not any(
                        isinstance(s, LiveScreen) and s.reload_pending for s in app.screen_stack
                    )
                ),
            )
        else:
            return


def text_of(app: App[object], selector: str) -> str:
    """The plain text a Static shows (rendered as rich would print it)."""
    content = app.screen.query_one(selector, Static).content
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(content)
    return console.export_text()
