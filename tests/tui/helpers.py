"""Helpers shared by the terminal tests."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable


def on(app: App[object], screen: type, selector: str) -> bool:
    """``screen`` is showing and has mounted ``selector`` (a pushed screen composes later)."""
    return isinstance(app.screen, screen) and bool(app.screen.query(selector))


def has_rows(app: App[object], screen: type, selector: str) -> bool:
    """``screen`` shows the table ``selector`` with at least one row."""
    return on(app, screen, selector) and app.screen.query_one(selector, DataTable).row_count > 0


async def until(pilot: Pilot[object], check: Callable[[], object], timeout: float = 15.0) -> None:
    """Let the app run until ``check()`` is true (the UI works in workers)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {check}")
        await pilot.pause(0.02)
