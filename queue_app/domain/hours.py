"""The hall's hours as instants of a business day, and whether tickets may be issued."""

from __future__ import annotations

import datetime as dt

from queue_app.domain.errors import Refused
from queue_app.domain.hall import Hall


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
    days = "、".join("一二三四五六日"[d - 1] for d in h.weekdays)
    raise Refused(
        "outside_hours",
        f"现在不在取号时间（周{days} {h.open}–{until}），请在办公时间取号；"
        "如需延时，请大厅经理开启延时取号",
        f"tickets are issued {h.open}-{until} on weekdays {h.weekdays} (ISO); a manager may "
        "open issuing late",
        "day",
    )
