"""A window's run-time state: closed, open (idle, calling or serving) or paused."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from queue_app.domain.errors import Refused


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


@dataclass(frozen=True, slots=True)
class WindowState:
    number: int
    status: WindowStatus = WindowStatus.CLOSED
    reason: str = ""
    current_ticket: int | None = None


def _busy(w: WindowState, zh: str, en: str) -> None:
    if w.current_ticket is not None:
        raise Refused(
            "window_busy",
            f"{w.number} 号窗口还有未完成的号，不能{zh}",
            f"window {w.number} still holds a ticket; finish, transfer or mark "
            f"it no-show before you {en}",
            "window",
        )


def open_window(w: WindowState) -> WindowState:
    if w.status is WindowStatus.OPEN:
        raise Refused(
            "window_open", f"{w.number} 号窗口已开放", f"window {w.number} is open", "window"
        )
    return replace(w, status=WindowStatus.OPEN, reason="")


def close_window(w: WindowState) -> WindowState:
    if w.status is WindowStatus.CLOSED:
        raise Refused(
            "window_closed", f"{w.number} 号窗口已关闭", f"window {w.number} is closed", "window"
        )
    _busy(w, "关闭", "close it")
    return replace(w, status=WindowStatus.CLOSED, reason="")


def pause(w: WindowState, reason: str) -> WindowState:
    if w.status is not WindowStatus.OPEN:
        raise Refused(
            "window_not_open",
            f"{w.number} 号窗口未开放，不能暂停",
            f"window {w.number} is {w.status.value}; only an open window can pause",
            "window",
        )
    if not reason.strip():
        raise Refused(
            "reason_required",
            "暂停需要填写原因（如：休息、会议）",
            "a pause needs a reason (break, meeting ...)",
            "reason",
        )
    _busy(w, "暂停", "pause")
    return replace(w, status=WindowStatus.PAUSED, reason=reason.strip())


def resume(w: WindowState) -> WindowState:
    if w.status is not WindowStatus.PAUSED:
        raise Refused(
            "window_not_paused",
            f"{w.number} 号窗口未暂停",
            f"window {w.number} is {w.status.value}, not paused",
            "window",
        )
    return replace(w, status=WindowStatus.OPEN, reason="")


def require_can_call(w: WindowState) -> None:
    """Call next needs an open window with no ticket in hand."""
    if w.status is WindowStatus.PAUSED:
        raise Refused(
            "window_paused",
            f"{w.number} 号窗口暂停中（{w.reason}），请先恢复",
            f"window {w.number} is paused ({w.reason}); resume it first",
            "window",
        )
    if w.status is WindowStatus.CLOSED:
        raise Refused(
            "window_closed",
            f"{w.number} 号窗口未开放",
            f"window {w.number} is closed; open it first",
            "window",
        )
    _busy(w, "叫下一位", "call the next one")


def require_ticket(w: WindowState) -> int:
    if w.current_ticket is None:
        raise Refused(
            "no_current_ticket",
            f"{w.number} 号窗口当前没有号",
            f"window {w.number} has no current ticket",
            "window",
        )
    return w.current_ticket
