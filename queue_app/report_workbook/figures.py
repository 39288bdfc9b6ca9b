"""The figures a workbook's tables show, each a column (header msgid, number kind) and how
it is read from a group's ``FiguresOut``, grouped under the bands of the breakdown sheets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from queue_app.domain.errors import N_
from queue_app.domain.rating import RATING_WORDS
from queue_app.report_models import FiguresOut
from queue_app.report_workbook.sheet import Col, Value


@dataclass(frozen=True, slots=True)
class Fig:
    col: Col
    get: Callable[[FiguresOut], Value]


def _hours(minutes: float) -> float:
    return minutes / 60.0


ISSUED = Fig(Col(N_("issued")), lambda f: f.issued)
SERVED = Fig(Col(N_("served")), lambda f: f.served)
NO_SHOWS = Fig(Col(N_("no-shows")), lambda f: f.no_shows)
TRANSFERS = Fig(Col(N_("transfers")), lambda f: f.transfers)
CANCELLED = Fig(Col(N_("cancelled")), lambda f: f.cancelled)
MEAN_WAIT = Fig(Col(N_("mean wait (min)"), "min"), lambda f: f.mean_wait_minutes)
MEDIAN_WAIT = Fig(Col(N_("median wait (min)"), "min"), lambda f: f.median_wait_minutes)
P90_WAIT = Fig(Col(N_("p90 wait (min)"), "min"), lambda f: f.p90_wait_minutes)
WITHIN = Fig(Col(N_("within target"), "share"), lambda f: f.within_target_share)
MEAN_HANDLING = Fig(Col(N_("mean handling (min)"), "min"), lambda f: f.mean_handling_minutes)
MEDIAN_HANDLING = Fig(Col(N_("median handling (min)"), "min"), lambda f: f.median_handling_minutes)
BUNDLES = Fig(Col(N_("bundles")), lambda f: f.bundles)
ONE_VISIT = Fig(Col(N_("in one visit"), "share"), lambda f: f.one_visit_share)
RATED = Fig(Col(N_("ratings")), lambda f: f.rated)
BAD_RATE = Fig(Col(N_("poor-rating rate"), "share"), lambda f: f.bad_rate)
SATISFIED = Fig(Col(N_("satisfaction rate"), "share"), lambda f: f.satisfied_rate)
PROXY = Fig(Col(N_("entered by staff")), lambda f: f.proxy_rated)  # 代评: not in the rates
BUSY = Fig(Col(N_("busy (hours)"), "hours"), lambda f: _hours(f.busy_minutes))
OPEN = Fig(Col(N_("open (hours)"), "hours"), lambda f: _hours(f.open_minutes))
UTILISATION = Fig(Col(N_("utilisation"), "share"), lambda f: f.utilisation)


def _level(lv: int) -> Fig:
    return Fig(Col(RATING_WORDS[lv]), lambda f: f.ratings.get(lv, 0))


LEVELS = [_level(lv) for lv in range(5, 0, -1)]

# (band msgid, its figures): the breakdown sheets' columns after the group's name
BANDS: list[tuple[str, list[Fig]]] = [
    (N_("volume"), [ISSUED, SERVED, NO_SHOWS, TRANSFERS, CANCELLED]),
    (N_("wait times"), [MEAN_WAIT, MEDIAN_WAIT, P90_WAIT, WITHIN]),
    (N_("handling"), [MEAN_HANDLING, MEDIAN_HANDLING]),
    (N_("one-visit bundles"), [BUNDLES, ONE_VISIT]),
    (N_("citizen ratings"), [*LEVELS, RATED, BAD_RATE, SATISFIED, PROXY]),
]
LOAD = N_("load")
WINDOW_LOAD = [BUSY, OPEN, UTILISATION]
CLERK_LOAD = [BUSY]

# the overview's daily trend, after the date
TREND = [
    ISSUED,
    SERVED,
    NO_SHOWS,
    MEAN_WAIT,
    P90_WAIT,
    WITHIN,
    MEAN_HANDLING,
    BUNDLES,
    RATED,
    BAD_RATE,
]
# the overview's key figures, this period against the one before
KEY = [
    ISSUED,
    SERVED,
    NO_SHOWS,
    TRANSFERS,
    CANCELLED,
    MEAN_WAIT,
    MEDIAN_WAIT,
    P90_WAIT,
    WITHIN,
    MEAN_HANDLING,
    BUNDLES,
    ONE_VISIT,
    RATED,
    BAD_RATE,
    SATISFIED,
]
