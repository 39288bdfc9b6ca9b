"""The window repository: each window's state row (status, reason, ticket in hand)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy import bindparam as bp

from queue_app.domain.window_state import WindowState, WindowStatus
from queue_app.store.hall_key import PARAM, mine, of, params
from queue_app.store.tables import window_t

W = window_t.c
_ONE = select(window_t).where(mine(window_t), W.number == bp("number"))
_ONE_LOCKED = _ONE.with_for_update()
_ALL = select(window_t).where(mine(window_t)).order_by(W.number)
_OPEN = select(W.number).where(mine(window_t), W.status == WindowStatus.OPEN.value)
_UPDATE = (
    update(window_t)
    .where(mine(window_t), W.number == bp("n"))
    .values(
        status=bp("v_status"),
        reason=bp("v_reason"),
        current_ticket=bp("v_current"),
        updated_at=bp("v_at"),
    )
)


def _state(row: Any) -> WindowState:
    return WindowState(row.number, WindowStatus(row.status), row.reason, row.current_ticket)


def state(conn: Connection, number: int, *, lock: bool = False) -> WindowState:
    """A window's state; ``lock``: held for this transaction (PostgreSQL; SQLite's writer
    holds the whole database already)."""
    stmt = _ONE_LOCKED if lock and conn.dialect.name != "sqlite" else _ONE
    return _state(conn.execute(stmt, params(conn, number=number)).one())


def rows(conn: Connection) -> Sequence[Any]:
    """Every window's row (number, status, reason, current_ticket, updated_at)."""
    return conn.execute(_ALL, params(conn)).all()


def open_numbers(conn: Connection) -> list[int]:
    return list(conn.execute(_OPEN, params(conn)).scalars())


def put(conn: Connection, new: WindowState, now: float) -> None:
    conn.execute(
        _UPDATE,
        {
            PARAM: of(conn),
            "n": new.number,
            "v_status": new.status.value,
            "v_reason": new.reason,
            "v_current": new.current_ticket,
            "v_at": now,
        },
    )


def put_many(conn: Connection, states: Iterable[WindowState], now: float) -> None:
    hall = of(conn)
    given = [
        {
            PARAM: hall,
            "n": s.number,
            "v_status": s.status.value,
            "v_reason": s.reason,
            "v_current": s.current_ticket,
            "v_at": now,
        }
        for s in states
    ]
    if given:
        conn.execute(_UPDATE, given)


def ensure(conn: Connection, numbers: Iterable[int], now: float) -> None:
    """A row (closed) for every window of the hall that has none yet."""
    hall = of(conn)
    known = set(conn.execute(select(W.number).where(W.hall == hall)).scalars())
    new = [
        {
            "hall": hall,
            "number": n,
            "status": WindowStatus.CLOSED.value,
            "reason": "",
            "current_ticket": None,
            "updated_at": now,
        }
        for n in numbers
        if n not in known
    ]
    if new:
        conn.execute(insert(window_t), new)
