"""The API's big screen (GET /api/dashboard): the hall now, today, and the last 30 days, in
one read for the 大屏 on the manager's wall. Counts, ticket numbers and window names only."""

from __future__ import annotations

from pydantic import BaseModel

from queue_app.domain.rollup import Tally


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 60.0


class DomainNowOut(BaseModel):
    domain: str
    waiting: int  # tickets waiting now with a matter of this domain
    longest_wait_minutes: float  # the longest of them has waited so far


class WindowNowOut(BaseModel):
    number: int
    name: str
    state: str  # closed, idle, calling, serving, paused
    ticket: str | None  # the ticket called or being served there
    served: int  # tickets finished there today
    utilisation: float | None  # busy over open time today (0–1)


class TodayOut(BaseModel):
    """Today's figures (minutes; shares 0–1; None: nothing to measure yet)."""

    issued: int
    served: int
    no_shows: int
    cancelled: int
    waiting: int  # now
    longest_wait_minutes: float | None  # of those waiting now
    mean_wait_minutes: float | None  # issue to first call, of the tickets called today
    p90_wait_minutes: float | None
    within_target_share: float | None
    bundles: int  # 一件事 served in one visit today
    ratings: dict[int, int]  # 好差评 level (5 非常满意 … 1 非常不满意) → ratings counted
    rated: int  # the citizens' own (the rates are of these)
    proxy_rated: int  # 代评: entered by staff for citizens, counted apart
    bad_rate: float | None  # 差评率: levels 1 and 2 over the ratings counted
    satisfied_rate: float | None  # 满意率: levels 4 and 5
    load_balance: float | None  # 忙闲均衡度 of the windows open so far (0 = even)

    @classmethod
    def of(cls, t: Tally, waiting: int, longest_s: float | None, balance: float | None) -> TodayOut:
        return cls(
            issued=t.issued,
            served=t.served,
            no_shows=t.no_shows,
            cancelled=t.cancelled,
            waiting=waiting,
            longest_wait_minutes=_minutes(longest_s),
            mean_wait_minutes=_minutes(t.mean_wait_s),
            p90_wait_minutes=_minutes(t.p90_wait_s),
            within_target_share=t.within_target_share,
            bundles=t.bundles,
            ratings={lv: t.ratings[lv] for lv in range(5, 0, -1)},
            rated=t.rated,
            proxy_rated=t.proxy_rated,
            bad_rate=t.bad_rate,
            satisfied_rate=t.satisfied_rate,
            load_balance=balance,
        )


class TrendDayOut(BaseModel):
    """One day of the hall's trend (as the hall's report gives it)."""

    day: str
    issued: int
    served: int
    mean_wait_minutes: float | None
    rated: int
    bad_rate: float | None

    @classmethod
    def of(cls, day: str, t: Tally) -> TrendDayOut:
        return cls(
            day=day,
            issued=t.issued,
            served=t.served,
            mean_wait_minutes=_minutes(t.mean_wait_s),
            rated=t.rated,
            bad_rate=t.bad_rate,
        )


class DashboardOut(BaseModel):
    hall: str
    timezone: str
    day: str
    now: float
    version: int  # the newest event already reflected here (compare with the stream's ids)
    target_wait_minutes: float  # the hall's wait target in effect
    domains: list[DomainNowOut]  # most waiting first
    windows: list[WindowNowOut]
    today: TodayOut
    trend: list[TrendDayOut]  # the last 30 days, today last
