"""The event log: every change appends one row; readers follow it forward by id."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select
from sqlalchemy import bindparam as bp

from queue_app.domain.ticket import Ticket
from queue_app.store import hall_key
from queue_app.store.hall_key import PARAM, mine, params
from queue_app.store.tables import event_t
from queue_app.store.uow import EventInfo, Tx

E = event_t.c
_INSERT = insert(event_t).returning(E.id)
_INSERT_ONE = hall_key.inserting(event_t)
_AFTER = select(event_t).where(mine(event_t), E.id > bp("after")).order_by(E.id).limit(bp("lim"))
_LAST = select(func.max(E.id)).where(mine(event_t))


@dataclass(frozen=True, slots=True)
class New:
    """An event to log."""

    kind: str
    actor: str
    day: str
    ticket: Ticket | None = None
    window: int | None = None
    detail: Mapping[str, Any] | None = None


def append(
    tx: Tx,
    kind: str,
    actor: str,
    day: str,
    *,
    ticket: Ticket | None = None,
    window: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> EventInfo:
    """Log one event at the transaction's instant; it is in ``tx.events`` once logged."""
    return append_many(tx, [New(kind, actor, day, ticket, window, detail)])[0]


def append_many(tx: Tx, new: list[New]) -> list[EventInfo]:
    """Log several events in one statement, in order."""
    if not new:
        return []
    hall = tx.hall
    rows: list[dict[str, Any]] = [
        {
            "hall": hall,
            "at": tx.now,
            "day": e.day,
            "kind": e.kind,
            "ticket_id": e.ticket.id if e.ticket else None,
            "ticket_number": e.ticket.number if e.ticket else None,
            "window": e.window,
            "actor": e.actor,
            "detail": json.dumps(dict(e.detail or {}), ensure_ascii=False, default=str),
        }
        for e in new
    ]
    if len(rows) == 1:
        ids = [tx.conn.execute(_INSERT_ONE[tx.dialect], {PARAM: hall, **rows[0]}).scalar_one()]
    else:  # one multi-row INSERT: a generated key is given in the rows' order
        given = hall_key.next_id(tx.conn, event_t, len(rows))
        for row, i in zip(rows, given or (), strict=bool(given)):
            row["id"] = i
        ids = sorted(tx.conn.execute(_INSERT, rows).scalars())
    out = [
        EventInfo(
            i,
            tx.now,
            r["day"],
            r["kind"],
            r["ticket_number"],
            r["window"],
            r["actor"],
            dict(e.detail or {}),
            r["ticket_id"],
        )
        for i, r, e in zip(ids, rows, new, strict=True)
    ]
    tx.events.extend(out)
    return out


def info(row: Any) -> EventInfo:
    return EventInfo(
        row.id,
        row.at,
        row.day,
        row.kind,
        row.ticket_number,
        row.window,
        row.actor,
        json.loads(row.detail),
        row.ticket_id,
    )


def after(conn: Connection, event_id: int, limit: int = 1000) -> list[EventInfo]:
    """Events logged after ``event_id`` (by any process), oldest first."""
    return [info(r) for r in conn.execute(_AFTER, params(conn, after=event_id, lim=limit))]


def last_id(conn: Connection) -> int:
    return int(conn.execute(_LAST, params(conn)).scalar() or 0)


def select_events(hall: str, day: str, ticket: str | None, kinds: tuple[str, ...] = ()) -> Any:
    """The events of ``hall`` on ``day`` (of one ticket number, of some kinds), oldest
    first."""
    stmt = select(event_t).where(E.hall == hall, E.day == day)
    if ticket is not None:
        stmt = stmt.where(E.ticket_number == ticket)
    if kinds:
        stmt = stmt.where(E.kind.in_(kinds))
    return stmt.order_by(E.id)
