"""Helpers shared by the terminal tests."""

from __future__ import annotations

from textual.app import App


def on(app: App[object], screen: type, selector: str) -> bool:
    """``screen`` is showing and has mounted ``selector`` (a pushed screen composes later)."""
    return isinstance(app.screen, screen) and bool(app.screen.query(selector))
