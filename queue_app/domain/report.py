"""A report over a period: the days' tallies added up by group, the period before it for
comparison, the day-by-day trend (with each day's 忙闲均衡度), the month's ranking of
windows and clerks by their ratings, and the 好差评 cases opened in the period. Pure
arithmetic over ``rollup.Tally``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from queue_app.domain.cases import CaseFigures
from queue_app.domain.refusals import BadDate, PeriodBackwards, PeriodTooLong
from queue_app.domain.rollup import By, Tally

MAX_DAYS = 3700  # about ten years: a longer period is refused


@dataclass(frozen=True, slots=True)
class Period:
    """Days ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date

    @classmethod
    def of(cls, first: str, last: str) -> Period:
        """The period of ISO dates ``first`` to ``last``; refused backwards or longer than
        ``MAX_DAYS``."""
        period = cls(_date(first, "from"), _date(last, "to"))
        if period.end < period.start:
            raise PeriodBackwards(first=first, last=last)
        if period.days > MAX_DAYS:
            raise PeriodTooLong(most=MAX_DAYS, first=first, last=last, days=period.days)
        return period

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


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadDate(field=field, value=value) from None


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


@dataclass(slots=True)
class Parts:
    """A period's figures gathered before the report is laid out: by group (this period
    and the one before), the hall's totals, each day of the period, and each month's
    windows and clerks (for the rankings)."""

    now: dict[str, Tally] = field(default_factory=dict)
    before: dict[str, Tally] = field(default_factory=dict)
    total_now: Tally = field(default_factory=Tally)
    total_before: Tally = field(default_factory=Tally)
    days: dict[str, tuple[Tally, float | None]] = field(default_factory=dict)
    months: dict[tuple[By, str], dict[str, Tally]] = field(default_factory=dict)

    def add_day(self, day: str, groups: Mapping[tuple[By, str], Tally], balance: float | None,
                by: By, period: Period) -> None:  # fmt: skip
        """Add one day's tallies (a day read live from its raw rows)."""
        inside = period.first <= day <= period.last
        for (kind, name), t in groups.items():
            if kind is By.HALL:
                (self.total_now if inside else self.total_before).add(t)
                if inside:
                    self.days[day] = (t, balance)
            if kind is by:
                (self.now if inside else self.before).setdefault(name, Tally()).add(t)
            if inside and kind in (By.WINDOW, By.CLERK):
                month = self.months.setdefault((kind, day[:7]), {})
                month.setdefault(name, Tally()).add(t)


def build(
    hall: str, by: By, period: Period, parts: Parts, labels: Mapping[By, Mapping[str, str]]
) -> Report:
    """The report of ``period`` by ``by`` from its gathered ``parts``; ``labels``: each
    group's name to show, by kind."""
    keys = sorted(set(parts.now) | set(parts.before), key=_order(by))
    names = labels.get(by, {})
    lines = [
        Line(k, names.get(k, k), parts.now.get(k, Tally()), parts.before.get(k, Tally()))
        for k in keys
    ]
    trend = [DayPoint(d, *parts.days.get(d, (Tally(), None))) for d in period.each_day()]
    total = Line("", hall, parts.total_now, parts.total_before)
    report = Report(hall, by, period, lines, total, trend)
    for (kind, month), tallies in sorted(parts.months.items()):
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
