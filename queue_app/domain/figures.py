"""The figures a manager reads: how evenly the windows worked, the waiting line over the
day replayed from the event log, and the mean wait per domain. Pure arithmetic."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def load_balance(busy_seconds: Sequence[float]) -> float | None:
    """How unevenly work fell on the windows: the coefficient of variation of their busy
    time (0 when every window was equally busy; 1 when the spread equals the mean).
    None for fewer than two windows or no work at all."""
    if len(busy_seconds) < 2:
        return None
    mean = sum(busy_seconds) / len(busy_seconds)
    if mean <= 0:
        return None
    var = sum((b - mean) ** 2 for b in busy_seconds) / len(busy_seconds)
    return math.sqrt(var) / mean


SETTLED_OPEN_S = 30 * 60.0  # a window open a shorter time says nothing yet of the balance


def open_load_balance(
    windows: Sequence[tuple[float, float]], settled_s: float = SETTLED_OPEN_S
) -> float | None:
    """How unevenly work falls on the windows that have been open at least ``settled_s``
    (busy seconds, open seconds each): the coefficient of variation of their utilisation
    (busy over open time), so that a window opened later is not counted as idle for the
    hours it was closed, nor one just opened as idle at all. None for fewer than two such
    windows or no work at all."""
    shares = [min(1.0, busy / open_s) for busy, open_s in windows if open_s >= settled_s]
    return load_balance(shares)


# how each logged change moves the waiting line (no-show, start, finish leave it alone)
WAITING_STEP = {
    "issued": 1,
    "transferred": 1,
    "requeued": 1,
    "unparked": 1,  # back with the missing material (补材料)
    "called": -1,
    "cancelled": -1,
}


def queue_series(
    changes: Sequence[tuple[float, str]], start: float, end: float, bucket_s: float
) -> list[int]:
    """The waiting line's length at the end of each ``bucket_s`` from ``start`` to ``end``,
    replayed from the day's logged changes (time, kind), oldest first."""
    if end <= start or bucket_s <= 0:
        return []
    points: list[int] = []
    waiting, i = 0, 0
    edge = start + bucket_s
    while True:
        while i < len(changes) and changes[i][0] < edge:
            waiting += WAITING_STEP.get(changes[i][1], 0)
            i += 1
        points.append(max(waiting, 0))
        if edge >= end:
            return points
        edge += bucket_s


@dataclass(frozen=True, slots=True)
class DomainWait:
    domain: str
    called: int  # tickets of the domain called so far today
    mean_wait_s: float  # from issue to their first call

    @property
    def mean_wait_minutes(self) -> float:
        return self.mean_wait_s / 60


def waits_by_domain(waits: Iterable[tuple[float, Iterable[str]]]) -> list[DomainWait]:
    """The mean wait per domain from (seconds waited, the ticket's domains): a ticket of
    several domains counts in each. Longest mean first."""
    total: dict[str, list[float]] = {}
    for waited, domains in waits:
        for d in set(domains):
            acc = total.setdefault(d, [0, 0.0])
            acc[0] += 1
            acc[1] += waited
    out = [DomainWait(d, int(n), s / n) for d, (n, s) in total.items()]
    return sorted(out, key=lambda w: (-w.mean_wait_s, w.domain))
