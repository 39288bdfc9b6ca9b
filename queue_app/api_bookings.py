"""Request and response bodies of the bookings API (``/api/book…``, ``/api/bookings…``),
shared by the server and the client."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from queue_app.api_models import _In

Mobile = Annotated[str, Field(min_length=1, max_length=40)]
At = Annotated[float, Field(ge=0, le=4e9)]
HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


def calendar_day(day: str) -> str:
    """A real calendar date (the pattern alone lets 2026-02-31 through)."""
    try:
        dt.date.fromisoformat(day)
    except ValueError:
        raise ValueError(f"expected a calendar date YYYY-MM-DD, got {day!r}") from None
    return day


DAY = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$"), AfterValidator(calendar_day)]
Status = Literal["booked", "checked_in", "cancelled", "no_show"]


class NamedMatter(BaseModel):
    code: str
    name: str


class SlotOut(BaseModel):
    start: str  # HH:MM, hall time
    end: str
    at: float  # the start, POSIX seconds: what POST /api/bookings takes
    capacity: int
    free: int  # places left (0 when closed)
    closed: bool  # a manager closed it


class SlotDayOut(BaseModel):
    day: str
    weekday: int  # ISO: Monday 1 … Sunday 7
    slots: list[SlotOut]  # those not yet begun (none on a day the hall is closed)


class SlotsOut(BaseModel):
    matters: list[NamedMatter]
    scope: str  # the slot scope the matters fall in
    days: list[SlotDayOut]  # today … today + horizon


class BookIn(_In):
    matters: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(
        default_factory=list, max_length=30
    )
    bundle: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    at: At
    mobile: Mobile


class MobileIn(_In):
    mobile: Mobile


class MoveIn(_In):
    mobile: Mobile
    at: At


class BookingOut(BaseModel):
    code: str
    status: Status
    day: str
    start: str
    end: str
    at: float
    matters: list[NamedMatter]
    mobile: str  # masked: 138****1234
    check_in_from: float
    check_in_until: float  # not checked in by then: a no-show
    ticket: str | None  # the ticket it became at check-in
    ticket_token: str | None  # that ticket's status page token
    page: str  # /book/<code>
    qr: str  # /api/bookings/<code>/qr.svg


class ClosureIn(_In):
    day: DAY
    start: HHMM | None = None  # None: the whole day
    scope: Annotated[str, Field(min_length=1, max_length=40)] | None = None  # None: all
    reason: Annotated[str, Field(max_length=200)] = ""


class ClosureOut(BaseModel):
    id: str
    day: str
    start: str | None
    scope: str | None
    reason: str
    closed_by: str
    closed_at: float


class BanOut(BaseModel):
    mobile: str  # masked
    no_shows: int
    until: str  # may book again from this day


class LiftBanIn(_In):
    mobile: Mobile
    reason: Annotated[str, Field(min_length=1, max_length=200)]
