"""Bookings expected today and not yet checked in, as the wait estimate and the staffing
advisor see them: each is a citizen due at its slot's start, served ahead of walk-ins
(class APPOINTMENT) once the slot has begun. Pure data; the store supplies them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

CHECK_IN_EARLY_S = 30 * 60.0  # a booking checks in from 30 minutes before its slot's start
CHECK_IN_LATE_S = 15 * 60.0  # ... to 15 minutes after it
# Share of bookings that never check in, until the hall's own figure is known: a planning
# value of the kind appointment systems report (about one booking in ten goes unused).
NO_SHOW_SHARE = 0.1


@dataclass(frozen=True, slots=True)
class Booked:
    """A booking expected on a day and not yet checked in: its slot's start (POSIX seconds)
    and its matters' codes."""

    slot_start: float
    matters: tuple[str, ...]


def still_due(booked: Sequence[Booked], now: float) -> list[Booked]:
    """The bookings that may still check in at ``now`` (their check-in window not over),
    by slot start."""
    return sorted(
        (b for b in booked if b.slot_start + CHECK_IN_LATE_S > now),
        key=lambda b: (b.slot_start, b.matters),
    )


def expected_arrival(b: Booked, now: float) -> float:
    """When the estimate counts ``b`` in line: at its slot's start (before then it is no
    appointment yet and waits behind the walk-ins issued before its slot), or now if its slot
    has begun and it may still check in."""
    return max(b.slot_start, now)
