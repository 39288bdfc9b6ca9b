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
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy import bindparam as bp

from queue_app.domain import hours
from queue_app.domain.booked import NO_SHOW_SHARE, Booked
from queue_app.domain.catalog import Catalog
from queue_app.domain.dispatch import Candidate, eligible, order_key
from queue_app.domain.forecast import (
    HandlingModel,
    OpenWindow,
    back_after_lunch,
    booked_candidates,
    busy_rate,
    expected_remaining,
    lunch_away,
)
from queue_app.domain.hall import Hall
from queue_app.domain.line_forecast import LineForecast
from queue_app.domain.ticket import Status
from queue_app.domain.window_state import WindowStatus
from queue_app.store import events, tickets
from queue_app.store.hall_key import mine, of, params
from queue_app.store.settings import Layout
from queue_app.store.tables import ticket_t, window_t
from queue_app.store.uow import EventInfo

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
        # 补材料: the time served before a park counts, the time away not
        func.avg(T.finished_at - T.started_at + T.handled_before).label("handling"),
        func.sum(T.finished_at - T.called_at + T.handled_before).label("busy"),
    )
    .where(mine(ticket_t), T.day == bp("day"), T.status == DONE, T.window.is_not(None))
    .group_by(T.window)
)
_IN_HAND = select(T.id, T.matters, T.called_at).where(
    mine(ticket_t), T.day == bp("day"), T.status.in_(IN_HAND)
)
_WINDOWS = select(
    window_t.c.number, window_t.c.status, window_t.c.current_ticket, window_t.c.updated_at
).where(mine(window_t), window_t.c.status.in_((OPEN, CLOSED)))


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
                select(T.id, T.matters, T.called_at, T.finished_at, T.handled_before)
                .where(
                    T.hall == of(conn),
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
                minutes = (r.finished_at - r.called_at + r.handled_before) / 60.0
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


REFRESH_S = 60.0  # a forecast older than this is made again (tickets in hand run on)
# events that change neither the line nor the windows
_HARMLESS = frozenset(
    {"rated", "opened_late", "slip_printed", "printer_state", "slip_requested"}
    | {"booked", "booking_moved", "booking_cancelled", "checked_in", "booking_no_show"}
    | {"slots_closed", "slots_reopened", "ban_lifted"}  # bookings: the line's own events
)


@dataclass
class _Line:
    """A forecast of the whole line, and how far into the event log it reaches."""

    day: str
    built_at: float
    cursor: int
    layout: Layout
    forecast: LineForecast
    line: list[Candidate]  # in dispatch order as of ``built_at`` (walk-ins join the end)
    ids: dict[int, int]  # ticket id -> its place in ``line``
    kinds: Counter[tuple[object, ...]]  # tickets of each reach kind
    samples: dict[tuple[object, ...], Candidate]


def _reach(c: Candidate) -> tuple[object, ...]:
    return (c.matters, c.priority, c.target_window, c.target_domain, c.held_for)


def _no_bookings(conn: Connection, day: str) -> Sequence[Booked]:
    """The supplier of a hall without bookings."""
    return ()


class Forecasts:
    """The slip's figures for a waiting ticket: one forecast of the whole line, made once
    per change of the line and shared by every slip and status page until the next; a
    walk-in joining the end of the line is added to it (``LineForecast.extend``), so a
    slip costs one read of the event log whatever the line's length.

    ``booked``: the day's bookings not yet checked in (``Store.booked``), which the forecast
    expects at their slots (a share ``booked_no_show`` of them never comes); none by
    default."""

    def __init__(
        self,
        hall: Hall,
        catalog: Catalog,
        candidate: Callable[[Any], Candidate],
        domains: Callable[[frozenset[str]], frozenset[str]],
        booked: Callable[[Connection, str], Sequence[Booked]] = _no_bookings,
        booked_no_show: float = NO_SHOW_SHARE,
    ) -> None:
        self.hall = hall
        self.booked = booked
        self.booked_no_show = booked_no_show
        self.learned = LearnedMinutes(catalog)
        self._candidate = candidate
        self._domains = domains
        lunch = hall.hours.lunch
        self._on_duty = frozenset(lunch.on_duty if lunch else ())  # 午间不打烊
        self._lock = threading.Lock()
        self._line: _Line | None = None
        self._competes: dict[tuple[tuple[object, ...], frozenset[int]], bool] = {}
        self.rebuilds = 0  # forecasts made from the database (tests and benchmarks read it)

    def slip(
        self,
        conn: Connection,
        me: Candidate,
        day: str,
        now: float,
        layout: Callable[[Connection], Layout],
    ) -> Slip:
        with self._lock:
            cached = self._current(conn, day, now, layout)
            if me.id not in cached.ids:  # not in line when the forecast was made
                cached = self._make(conn, day, now, layout(conn), events.last_id(conn))
            return Slip(self._ahead(cached, me), cached.forecast.wait(me, now))

    def _current(
        self, conn: Connection, day: str, now: float, layout: Callable[[Connection], Layout]
    ) -> _Line:
        cached = self._line
        if cached is None or cached.day != day or now - cached.built_at > REFRESH_S:
            return self._make(conn, day, now, layout(conn), events.last_id(conn))
        new = events.after(conn, cached.cursor)
        for e in new:
            if e.kind in _HARMLESS or (e.kind == "issued" and e.ticket_id in cached.ids):
                continue
            joiner = self._joiner(e, day)
            f = cached.forecast
            if joiner is None or not f.can_extend(joiner) or not f.extend(joiner):
                return self._make(conn, day, now, layout(conn), new[-1].id)
            self._add(cached, joiner)
        if new:
            cached.cursor = new[-1].id
        return cached

    def _joiner(self, e: EventInfo, day: str) -> Candidate | None:
        """The candidate an ``issued`` event of ``day`` adds to the line, else None."""
        if e.kind != "issued" or e.day != day or e.ticket_id is None:
            return None
        matters = frozenset(e.detail.get("matters", ()))
        return Candidate(
            id=e.ticket_id,
            matters=matters,
            queue_key=e.detail.get("appointment_at") or e.at,
            priority=e.detail.get("priority") is not None,
            appointment_at=e.detail.get("appointment_at"),
            domains=self._domains(matters),
        )

    @staticmethod
    def _add(cached: _Line, c: Candidate) -> None:
        """``c`` into the line at its place in dispatch order: the end, but for a walk-in
        committed after a later one (it goes a few places back)."""
        line, mark = cached.line, order_key(c, cached.built_at)
        place = len(line)
        while place and order_key(line[place - 1], cached.built_at) > mark:
            place -= 1
        line.insert(place, c)
        for i in range(place, len(line)):
            cached.ids[line[i].id] = i
        key = _reach(c)
        cached.kinds[key] += 1
        cached.samples.setdefault(key, c)

    def _ahead(self, cached: _Line, me: Candidate) -> int:
        """People before ``me`` in line who compete for the windows that may serve it."""
        layout = cached.layout
        mine = frozenset(layout.coverage.windows_for(me.matters))
        dws = [layout.dispatch[n] for n in mine]

        def competes(c: Candidate) -> bool:
            key = (_reach(c), mine)
            hit = self._competes.get(key)
            if hit is None:
                if len(self._competes) > 50_000:
                    self._competes.clear()
                hit = self._competes[key] = any(eligible(c, w) for w in dws)
            return hit

        # The line is in dispatch order, so those ahead of ``me`` are the ones before its
        # place: count them, or (nearer the end) all competitors less those from it on.
        place = cached.ids.get(me.id)
        if place is None:  # called (or ended) meanwhile, by another desk or server
            mark = order_key(me, cached.built_at)
            return sum(
                1 for c in cached.line if order_key(c, cached.built_at) < mark and competes(c)
            )
        if place <= len(cached.line) // 2:
            return sum(1 for c in cached.line[:place] if competes(c))
        everyone = sum(n for k, n in cached.kinds.items() if competes(cached.samples[k]))
        return everyone - sum(1 for c in cached.line[place:] if competes(c))

    def _make(self, conn: Connection, day: str, now: float, layout: Layout, cursor: int) -> _Line:
        """The forecast from the database's state (the event log read up to ``cursor``)."""
        self.rebuilds += 1
        line = [self._candidate(r) for r in tickets.line(conn, day, now)]
        model = self.learned.update(conn, day)
        windows = self._windows(conn, day, now, layout, model)
        forecast = LineForecast.of(
            line,
            windows,
            model,
            now,
            policy=self.hall.dispatch.policy,
            aging_seconds=self.hall.dispatch.aging_minutes * 60.0,
            booked=booked_candidates(self.booked(conn, day), now, self._domains),
            no_show=self.booked_no_show,
        )
        cached = _Line(day, now, cursor, layout, forecast, [], {}, Counter(), {})
        for c in line:
            self._add(cached, c)
        self._line = cached
        return cached

    def _windows(
        self, conn: Connection, day: str, now: float, layout: Layout, model: HandlingModel
    ) -> list[OpenWindow]:
        """The windows as the forecast sees them: open ones with what they hold, and those
        closed for lunch with when they are back."""
        dispatch = layout.dispatch
        lunch = hours.lunch(self.hall, day)
        done = {r.window: r for r in conn.execute(DONE_BY_WINDOW, params(conn, day=day))}
        current = {r.id: r for r in conn.execute(_IN_HAND, params(conn, day=day))}
        windows: list[OpenWindow] = []
        for w in conn.execute(_WINDOWS, params(conn)):
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
        return windows
