"""Bookings (预约): which matters may be booked, in what slots, for how many citizens, and
the rules of checking in and of no-shows (the hall file's ``bookings:`` section). Pure.

A slot scope is a set of matters with its own capacity per slot: the matters of some
domains (``domains``), or those some windows serve (``windows``: "5-6"). A booking's
matters fall in the first scope that covers them all. Slots of ``slot_minutes`` run from
opening to issue_until (or close), minus the lunch break, on the hall's weekdays, minus
``holidays``; on ``half_days`` the hall closes at the time given.

A booking becomes a ticket when its citizen checks in, from ``check_in.before_minutes``
before the slot's start until ``check_in.after_minutes`` after it; one never checked in
is a no-show once that window has passed. ``no_shows.after`` no-shows within
``no_shows.within_days`` days bar a number from booking for ``no_shows.ban_days`` days.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from queue_app.domain.errors import Problem
from queue_app.domain.refusals import BadWindowList
from queue_app.domain.window_sets import parse_windows

SCOPE_NAME = r"^[a-z0-9][a-z0-9_-]{0,39}$"
HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Day = Annotated[dt.date, Field(strict=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class SlotScope(_Strict):
    """Matters booked together against one capacity per slot."""

    name: Annotated[str, Field(pattern=SCOPE_NAME)]
    domains: list[str] = []  # the matters of these domains
    windows: str | None = None  # or those these windows serve, as staff write them: "5-6"
    capacity: Annotated[int, Field(ge=1, le=999)]  # bookings per slot

    def window_set(self) -> frozenset[int]:
        return parse_windows(self.windows) if self.windows else frozenset()


class CheckIn(_Strict):
    """When a booking may be checked in, around its slot's start."""

    before_minutes: Annotated[int, Field(ge=0, le=240)] = 30
    after_minutes: Annotated[int, Field(ge=0, le=240)] = 15


class NoShowRules(_Strict):
    """``after`` no-shows within ``within_days`` days: no booking for ``ban_days`` days."""

    after: Annotated[int, Field(ge=1, le=100)] = 3
    within_days: Annotated[int, Field(ge=1, le=3660)] = 90
    ban_days: Annotated[int, Field(ge=1, le=3660)] = 90


class BookingRules(_Strict):
    """``bookings:``; without scopes nothing is bookable."""

    scopes: list[SlotScope] = []
    slot_minutes: Annotated[int, Field(ge=5, le=240)] = 30
    horizon_days: Annotated[int, Field(ge=0, le=90)] = 3  # today and the days after it
    per_number_per_day: Annotated[int, Field(ge=1, le=20)] = 1  # live bookings a day
    check_in: CheckIn = CheckIn()
    no_shows: NoShowRules = NoShowRules()
    keep_days: Annotated[int, Field(ge=1, le=3660)] = 90  # ended bookings kept (then purged)
    holidays: list[Day] = []  # 法定节假日: closed
    half_days: dict[Day, HHMM] = {}  # closes early: {2026-12-31: "12:00"}

    @property
    def bookable(self) -> bool:
        return bool(self.scopes)

    def scope(self, name: str) -> SlotScope | None:
        return next((s for s in self.scopes if s.name == name), None)


def booking_problems(rules: BookingRules, windows: Collection[int], open_: str) -> list[Problem]:
    """What is wrong in ``bookings:`` beyond each field's own type: scopes named twice,
    scopes with nothing in them or windows the hall lacks, a half day closing before the
    hall opens, no-shows forgotten before they are counted."""
    problems: list[Problem] = []
    names = Counter(s.name for s in rules.scopes)
    for i, s in enumerate(rules.scopes):
        at = ("bookings", "scopes", i)
        if names[s.name] > 1 and any(o.name == s.name for o in rules.scopes[:i]):
            problems.append(Problem((*at, "name"), f"duplicate scope {s.name!r} (already above)"))
        if not s.domains and not s.windows:
            problems.append(Problem(at, "expected domains or windows (the matters booked)"))
        if s.windows:
            try:
                unknown = sorted(s.window_set() - set(windows))
            except BadWindowList:
                problems.append(
                    Problem(
                        (*at, "windows"), f'expected windows such as "5-6,8"; got {s.windows!r}'
                    )
                )
            else:
                if unknown:
                    problems.append(
                        Problem((*at, "windows"), f"this hall has no window {unknown[0]}")
                    )
    for day, close in rules.half_days.items():
        if close <= open_:
            problems.append(
                Problem(
                    ("bookings", "half_days", day.isoformat()),
                    f"expected a time after opening ({open_}); got {close!r}",
                )
            )
    if rules.keep_days < rules.no_shows.within_days:
        problems.append(
            Problem(
                ("bookings", "keep_days"),
                f"expected at least no_shows.within_days ({rules.no_shows.within_days}): "
                f"no-shows are counted from the bookings kept; got {rules.keep_days}",
            )
        )
    return problems
