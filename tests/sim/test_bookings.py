"""Bookings in the simulator and the staffing advisor: booked citizens check in around their
slot and are served as appointments; the advisor counts them at their slots."""

from __future__ import annotations

import pytest

from queue_app.domain import hours
from queue_app.domain.booked import Booked
from queue_app.domain.catalog import Catalog
from queue_app.domain.demand import Demand
from queue_app.domain.hall import Hall
from queue_app.sim import DemandModel, advise, layout_for, run_day
from queue_app.sim.arrivals import ScenarioError

DAY = "2026-11-23"


def test_booked_citizens_come_around_their_slot_and_walk_ins_stay_as_drawn(
    default_hall: Hall, real_catalog: Catalog, default_demand: Demand
) -> None:
    plain = DemandModel(default_demand, real_catalog, default_hall, 4).day(0)
    demand = default_demand.with_booking_share(0.5)
    model = DemandModel(demand, real_catalog, default_hall, 4)
    day = model.day(0)
    walk_ins = [(a.t, a.matters) for a in day if a.slot is None]
    booked = [a for a in day if a.slot is not None]
    assert set(walk_ins) <= {(a.t, a.matters) for a in plain}  # the same draws, fewer
    assert 0.4 < len(booked) / len(plain) < 0.5  # half book, one booking in ten unused
    assert len(model.bookings[0]) == len(plain) - len(walk_ins)  # the unused ones known
    for a in booked:
        assert (a.slot % 1800 == 0 and -30 * 60 <= a.t - a.slot <= 15 * 60) or a.t == model.open_s
        assert a.cls == "预约" and a.priority is None
    # served as appointments: none waits long after its slot begins, early ones for it
    result = run_day(layout_for(default_hall, real_catalog, demand), day, 0)
    after_slot = sorted(
        max(0.0, c.arrival.t + c.first_wait - max(c.arrival.t, c.arrival.slot))
        for c in result.citizens
        if c.arrival.slot is not None and c.outcome == "served"
    )
    assert after_slot[len(after_slot) // 2] < 60.0  # the median called within a minute


def test_staffing_counts_a_days_bookings_at_their_slots(
    default_hall: Hall, real_catalog: Catalog, default_demand: Demand
) -> None:
    ten = hours.at(default_hall, DAY, "10:00")
    code = next(m.code for m in real_catalog.matters if m.domain == "社保" and m.common)
    booked = [Booked(ten + k % 2 * 1800, (code,)) for k in range(80)]
    without = advise(default_hall, real_catalog, default_demand, days=1, what_if=None, rounds=2)
    with_ = advise(
        default_hall,
        real_catalog,
        default_demand,
        days=1,
        what_if=None,
        rounds=2,
        booked=booked,
        day=DAY,
    )
    by = {h.start: h for h in with_.hours}
    base = {h.start: h for h in without.hours}
    assert by["10:00"].booked == pytest.approx(72.0)  # less one in ten that never comes
    assert by["10:00"].arrivals == pytest.approx(base["10:00"].arrivals + 72.0)
    assert by["10:00"].erlang_needed > base["10:00"].erlang_needed
    assert by["10:00"].advised >= base["10:00"].advised
    assert by["09:00"].erlang_needed == base["09:00"].erlang_needed  # no slot then
    with pytest.raises(ScenarioError, match="X-NONE"):
        advise(
            default_hall, real_catalog, default_demand, booked=[Booked(ten, ("X-NONE",))], day=DAY
        )
