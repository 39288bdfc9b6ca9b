"""A simulated day: reproducible, every arrival accounted for, the hall's hours kept."""

from __future__ import annotations

import pytest

from queue_app.domain.catalog import Catalog
from queue_app.domain.demand import Demand
from queue_app.domain.hall import Hall
from queue_app.domain.layouts import department_layout, pooled_layout
from queue_app.domain.ticket import Status
from queue_app.sim import DaySim, DemandModel, layout_for, simulate
from queue_app.sim.arrivals import hhmm_seconds
from queue_app.sim.engine import NO_SHOW, REFUSED, SERVED
from queue_app.sim.run import department_loads


@pytest.fixture(scope="module")
def model(default_demand: Demand, real_catalog: Catalog, default_hall: Hall) -> DemandModel:
    return DemandModel(default_demand, real_catalog, default_hall, seed=7)


def play(hall: Hall, catalog: Catalog, demand: Demand, model: DemandModel, day: int = 0):
    sim = DaySim(layout_for(hall, catalog, demand), model.day(day), day)
    return sim, sim.run()


def test_same_seed_same_day_other_seed_other_day(
    model: DemandModel, default_demand: Demand, real_catalog: Catalog, default_hall: Hall
) -> None:
    lay = layout_for(default_hall, real_catalog, default_demand)
    a = simulate(model, [lay], 2)[0]
    b = simulate(DemandModel(default_demand, real_catalog, default_hall, 7), [lay], 2)[0]
    c = simulate(DemandModel(default_demand, real_catalog, default_hall, 8), [lay], 2)[0]
    assert a.to_dict() == b.to_dict()
    assert a.wait.mean != c.wait.mean
    # the same days split over two processes give the same figures
    assert simulate(model, [lay], 2, workers=2)[0].to_dict() == a.to_dict()


def test_every_arrival_ends_served_or_no_show_and_tickets_agree(
    model: DemandModel, default_demand: Demand, real_catalog: Catalog, default_hall: Hall
) -> None:
    sim, r = play(default_hall, real_catalog, default_demand, model)
    assert len(r.citizens) == len(model.day(0)) > 600
    outcomes = [c.outcome for c in r.citizens]
    assert set(outcomes) <= {SERVED, NO_SHOW} and outcomes.count(NO_SHOW) > 0
    # the production state machine took every ticket to its end
    statuses = [t.status for t in sim.tickets]
    assert set(statuses) == {Status.DONE, Status.NO_SHOW}
    assert statuses.count(Status.NO_SHOW) == outcomes.count(NO_SHOW)
    assert sum(r.served.values()) == len(sim.tickets) == len(r.calls)
    for t in sim.tickets:
        assert t.issued_at <= t.called_at <= t.finished_at  # type: ignore[operator]
    # busy time is the sum of each ticket's time at its window
    total = sum(t.finished_at - t.called_at for t in sim.tickets)  # type: ignore[operator]
    assert sum(r.busy.values()) == pytest.approx(total)
    assert all(0 <= r.busy[w] <= r.open_time[w] + 1e-6 for w in r.busy)


def test_the_old_hall_splits_bundles_into_visits(
    model: DemandModel, default_demand: Demand, real_catalog: Catalog, default_hall: Hall
) -> None:
    old = department_layout(default_hall, real_catalog, department_loads(model, 2))
    assert len(old.windows) == len(default_hall.windows)
    sim, r = play(old, real_catalog, default_demand, model)
    bundles = [c for c in r.citizens if c.arrival.bundle and c.outcome == SERVED]
    assert bundles and any(c.visits > 1 for c in bundles)
    assert all(c.outcome in (SERVED, NO_SHOW) for c in r.citizens)
    assert len(sim.tickets) == sum(max(c.visits, 1) for c in r.citizens)


def test_hours_are_kept(
    model: DemandModel, default_demand: Demand, real_catalog: Catalog, default_hall: Hall
) -> None:
    lay = layout_for(default_hall, real_catalog, default_demand)
    sim = DaySim(lay, model.day(1), 1)
    r = sim.run()
    h = default_hall.hours
    open_s, issue_until = hhmm_seconds(h.open), hhmm_seconds(h.issue_until or h.close)
    lunch = (hhmm_seconds(h.lunch.start), hhmm_seconds(h.lunch.end))  # type: ignore[union-attr]
    assert all(open_s <= c.arrival.t < issue_until for c in r.citizens)
    duty = {lay.numbers[i] for i in lay.lunch_duty}
    assert duty == set(h.lunch.on_duty) and len(duty) == 4  # type: ignore[union-attr]
    for t, w in r.calls:
        assert t >= open_s
        if lunch[0] <= t < lunch[1]:
            assert w in duty, f"window {w} called at {t} over lunch"
    # every clerk took a break each half day, never with a ticket in hand, never over lunch
    per_window = {n: [t for t, w in sim.pauses if w == n] for n in lay.numbers}
    assert all(len(ts) == 2 for ts in per_window.values()), per_window
    for n, ts in per_window.items():
        assert sum(t < lunch[0] for t in ts) == 1
        assert not any(lunch[0] <= t < lunch[1] for t in ts) or n in duty
        for t in ts:  # the window's last call before its break was finished by then
            before = [c for c, w in r.calls if w == n and c <= t]
            assert not before or any(
                tk.finished_at is not None
                and tk.called_at == before[-1]
                and tk.window == n
                and tk.finished_at <= t
                for tk in sim.tickets
            )


def test_people_waiting_at_close_are_served_and_counted(
    model: DemandModel, default_demand: Demand, real_catalog: Catalog, default_hall: Hall
) -> None:
    data = default_demand.model_dump(mode="json")
    data["arrivals"]["scale"] = 1.6  # more than the staff can serve by closing time
    busy = type(default_demand).model_validate(data)
    m = DemandModel(busy, real_catalog, default_hall, 3)
    sim = DaySim(layout_for(default_hall, real_catalog, busy), m.day(0), 0)
    r = sim.run()
    late = [c for c in r.citizens if c.called_after_close]
    assert late and all(c.outcome in (SERVED, NO_SHOW) for c in late)
    assert r.overtime > 0 and r.last_finish > r.close_s


def test_a_matter_no_window_serves_is_refused_at_the_desk(
    real_catalog: Catalog, default_demand: Demand, default_hall: Hall
) -> None:
    m = DemandModel(default_demand, real_catalog, pooled_layout(default_hall), 1)
    township = default_hall.model_dump(mode="json")
    township["windows"] = township["windows"][:1]  # one undifferentiated window
    township["hours"]["lunch"]["on_duty"] = []
    from queue_app.domain.hall import parse_hall

    small = parse_hall(township)
    sim = DaySim(layout_for(small, real_catalog, default_demand), m.day(0), 0)
    r = sim.run()
    refused = [c for c in r.citizens if c.outcome == REFUSED]
    assert refused and all(
        not sim.layout.coverage.windows_for(frozenset(c.arrival.matters)) for c in refused
    )
