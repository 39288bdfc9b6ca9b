"""The citizen's 好差评 rating of a finished visit: five levels, once, at the window that
finished it."""

from __future__ import annotations

from queue_app.domain.errors import N_
from queue_app.domain.refusals import AlreadyRated, BadRating, NotFinishedHere
from queue_app.domain.ticket import Status, Ticket

RATING_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
RATING_WORDS = {  # the same levels as msgids, for the edges to translate
    5: N_("very satisfied"),
    4: N_("satisfied"),
    3: N_("fairly satisfied"),
    2: N_("dissatisfied"),
    1: N_("very dissatisfied"),
}


def check_rating(t: Ticket, window: int, level: int, already_rated: bool) -> None:
    """A rating is one of five levels, given once, for a visit finished at this window."""
    if level not in RATING_LABELS:
        raise BadRating(level=level)
    if t.status is not Status.DONE or t.window != window:
        raise NotFinishedHere(number=t.number, window=window)
    if already_rated:
        raise AlreadyRated(number=t.number)
