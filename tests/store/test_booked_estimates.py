"""The slip's wait counts the day's bookings still to check in, through the ``booked``
supplier of the store's forecasts (``Store.booked``, read in the forecast's own transaction)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from queue_app.domain.booked import Booked
from queue_app.store import Store
from tests.conftest import Clock


def test_a_walk_in_before_a_booked_slot_is_told_a_longer_wait(store: Store, clock: Clock) -> None:
    for w in (2, 3, 4):
        store.close_window(w)
    clock.advance(minutes=25)  # 09:25
    slot = clock() + 5 * 60  # 09:30
    asked: list[str] = []

    def booked(conn: object, day: str) -> Sequence[Booked]:
        asked.append(day)
        return [Booked(slot, ("M-SBK",))] * 6

    plain = Store(store.engine, store.catalog, store.hall, clock=clock, create=False)
    store.forecasts.booked = booked
    store.issue(["M-SBK"])
    assert store.call_next(1) is not None  # window 1 busy: 5 catalog minutes
    me = store.issue(["M-SBK"]).ticket
    assert set(asked) == {store.today()}  # the day of the line forecast
    # first in line, one window at 0.2 tickets a minute: called at 09:30, when six
    # bookings of 09:30 come first, less the one in ten that never comes: (5.4 + 1) / 0.2
    assert plain.estimated_wait(me) == pytest.approx(5.0)
    assert store.estimated_wait(me) == pytest.approx(32.0)
    # a walk-in joining the line is added to the forecast, bookings and all
    rebuilds = store.forecasts.rebuilds
    after = store.issue(["M-SBK"])
    assert store.forecasts.rebuilds == rebuilds  # extended, not played again
    assert after.estimated_wait_minutes == pytest.approx(37.0)
    assert plain.estimated_wait(after.ticket) == pytest.approx(10.0)


def test_a_hall_without_bookings_expects_none(store: Store) -> None:
    assert store.booked(store.today()) == []
