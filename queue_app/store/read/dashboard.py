"""The hall's big screen (大屏): the line by domain now, the windows, today's figures and the
last days' trend, in one read. Counts and ticket numbers only: nothing names a person."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, select
from sqlalchemy import bindparam as bp

from queue_app.domain.catalog import Catalog
from queue_app.domain.report import DayPoint, Period, build
from queue_app.domain.rollup import By
from queue_app.domain.ticket import Status
from queue_app.store.hall_key import mine, params
from queue_app.store.read import figures, line, reports
from queue_app.store.read.figures import WindowFigures
from queue_app.store.read.line import WindowInfo
from queue_app.store.read.reports import Excluded, RulesOf
from queue_app.store.settings import Layout
from queue_app.store.tables import ticket_t

T = ticket_t.c
_WAITING = select(T.matters, T.issued_at).where(
    mine(ticket_t), T.day == bp("day"), T.status == Status.WAITING.value
)


@dataclass(frozen=True, slots=True)
class DomainNow:
    """One domain's share of the waiting line (a ticket of several domains counts in each)."""

    domain: str
    waiting: int
    longest_wait_s: float


@dataclass(frozen=True, slots=True)
class Dashboard:
    day: str
    now: float
    target_wait_minutes: float
    waiting: int  # tickets waiting now
    longest_wait_s: float | None  # of them, the longest wait so far
    domains: list[DomainNow]  # most waiting first
    windows: list[WindowInfo]
    window_figures: list[WindowFigures]  # today's, in the layout's order
    trend: list[DayPoint]  # the hall's days, the last one today (tallied live)


def waiting_by_domain(
    conn: Connection, domain_of: Mapping[str, str], day: str, now: float
) -> tuple[int, float | None, list[DomainNow]]:
    """The tickets of ``day`` waiting at ``now``: how many, the longest wait, and by domain."""
    count, oldest = 0, None
    by: dict[str, tuple[int, float]] = {}
    for matters, issued_at in conn.execute(_WAITING, params(conn, day=day)):
        count += 1
        oldest = issued_at if oldest is None else min(oldest, issued_at)
        for d in {domain_of.get(m, "?") for m in matters.split()}:
            n, first = by.get(d, (0, issued_at))
            by[d] = (n + 1, min(first, issued_at))
    domains = [DomainNow(d, n, max(0.0, now - first)) for d, (n, first) in by.items()]
    domains.sort(key=lambda x: (-x.waiting, -x.longest_wait_s, x.domain))
    return count, None if oldest is None else max(0.0, now - oldest), domains


def dashboard(
    conn: Connection,
    layout: Layout,
    catalog: Catalog,
    day: str,
    now: float,
    period: Period,
    rules_of: RulesOf,
    excluded: Excluded,
) -> Dashboard:
    """The big screen on ``day`` at ``now``, with the hall's trend over ``period``."""
    hall = layout.hall
    domain_of = {m.code: m.domain for m in catalog.matters}
    waiting, longest, domains = waiting_by_domain(conn, domain_of, day, now)
    gathered = reports.parts(conn, By.HALL, period, rules_of, excluded)
    trend = build(hall.hall.name, By.HALL, period, gathered, {}).trend
    return Dashboard(
        day=day,
        now=now,
        target_wait_minutes=layout.targets.wait_minutes,
        waiting=waiting,
        longest_wait_s=longest,
        domains=domains,
        windows=line.window_infos(conn, layout, day),
        window_figures=figures.window_figures(conn, hall, day, now),
        trend=trend,
    )
