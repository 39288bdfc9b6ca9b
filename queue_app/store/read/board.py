"""Reads for the public display board: the latest calls, the waiting line by class, the
windows' states and the no-shows.

Numbers, windows and counts only: nothing here touches a person.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from queue_app.domain.ticket import Status
from queue_app.store.hall_key import of
from queue_app.store.read.line import WindowInfo
from queue_app.store.settings import Notice
from queue_app.store.tables import event_t, ticket_t

CALL_KINDS = ("called", "recalled")


@dataclass(frozen=True, slots=True)
class Call:
    ticket: str
    window: int
    at: float
    recall: bool


def recent_calls(
    conn: Connection, day: str, windows: Collection[int] = (), limit: int = 10
) -> list[Call]:
    """The latest calls of ``day`` (to ``windows`` only, if given), newest first; a ticket
    called again (a recall) appears once, at its latest call."""
    stmt = select(event_t.c.ticket_number, event_t.c.window, event_t.c.at, event_t.c.kind).where(
        event_t.c.hall == of(conn),
        event_t.c.day == day,
        event_t.c.kind.in_(CALL_KINDS),
        event_t.c.ticket_number.is_not(None),
        event_t.c.window.is_not(None),
    )
    if windows:
        stmt = stmt.where(event_t.c.window.in_(list(windows)))
    out: list[Call] = []
    seen: set[str] = set()
    # recalls repeat a number: read a few pages back until ``limit`` distinct numbers
    page, offset = limit * 4, 0
    while len(out) < limit:
        rows = conn.execute(stmt.order_by(event_t.c.id.desc()).limit(page).offset(offset)).all()
        for r in rows:
            if r.ticket_number not in seen:
                seen.add(r.ticket_number)
                out.append(Call(r.ticket_number, r.window, r.at, r.kind == "recalled"))
        if len(rows) < page:
            break
        offset += page
    return out[:limit]


def waiting_by_prefix(conn: Connection, day: str) -> dict[str, int]:
    """How many tickets of ``day`` wait, by ticket class prefix."""
    rows = conn.execute(
        select(ticket_t.c.prefix, func.count())
        .where(
            ticket_t.c.hall == of(conn),
            ticket_t.c.day == day,
            ticket_t.c.status == Status.WAITING.value,
        )
        .group_by(ticket_t.c.prefix)
    ).all()
    return {str(prefix): int(n) for prefix, n in rows}


@dataclass(frozen=True, slots=True)
class NoShow:
    ticket: str
    window: int | None
    at: float  # when it was marked a no-show


def no_shows(conn: Connection, day: str, limit: int = 30) -> tuple[list[NoShow], int]:
    """Today's no-shows (过号) still standing, newest first (a re-queued one waits again and
    is not among them): ``limit`` of them, and how many there are."""
    mine = (
        ticket_t.c.hall == of(conn),
        ticket_t.c.day == day,
        ticket_t.c.status == Status.NO_SHOW.value,
    )
    rows = conn.execute(
        select(ticket_t.c.number, ticket_t.c.window, ticket_t.c.finished_at)
        .where(*mine)
        .order_by(ticket_t.c.finished_at.desc(), ticket_t.c.id.desc())
        .limit(limit)
    ).all()
    total = conn.execute(select(func.count()).select_from(ticket_t).where(*mine)).scalar_one()
    return [NoShow(r.number, r.window, r.finished_at or 0.0) for r in rows], int(total)


@dataclass(frozen=True, slots=True)
class Board:
    """What the hall board shows, read at one instant."""

    calls: list[Call]  # the latest calls, newest first
    waiting: dict[str, int]  # by ticket class prefix
    windows: list[WindowInfo]
    no_shows: list[NoShow]
    no_show_count: int
    notice: Notice | None
