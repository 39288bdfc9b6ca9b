"""A hall at a glance, for the city's view: its line, its windows, its day so far."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from queue_app.domain.hall import Hall
from queue_app.domain.ticket import Status
from queue_app.domain.window_state import WindowStatus
from queue_app.store import windows
from queue_app.store.hall_key import of
from queue_app.store.read import figures
from queue_app.store.read.figures import WindowStats
from queue_app.store.tables import event_t, ticket_t

T, E = ticket_t.c, event_t.c
POOR = 2  # ratings of this level or lower: 不满意, 非常不满意 (差评)


@dataclass(frozen=True, slots=True)
class HallSummary:
    day: str
    waiting: int
    longest_wait_s: float | None  # the longest a waiting ticket has waited so far
    windows_open: int
    windows_busy: int  # open and holding a ticket (called or being served)
    served: int
    ratings: int  # 好差评 given today
    poor_ratings: int  # of them 不满意 or 非常不满意
    load_balance: float | None  # how unevenly work fell on the open windows (0 = even)
    target_wait_minutes: float


def summary(conn: Connection, hall: Hall, day: str, now: float, target: float) -> HallSummary:
    """Hall ``hall`` on ``day`` at ``now``, against its wait ``target`` (minutes)."""
    counts = figures.counts(conn, day)
    oldest = conn.execute(
        select(func.min(T.issued_at)).where(
            T.hall == of(conn), T.day == day, T.status == Status.WAITING.value
        )
    ).scalar()
    rows = windows.rows(conn)
    levels = [
        int(json.loads(detail).get("level", 0))
        for detail in conn.execute(
            select(E.detail).where(E.hall == of(conn), E.day == day, E.kind == "rated")
        ).scalars()
    ]
    stats = WindowStats(day, figures.window_figures(conn, hall, day, now))
    return HallSummary(
        day=day,
        waiting=counts[Status.WAITING.value],
        longest_wait_s=max(0.0, now - oldest) if oldest is not None else None,
        windows_open=sum(1 for r in rows if r.status == WindowStatus.OPEN.value),
        windows_busy=sum(
            1 for r in rows if r.status == WindowStatus.OPEN.value and r.current_ticket is not None
        ),
        served=counts[Status.DONE.value],
        ratings=len(levels),
        poor_ratings=sum(1 for level in levels if level <= POOR),
        load_balance=stats.load_balance,
        target_wait_minutes=target,
    )
