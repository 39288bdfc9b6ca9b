"""The citizen's 好差评 rating of a finished visit, and the figures a manager reads per
window: pure rules and arithmetic."""

from __future__ import annotations

import math
from collections.abc import Sequence

from queue_app.domain.errors import Refused
from queue_app.domain.ticket import Status, Ticket

RATING_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}


def check_rating(t: Ticket, window: int, level: int, already_rated: bool) -> None:
    """A rating is one of five levels, given once, for a visit finished at this window."""
    if level not in RATING_LABELS:
        raise Refused(
            "bad_rating",
            "评价须为 1（非常不满意）到 5（非常满意）",
            f"a rating is 1 (very dissatisfied) to 5 (very satisfied), got {level}",
            "level",
        )
    if t.status is not Status.DONE or t.window != window:
        raise Refused(
            "not_finished_here",
            f"{t.number} 不是本窗口办结的号，不能评价",
            f"{t.number} was not finished at window {window}",
            "ticket",
        )
    if already_rated:
        raise Refused("already_rated", f"{t.number} 已评价", f"{t.number} has been rated", "ticket")


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
