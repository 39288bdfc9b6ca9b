"""The day's figures for managers: counts, per-window work, waits per domain, the line
over the day, and staffing."""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from queue_app.domain.catalog import Catalog
from queue_app.domain.figures import (
    WAITING_STEP,
    DomainWait,
    open_load_balance,
    queue_series,
    waits_by_domain,
)
from queue_app.domain.forecast import HandlingModel
from queue_app.domain.hall import Hall
from queue_app.domain.staffing_now import HourNeed, hourly_needs, p90_with
from queue_app.domain.ticket import Status
from queue_app.store import windows
from queue_app.store.forecast import DONE_BY_WINDOW, IN_HAND
from queue_app.store.hall_key import of, params
from queue_app.store.tables import event_t, ticket_t

T, E = ticket_t.c, event_t.c
_WINDOW_CHANGES = ("window_opened", "window_closed", "window_paused", "window_resumed", "rated")


@dataclass(frozen=True, slots=True)
class WindowFigures:
    """One window's day so far."""

    window: int
    served: int  # tickets finished here
    bundles: int  # of them, 一件事 bundles served in one visit
    mean_handling_s: float | None  # start → finish
    busy_s: float  # call → finish, and the current ticket so far
    open_s: float  # time open since the day's first opening (paused time excluded)
    ratings: int
    mean_rating: float | None

    @property
    def mean_handling_minutes(self) -> float | None:
        return self.mean_handling_s / 60 if self.mean_handling_s else None

    @property
    def busy_minutes(self) -> float:
        return self.busy_s / 60

    @property
    def open_minutes(self) -> float:
        return self.open_s / 60

    @property
    def utilisation(self) -> float | None:
        """Busy over open time (None before the window opened)."""
        return min(1.0, self.busy_s / self.open_s) if self.open_s > 0 else None


@dataclass(frozen=True, slots=True)
class WindowStats:
    """Every window's day so far, and how evenly the work fell on the open ones."""

    day: str
    windows: list[WindowFigures]

    @property
    def load_balance(self) -> float | None:
        """Over the windows open at least 30 minutes (see ``open_load_balance``)."""
        return open_load_balance([(f.busy_s, f.open_s) for f in self.windows])

    @property
    def bundles_served(self) -> int:
        return sum(f.bundles for f in self.windows)


@dataclass(frozen=True, slots=True)
class DomainWaits:
    day: str
    domains: list[DomainWait]  # longest mean wait first


@dataclass(frozen=True, slots=True)
class StaffingNow:
    day: str
    target_minutes: float  # the p90 wait to stay within (the hall's wait target)
    hold_minutes: float  # learned minutes a ticket holds a window, over today's tickets
    open_windows: int
    hours: list[HourNeed]  # the day's hours so far
    p90_now: float  # Erlang C p90 of the latest hour's load on the windows open now (inf:
    # they cannot keep up)


def counts(conn: Connection, day: str) -> dict[str, int]:
    """Tickets of ``day`` by status."""
    rows = conn.execute(
        select(T.status, func.count()).where(T.hall == of(conn), T.day == day).group_by(T.status)
    ).all()
    out = {s.value: 0 for s in Status}
    out.update({r[0]: int(r[1]) for r in rows})
    return out


def window_figures(conn: Connection, hall: Hall, day: str, now: float) -> list[WindowFigures]:
    """Every window's served count, handling and busy time, time open and ratings."""
    hall_ = of(conn)
    done = {r.window: r for r in conn.execute(DONE_BY_WINDOW, params(conn, day=day))}
    current = {
        r.window: now - (r.called_at or now)
        for r in conn.execute(
            select(T.window, T.called_at).where(
                T.hall == hall_, T.day == day, T.status.in_(IN_HAND), T.window.is_not(None)
            )
        )
    }
    changes = conn.execute(
        select(E.window, E.kind, E.at, E.detail)
        .where(E.hall == hall_, E.day == day, E.kind.in_(_WINDOW_CHANGES))
        .order_by(E.id)
    ).all()
    open_s: dict[int, float] = {}
    since: dict[int, float] = {}
    ratings: dict[int, list[int]] = {}
    for w, kind, at, detail in changes:
        if kind == "rated":
            ratings.setdefault(w, []).append(int(json.loads(detail)["level"]))
        elif kind in ("window_opened", "window_resumed"):
            since.setdefault(w, at)
        elif w in since:  # closed or paused
            open_s[w] = open_s.get(w, 0.0) + at - since.pop(w)
    for w, at in since.items():
        open_s[w] = open_s.get(w, 0.0) + now - at
    out = []
    for win in hall.windows:
        r = done.get(win.number)
        rs = ratings.get(win.number, [])
        out.append(
            WindowFigures(
                window=win.number,
                served=int(r.served) if r else 0,
                bundles=int(r.bundles) if r else 0,
                mean_handling_s=float(r.handling) if r and r.handling is not None else None,
                busy_s=(float(r.busy or 0) if r else 0.0) + current.get(win.number, 0.0),
                open_s=open_s.get(win.number, 0.0),
                ratings=len(rs),
                mean_rating=sum(rs) / len(rs) if rs else None,
            )
        )
    return out


def domain_waits(conn: Connection, catalog: Catalog, day: str) -> list[DomainWait]:
    """Each domain's mean wait on ``day``: from issue to first call, over the tickets called
    so far (a transferred ticket's second wait is not a citizen's wait at the door)."""
    first_call = (
        select(E.ticket_id, func.min(E.at).label("at"))
        .where(E.hall == of(conn), E.day == day, E.kind == "called")
        .group_by(E.ticket_id)
        .subquery()
    )
    rows = conn.execute(
        select(first_call.c.at - T.issued_at, T.matters)
        .join(first_call, first_call.c.ticket_id == T.id)
        .where(T.hall == of(conn))
    ).all()
    domain = {m.code: m.domain for m in catalog.matters}
    return waits_by_domain(
        (float(waited), (domain.get(c, "?") for c in matters.split())) for waited, matters in rows
    )


def queue_over_day(
    conn: Connection, day: str, now: float, bucket_s: float
) -> tuple[float, list[int]]:
    """The waiting line's length every ``bucket_s`` since the day's first ticket (the start
    instant, and the lengths), replayed from the event log."""
    changes = [
        (float(at), str(kind))
        for at, kind in conn.execute(
            select(E.at, E.kind)
            .where(E.hall == of(conn), E.day == day, E.kind.in_(tuple(WAITING_STEP)))
            .order_by(E.id)
        )
    ]
    if not changes:
        return now, []
    start = changes[0][0] - changes[0][0] % bucket_s
    return start, queue_series(changes, start, max(now, start + 1), bucket_s)


def staffing(
    conn: Connection,
    hall: Hall,
    catalog: Catalog,
    model: HandlingModel,
    day: str,
    now: float,
    target: float,
) -> StaffingNow:
    """Windows needed on ``day`` hour by hour (Erlang C on the arrivals so far and the
    learned minutes a ticket holds a window, for a p90 wait within ``target`` minutes), and
    the windows open now."""
    rows = conn.execute(
        select(T.issued_at, T.matters).where(T.hall == of(conn), T.day == day)
    ).all()
    open_now = len(windows.open_numbers(conn))
    kinds: Mapping[str, int] = Counter(r.matters for r in rows)
    hold = (
        sum(model.minutes(frozenset(m.split())) * n for m, n in kinds.items()) / len(rows)
        if rows
        else statistics.fmean(m.minutes for m in catalog.matters)
    )
    midnight = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), hall.zone)
    starts = [(midnight + dt.timedelta(hours=h)).timestamp() for h in range(24)]
    hours = hourly_needs([r.issued_at for r in rows], starts, now, hold, target)
    while hours and hours[0].arrivals == 0:  # before the first ticket of the day
        hours.pop(0)
    load = hours[-1].load if hours else 0.0  # the latest hour seen long enough
    return StaffingNow(day, target, hold, open_now, hours, p90_with(open_now, load, hold))
