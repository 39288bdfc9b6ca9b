"""The waiting line and the windows as the terminals show them, in a constant number of
statements whatever their length."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from queue_app.domain.dispatch import Candidate, DispatchWindow, eligible
from queue_app.domain.ticket import Status, Ticket
from queue_app.domain.window_state import WindowStatus, WindowView
from queue_app.store import tickets, windows
from queue_app.store.settings import Layout


@dataclass(frozen=True, slots=True)
class WindowInfo:
    number: int
    name: str
    kind: str
    status: WindowStatus
    state: WindowView  # closed, idle, calling, serving, paused
    reason: str
    ticket: Ticket | None
    updated_at: float
    changed: bool = False  # serves otherwise than the layout file says (a manager's change)


def waiting(
    conn: Connection,
    day: str,
    now: float,
    candidate: Callable[[Any], Candidate],
    window: DispatchWindow | None = None,
    domain: str | None = None,
) -> list[Ticket]:
    """Waiting tickets in dispatch order; only those ``window`` may serve, if given."""
    cands = [candidate(r) for r in tickets.line(conn, day, now)]
    if window is not None:  # held for it (back with a material) first: as it calls them
        cands = [c for c in cands if eligible(c, window)]
        cands.sort(key=lambda c: c.held_for is None)
    if domain is not None:
        cands = [c for c in cands if domain in c.domains]
    found = tickets.many(conn, [c.id for c in cands])
    return [found[c.id] for c in cands]


def view(status: WindowStatus, t: Ticket | None) -> WindowView:
    if status is WindowStatus.CLOSED:
        return WindowView.CLOSED
    if status is WindowStatus.PAUSED:
        return WindowView.PAUSED
    if t is None:
        return WindowView.IDLE
    return WindowView.SERVING if t.status is Status.SERVING else WindowView.CALLING


def window_infos(conn: Connection, layout: Layout, today: str) -> list[WindowInfo]:
    """Every window with its state and current ticket (a ticket of an earlier day is not
    current: the day rolls over at its first operation)."""
    rows = {r.number: r for r in windows.rows(conn)}
    held = tickets.many(conn, [r.current_ticket for r in rows.values() if r.current_ticket])
    out = []
    for w in layout.hall.windows:
        r = rows[w.number]
        t = held.get(r.current_ticket) if r.current_ticket else None
        if t is not None and t.day != today:
            t = None
        status = WindowStatus(r.status)
        out.append(
            WindowInfo(
                w.number,
                w.name,
                w.kind.value,
                status,
                view(status, t),
                r.reason,
                t,
                r.updated_at,
                w.number in layout.changed,
            )
        )
    return out
