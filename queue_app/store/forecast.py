"""The slip's people ahead and estimated wait (and the status page's): the domain's
estimator (``domain.forecast``) fed with the waiting line, the open windows and what each
is doing, service rates from busy time, and handling minutes learned from finished work.

The learned minutes start from the catalog's and take in the last ``HISTORY_DAYS`` business
days' finished tickets once, then each newly finished ticket (read forward by finishing
time, so every process sharing the database learns the same from the same rows).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy import bindparam as bp

from queue_app.domain import hours
from queue_app.domain.catalog import Catalog
from queue_app.domain.dispatch import Candidate, eligible, order_key
from queue_app.domain.forecast import (
    HandlingModel,
    OpenWindow,
    back_after_lunch,
    busy_rate,
    estimate_wait,
    expected_remaining,
    lunch_away,
)
from queue_app.domain.hall import Hall
from queue_app.domain.ticket import Status
from queue_app.domain.window_state import WindowStatus
from queue_app.store import tickets
from queue_app.store.settings import Layout
from queue_app.store.tables import ticket_t, window_t

T = ticket_t.c
HISTORY_DAYS = 7
DONE = Status.DONE.value
OPEN, CLOSED = WindowStatus.OPEN.value, WindowStatus.CLOSED.value
IN_HAND = (Status.CALLED.value, Status.SERVING.value)

# Per window, the tickets finished on a day: how many, of them bundles, mean handling (start
# to finish) and busy time (call to finish).
DONE_BY_WINDOW = (
    select(
        T.window,
        func.count().label("served"),
        func.count(T.bundle).label("bundles"),
        func.avg(T.finished_at - T.started_at).label("handling"),
        func.sum(T.finished_at - T.called_at).label("busy"),
    )
    .where(T.day == bp("day"), T.status == DONE, T.window.is_not(None))
    .group_by(T.window)
)
_IN_HAND = select(T.id, T.matters, T.called_at).where(T.day == bp("day"), T.status.in_(IN_HAND))
_WINDOWS = select(
    window_t.c.number, window_t.c.status, window_t.c.current_ticket, window_t.c.updated_at
).where(window_t.c.status.in_((OPEN, CLOSED)))


class LearnedMinutes:
    """A ``HandlingModel`` kept up to date from the ticket table (thread-safe)."""

    def __init__(self, catalog: Catalog) -> None:
        self.model = HandlingModel({m.code: m.minutes for m in catalog.matters})
        self._since = ""  # the first business day taken in
        self._seen_at = -1.0  # finishing time of the newest ticket taken in
        self._seen_ids: set[int] = set()  # those finished at exactly ``_seen_at``
        self._lock = threading.Lock()

    def update(self, conn: Connection, day: str) -> HandlingModel:
        with self._lock:
            if not self._since:
                start = dt.date.fromisoformat(day) - dt.timedelta(days=HISTORY_DAYS)
                self._since = start.isoformat()
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


@dataclass(frozen=True, slots=True)
class Slip:
    ahead: int  # people before it in line who compete for the windows that may serve it
    wait_minutes: float | None  # None while no open window may serve it


class Forecasts:
    """The slip's figures for a waiting ticket, from the database's state."""

    def __init__(self, hall: Hall, catalog: Catalog, candidate: Callable[[Any], Candidate]) -> None:
        self.hall = hall
        self.learned = LearnedMinutes(catalog)
        self._candidate = candidate
        lunch = hall.hours.lunch
        self._on_duty = frozenset(lunch.on_duty if lunch else ())  # 午间不打烊

    def slip(self, conn: Connection, me: Candidate, day: str, now: float, layout: Layout) -> Slip:
        line = [self._candidate(r) for r in tickets.line(conn, day, now)]
        mine = [layout.dispatch[n] for n in layout.coverage.windows_for(me.matters)]
        key = order_key(me, now)
        ahead = sum(
            1
            for c in line
            if c.id != me.id and order_key(c, now) < key and any(eligible(c, w) for w in mine)
        )
        return Slip(ahead, self._wait(conn, me, line, day, now, layout))

    def _wait(
        self,
        conn: Connection,
        me: Candidate,
        line: list[Candidate],
        day: str,
        now: float,
        layout: Layout,
    ) -> float | None:
        model = self.learned.update(conn, day)
        dispatch = layout.dispatch
        lunch = hours.lunch(self.hall, day)
        done = {r.window: r for r in conn.execute(DONE_BY_WINDOW, {"day": day})}
        current = {r.id: r for r in conn.execute(_IN_HAND, {"day": day})}
        windows: list[OpenWindow] = []
        for w in conn.execute(_WINDOWS):
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
                mean = model.minutes(frozenset(t.matters.split()))
                remaining = expected_remaining(mean, max(0.0, now - t.called_at) / 60.0)
            away = lunch_away(now, lunch) if lunch and w.number not in self._on_duty else None
            windows.append(OpenWindow(dispatch[w.number], remaining, rate, away))
        policy = self.hall.dispatch.policy
        aging = self.hall.dispatch.aging_minutes * 60.0
        return estimate_wait(me, line, windows, model, now, policy=policy, aging_seconds=aging)
