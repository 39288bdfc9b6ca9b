"""The figures a manager reads: how evenly the windows worked, and the waiting line over
the day replayed from the event log. Pure arithmetic."""

from __future__ import annotations

import math
from collections.abc import Sequence


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


# how each logged change moves the waiting line (no-show, start, finish leave it alone)
WAITING_STEP = {"issued": 1, "transferred": 1, "requeued": 1, "called": -1, "cancelled": -1}


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
