"""The wait shown on the slip and the status page, from the database's state: the domain's
estimator (``domain.forecast``) fed with the waiting line, the open windows and what each is
doing, service rates from busy time, and handling minutes learned from finished work.

The learned minutes start from the catalog's and take in the last ``HISTORY_DAYS`` business
days' finished tickets once, then each newly finished ticket (read forward by finishing
time, so every process sharing the database learns the same from the same rows)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, select

from queue_app.domain.catalog import Catalog
from queue_app.domain.dispatch import Candidate, DispatchWindow, Policy
from queue_app.domain.forecast import (
    HandlingModel,
    OpenWindow,
    back_after_lunch,
    busy_rate,
    estimate_wait,
    expected_remaining,
    lunch_away,
)
from queue_app.domain.ticket import Status
from queue_app.domain.window_state import WindowStatus
from queue_app.store import statements as q
from queue_app.store.tables import ticket_t, window_t

T = ticket_t.c
HISTORY_DAYS = 7
DONE = Status.DONE.value
OPEN, CLOSED = WindowStatus.OPEN.value, WindowStatus.CLOSED.value


class LearnedMinutes:
    """A ``HandlingModel`` kept up to date from the ticket table (thread-safe)."""

    def __init__(self, catalog: Catalog) -> None:
        self.prior = {m.code: m.minutes for m in catalog.matters}
        self.model = HandlingModel(self.prior)
        self._since = ""  # the first business day taken in
        self._seen_at = -1.0  # finishing time of the newest ticket taken in
        self._seen_ids: set[int] = set()  # those finished at exactly ``_seen_at``
        self._lock = threading.Lock()

    def update(self, conn: Connection, day: str) -> HandlingModel:
        with self._lock:
            since = (dt.date.fromisoformat(day) - dt.timedelta(days=HISTORY_DAYS)).isoformat()
            if not self._since:
                self._since = since
            rows = conn.execute(
                select(T.id, T.matters, T.called_at, T.finished_at)
                .where(
                    T.day >= self._since,
                    T.status == DONE,
                    T.finished_at >= self._seen_at,
                    T.called_at.is_not(None),
                )
                .order_by(T.finished_at, T.id)
            ).all()
            for r in rows:
                if r.finished_at == self._seen_at and r.id in self._seen_ids:
                    continue
                minutes = (r.finished_at - r.called_at) / 60.0
                if minutes > 0:
                    self.model.observe(frozenset(r.matters.split()), minutes)
                if r.finished_at > self._seen_at:
                    self._seen_at, self._seen_ids = r.finished_at, set()
                self._seen_ids.add(r.id)
            return self.model


def estimated_wait(
    conn: Connection,
    learned: LearnedMinutes,
    target: Candidate,
    waiting: Sequence[Candidate],
    dispatch: dict[int, DispatchWindow],
    day: str,
    now: float,
    *,
    policy: Policy,
    aging_seconds: float,
    matters_of: Callable[[str], frozenset[str]],
    lunch: tuple[float, float] | None = None,
    on_duty: frozenset[int] = frozenset(),
) -> float | None:
    """Minutes until ``target`` is called (None: no open window may serve it). ``lunch``:
    today's lunch break (start, end instants); the windows ``on_duty`` stay open over it,
    the others are away from it (once their ticket in hand is done) until it ends, and a
    window closed for it is expected back at its end."""
    model = learned.update(conn, day)
    done = {r.window: r for r in q.DONE_BY_WINDOW(conn, day=day, done=DONE).all()}
    current: dict[int, Any] = {
        r.id: r
        for r in conn.execute(
            select(T.id, T.matters, T.called_at).where(
                T.day == day, T.status.in_((Status.CALLED.value, Status.SERVING.value))
            )
        )
    }
    windows: list[OpenWindow] = []
    for w in conn.execute(
        select(
            window_t.c.number, window_t.c.status, window_t.c.current_ticket, window_t.c.updated_at
        ).where(window_t.c.status.in_((OPEN, CLOSED)))
    ):
        if w.number not in dispatch:
            continue
        d = done.get(w.number)
        rate = busy_rate(int(d.served), float(d.busy or 0) / 60.0) if d else None
        if w.status == CLOSED:
            back = back_after_lunch(float(w.updated_at), now, lunch) if lunch else None
            if back is not None:
                windows.append(OpenWindow(dispatch[w.number], rate=rate, away=back))
            continue
        remaining = None
        t = current.get(w.current_ticket) if w.current_ticket is not None else None
        if t is not None and t.called_at is not None:
            mean = model.minutes(matters_of(t.matters))
            remaining = expected_remaining(mean, max(0.0, now - t.called_at) / 60.0)
        away = lunch_away(now, lunch) if lunch and w.number not in on_duty else None
        windows.append(OpenWindow(dispatch[w.number], remaining, rate, away))
    return estimate_wait(
        target, waiting, windows, model, now, policy=policy, aging_seconds=aging_seconds
    )
