"""Reports over a period agree with a recomputation from the raw tickets and events, on
SQLite and PostgreSQL, before and after the raw rows are purged."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from queue_app.domain.catalog import Catalog
from queue_app.domain.errors import Refused
from queue_app.domain.hall import Hall
from queue_app.domain.rating import Channel
from queue_app.domain.report import Period, Report
from queue_app.domain.rollup import By, Tally
from queue_app.domain.ticket import Outcome, Priority
from queue_app.domain.window_state import WindowView
from queue_app.store.store import Store
from tests.conftest import SHANGHAI, Clock, why, with_raters

CLERKS = {1: "wang", 2: "li", 3: "zhao", 4: "qian"}
MATTERS = ["M-SBK", "M-YL", "M-GT", "M-SP", "M-HZ"]
OUTCOMES = list(Outcome)


def play_day(
    store: Store,
    clock: Clock,
    day: dt.date,
    rng: random.Random,
    steps: int,
    zone: dt.tzinfo = SHANGHAI,
) -> None:
    """A business day of random work at every window (from 9:00 in ``zone``, the hall's),
    then the day left to the rollover."""
    clock.now = dt.datetime.combine(day, dt.time(9, 0), zone).timestamp()
    for w in CLERKS:
        store.open_window(w, actor=CLERKS[w])
    for _ in range(steps):
        clock.advance(rng.uniform(5, 150))
        with contextlib.suppress(Refused):
            _step(store, rng)
    idle = [i.number for i in store.windows() if i.state is WindowView.IDLE]
    if idle and rng.random() < 0.5:
        store.pause(rng.choice(idle), reason="break", actor="manager")


def play_days(
    url: str, catalog: Catalog, hall: Hall, days: list[dt.date], seed: int, steps: int
) -> Store:
    """A store on ``url`` with ``days`` played one after another, the last one closed."""
    clock = Clock(dt.datetime.combine(days[0], dt.time(8), SHANGHAI))
    store = Store(url, catalog, hall, clock=clock, keep_days=None)
    rng = random.Random(seed)
    for d in days:
        play_day(store, clock, d, rng, steps=steps)
    store.close_day(force=True)
    return store


def _step(store: Store, rng: random.Random) -> None:
    roll = rng.random()
    if roll < 0.35:
        if rng.random() < 0.15:
            store.issue(bundle=rng.choice(["QY-KBCYD", "GR-TX"]))
        else:
            k = rng.choice([1, 1, 1, 2])
            prio = Priority.ELDERLY if rng.random() < 0.1 else None
            store.issue(rng.sample(MATTERS, k), priority=prio)
        return
    if roll < 0.38:
        waiting = store.waiting()
        if waiting:
            store.cancel(rng.choice(waiting).number, reason="left")
        return
    w = rng.choice(list(CLERKS))
    actor = CLERKS[w]
    info = {i.number: i for i in store.windows()}[w]
    if info.state is WindowView.PAUSED:
        store.resume(w, actor=actor)
    elif info.ticket is None:
        store.call_next(w, actor=actor)
    elif info.state is WindowView.CALLING:
        r = rng.random()
        if r < 0.12:
            store.no_show(w, actor=actor)
        elif r < 0.2:
            store.transfer(w, to_window=2 if w == 1 else 1, reason="other desk", actor=actor)
        else:
            store.start(w, actor=actor)
    elif info.state is WindowView.SERVING:
        t = info.ticket
        outcomes = {i.matter: rng.choice(OUTCOMES) for i in t.items}
        store.finish(w, outcomes, actor=actor)
        if rng.random() < 0.6:
            level = rng.randint(1, 5)
            # the citizen at the window's 评价器; a 代评 by the clerk where there is none
            by_staff = w not in store.hall.rater_windows
            channel = Channel.STAFF if by_staff else Channel.DEVICE
            store.rate(w, t.number, level, actor=actor, reasons=why(level), channel=channel)


# ------------------------------------------------------- an independent recomputation
def _nearest_rank(values: list[int], q: float) -> int | None:
    if not values:
        return None
    s = sorted(values)
    return s[max(1, math.ceil(q * len(s))) - 1]


def _resolved(seconds: int | None) -> int | None:
    """As reports resolve a time: down to 10 s under 10 min, 30 s under an hour, else 1 min."""
    if seconds is None:
        return None
    step = 10 if seconds < 600 else 30 if seconds < 3600 else 60
    return seconds // step * step


def figures_of(t: Tally) -> tuple[Any, ...]:
    return (t.columns(), sorted(t.waits.items()), sorted(t.handling.items()))


def recompute(
    engine: Engine, catalog: Catalog, hall: Hall, first: str, last: str, target_s: float
) -> dict[tuple[str, str], dict[str, Any]]:
    """Figures by (kind, group) from the raw rows, written apart from the store's tally."""
    domain = {m.code: m.domain for m in catalog.matters}
    code = hall.hall.code
    with engine.connect() as conn:
        tickets = {
            r.id: r
            for r in conn.execute(
                text("SELECT * FROM ticket WHERE hall = :h AND day BETWEEN :a AND :b"),
                {"h": code, "a": first, "b": last},
            )
        }
        items = defaultdict(list)
        for r in conn.execute(
            text("SELECT * FROM ticket_item WHERE hall = :h ORDER BY ticket_id, position"),
            {"h": code},
        ):
            if r.ticket_id in tickets:
                items[r.ticket_id].append(r)
        log = list(
            conn.execute(
                text("SELECT * FROM event WHERE hall = :h AND day BETWEEN :a AND :b ORDER BY id"),
                {"h": code, "a": first, "b": last},
            )
        )
    out: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {
            "issued": 0,
            "served": 0,
            "no_shows": 0,
            "transfers": 0,
            "cancelled": 0,
            "waits": [],
            "handling": [],
            "bundles": 0,
            "one_visit": 0,
            "ratings": Counter(),
            "proxies": Counter(),  # 代评: counted apart
        }
    )

    def groups_of(t: Any) -> list[tuple[str, str]]:
        hour = dt.datetime.fromtimestamp(t.issued_at, SHANGHAI).hour
        ms = t.matters.split()
        return (
            [("hall", ""), ("class", t.prefix), ("hour", f"{hour:02d}")]
            + [("matter", m) for m in set(ms)]
            + [("domain", d) for d in {domain[m] for m in ms}]
        )

    called: dict[int, Any] = {}
    finished: dict[int, Any] = {}
    for e in log:
        t = tickets.get(e.ticket_id)
        if t is None:
            continue
        where = groups_of(t)
        at_window = [("window", str(e.window)), ("clerk", e.actor)] if e.window else []
        if e.kind == "issued":
            for g in where:
                out[g]["issued"] += 1
        elif e.kind == "cancelled":
            for g in where:
                out[g]["cancelled"] += 1
        elif e.kind == "no_show":
            for g in where + at_window:
                out[g]["no_shows"] += 1
        elif e.kind == "transferred":
            for g in where + at_window:
                out[g]["transfers"] += 1
        elif e.kind == "called" and t.id not in called:
            called[t.id] = e
            for g in where + at_window:
                out[g]["waits"].append(int(e.at - t.issued_at))
        elif e.kind == "finished":
            finished[t.id] = e
            one = all(i.outcome in ("completed", "accepted") for i in items[t.id])
            for g in where + at_window:
                out[g]["served"] += 1
                out[g]["handling"].append(int(t.finished_at - t.started_at))
                if t.bundle:
                    out[g]["bundles"] += 1
                    out[g]["one_visit"] += one
        elif e.kind == "rated":
            f = finished[t.id]
            detail = json.loads(e.detail)
            apart = "proxies" if detail.get("channel") == "staff" else "ratings"
            for g in [*where, ("window", str(f.window)), ("clerk", f.actor)]:
                out[g][apart][detail["level"]] += 1
    for figures in out.values():
        waits = figures["waits"]
        figures["mean_wait"] = sum(waits) / len(waits) if waits else None
        figures["median_wait"] = _resolved(_nearest_rank(waits, 0.5))
        figures["p90_wait"] = _resolved(_nearest_rank(waits, 0.9))
        figures["within"] = sum(w <= target_s for w in waits)
        handling = figures["handling"]
        figures["mean_handling"] = sum(handling) / len(handling) if handling else None
    return out


def _compare(report: Report, expected: dict[tuple[str, str], dict[str, Any]]) -> int:
    """Assert each of the report's groups against the recomputation; how many compared."""
    mine = {k: v for k, v in expected.items() if k[0] == report.by.value}
    got = {line.key: line.now for line in report.lines if line.now.issued or line.now.served
           or line.now.waited or line.now.no_shows or line.now.rated}  # fmt: skip
    assert set(got) == set(k for _, k in mine), (set(got), set(mine))
    for (_, key), e in mine.items():
        t = got[key]
        assert (t.issued, t.served, t.no_shows, t.transfers, t.cancelled) == (
            e["issued"], e["served"], e["no_shows"], e["transfers"], e["cancelled"],
        ), key  # fmt: skip
        assert t.waited == len(e["waits"]) and t.within_target == e["within"], key
        assert t.median_wait_s == e["median_wait"] and t.p90_wait_s == e["p90_wait"], key
        assert t.mean_wait_s == pytest.approx(e["mean_wait"]), key
        assert t.mean_handling_s == pytest.approx(e["mean_handling"]), key
        assert (t.bundles, t.bundles_one_visit) == (e["bundles"], e["one_visit"]), key
        assert +t.ratings == +e["ratings"] and +t.proxied == +e["proxies"], key
    return len(mine)


@pytest.fixture()
def played(
    db_url: str, mini_catalog: Catalog, mini_hall: Hall
) -> Iterator[tuple[Store, Clock, list[dt.date]]]:
    days = [dt.date(2026, 11, 16) + dt.timedelta(days=i) for i in range(4)]  # Monday to Thursday
    clock = Clock(dt.datetime.combine(days[0], dt.time(8), SHANGHAI))
    # window 4 has no 评价器: its clerk enters the citizens' ratings (代评, counted apart)
    hall = with_raters(mini_hall, "1-3")
    store = Store(db_url, mini_catalog, hall, clock=clock, keep_days=None)
    rng = random.Random(20261202)
    for d in days:
        play_day(store, clock, d, rng, steps=130)
    # the last day stays open: today's figures come live from its raw rows
    yield store, clock, days
    store.dispose()


def test_every_report_figure_agrees_with_the_raw_log_before_and_after_the_purge(
    played: tuple[Store, Clock, list[dt.date]], mini_catalog: Catalog, mini_hall: Hall
) -> None:
    store, clock, days = played
    period = Period(days[2], days[-1])
    target = mini_hall.targets.wait_minutes * 60
    expected = recompute(store.engine, mini_catalog, mini_hall, period.first, period.last, target)
    before = recompute(
        store.engine, mini_catalog, mini_hall, days[0].isoformat(), days[1].isoformat(), target
    )
    kinds = [by for by in By if by is not By.DEPARTMENT]
    live = {by: store.report(by, period) for by in kinds}  # the last day tallied live
    compared = sum(_compare(r, expected) for r in live.values())
    assert compared >= 20  # every window, clerk, matter, domain, class and hour that worked
    total = live[By.HALL].total
    assert total.now.issued == expected[("hall", "")]["issued"] > 60
    assert total.before.issued == before[("hall", "")]["issued"] > 0
    assert total.now.rated == sum(expected[("hall", "")]["ratings"].values()) > 10
    assert total.now.proxy_rated == sum(expected[("window", "4")]["proxies"].values()) > 0
    own = expected[("hall", "")]["ratings"]  # the rates are of the citizens' own ratings
    assert total.now.bad_rate == pytest.approx((own[1] + own[2]) / sum(own.values()))
    assert total.now.bundles > 0 and total.now.transfers > 0 and total.now.no_shows > 0
    assert [p.day for p in live[By.HALL].trend] == period.each_day()
    assert all(p.balance is not None for p in live[By.HALL].trend)
    assert live[By.WINDOW].ranking and live[By.WINDOW].clerk_ranking

    # the last day closed by hand: every day of both periods is now read from its rollups
    store.close_day(force=True)
    kept = {by: store.report(by, period) for by in kinds}
    assert sum(_compare(r, expected) for r in kept.values()) == compared

    # a day later the raw rows of every earlier day go; the figures stay the same
    clock.now = dt.datetime.combine(
        days[-1] + dt.timedelta(days=1), dt.time(9), SHANGHAI
    ).timestamp()
    store.roll_over()
    gone = store.purge_history(keep_days=0)
    assert gone["tickets"] > 0 and gone["events"] > 0
    with store.engine.connect() as conn:
        left = text("SELECT count(*) FROM ticket WHERE hall = :h")
        assert conn.execute(left, {"h": store.code}).scalar() == 0
    for by, r in kept.items():
        after = store.report(by, period)
        assert _rows(after) == _rows(r), by


def _rows(r: Report) -> list[Any]:
    return [
        *((line.key, figures_of(line.now), figures_of(line.before)) for line in r.lines),
        figures_of(r.total.now),
        figures_of(r.total.before),
        *((p.day, figures_of(p.tally), p.balance) for p in r.trend),
        r.ranking,
        r.clerk_ranking,
    ]


def test_closing_a_day_purges_the_raw_rows_past_their_keeping_with_the_figures_kept(
    db_url: str, mini_catalog: Catalog, mini_hall: Hall
) -> None:
    """With one day kept, the rollover to Wednesday deletes Monday's tickets and events by
    itself (Monday is before Wednesday less one day); Monday's report stays the same."""
    days = [dt.date(2026, 11, 16) + dt.timedelta(days=i) for i in range(3)]
    clock = Clock(dt.datetime.combine(days[0], dt.time(8), SHANGHAI))
    store = Store(db_url, mini_catalog, mini_hall, clock=clock, keep_days=1)
    try:
        rng = random.Random(3)
        play_day(store, clock, days[0], rng, steps=40)
        play_day(store, clock, days[1], rng, steps=40)  # Monday closed, its rows kept
        monday = Period(days[0], days[0])
        before = {by: _rows(store.report(by, monday)) for by in By}
        with store.engine.connect() as conn:
            count = text("SELECT count(*) FROM ticket WHERE hall = :h AND day = :d")
            assert conn.execute(count, {"h": store.code, "d": days[0].isoformat()}).scalar()
        play_day(store, clock, days[2], rng, steps=5)  # Wednesday: Monday's rows go
        with store.engine.connect() as conn:
            left = conn.execute(count, {"h": store.code, "d": days[0].isoformat()}).scalar()
            assert left == 0
            assert conn.execute(count, {"h": store.code, "d": days[1].isoformat()}).scalar()
        assert {by: _rows(store.report(by, monday)) for by in By} == before
    finally:
        store.dispose()


def test_a_whole_months_histograms_come_from_its_month_rows_with_the_same_figures(
    db_url: str, mini_catalog: Catalog, mini_hall: Hall
) -> None:
    """November as a whole month (its month rows) gives what its days give (2026-11-01 is
    a Sunday: the 1st to the 30th and the 2nd to the 30th are the same days of work); a
    day kept again is counted once in its month."""
    from queue_app.store import rollups
    from queue_app.store.hall_key import bind

    assert rollups.split_months("2026-11-01", "2026-11-30") == (["2026-11"], [])
    assert rollups.split_months("2026-10-15", "2026-12-05") == (
        ["2026-11"],
        [("2026-10-15", "2026-10-31"), ("2026-12-01", "2026-12-05")],
    )
    days = [dt.date(2026, 11, 2), dt.date(2026, 11, 3), dt.date(2026, 11, 4)]
    clock = Clock(dt.datetime.combine(days[0], dt.time(8), SHANGHAI))
    store = Store(db_url, mini_catalog, mini_hall, clock=clock, keep_days=None)
    try:
        rng = random.Random(11)
        for d in days:
            play_day(store, clock, d, rng, steps=50)  # Monday and Tuesday kept, Wednesday live
        whole = Period.of("2026-11-01", "2026-11-30")
        by_days = Period.of("2026-11-02", "2026-11-30")
        for by in (By.HALL, By.WINDOW, By.MATTER):
            a, b = store.report(by, whole), store.report(by, by_days)
            assert [(x.key, figures_of(x.now)) for x in a.lines] == [
                (x.key, figures_of(x.now)) for x in b.lines
            ], by
        step = "SELECT kind, step, sum(tickets) FROM {t} WHERE hall = :h GROUP BY kind, step"
        with store.engine.begin() as conn:
            month = sorted(
                conn.execute(text(step.format(t="month_rollup_step")), {"h": store.code})
            )
            daily = sorted(conn.execute(text(step.format(t="day_rollup_step")), {"h": store.code}))
            assert month == daily and month
            bound = bind(conn, store.code)  # Monday kept again: counted once in November
            monday = days[0].isoformat()
            how = store._rules(bound, store._day_end(bound, monday))
            rollups.write(bound, monday, rollups.tally(bound, monday, how, frozenset()))
            again = sorted(
                conn.execute(text(step.format(t="month_rollup_step")), {"h": store.code})
            )
            assert again == month
    finally:
        store.dispose()
