"""The wait shown to a citizen (slip, status page): learned handling times, the queue-length
formula on service rates from busy time, and a short forward simulation through the real
dispatch policy where windows are restricted. Pure: the caller supplies the state.

Wiring it into the server (one call per ticket issued or status page shown)::

    model = HandlingModel({m.code: m.minutes for m in catalog.matters})   # once, at start
    model.observe(ticket.matters, (finished_at - called_at) / 60)          # per finished ticket
    minutes = estimate_wait(
        me,                          # the Candidate of the ticket asked about
        waiting,                     # every waiting Candidate (as call_next builds them)
        [OpenWindow(dw, remaining_minutes, rate) for each open window],
        model,
        now,
        policy=hall.dispatch.policy,
        aging_seconds=hall.dispatch.aging_minutes * 60,
    )

``remaining_minutes`` is None for an idle window, else ``expected_remaining(model.minutes(
its ticket's matters), minutes since its call)``; ``rate`` is the window's tickets per minute of
busy time today (``busy_rate``), None before its first ticket. Over the hall's lunch break a
window off lunch duty is ``away`` (``lunch_away``), and a window closed for lunch is passed
with the time until it is back (``back_after_lunch``). Measured in simulation on the default
hall (``bench/estimates.py``, which also times an estimate).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from queue_app.domain.booked import NO_SHOW_SHARE, Booked, still_due
from queue_app.domain.dispatch import (
    Candidate,
    DispatchWindow,
    Policy,
)

if TYPE_CHECKING:
    from queue_app.domain.line_forecast import LineForecast


class HandlingModel:
    """Minutes a ticket takes at the window, learned from finished work.

    Two levels of shrinkage (a Bayesian normal mean each). The hall-wide ratio of actual to
    catalog minutes is learned first (the catalog's figures may all be high or low for this
    hall); a matter's prior is its catalog minutes times that ratio, worth ``prior_weight``
    tickets, and its estimate moves toward what was observed for it: (w·prior + Σx) / (w + n).
    A ticket of several matters (a bundle) is learned as its own kind, its prior the sum of
    its matters' current means times the learned ratio of such tickets to that sum (one
    sitting for a bundle is shorter than its matters one by one)."""

    def __init__(self, prior_minutes: Mapping[str, float], prior_weight: float = 5.0) -> None:
        self.prior = dict(prior_minutes)
        self.weight = prior_weight
        self._sum: dict[frozenset[str], float] = {}
        self._n: dict[frozenset[str], int] = {}
        self._actual = self._catalog = 20.0 * prior_weight  # the ratio starts at 1
        self._multi_actual = self._multi_prior = 60.0 * prior_weight

    @property
    def ratio(self) -> float:
        """Learned actual ÷ catalog minutes over all finished work."""
        return self._actual / self._catalog

    def _catalog_of(self, key: frozenset[str]) -> float:
        return sum(self.prior.get(c, 10.0) for c in sorted(key))  # sorted: same float sum

    def _prior_of(self, key: frozenset[str]) -> float:
        if len(key) == 1:
            return self._catalog_of(key) * self.ratio
        return self._sum_of_parts(key) * self._multi_actual / self._multi_prior

    def _sum_of_parts(self, key: frozenset[str]) -> float:
        return sum(self.minutes(frozenset((c,))) for c in sorted(key))

    def minutes(self, matters: Iterable[str]) -> float:
        key = matters if isinstance(matters, frozenset) else frozenset(matters)
        n = self._n.get(key, 0)
        prior = self._prior_of(key)
        if n == 0:
            return prior
        return (self.weight * prior + self._sum[key]) / (self.weight + n)

    def observe(self, matters: Iterable[str], minutes: float) -> None:
        key = matters if isinstance(matters, frozenset) else frozenset(matters)
        self._sum[key] = self._sum.get(key, 0.0) + minutes
        self._n[key] = self._n.get(key, 0) + 1
        if len(key) == 1:
            self._actual += minutes
            self._catalog += self._catalog_of(key)
        else:
            self._multi_actual += minutes
            self._multi_prior += self._sum_of_parts(key)


def expected_remaining(mean_minutes: float, elapsed_minutes: float) -> float:
    """Minutes left on a ticket in hand: its mean less the time spent, but never less than a
    third of the mean (a ticket running long is likely to run on a while)."""
    return max(mean_minutes - elapsed_minutes, mean_minutes / 3)


def busy_rate(tickets: int, busy_minutes: float) -> float | None:
    """Tickets per minute of busy time (idle time does not drag it down)."""
    return tickets / busy_minutes if tickets and busy_minutes > 0 else None


@dataclass(frozen=True, slots=True)
class OpenWindow:
    """A window as the estimate sees it: open (idle, or ``remaining_minutes`` from the end of
    its ticket in hand), and ``away`` (minutes from now: from, until) if it is known to call
    nobody for a while, such as a window closed for lunch, away from 0 until it is back."""

    window: DispatchWindow
    remaining_minutes: float | None = None  # None: idle, ready to call
    rate: float | None = None  # tickets per minute of busy time, None if unknown
    away: tuple[float, float] | None = None


LUNCH_SLACK_S = 30 * 60.0


def lunch_away(now: float, lunch: tuple[float, float]) -> tuple[float, float] | None:
    """An open window not on lunch duty: away (minutes from now) from lunch until its end,
    once its ticket in hand is done; None once lunch is over."""
    start, end = lunch
    if now >= end:
        return None
    return max(0.0, (start - now) / 60.0), (end - now) / 60.0


def back_after_lunch(
    closed_at: float, now: float, lunch: tuple[float, float], slack_s: float = LUNCH_SLACK_S
) -> tuple[float, float] | None:
    """A closed window's time away (minutes from now: 0, until it is back) when it closed for
    lunch (no earlier than ``slack_s`` before lunch began) and lunch is not over yet. None
    for any other closed window (closed for the day, never opened): nobody can say it will
    open."""
    start, end = lunch
    if start - slack_s <= closed_at < end and now < end:
        return 0.0, (end - now) / 60.0
    return None


def booked_candidates(
    booked: Sequence[Booked],
    now: float,
    domains: Callable[[frozenset[str]], frozenset[str]] = lambda ms: frozenset(),
) -> list[Candidate]:
    """The bookings that may still check in, as the forecast's candidates to come: ids -1,
    -2, ... (no ticket's), in line by their slot's start, an appointment from it on."""
    out = []
    for k, b in enumerate(still_due(booked, now)):
        matters = frozenset(b.matters)
        out.append(
            Candidate(
                id=-(k + 1),
                matters=matters,
                queue_key=b.slot_start,
                appointment_at=b.slot_start,
                domains=domains(matters),
            )
        )
    return out


def forward_minutes(
    target: Candidate,
    waiting: Sequence[Candidate],
    windows: Sequence[OpenWindow],
    model: HandlingModel,
    now: float,
    *,
    policy: Policy = Policy.OLDEST,
    aging_seconds: float = 15 * 60,
    runs: int = 8,
    booked: Sequence[Candidate] = (),
    no_show: float = NO_SHOW_SHARE,
) -> float | None:
    """Play the line forward from now through ``choose_next``, with no further arrivals
    but the ``booked`` (``booked_candidates``; a share ``no_show`` of them never comes);
    minutes until the target is called, the mean over ``runs`` plays whose handling times
    are drawn around the learned means (the same state gives the same estimate). ``runs=0``:
    one play with the mean times. None if no open window ever calls the target."""
    forecast = _with_target(
        target, waiting, windows, model, now, policy, aging_seconds, runs, booked, no_show
    )
    return forecast.called_in(target)


def estimate_wait(
    target: Candidate,
    waiting: Sequence[Candidate],
    windows: Sequence[OpenWindow],
    model: HandlingModel,
    now: float,
    *,
    policy: Policy = Policy.OLDEST,
    aging_seconds: float = 15 * 60,
    booked: Sequence[Candidate] = (),
    no_show: float = NO_SHOW_SHARE,
) -> float | None:
    """Minutes until ``target`` is called, or None if no open window may serve it.

    ``waiting``: every waiting ticket (the target among them or not), in any order.
    ``windows``: the open windows (idle or serving; ``lunch_away`` for those off lunch
    duty), and those closed for lunch (``back_after_lunch``); paused and other closed ones
    left out. ``booked``: the bookings still to check in (``booked_candidates``), of which a
    share ``no_show`` never comes; one whose slot begins before ``target`` is called goes
    ahead of a walk-in.
    Undifferentiated windows (one pooled line), the target called before any of them goes
    away: the queue-length formula with busy-time rates. Restricted windows, or some away
    before then: plays of the line through ``choose_next`` (``domain.line_forecast``, which
    forecasts the whole line at once; this asks it for one ticket)."""
    forecast = _with_target(
        target, waiting, windows, model, now, policy, aging_seconds, 8, booked, no_show
    )
    return forecast.wait(target)


def _with_target(
    target: Candidate,
    waiting: Sequence[Candidate],
    windows: Sequence[OpenWindow],
    model: HandlingModel,
    now: float,
    policy: Policy,
    aging_seconds: float,
    runs: int,
    booked: Sequence[Candidate] = (),
    no_show: float = NO_SHOW_SHARE,
) -> LineForecast:
    """The whole-line forecast of ``waiting`` with ``target`` in it."""
    from queue_app.domain.line_forecast import LineForecast  # it builds on this module

    line = list(waiting)
    if all(c.id != target.id for c in line):
        line.append(target)
    return LineForecast.of(
        line,
        windows,
        model,
        now,
        policy=policy,
        aging_seconds=aging_seconds,
        runs=runs,
        booked=booked,
        no_show=no_show,
    )
