"""Past days played by the simulator through the store: the report of the seeded days gives
the simulator's own figures; the same seed gives the same figures; a database that holds
one of the days, a hall in use later, or a demand the hall cannot finish in a day are
refused with nothing changed. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from queue_app.domain.catalog import Catalog
from queue_app.domain.demand import Demand, parse_demand
from queue_app.domain.hall import Hall
from queue_app.domain.refusals import DemandOverruns, HallInUseLater, HistoryDaysTaken
from queue_app.domain.report import Period
from queue_app.domain.rollup import By, Tally, resolution
from queue_app.history import Seeded, SetClock, past_days, seed_history
from queue_app.sim.engine import NO_SHOW, SERVED
from queue_app.store import Store
from queue_app.store.tables import event_t

UNTIL = dt.date(2026, 11, 26)  # a Thursday: the days before it are Mon 23 to Wed 25


def mini_demand(per_hour: float = 6.0) -> Demand:
    """A small day at the mini hall: every kind of ticket, 过号 and breaks."""
    return parse_demand(
        {
            "demand": {"name": "mini"},
            "arrivals": {
                "per_hour": {"09:00": per_hour, "12:00": 2.0, "13:30": per_hour, "17:00": 0}
            },
            "mix": {"社保": 5, "企业开办": 3, "出入境": 2},
            "bundles": {"share": 0.1},
            "priority_share": 0.1,
            "no_show": {"rate": 0.1, "minutes": 2.0},
            "handling": {"sigma": 0.5, "walk_minutes": 0.5},
            "breaks": {"per_half_day": 1, "minutes": 10},
        }
    )


def seeded(url: str, catalog: Catalog, hall: Hall, days: int = 2, seed: int = 5) -> Any:
    store = Store(url, catalog, hall, clock=SetClock())
    done = seed_history(store, mini_demand(), past_days(hall, days, UNTIL), seed=seed)
    return store, done


def total(store: Store, done: Seeded, by: By = By.HALL) -> dict[str, Tally]:
    report = store.report(by, Period.of(done.days[0], done.days[-1]))
    if by is By.HALL:
        return {"": report.total.now}
    return {line.key: line.now for line in report.lines}


def test_the_report_of_seeded_days_gives_the_simulators_own_figures(
    db_url: str, mini_catalog: Catalog, mini_hall: Hall
) -> None:
    store, done = seeded(db_url, mini_catalog, mini_hall)
    try:
        rows = [r for day in done.figures for r in day.rows]
        called = [r for r in rows if r.outcome in (SERVED, NO_SHOW)]
        hall = total(store, done)[""]
        assert len(done.days) == 2 and len(rows) > 60
        assert hall.served == sum(r.outcome == SERVED for r in rows)
        assert hall.no_shows == sum(r.outcome == NO_SHOW for r in rows) > 0
        assert hall.issued == len(rows) + done.extras.cancelled
        assert hall.cancelled == done.extras.cancelled
        waits = [int(r.first_wait) for r in called]  # whole seconds
        assert (hall.wait_n, hall.wait_sum) == (len(waits), sum(waits))
        assert hall.waits == Counter(resolution(w) for w in waits)  # at report resolution
        target = mini_hall.targets.wait_minutes * 60
        assert hall.within_target == sum(int(r.first_wait) <= target for r in called)
        assert hall.rated == done.extras.rated > 0
        assert dict(hall.outcomes) == done.extras.outcomes
        assert hall.transfers == 0 and hall.expired == 0
        windows = total(store, done, By.WINDOW)
        for n in (w.number for w in mini_hall.windows):
            mine = windows[str(n)]
            assert mine.served + mine.no_shows == sum(d.served[n] for d in done.figures)
            assert mine.busy_s == pytest.approx(sum(d.busy[n] for d in done.figures), abs=1e-3)
            assert mine.open_s == pytest.approx(sum(d.open_time[n] for d in done.figures), abs=1e-3)
        assert done.tickets == hall.issued and done.rate > 0
    finally:
        store.dispose()


def test_the_same_seed_gives_the_same_figures(
    db_url: str, tmp_path: Path, mini_catalog: Catalog, mini_hall: Hall
) -> None:
    """On this backend and on a fresh SQLite file: the same figures, group by group (the
    clerks too: they move one window along each day)."""
    first, a = seeded(db_url, mini_catalog, mini_hall)
    second, b = seeded(f"sqlite:///{tmp_path / 'again.db'}", mini_catalog, mini_hall)
    try:
        for by in (By.HALL, By.WINDOW, By.CLERK, By.MATTER, By.HOUR):
            one = {
                k: (t.columns(), sorted(t.waits.items())) for k, t in total(first, a, by).items()
            }
            assert one == {
                k: (t.columns(), sorted(t.waits.items())) for k, t in total(second, b, by).items()
            }, by
        assert a.tickets == b.tickets > 0
    finally:
        for s in (first, second):
            s.dispose()


def _events(store: Store) -> int:
    with store.uow.read() as tx:
        return int(
            tx.conn.execute(
                select(func.count()).select_from(event_t).where(event_t.c.hall == tx.hall)
            ).scalar_one()
        )


def test_days_held_already_a_hall_in_use_later_and_an_overrun_are_refused(
    db_url: str, mini_catalog: Catalog, mini_hall: Hall
) -> None:
    store, done = seeded(db_url, mini_catalog, mini_hall, days=1)
    try:
        before = _events(store)
        later = past_days(mini_hall, 3, UNTIL)  # Mon to Wed: Wed is held already
        with pytest.raises(HistoryDaysTaken) as taken:
            seed_history(store, mini_demand(), later, seed=5)
        assert taken.value.params["day"] == done.days[0]
        earlier = past_days(mini_hall, 2, dt.date.fromisoformat(done.days[0]))
        with pytest.raises(HallInUseLater):  # the hall worked on a later day
            seed_history(store, mini_demand(), earlier, seed=5)
        with pytest.raises(DemandOverruns):  # far more than four windows finish in a day
            seed_history(store, mini_demand(per_hour=400), ["2026-10-01"], seed=5)
        assert _events(store) == before
    finally:
        store.dispose()


def test_a_new_hall_made_today_is_set_back_to_the_first_day(
    db_url: str, mini_catalog: Catalog, mini_hall: Hall
) -> None:
    """A database made by `db upgrade` today (its business day today, no tickets) takes
    the days before; the next real operation rolls it over to today."""
    clock = SetClock(dt.datetime(2026, 11, 26, 10, 0, tzinfo=mini_hall.zone).timestamp())
    store = Store(db_url, mini_catalog, mini_hall, clock=clock)
    try:
        assert store.today() == "2026-11-26"
        seed_history(store, mini_demand(), ["2026-11-25"], seed=5)
        clock.now = dt.datetime(2026, 11, 26, 10, 0, tzinfo=mini_hall.zone).timestamp()
        store.open_window(1, actor="manager")
        assert store.issue(["M-SBK"]).ticket.day == "2026-11-26"
    finally:
        store.dispose()


def _kept(t: Tally) -> tuple[object, ...]:
    return (t.columns(), sorted(t.waits.items()))
