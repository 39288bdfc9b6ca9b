"""The bookable slots of a hall's days, and which scope a booking's matters fall in. Pure.

A slot is ``slot_minutes`` long; a day's slots run back to back from opening until
issuing ends (``issue_until``, else closing; on a half day its early close), skipping any
that overlaps the lunch break. No slots on the weekdays the hall is closed, on its
``holidays``, or before now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from queue_app.domain.booking_rules import SlotScope
from queue_app.domain.hall import Coverage, Hall


@dataclass(frozen=True, slots=True)
class Slot:
    """One slot of a day (times in hall time, ``at``/``end_at`` POSIX seconds)."""

    day: str
    start: str  # HH:MM
    end: str
    at: float
    end_at: float


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _instant(hall: Hall, day: dt.date, minutes: int) -> float:
    midnight = dt.datetime.combine(day, dt.time(), hall.zone)
    return (midnight + dt.timedelta(minutes=minutes)).timestamp()


def day_slots(hall: Hall, day: dt.date) -> list[Slot]:
    """Every slot of ``day`` (none when the hall is closed that day)."""
    rules, hours = hall.bookings, hall.hours
    if day.isoweekday() not in hours.weekdays or day in rules.holidays:
        return []
    first = _minutes(hours.open)
    last = _minutes(hours.issue_until or hours.close)
    early = rules.half_days.get(day)
    if early is not None:
        last = min(last, _minutes(early))
    lunch = (
        (_minutes(hours.lunch.start), _minutes(hours.lunch.end))
        if hours.lunch is not None
        else None
    )
    size = rules.slot_minutes
    out: list[Slot] = []
    start = first
    while start + size <= last:
        end = start + size
        if lunch is not None and start < lunch[1] and end > lunch[0]:
            start = lunch[1]
            continue
        out.append(
            Slot(
                day.isoformat(),
                _hhmm(start),
                _hhmm(end),
                _instant(hall, day, start),
                _instant(hall, day, end),
            )
        )
        start = end
    return out


def bookable_days(today: dt.date, horizon_days: int) -> list[dt.date]:
    """Today and the ``horizon_days`` days after it."""
    return [today + dt.timedelta(days=i) for i in range(horizon_days + 1)]


def slot_starting(hall: Hall, at: float) -> Slot | None:
    """The slot starting at instant ``at``, if there is one."""
    day = dt.datetime.fromtimestamp(at, hall.zone).date()
    return next((s for s in day_slots(hall, day) if s.at == at), None)


def scope_for(hall: Hall, coverage: Coverage, codes: frozenset[str]) -> SlotScope | None:
    """The first scope of the hall's ``bookings`` covering every matter of ``codes`` (a
    window of the hall must serve them all at once, as for a ticket)."""
    windows = set(coverage.windows_for(codes))
    if not codes or not windows:
        return None
    domains = {coverage.catalog.matter_by_code[c].domain for c in codes}
    for scope in hall.bookings.scopes:
        if scope.domains and domains <= set(scope.domains):
            return scope
        if scope.windows and windows & scope.window_set():
            return scope
    return None


def check_in_window(hall: Hall, slot_at: float) -> tuple[float, float]:
    """When a booking of the slot starting at ``slot_at`` may be checked in: from, until.
    A booking not checked in by ``until`` is a no-show."""
    c = hall.bookings.check_in
    return slot_at - 60.0 * c.before_minutes, slot_at + 60.0 * c.after_minutes
