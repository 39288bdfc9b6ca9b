"""Reads for the public display board: the latest calls and the waiting line by class.

Numbers, windows and counts only: nothing here touches a person.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from queue_app.domain.ticket import Status
from queue_app.store.hall_key import of
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
