"""The wait on the slip and the status page: the domain's estimator on the database's state."""

from __future__ import annotations

import random

import pytest

from queue_app.domain.ticket import Outcome, Priority
from queue_app.store import Store
from tests.conftest import Clock


def serve(store: Store, clock: Clock, window: int, minutes: float) -> None:
    """Window ``window`` calls its next ticket and takes ``minutes`` over it."""
    assert store.call_next(window) is not None
    store.start(window)
    clock.advance(minutes=minutes)
    store.finish(window, Outcome.COMPLETED)


def test_undifferentiated_windows_the_queue_length_on_rates(store: Store) -> None:
    for w in (3, 4):
        store.close_window(w)
    assert store.issue(["M-SBK"]).estimated_wait_minutes == 0.0  # a window is free
    store.issue(["M-SBK"])
    store.call_next(1)
    store.call_next(2)
    waits = [store.issue(["M-SBK"]).estimated_wait_minutes for _ in range(3)]
    # two busy windows of 5 catalog minutes each: 0.4 tickets a minute between them
    assert waits == pytest.approx([2.5, 5.0, 7.5])


def test_handling_times_are_learned_from_finished_work(store: Store, clock: Clock) -> None:
    for w in (2, 3, 4):
        store.close_window(w)
    before = store.issue(["M-SBK"]).estimated_wait_minutes  # nobody served yet: catalog 5
    for _ in range(6):
        store.issue(["M-SBK"])
    for _ in range(6):
        serve(store, clock, 1, minutes=20)  # this hall takes four times the catalog's
    store.call_next(1)
    learned = store.issue(["M-SBK"]).estimated_wait_minutes
    assert before == 0.0 and learned is not None
    ahead = store.ahead(store.waiting()[-1])
    assert learned > (ahead + 1) * 15  # near 20 minutes a ticket, not 5
    # another process on the database learns the same from the same rows
    other = Store(store.engine, store.catalog, store.hall, clock=clock, create=False)
    assert other.estimated_wait(store.waiting()[-1]) == pytest.approx(learned)


def test_restricted_windows_a_forward_play_of_the_line(store: Store) -> None:
    store.close_window(2)
    sp = store.issue(["M-SP"]).ticket  # 企业开办 only: window 3
    assert store.call_next(3).number == sp.number
    assert store.call_next(1) is None
    gt = store.issue(["M-SP"])  # window 3 is busy with a 20-minute ticket
    assert gt.windows == (3,)
    assert gt.estimated_wait_minutes == pytest.approx(20.0, rel=0.5)
    sbk = store.issue(["M-SBK"])  # window 1 is idle
    assert sbk.estimated_wait_minutes == pytest.approx(0.0, abs=0.5)


def test_no_open_window_no_estimate(store: Store) -> None:
    for w in (1, 2, 3, 4):
        store.close_window(w)
    issued = store.issue(["M-SBK"])
    assert issued.estimated_wait_minutes is None and issued.ahead == 0


def test_windows_closed_for_lunch_are_back_at_its_end(store: Store, clock: Clock) -> None:
    clock.advance(hours=3)  # 12:00, the mini hall's lunch (nobody on lunch duty)
    for w in (1, 2, 3, 4):
        store.close_window(w)
    clock.advance(minutes=10)
    assert store.issue(["M-SBK"]).estimated_wait_minutes == pytest.approx(80, abs=1)


def test_a_window_going_to_lunch_is_not_counted_on(store: Store, clock: Clock) -> None:
    for w in (2, 3, 4):
        store.close_window(w)  # at 09:00: closed for the day, as far as anyone knows
    clock.advance(hours=2, minutes=58)  # 11:58
    store.issue(["M-SBK"])
    store.call_next(1)  # 5 catalog minutes: window 1 is done after lunch has begun
    # the next ticket waits for lunch to end (13:30), not 5 minutes
    assert store.issue(["M-SBK"]).estimated_wait_minutes == pytest.approx(92, abs=2)


def test_staffing_from_the_hours_arrivals(store: Store, clock: Clock) -> None:
    for _ in range(30):  # one every two minutes from 09:00
        store.issue(["M-SBK"])
        clock.advance(minutes=2)
    s = store.staffing()
    assert s.open_windows == 4 and s.target_minutes == 20
    assert s.hold_minutes == pytest.approx(5.0)  # nothing finished yet: the catalog's
    (hour,) = s.hours
    assert hour.arrivals == 30 and hour.rate_per_hour == pytest.approx(30)
    assert hour.needed == 3  # 2.5 erlangs on 3 windows: p90 19.5 min, within 20
    assert 0 <= s.p90_now <= 20


def test_people_ahead_count_those_before_in_dispatch_order_who_compete(
    store: Store, clock: Clock
) -> None:
    """A mixed line (green channel, appointments begun and to come, matters that only some
    windows take): every ticket's people ahead, counted against the line read afresh."""
    rng = random.Random(11)
    for i in range(60):
        clock.advance(seconds=30)
        appointment = None
        if i % 9 == 4:
            appointment = clock.now + rng.choice((-1800, 1800))
        store.issue(
            [rng.choice(["M-SBK", "M-SBK", "M-SP", "M-HZ", "M-YL"])],
            priority=Priority.ELDERLY if i % 11 == 5 else None,
            appointment_at=appointment,
            slip=i % 2 == 0,  # walk-ins join a forecast in place, the rest are read later
        )
    line = store.waiting()
    serves = {
        w.number: {t.number for t in store.waiting(window=w.number)} for w in store.hall.windows
    }
    for place, t in enumerate(line):
        mine = [w for w, numbers in serves.items() if t.number in numbers]
        expected = sum(1 for o in line[:place] if any(o.number in serves[w] for w in mine))
        assert store.ahead(t) == expected, t.number


def test_a_slip_read_after_its_ticket_was_called_elsewhere(store: Store) -> None:
    """Another server's window called the ticket between its issue and its slip: the slip
    still reads (no one is ahead of it any more; no window will call it again)."""
    store.issue(["M-SBK"])
    t = store.issue(["M-SBK"], slip=False).ticket
    other = Store(store.engine, store.catalog, store.hall, clock=store.clock, create=False)
    assert other.call_next(1) is not None and other.call_next(2).number == t.number
    slip = store.slip(t)
    assert (slip.ahead, slip.wait_minutes) == (0, None)
