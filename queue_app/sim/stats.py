"""Figures of simulated days: waits (mean, p50, p90, p99, max) overall, per class and per
domain; the share waiting longer than the hall's target; utilisation per window and the
load-balance figure the manager screen shows; bundles served in one visit; tickets served after
close; wait-estimate errors."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple, cast

from queue_app.domain.figures import load_balance
from queue_app.sim.arrivals import BUNDLE_DOMAIN
from queue_app.sim.engine import NO_SHOW, REFUSED, SERVED, DayResult


class Row(NamedTuple):
    """One citizen of one day, compact (what crosses a process boundary)."""

    t: float  # arrival, seconds of the day
    cls: str
    domain: str
    priority: bool
    outcome: str
    wait: float  # seconds, over all visits
    first_wait: float
    visits: int
    after_close: bool
    estimates: dict[str, float | None] | None
    slot: float | None = None  # a booked citizen's slot start (seconds of the day)

    @property
    def booked(self) -> bool:
        return self.slot is not None

    @property
    def from_slot(self) -> float:
        """Seconds waited counted from the slot's start for one who came early (from the
        check-in for one who came late; 0 if called before the slot began); else the wait."""
        if self.slot is None:
            return self.wait
        return max(0.0, self.wait - max(0.0, self.slot - self.t))


@dataclass
class DayFigures:
    """One day reduced to what the summary needs."""

    day: int
    rows: list[Row]
    busy: dict[int, float]
    open_time: dict[int, float]
    served: dict[int, int]
    overtime: float


def reduce_day(r: DayResult) -> DayFigures:
    rows = [
        Row(
            c.arrival.t,
            c.arrival.cls,
            c.arrival.domain,
            c.arrival.priority is not None,
            c.outcome,
            c.wait,
            c.first_wait,
            c.visits,
            c.called_after_close,
            c.estimates,
            c.arrival.slot,
        )
        for c in r.citizens
    ]
    return DayFigures(r.day, rows, r.busy, r.open_time, r.served, r.overtime)


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """The q-quantile by linear interpolation (numpy's default); nan for no values."""
    n = len(sorted_values)
    if n == 0:
        return math.nan
    pos = q * (n - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, n - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


@dataclass
class WaitFigures:
    """Minutes."""

    n: int
    mean: float
    p50: float
    p90: float
    p99: float
    max: float
    over_target: float  # share waiting longer than the target

    @classmethod
    def of(cls, waits_s: Iterable[float], target_min: float) -> WaitFigures:
        w = sorted(x / 60.0 for x in waits_s)
        if not w:
            return cls(0, math.nan, math.nan, math.nan, math.nan, math.nan, math.nan)
        return cls(
            n=len(w),
            mean=sum(w) / len(w),
            p50=quantile(w, 0.5),
            p90=quantile(w, 0.9),
            p99=quantile(w, 0.99),
            max=w[-1],
            over_target=sum(1 for x in w if x > target_min) / len(w),
        )


@dataclass
class EstimateFigures:
    """One estimator against the actual first-visit wait, on the same tickets (minutes)."""

    n: int
    mae: float
    bias: float  # mean of estimate - actual
    within_5: float  # share with |error| <= 5 minutes
    mean_actual: float

    @property
    def mae_ratio(self) -> float:
        return self.mae / self.mean_actual if self.mean_actual else math.nan


@dataclass
class AppointmentFigures:
    """Punctuality of appointments served (booked citizens who checked in): their wait from
    the check-in, and from the slot's start (for one who came early: what the booking
    promised), in minutes; and how early they came on average."""

    n: int
    from_check_in: WaitFigures
    from_slot: WaitFigures
    early_mean: float  # minutes before the slot's start (negative: late)

    @classmethod
    def of(cls, rows: Sequence[Row], target_min: float) -> AppointmentFigures | None:
        if not rows:
            return None
        return cls(
            n=len(rows),
            from_check_in=WaitFigures.of((r.wait for r in rows), target_min),
            from_slot=WaitFigures.of((r.from_slot for r in rows), target_min),
            early_mean=sum(r.slot - r.t for r in rows if r.slot is not None) / len(rows) / 60.0,
        )


@dataclass
class Summary:
    label: str
    days: int
    citizens: int
    served: int
    no_show: int
    refused: int
    wait: WaitFigures
    by_class: dict[str, WaitFigures]
    by_domain: dict[str, WaitFigures]
    utilisation: dict[int, float]
    utilisation_mean: float
    load_balance: float | None
    bundles: int
    bundles_one_visit: float
    visits_per_citizen: float
    after_close: int  # citizens called after closing time
    overtime_mean_min: float
    target_minutes: float
    estimates: dict[str, EstimateFigures] = field(default_factory=dict)
    # appointments apart (``wait``, ``by_class``, ``by_domain`` and ``estimates`` are the
    # walk-ins'); None without bookings
    appointments: AppointmentFigures | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if self.appointments is None:
            del d["appointments"]  # a day without bookings reads as before
        for k, v in self.estimates.items():
            d["estimates"][k]["mae_ratio"] = v.mae_ratio
        return cast(dict[str, Any], _finite(d))


def _finite(x: object) -> object:
    """JSON has no NaN: None instead."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_finite(v) for v in x]
    return x


def estimate_figures(pairs: list[tuple[float, float]]) -> EstimateFigures:
    """(estimate, actual) in seconds."""
    if not pairs:
        return EstimateFigures(0, math.nan, math.nan, math.nan, math.nan)
    errs = [(e - a) / 60.0 for e, a in pairs]
    n = len(errs)
    return EstimateFigures(
        n=n,
        mae=sum(abs(x) for x in errs) / n,
        bias=sum(errs) / n,
        within_5=sum(1 for x in errs if abs(x) <= 5.0) / n,
        mean_actual=sum(a for _, a in pairs) / n / 60.0,
    )


def summarize(
    label: str, days: Sequence[DayFigures], target_minutes: float, *, warmup_s: float = 0.0
) -> Summary:
    """Figures over ``days``; with ``warmup_s`` only citizens arriving after that second of
    the day count toward the waits (a stationary run discards its warm-up)."""
    rows = [r for d in days for r in d.rows]
    counted = [r for r in rows if r.outcome == SERVED and r.t >= warmup_s]
    served = [r for r in counted if r.slot is None]  # the walk-ins
    by_class: dict[str, list[float]] = defaultdict(list)
    by_domain: dict[str, list[float]] = defaultdict(list)
    for r in served:
        by_class[r.cls].append(r.wait)
        by_domain[r.domain].append(r.wait)
    busy: dict[int, float] = defaultdict(float)
    open_t: dict[int, float] = defaultdict(float)
    for d in days:
        for w, b in d.busy.items():
            busy[w] += b
        for w, o in d.open_time.items():
            open_t[w] += o
    util = {w: (busy[w] / open_t[w] if open_t[w] else 0.0) for w in sorted(busy)}
    bundles = [r for r in rows if r.domain == BUNDLE_DOMAIN and r.outcome == SERVED]
    est: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for r in served:
        if r.estimates:
            for k, v in r.estimates.items():
                if v is not None:
                    est[k].append((v, r.first_wait))
    total_open = sum(open_t.values())
    return Summary(
        label=label,
        days=len(days),
        citizens=len(rows),
        served=sum(1 for r in rows if r.outcome == SERVED),
        no_show=sum(1 for r in rows if r.outcome == NO_SHOW),
        refused=sum(1 for r in rows if r.outcome == REFUSED),
        wait=WaitFigures.of((r.wait for r in served), target_minutes),
        by_class={k: WaitFigures.of(v, target_minutes) for k, v in sorted(by_class.items())},
        by_domain={
            k: WaitFigures.of(v, target_minutes)
            for k, v in sorted(by_domain.items(), key=lambda kv: -len(kv[1]))
        },
        utilisation=util,
        utilisation_mean=(sum(busy.values()) / total_open) if total_open else 0.0,
        load_balance=load_balance([busy[w] for w in sorted(busy)]),
        bundles=len(bundles),
        bundles_one_visit=(
            sum(1 for r in bundles if r.visits == 1) / len(bundles) if bundles else math.nan
        ),
        visits_per_citizen=(
            sum(r.visits for r in rows if r.outcome == SERVED) / max(1, len(counted))
            if counted
            else math.nan
        ),
        after_close=sum(1 for r in rows if r.after_close),
        overtime_mean_min=sum(d.overtime for d in days) / max(1, len(days)) / 60.0,
        target_minutes=target_minutes,
        estimates={k: estimate_figures(v) for k, v in sorted(est.items())},
        appointments=AppointmentFigures.of([r for r in counted if r.booked], target_minutes),
    )
