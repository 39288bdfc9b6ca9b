"""A business day's figures by hall, window, clerk, department, matter, domain, ticket class
and hour, tallied from the day's tickets and event log; tallies of days add up to any
period. Pure arithmetic: the store feeds it rows and keeps what it returns.

A parked ticket (补材料) counts one wait, from its issue to its first call: the time its
citizen was away fetching a material and the return to the window are no new wait; its
handling is the time served in every sitting, the time away not; its window is busy from
each call to the park or the finish; parked when the day ends, it counts as expired.

Times are whole seconds (floored): counts and means are exact, medians and p90s are at
the report ``resolution`` (10 s to a minute), from histograms that add up over days, so
that any recomputation from the raw log gives the very same figures."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from queue_app.domain.figures import open_load_balance


class By(StrEnum):
    """What a report's rows are."""

    HALL = "hall"
    WINDOW = "window"
    CLERK = "clerk"
    DEPARTMENT = "department"
    MATTER = "matter"
    DOMAIN = "domain"
    CLASS = "class"
    HOUR = "hour"


GOOD_OUTCOMES = frozenset({"completed", "accepted"})  # 办结, 受理: nothing left to bring
BAD_LEVELS = frozenset({1, 2})  # 不满意, 非常不满意: a 差评


def _add(a: Counter[int], b: Mapping[int, int]) -> None:
    for k, v in b.items():
        a[k] += v


def resolution(seconds: int) -> int:
    """A wait or handling time as reports resolve it (the lower edge of its histogram
    step): 10 s under 10 minutes, 30 s under an hour, a minute beyond. Medians and p90s
    are given at this resolution; means are exact."""
    step = 10 if seconds < 600 else 30 if seconds < 3600 else 60
    return seconds - seconds % step


LEVELS = (5, 4, 3, 2, 1)  # 非常满意 … 非常不满意
PROXY_CHANNEL = "staff"  # a rating's channel when staff entered it (代评: ``domain.rating``)
OUTCOMES = ("completed", "accepted", "correction", "rejected")  # 办结, 受理, 补正, 不予受理
COUNTS = (
    "issued", "served", "no_shows", "transfers", "cancelled", "expired", "within_target",
    "bundles", "bundles_one_visit", "wait_n", "wait_sum", "handling_n", "handling_sum",
)  # fmt: skip


@dataclass(slots=True)
class Tally:
    """One group's figures over a day, or over several days added up. Waits and handling
    times are whole seconds: their counts and sums exact, their histograms at report
    ``resolution``."""

    issued: int = 0
    served: int = 0
    no_shows: int = 0
    transfers: int = 0
    cancelled: int = 0
    expired: int = 0
    within_target: int = 0
    bundles: int = 0  # 一件事 bundles served
    bundles_one_visit: int = 0  # of them, every matter 办结 or 受理
    wait_n: int = 0  # tickets called, whose wait (issue to first call) is counted
    wait_sum: int = 0
    handling_n: int = 0  # tickets finished, start to finish
    handling_sum: int = 0
    waits: Counter[int] = field(default_factory=Counter)  # resolved seconds → tickets
    handling: Counter[int] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)  # matters by outcome
    ratings: Counter[int] = field(default_factory=Counter)  # level → ratings counted
    excluded: Counter[int] = field(default_factory=Counter)  # level → set aside on appeal
    # level → 代评: entered by staff on the citizen's word, counted apart from the rates
    proxied: Counter[int] = field(default_factory=Counter)
    busy_s: float = 0.0  # windows and clerks: from each call to its end
    open_s: float = 0.0  # windows: open and not paused
    # a kept day's own median and p90 wait, when its histogram is not read (the trend)
    day_median_wait_s: int | None = None
    day_p90_wait_s: int | None = None

    def add(self, other: Tally) -> None:
        """Add ``other``'s figures to these."""
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.busy_s += other.busy_s
        self.open_s += other.open_s
        _add(self.waits, other.waits)
        _add(self.handling, other.handling)
        _add(self.ratings, other.ratings)
        _add(self.excluded, other.excluded)
        _add(self.proxied, other.proxied)
        for k, v in other.outcomes.items():
            self.outcomes[k] += v
        self.day_median_wait_s = self.day_p90_wait_s = None

    def wait(self, seconds: int, target_s: float) -> None:
        """Count one ticket's wait."""
        self.wait_n += 1
        self.wait_sum += seconds
        self.waits[resolution(seconds)] += 1
        self.within_target += seconds <= target_s

    def handled(self, seconds: int) -> None:
        """Count one ticket's handling time."""
        self.handling_n += 1
        self.handling_sum += seconds
        self.handling[resolution(seconds)] += 1

    # -------------------------------------------------------------- derived figures
    @property
    def waited(self) -> int:
        """Tickets called, whose wait is counted."""
        return self.wait_n

    @property
    def mean_wait_s(self) -> float | None:
        return self.wait_sum / self.wait_n if self.wait_n else None

    @property
    def median_wait_s(self) -> int | None:
        return quantile(self.waits, 0.5) if self.waits else self.day_median_wait_s

    @property
    def p90_wait_s(self) -> int | None:
        return quantile(self.waits, 0.9) if self.waits else self.day_p90_wait_s

    @property
    def within_target_share(self) -> float | None:
        return self.within_target / self.wait_n if self.wait_n else None

    @property
    def mean_handling_s(self) -> float | None:
        return self.handling_sum / self.handling_n if self.handling_n else None

    @property
    def median_handling_s(self) -> int | None:
        return quantile(self.handling, 0.5)

    @property
    def one_visit_share(self) -> float | None:
        return self.bundles_one_visit / self.bundles if self.bundles else None

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())

    @property
    def proxy_rated(self) -> int:
        """代评: ratings staff entered for citizens (not in the rates)."""
        return sum(self.proxied.values())

    @property
    def bad_rate(self) -> float | None:
        """差评率: 不满意 and 非常不满意 over the ratings counted (appealed ones set aside)."""
        n = self.rated
        return sum(self.ratings[lv] for lv in BAD_LEVELS) / n if n else None

    @property
    def satisfied_rate(self) -> float | None:
        """满意率: 满意 and 非常满意 over the ratings counted."""
        n = self.rated
        return (self.ratings[4] + self.ratings[5]) / n if n else None

    @property
    def utilisation(self) -> float | None:
        return min(1.0, self.busy_s / self.open_s) if self.open_s > 0 else None

    # ------------------------------------------------------------------- keeping
    def columns(self) -> dict[str, Any]:
        """The figures as a rollup row's columns (the histograms apart: ``histograms``)."""
        row: dict[str, Any] = {name: getattr(self, name) for name in COUNTS}
        row.update({f"rating_{lv}": self.ratings[lv] for lv in LEVELS})
        row.update({f"excluded_{lv}": self.excluded[lv] for lv in LEVELS})
        row.update({f"proxy_{lv}": self.proxied[lv] for lv in LEVELS})
        row.update({f"outcome_{o}": self.outcomes[o] for o in OUTCOMES})
        row.update(
            busy_s=self.busy_s,
            open_s=self.open_s,
            wait_median=quantile(self.waits, 0.5),
            wait_p90=quantile(self.waits, 0.9),
        )
        return row

    def histograms(self) -> dict[str, Counter[int]]:
        """The wait ("w") and handling ("h") histograms, resolved seconds → tickets."""
        return {"w": self.waits, "h": self.handling}

    @classmethod
    def of_columns(cls, row: Mapping[str, Any]) -> Tally:
        """A tally from a rollup row's columns, or their sums over days (no histograms:
        ``add_histogram`` gives them)."""
        t = cls(
            ratings=+Counter({lv: int(row[f"rating_{lv}"] or 0) for lv in LEVELS}),
            excluded=+Counter({lv: int(row[f"excluded_{lv}"] or 0) for lv in LEVELS}),
            proxied=+Counter({lv: int(row[f"proxy_{lv}"] or 0) for lv in LEVELS}),
            outcomes=+Counter({o: int(row[f"outcome_{o}"] or 0) for o in OUTCOMES}),
            busy_s=float(row["busy_s"] or 0.0),
            open_s=float(row["open_s"] or 0.0),
            day_median_wait_s=row.get("wait_median"),
            day_p90_wait_s=row.get("wait_p90"),
        )
        for name in COUNTS:
            setattr(t, name, int(row[name] or 0))
        return t

    def add_histogram(self, kind: str, step: int, count: int) -> None:
        (self.waits if kind == "w" else self.handling)[step] += count


def quantile(hist: Mapping[int, int], q: float) -> int | None:
    """The nearest-rank ``q`` quantile of a histogram of whole values: the smallest value
    with at least ``ceil(q·n)`` of the n values at or below it."""
    n = sum(hist.values())
    if not n:
        return None
    rank = max(1, math.ceil(q * n))
    seen = 0
    for value in sorted(hist):
        seen += hist[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable")  # pragma: no cover


# ------------------------------------------------------------------ a day's inputs
@dataclass(frozen=True, slots=True)
class DayTicket:
    """A ticket of the day, as its figures need it."""

    id: int
    prefix: str
    bundle: str | None
    matters: tuple[str, ...]
    issued_at: float
    started_at: float | None
    finished_at: float | None
    outcomes: Mapping[str, str | None]  # matter → outcome (None: not finished)
    handled_before: float = 0.0  # seconds served before a park (补材料), in earlier sittings


@dataclass(frozen=True, slots=True)
class DayEvent:
    """A logged change of the day, oldest first."""

    id: int
    at: float
    kind: str
    ticket_id: int | None
    window: int | None
    actor: str
    detail: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class DayRules:
    """What the tally needs to know of the hall on that day."""

    wait_target_s: float  # the hall's wait target that day
    department_of: Mapping[str, str]  # matter → department
    domain_of: Mapping[str, str]  # matter → domain
    hour_of: Callable[[float], int]  # an instant's hour of the hall's local day
    end: float  # when the day ended (its close), or now for today


Key = tuple[By, str]
# a park ends a call too: the window is free while the citizen fetches the material
_ENDS_A_CALL = frozenset({"finished", "transferred", "no_show", "expired", "parked"})
_WINDOW_OPENS = frozenset({"window_opened", "window_resumed"})
_WINDOW_SHUTS = frozenset({"window_closed", "window_paused"})


@dataclass(slots=True)
class DayTally:
    """A day's tallies by group, and how evenly its windows worked (忙闲均衡度)."""

    groups: dict[Key, Tally]
    balance: float | None


def tally_day(
    tickets: Iterable[DayTicket],
    events: Sequence[DayEvent],
    rules: DayRules,
    excluded: frozenset[int] = frozenset(),
) -> DayTally:
    """Every group's figures for one day. ``excluded``: tickets whose rating was set aside
    on appeal (counted apart, not in the rates)."""
    by_id = {t.id: t for t in tickets}
    groups: dict[Key, Tally] = {}

    def tally(key: Key) -> Tally:
        found = groups.get(key)
        if found is None:
            found = groups[key] = Tally()
        return found

    def own(t: DayTicket) -> list[Key]:
        """The groups a ticket is in wherever it is served."""
        keys: list[Key] = [
            (By.HALL, ""),
            (By.CLASS, t.prefix),
            (By.HOUR, f"{rules.hour_of(t.issued_at):02d}"),
        ]
        keys += [(By.MATTER, m) for m in dict.fromkeys(t.matters)]
        keys += [(By.DEPARTMENT, d) for d in dict.fromkeys(_of(rules.department_of, t.matters))]
        keys += [(By.DOMAIN, d) for d in dict.fromkeys(_of(rules.domain_of, t.matters))]
        return keys

    def at(e: DayEvent) -> list[Key]:
        """The window and the clerk of an event."""
        keys: list[Key] = []
        if e.window is not None:
            keys.append((By.WINDOW, str(e.window)))
        if e.actor and e.window is not None:
            keys.append((By.CLERK, e.actor))
        return keys

    first_call: dict[int, DayEvent] = {}
    call_open: dict[int, DayEvent] = {}  # ticket → the call now holding a window
    finisher: dict[int, DayEvent] = {}
    open_since: dict[int, float] = {}
    for e in events:
        t = by_id.get(e.ticket_id) if e.ticket_id is not None else None
        if e.kind in _WINDOW_OPENS and e.window is not None:
            open_since.setdefault(e.window, e.at)
        elif e.kind in _WINDOW_SHUTS and e.window is not None and e.window in open_since:
            tally((By.WINDOW, str(e.window))).open_s += e.at - open_since.pop(e.window)
        if t is None:
            continue
        if e.kind == "issued":
            for k in own(t):
                tally(k).issued += 1
        elif e.kind == "called":
            first_call.setdefault(t.id, e)
            call_open[t.id] = e
        elif e.kind == "cancelled":
            for k in own(t):
                tally(k).cancelled += 1
        if e.kind in _ENDS_A_CALL and t.id in call_open:
            call = call_open.pop(t.id)
            for k in at(call):
                tally(k).busy_s += e.at - call.at
        if e.kind == "transferred":
            for k in own(t) + at(e):
                tally(k).transfers += 1
        elif e.kind == "no_show":
            for k in own(t) + at(e):
                tally(k).no_shows += 1
        elif e.kind == "expired":
            for k in own(t):
                tally(k).expired += 1
        elif e.kind == "finished":
            finisher[t.id] = e
        elif e.kind == "rated":
            level = int(e.detail["level"])
            served_by = finisher.get(t.id, e)
            by_staff = e.detail.get("channel") == PROXY_CHANNEL
            for k in own(t) + at(served_by):
                if t.id in excluded:
                    tally(k).excluded[level] += 1
                elif by_staff:
                    tally(k).proxied[level] += 1
                else:
                    tally(k).ratings[level] += 1
    for call in call_open.values():  # still at a window when the day ended (or now)
        for k in at(call):
            tally(k).busy_s += max(0.0, rules.end - call.at)
    for w, since in open_since.items():
        tally((By.WINDOW, str(w))).open_s += max(0.0, rules.end - since)

    for tid, call in first_call.items():
        t = by_id[tid]
        waited = int(max(0.0, call.at - t.issued_at))
        for k in own(t) + at(call):
            tally(k).wait(waited, rules.wait_target_s)
    for tid, fin in finisher.items():
        t = by_id[tid]
        handled = (  # every sitting (补材料: before the park and after), not the time away
            int(max(0.0, t.finished_at - t.started_at + t.handled_before))
            if t.started_at is not None and t.finished_at is not None
            else None
        )
        one_visit = all(o in GOOD_OUTCOMES for o in t.outcomes.values())
        mine = own(t) + at(fin)
        for k in mine:
            g = tally(k)
            g.served += 1
            if handled is not None:
                g.handled(handled)
            if t.bundle:
                g.bundles += 1
                g.bundles_one_visit += one_visit
        for matter, outcome in t.outcomes.items():
            if outcome is None:
                continue
            for k in mine:
                if _holds(k, matter, rules):
                    groups[k].outcomes[outcome] += 1
    windows = [(g.busy_s, g.open_s) for (by, _), g in groups.items() if by is By.WINDOW]
    return DayTally(groups, open_load_balance(windows))


def _of(lookup: Mapping[str, str], matters: Iterable[str]) -> list[str]:
    return [lookup.get(m, "?") for m in matters]


def _holds(key: Key, matter: str, rules: DayRules) -> bool:
    """Whether a group counts this matter's outcome (a matter group only its own matter)."""
    by, name = key
    if by is By.MATTER:
        return name == matter
    if by is By.DEPARTMENT:
        return rules.department_of.get(matter, "?") == name
    if by is By.DOMAIN:
        return rules.domain_of.get(matter, "?") == name
    return True
