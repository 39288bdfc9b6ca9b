"""The API's report: a period's figures by group, against the period before it, the trend
day by day and the month's ranking of windows and clerks (the shapes the server sends and
the client, the CLI and the workbooks read)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from queue_app.api_cases import CaseFiguresOut
from queue_app.domain.report import DayPoint, Line, Ranked, Report
from queue_app.domain.rollup import By, Tally


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 60.0


class FiguresOut(BaseModel):
    """One group's figures over a period (minutes; shares 0–1; None: nothing to measure)."""

    issued: int
    served: int
    no_shows: int
    transfers: int
    cancelled: int
    expired: int
    waited: int  # tickets called, whose wait is measured (issue to first call)
    mean_wait_minutes: float | None
    median_wait_minutes: float | None
    p90_wait_minutes: float | None
    within_target_share: float | None  # of the waits, those within the hall's target
    mean_handling_minutes: float | None  # start to finish at the window
    median_handling_minutes: float | None
    outcomes: dict[str, int]  # matters by outcome: completed, accepted, correction, rejected
    bundles: int  # 一件事 bundles served
    one_visit_share: float | None  # of them, every matter 办结 or 受理 at that visit
    ratings: dict[int, int]  # 好差评 level (5 非常满意 … 1 非常不满意) → ratings counted
    excluded_ratings: dict[int, int]  # set aside on appeal (申诉复核)
    rated: int  # the citizens' own ratings counted (the rates are of these)
    proxy_ratings: dict[int, int]  # 代评: entered by staff for citizens, counted apart
    proxy_rated: int
    bad_rate: float | None  # 差评率: levels 1 and 2 over the ratings counted
    satisfied_rate: float | None  # 满意率: levels 4 and 5
    busy_minutes: float  # windows and clerks: from each call to its end
    open_minutes: float  # windows: open and not paused
    utilisation: float | None

    @classmethod
    def of(cls, t: Tally) -> FiguresOut:
        return cls(
            issued=t.issued,
            served=t.served,
            no_shows=t.no_shows,
            transfers=t.transfers,
            cancelled=t.cancelled,
            expired=t.expired,
            waited=t.waited,
            mean_wait_minutes=_minutes(t.mean_wait_s),
            median_wait_minutes=_minutes(t.median_wait_s),
            p90_wait_minutes=_minutes(t.p90_wait_s),
            within_target_share=t.within_target_share,
            mean_handling_minutes=_minutes(t.mean_handling_s),
            median_handling_minutes=_minutes(t.median_handling_s),
            outcomes=dict(t.outcomes),
            bundles=t.bundles,
            one_visit_share=t.one_visit_share,
            ratings={lv: t.ratings[lv] for lv in range(5, 0, -1)},
            excluded_ratings={lv: n for lv, n in sorted(t.excluded.items()) if n},
            rated=t.rated,
            proxy_ratings={lv: t.proxied[lv] for lv in range(5, 0, -1)},
            proxy_rated=t.proxy_rated,
            bad_rate=t.bad_rate,
            satisfied_rate=t.satisfied_rate,
            busy_minutes=t.busy_s / 60.0,
            open_minutes=t.open_s / 60.0,
            utilisation=t.utilisation,
        )


class LineOut(BaseModel):
    key: str  # the group: a window's number, a clerk's account, a matter's code, "09" …
    label: str  # as a report names it
    now: FiguresOut
    before: FiguresOut  # the period of as many days just before

    @classmethod
    def of(cls, line: Line) -> LineOut:
        return cls(
            key=line.key,
            label=line.label,
            now=FiguresOut.of(line.now),
            before=FiguresOut.of(line.before),
        )


class DayOut(BaseModel):
    day: str
    figures: FiguresOut
    load_balance: float | None  # 忙闲均衡度: spread of the windows' utilisation (0 = even)

    @classmethod
    def of(cls, p: DayPoint) -> DayOut:
        return cls(day=p.day, figures=FiguresOut.of(p.tally), load_balance=p.balance)


class RankedOut(BaseModel):
    """A window or clerk in a month's ranking (read from ``report.Ranked``)."""

    model_config = ConfigDict(from_attributes=True)

    rank: int
    key: str
    label: str
    rated: int
    satisfied_rate: float | None
    bad_rate: float | None


class ReportOut(BaseModel):
    hall: str
    by: By
    first: str  # the period's first day
    last: str  # its last day (included)
    previous_first: str
    previous_last: str
    lines: list[LineOut]
    total: LineOut
    trend: list[DayOut]  # the hall, each day of the period
    window_ranking: dict[str, list[RankedOut]]  # "YYYY-MM" → windows by 满意率
    clerk_ranking: dict[str, list[RankedOut]]
    cases: CaseFiguresOut  # 好差评 cases opened in the period: 回访率, 整改率

    @classmethod
    def of(cls, r: Report) -> ReportOut:
        before = r.period.previous()
        return cls(
            hall=r.hall,
            by=r.by,
            first=r.period.first,
            last=r.period.last,
            previous_first=before.first,
            previous_last=before.last,
            lines=[LineOut.of(x) for x in r.lines],
            total=LineOut.of(r.total),
            trend=[DayOut.of(p) for p in r.trend],
            window_ranking={
                m: [RankedOut.model_validate(x) for x in v] for m, v in r.ranking.items()
            },
            clerk_ranking={
                m: [RankedOut.model_validate(x) for x in v] for m, v in r.clerk_ranking.items()
            },
            cases=CaseFiguresOut.of(r.cases, r.period.first, r.period.last),
        )


def _ranked(by_month: dict[str, list[Ranked]]) -> dict[str, list[RankedOut]]:
    return {m: [RankedOut.model_validate(x) for x in v] for m, v in by_month.items()}
