"""Window run-time state: open, close, pause, resume, and what call-next needs."""

from __future__ import annotations

import pytest

from queue_app.domain import window_state as w
from queue_app.domain.errors import Refused
from queue_app.domain.window_state import WindowState, WindowStatus


def test_open_pause_resume_close() -> None:
    s = WindowState(5)
    s = w.open_window(s)
    w.require_can_call(s)
    s = w.pause(s, " 休息 ")
    assert (s.status, s.reason) == (WindowStatus.PAUSED, "休息")
    s = w.resume(s)
    assert s.status is WindowStatus.OPEN and s.reason == ""
    assert w.close_window(s).status is WindowStatus.CLOSED


@pytest.mark.parametrize(
    ("state", "action", "code"),
    [
        (WindowState(1, WindowStatus.PAUSED, "会议"), w.require_can_call, "window_paused"),
        (WindowState(1, WindowStatus.CLOSED), w.require_can_call, "window_closed"),
        (WindowState(1, WindowStatus.OPEN, "", 7), w.require_can_call, "window_busy"),
        (WindowState(1, WindowStatus.OPEN), w.open_window, "window_open"),
        (WindowState(1, WindowStatus.CLOSED), w.close_window, "window_closed"),
        (WindowState(1, WindowStatus.OPEN, "", 7), w.close_window, "window_busy"),
        (WindowState(1, WindowStatus.OPEN, "", 7), lambda s: w.pause(s, "休息"), "window_busy"),
        (WindowState(1, WindowStatus.OPEN), lambda s: w.pause(s, "  "), "reason_required"),
        (WindowState(1, WindowStatus.CLOSED), lambda s: w.pause(s, "休息"), "window_not_open"),
        (WindowState(1, WindowStatus.OPEN), w.resume, "window_not_paused"),
        (WindowState(1, WindowStatus.OPEN), w.require_ticket, "no_current_ticket"),
    ],
)
def test_refusals(state: WindowState, action, code: str) -> None:
    with pytest.raises(Refused) as e:
        action(state)
    assert e.value.code == code


def test_transitions_copy_every_field_as_replace_would() -> None:
    # window_state._with builds the state directly: it must learn of any new field
    import dataclasses

    assert [f.name for f in dataclasses.fields(WindowState)] == [
        "number",
        "status",
        "reason",
        "current_ticket",
    ]
    s = WindowState(4, WindowStatus.CLOSED, "", None)
    opened = w.open_window(s)
    assert opened == dataclasses.replace(s, status=WindowStatus.OPEN, reason="")
    paused = w.pause(opened, "会议")
    assert paused == dataclasses.replace(opened, status=WindowStatus.PAUSED, reason="会议")
    assert w.resume(paused) == dataclasses.replace(paused, status=WindowStatus.OPEN, reason="")
    assert w.close_window(opened) == dataclasses.replace(opened, status=WindowStatus.CLOSED)
