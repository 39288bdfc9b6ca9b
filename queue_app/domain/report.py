"""A report over a period: the days' tallies added up by group, the period before it for
comparison, the day-by-day trend (with each day's 忙闲均衡度), the month's ranking of
windows and clerks by their ratings, and the 好差评 cases opened in the period. Pure
arithmetic over ``rollup.Tally``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from queue_app.domain.cases import CaseFigures
from queue_app.domain.rollup import By, Tally

MAX_DAYS = 3700  # about ten years: a longer period is refused


@dataclass(frozen=True, slots=True)
class Period:
    """Days ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date

    @classmethod
    def of(cls, first: str, last: str) -> Period:
        """The period of ISO dates ``first`` to ``last``."""
        return cls(dt.date.fromisoformat(first), dt.date.fromisoformat(last))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of as many days just before this one."""
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end)

    def each_day(self) -> list[str]:
        return [(self.start + dt.timedelta(days=i)).isoformat() for i in range(self.days)]

    @property
    def first(self) -> str:
        return self.start.isoformat()

    @property
    def last(self) -> str:
        return self.end.isoformat()


@dataclass(frozen=True, slots=True)
class DayRow:
    """One group's tally on one day (as kept, or tallied live for a day not closed)."""

    day: str
    by: By
    key: str
    tally: Tally


@dataclass(slots=True)
class Line:
    """A report's row: one group over the period, and over the period before."""

    key: str
    label: str
    now: Tally
    before: Tally


@dataclass(frozen=True, slots=True)
class DayPoint:
    """The hall's figures on one day of the period (the trend)."""

    day: str
    tally: Tally
    balance: float | None  # 忙闲均衡度: the spread of the windows' utilisation


@dataclass(frozen=True, slots=True)
class Ranked:
    """A window or clerk in a month's ranking by 满意率 (then by ratings, then name)."""

    rank: int
    key: str
    label: str
    rated: int
    satisfied_rate: float | None
    bad_rate: float | None


@dataclass(slots=True)
class Report:
    hall: str
    by: By
    period: Period
    lines: list[Line]
    total: Line
    trend: list[DayPoint]
    ranking: dict[str, list[Ranked]] = field(default_factory=dict)  # "YYYY-MM" → windows
    clerk_ranking: dict[str, list[Ranked]] = field(default_factory=dict)
    cases: CaseFigures = field(default_factory=CaseFigures)  # 好差评 cases: 回访率, 整改率


def _sum(rows: Iterable[Tally]) -> Tally:
    out = Tally()
    for t in rows:
        out.add(t)
    return out


def build(
    hall: str,
    by: By,
    period: Period,
    rows: Iterable[DayRow],
    balances: Mapping[str, float | None],
    labels: Mapping[By, Mapping[str, str]],
) -> Report:
    """The report of ``period`` by ``by`` from the day rows of it and of the period before
    (``rows`` may hold other groups: the hall's, the windows' and the clerks' ones feed the
    total, the trend and the rankings). ``labels``: each group's name to show, by kind."""
    before = period.previous()
    now_by: dict[str, Tally] = {}
    before_by: dict[str, Tally] = {}
    hall_days: dict[str, Tally] = {}
    monthly: dict[tuple[By, str], dict[str, Tally]] = {}
    total_now, total_before = Tally(), Tally()
    for r in rows:
        inside = period.first <= r.day <= period.last
        if not inside and not before.first <= r.day <= before.last:
            continue
        if r.by is By.HALL:
            (total_now if inside else total_before).add(r.tally)
            if inside:
                hall_days.setdefault(r.day, Tally()).add(r.tally)
        if r.by is by:
            target = now_by if inside else before_by
            target.setdefault(r.key, Tally()).add(r.tally)
        if inside and r.by in (By.WINDOW, By.CLERK):
            of_month = monthly.setdefault((r.by, r.day[:7]), {})
            of_month.setdefault(r.key, Tally()).add(r.tally)
    keys = sorted(set(now_by) | set(before_by), key=_order(by))
    lines = [
        Line(k, labels.get(by, {}).get(k, k), now_by.get(k, Tally()), before_by.get(k, Tally()))
        for k in keys
    ]
    trend = [DayPoint(d, hall_days.get(d, Tally()), balances.get(d)) for d in period.each_day()]
    report = Report(hall, by, period, lines, Line("", hall, total_now, total_before), trend)
    for (kind, month), tallies in sorted(monthly.items()):
        ranked = rank(tallies, labels.get(kind, {}))
        (report.ranking if kind is By.WINDOW else report.clerk_ranking)[month] = ranked
    return report


def _order(by: By):  # type: ignore[no-untyped-def]
    """Windows and hours in number order, the rest by name."""
    if by in (By.WINDOW, By.HOUR):
        return lambda k: (0, int(k)) if k.isdigit() else (1, k)
    return lambda k: (0, k)


def rank(tallies: Mapping[str, Tally], labels: Mapping[str, str]) -> list[Ranked]:
    """Rated groups by 满意率 (highest first), then more ratings, then key."""
    rated = [(k, t) for k, t in tallies.items() if t.rated]
    rated.sort(key=lambda kt: (-(kt[1].satisfied_rate or 0.0), -kt[1].rated, kt[0]))
    return [
        Ranked(i + 1, k, labels.get(k, k), t.rated, t.satisfied_rate, t.bad_rate)
        for i, (k, t) in enumerate(rated)
    ]


def change(now: float | None, before: float | None) -> float | None:
    """The relative change from ``before`` to ``now`` (None when either is missing or 0)."""
    if now is None or before is None or before == 0:
        return None
    return (now - before) / before
