"""A window's run-time state: closed, open (idle, calling or serving) or paused."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from queue_app.domain.errors import N_, Text
from queue_app.domain.refusals import (
    NoCurrentTicket,
    OpenWindowFirst,
    ReasonRequired,
    WindowBusy,
    WindowClosed,
    WindowNotOpen,
    WindowNotPaused,
    WindowOpen,
    WindowPaused,
)


class WindowStatus(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    PAUSED = "paused"


class WindowView(StrEnum):
    """What a manager sees: the stored status refined by the current ticket."""

    CLOSED = "closed"
    IDLE = "idle"
    CALLING = "calling"
    SERVING = "serving"
    PAUSED = "paused"


STATUS_WORDS = {
    WindowStatus.CLOSED: Text(N_("closed")),
    WindowStatus.OPEN: Text(N_("open")),
    WindowStatus.PAUSED: Text(N_("paused")),
}


@dataclass(frozen=True, slots=True)
class WindowState:
    number: int
    status: WindowStatus = WindowStatus.CLOSED
    reason: str = ""
    current_ticket: int | None = None


def _busy(w: WindowState, action: Text) -> None:
    if w.current_ticket is not None:
        raise WindowBusy(window=w.number, action=action)


def open_window(w: WindowState) -> WindowState:
    if w.status is WindowStatus.OPEN:
        raise WindowOpen(window=w.number)
    return replace(w, status=WindowStatus.OPEN, reason="")


def close_window(w: WindowState) -> WindowState:
    if w.status is WindowStatus.CLOSED:
        raise WindowClosed(window=w.number)
    _busy(w, Text(N_("close the window")))
    return replace(w, status=WindowStatus.CLOSED, reason="")


def pause(w: WindowState, reason: str) -> WindowState:
    if w.status is not WindowStatus.OPEN:
        raise WindowNotOpen(window=w.number, state=STATUS_WORDS[w.status])
    if not reason.strip():
        raise ReasonRequired()
    _busy(w, Text(N_("pause")))
    return replace(w, status=WindowStatus.PAUSED, reason=reason.strip())


def resume(w: WindowState) -> WindowState:
    if w.status is not WindowStatus.PAUSED:
        raise WindowNotPaused(window=w.number, state=STATUS_WORDS[w.status])
    return replace(w, status=WindowStatus.OPEN, reason="")


def require_can_call(w: WindowState) -> None:
    """Call next needs an open window with no ticket in hand."""
    if w.status is WindowStatus.PAUSED:
        raise WindowPaused(window=w.number, reason=w.reason)
    if w.status is WindowStatus.CLOSED:
        raise OpenWindowFirst(window=w.number)
    _busy(w, Text(N_("call the next one")))


def require_ticket(w: WindowState) -> int:
    if w.current_ticket is None:
        raise NoCurrentTicket(window=w.number)
    return w.current_ticket
