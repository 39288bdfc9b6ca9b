"""The staffing figure the manager sees live: from each hour's arrivals so far and the minutes
a ticket holds a window, how many windows one pooled line needs to keep the p90 wait under
the hall's target (Erlang C), against the windows open now. Planning ahead from a demand
profile, confirmed by simulation, is ``queue-app staffing``."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

from queue_app.domain import erlang

SETTLED_MINUTES = 10.0  # an hour's rate needs at least this much of it seen


@dataclass(frozen=True, slots=True)
class HourNeed:
    start: float  # the hour's first instant (POSIX seconds)
    arrivals: int  # tickets issued in it so far
    rate_per_hour: float  # arrivals per hour (the current hour: so far, scaled)
    load: float  # erlangs: arrivals per minute × minutes a ticket holds a window
    needed: int  # fewest windows with an Erlang C p90 wait within the target


def hourly_needs(
    issued_at: Sequence[float],
    hour_starts: Sequence[float],
    now: float,
    hold_minutes: float,
    target_minutes: float,
) -> list[HourNeed]:
    """One ``HourNeed`` per hour of ``hour_starts`` (ascending, each an hour long) that has
    begun and been seen for ``SETTLED_MINUTES``; ``issued_at`` need not be sorted."""
    times = sorted(issued_at)
    out: list[HourNeed] = []
    for start in hour_starts:
        seen = min(60.0, (now - start) / 60.0)
        if seen < SETTLED_MINUTES:
            continue
        n = bisect.bisect_left(times, min(start + 3600.0, now)) - bisect.bisect_left(times, start)
        rate = n * 60.0 / seen
        load = rate / 60.0 * hold_minutes
        needed = erlang.servers_needed(load, hold_minutes, target_minutes) if load > 0 else 0
        out.append(HourNeed(start, n, rate, load, needed))
    return out


def p90_with(windows: int, load: float, hold_minutes: float) -> float:
    """Erlang C p90 wait (minutes) of one pooled line with ``windows`` windows; infinite
    when they cannot keep up."""
    if windows <= 0:
        return math.inf if load > 0 else 0.0
    return erlang.wait_quantile(windows, load, hold_minutes, 0.9)
