"""Citizens of a simulated day, drawn from a demand profile: when they come, for what, their
class, whether they turn up when called, and how long each matter takes them.

Drawn once per (seed, day) and independent of the layout, so several layouts or policies run
on exactly the same arrivals and the same handling times (common random numbers).
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from queue_app.domain.booked import CHECK_IN_EARLY_S, CHECK_IN_LATE_S
from queue_app.domain.catalog import Catalog
from queue_app.domain.demand import Demand, Distribution
from queue_app.domain.hall import Coverage, Hall
from queue_app.domain.ticket import Priority

BUNDLE_DOMAIN = "一件事"
PRIORITIES = tuple(Priority)


class ScenarioError(ValueError):
    """A demand profile that cannot run on this hall (with what to change)."""


class Arrival:
    """One citizen: arrival second of the day, matters (in catalog order), bundle, priority,
    whether they are absent when called, the seconds each matter takes them this visit, the
    ticket class and domain the statistics group them by, and for a booked citizen the
    second of the day their slot begins (None: a walk-in)."""

    __slots__ = (
        "bundle",
        "cls",
        "domain",
        "matters",
        "no_show",
        "priority",
        "seconds",
        "slot",
        "t",
    )

    def __init__(
        self,
        t: float,
        matters: tuple[str, ...],
        bundle: str | None,
        priority: Priority | None,
        no_show: bool,
        seconds: tuple[float, ...],
        cls: str,
        domain: str,
        slot: float | None = None,
    ) -> None:
        self.t = t
        self.slot = slot
        self.matters = matters
        self.bundle = bundle
        self.priority = priority
        self.no_show = no_show
        self.seconds = seconds
        self.cls = cls
        self.domain = domain


@dataclass(frozen=True)
class _Choice:
    items: tuple
    cum: tuple[float, ...]

    def pick(self, u: float):  # u in [0, 1)
        return self.items[min(bisect(self.cum, u * self.cum[-1]), len(self.items) - 1)]


def _choice(pairs: list[tuple[object, float]]) -> _Choice | None:
    pairs = [(k, w) for k, w in pairs if w > 0]
    if not pairs:
        return None
    return _Choice(tuple(k for k, _ in pairs), tuple(accumulate(w for _, w in pairs)))


def hhmm_seconds(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 3600 + int(m) * 60


class DemandModel:
    """A demand profile compiled against a catalog and the hall whose desk issues the tickets
    (a matter or bundle no window of that hall accepts in one sitting is never drawn)."""

    def __init__(
        self,
        demand: Demand,
        catalog: Catalog,
        hall: Hall,
        seed: int,
        booked: Sequence[tuple[float, tuple[str, ...]]] = (),
    ) -> None:
        """``booked``: a day's actual bookings (slot start as a second of the day, matters):
        every simulated day has them, in place of the demand's share who book."""
        self.demand, self.catalog, self.hall, self.seed = demand, catalog, hall, seed
        unknown = sorted({c for _, ms in booked for c in ms} - set(catalog.matter_by_code))
        if unknown:
            raise ScenarioError(f"bookings name matters the catalog does not have: {unknown}")
        self.actual = sorted(booked)
        cov = Coverage(hall, catalog)
        served = set().union(*cov.by_window.values())
        h = demand.handling
        truth = random.Random(f"truth:{seed}")
        sc = h.catalog_error
        self.mean_seconds: dict[str, float] = {}
        for m in catalog.matters:  # catalog order: reproducible
            base = h.mean_minutes if h.mean_minutes is not None else m.minutes * h.minutes_scale
            factor = math.exp(truth.gauss(0, sc) - sc * sc / 2) if sc > 0 else 1.0
            self.mean_seconds[m.code] = base * factor * 60.0
        by_domain: dict[str, list] = {}
        for m in catalog.matters:
            if m.code in served:
                w = demand.common_weight if m.common else 1.0
                by_domain.setdefault(m.domain, []).append((m.code, w))
        self.domains = _choice([(d, w) for d, w in demand.mix.items() if by_domain.get(d)])
        self.matters_of = {d: _choice(v) for d, v in by_domain.items()}
        b = demand.bundles
        self.bundles = _choice(
            [
                (x.code, b.weights.get(x.code, b.default_weight))
                for x in catalog.bundles
                if cov.windows_for(frozenset(x.matters))
            ]
        )
        if self.domains is None and (b.share < 1 or self.bundles is None):
            raise ScenarioError(
                f"no domain of the demand mix has a matter that hall {hall.hall.code} accepts"
            )
        if b.share > 0 and self.bundles is None:
            raise ScenarioError(
                f"bundles.share is {b.share} but hall {hall.hall.code} can serve none of the "
                "bundles weighted in one sitting"
            )
        # day -> its bookings: (slot start, matters, check-in second or inf if never)
        self.bookings: dict[int, list[tuple[float, tuple[str, ...], float]]] = {}
        hours = hall.hours
        self.open_s = hhmm_seconds(hours.open)
        self.issue_until_s = hhmm_seconds(hours.issue_until or hours.close)
        self._cls: dict[tuple[tuple[str, ...], bool, bool], str] = {}

    def ticket_class(
        self, matters: tuple[str, ...], priority: bool, appointment: bool = False
    ) -> str:
        key = (matters, priority, appointment)
        name = self._cls.get(key)
        if name is None:
            objs = [self.catalog.matter_by_code[c] for c in matters]
            name = self._cls[key] = self.hall.ticket_class(objs, priority, appointment).name
        return name

    def expected_arrivals(self) -> float:
        return self.demand.expected_arrivals(self.open_s, self.issue_until_s)

    def day(self, day: int) -> list[Arrival]:
        """The citizens of day ``day`` (0-based), in order of arrival."""
        d = self.demand
        rng = random.Random(f"day:{self.seed}:{day}")
        rand, expo, gauss = rng.random, rng.expovariate, rng.gauss
        times: list[float] = []
        for start, end, rate in d.rate_segments():
            lo, hi = max(start, self.open_s), min(end, self.issue_until_s)
            if rate <= 0 or hi <= lo:
                continue
            t = lo + expo(rate)
            while t < hi:
                times.append(t)
                t += expo(rate)
        h = d.handling
        lognormal = h.distribution is Distribution.LOGNORMAL
        sigma = h.sigma
        shift = sigma * sigma / 2
        means = self.mean_seconds
        bshare, pshare, nshare = d.bundles.share, d.priority_share, d.no_show.rate
        bundles, domains, matters_of = self.bundles, self.domains, self.matters_of
        bundle_of = self.catalog.bundle_by_code
        out: list[Arrival] = []
        for t in times:
            bundle = None
            if bundles is not None and (domains is None or rand() < bshare):
                bundle = bundles.pick(rand())
                codes = tuple(bundle_of[bundle].matters)
                domain = BUNDLE_DOMAIN
            else:
                domain = domains.pick(rand())  # type: ignore[union-attr]
                codes = (matters_of[domain].pick(rand()),)  # type: ignore[union-attr]
            priority = PRIORITIES[int(rand() * len(PRIORITIES))] if rand() < pshare else None
            no_show = rand() < nshare
            if lognormal:
                secs = tuple(means[c] * math.exp(sigma * gauss(0.0, 1.0) - shift) for c in codes)
            else:
                secs = tuple(expo(1.0 / means[c]) for c in codes)
            cls = self.ticket_class(codes, priority is not None)
            out.append(Arrival(t, codes, bundle, priority, no_show, secs, cls, domain))
        if d.bookings.share > 0 or self.actual:  # drawn apart: the walk-ins' stay as they were
            out = self._booked(out, random.Random(f"book:{self.seed}:{day}"), day)
        return out

    def _booked(self, arrivals: list[Arrival], rng: random.Random, day: int) -> list[Arrival]:
        """A share of ``arrivals`` book the slot of the time they would have come: those who
        come check in around its start (within the check-in window, from opening, before
        the desk stops issuing) and are appointments; the others are gone."""
        b = self.demand.bookings
        slot_s = b.slot_minutes * 60.0
        mean, sd = b.arrive.mean_minutes * 60.0, b.arrive.sd_minutes * 60.0
        early, late = CHECK_IN_EARLY_S, CHECK_IN_LATE_S
        out: list[Arrival] = []
        booked = self.bookings[day] = []
        for a in arrivals:
            if rng.random() >= b.share:
                out.append(a)
                continue
            slot = self.open_s + (a.t - self.open_s) // slot_s * slot_s
            gone = rng.random() < b.no_show
            offset = min(max(rng.gauss(mean, sd), -early), late)
            if gone:
                booked.append((slot, a.matters, math.inf))
                continue
            a.t = min(max(slot + offset, self.open_s), self.issue_until_s - 1.0)
            booked.append((slot, a.matters, a.t))
            a.slot, a.priority = slot, None
            a.cls = self.ticket_class(a.matters, False, True)
            out.append(a)
        out.sort(key=lambda x: x.t)
        return out
