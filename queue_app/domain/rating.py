"""The citizen's 好差评 rating of a finished visit: five levels, once, at the window that
finished it."""

from __future__ import annotations

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
