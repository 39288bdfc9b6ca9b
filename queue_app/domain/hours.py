"""The hall's hours as instants of a business day, and whether tickets may be issued."""

from __future__ import annotations

import datetime as dt

from queue_app.domain.errors import N_, Text
from queue_app.domain.hall import Hall
from queue_app.domain.refusals import OutsideHours

WEEKDAYS = tuple(  # ISO order, Monday first
    Text(day)
    for day in (
        N_("Monday"),
        N_("Tuesday"),
        N_("Wednesday"),
        N_("Thursday"),
        N_("Friday"),
        N_("Saturday"),
        N_("Sunday"),
    )
)


def at(hall: Hall, day: str, hhmm: str) -> float:
    """The instant of local time ``hhmm`` on business day ``day``."""
    hours, minutes = hhmm.split(":")
    midnight = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), hall.zone)
    return (midnight + dt.timedelta(hours=int(hours), minutes=int(minutes))).timestamp()


def business_day(hall: Hall, now: float) -> str:
    return hall.business_day(dt.datetime.fromtimestamp(now, tz=dt.UTC)).isoformat()


def lunch(hall: Hall, day: str) -> tuple[float, float] | None:
    """The day's lunch break as instants (start, end), if the hall has one."""
    if hall.hours.lunch is None:
        return None
    return at(hall, day, hall.hours.lunch.start), at(hall, day, hall.hours.lunch.end)


def require_issuing(hall: Hall, now: float, open_until: float | None) -> None:
    """Refuse a ticket outside the hall's issuing hours (a weekday it opens, from opening to
    ``issue_until`` or closing), unless a manager opened issuing until later."""
    if open_until is not None and now < open_until:
        return
    h = hall.hours
    day = business_day(hall, now)
    weekday = dt.date.fromisoformat(day).isoweekday()
    until = h.issue_until or h.close
    if weekday in h.weekdays and at(hall, day, h.open) <= now < at(hall, day, until):
        return
    days = [WEEKDAYS[d - 1] for d in h.weekdays]
    raise OutsideHours(start=h.open, until=until, weekdays=days)
