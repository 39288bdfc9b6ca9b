"""补材料 on a real database (SQLite and PostgreSQL): a ticket parked while its citizen
fetches a missing material, un-parked and called again at the same window before anything
else, the hold lifted when that window closes or its clerk leaves, the day's end."""

from __future__ import annotations

import pytest

from queue_app.domain.errors import Refused
from queue_app.domain.ticket import Outcome, Priority, Status, Ticket
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff, sign_in, sign_out
from tests.conftest import Clock


def serving(store: Store, window: int = 1) -> Ticket:
    t = store.call_next(window, actor="wang")
    assert t is not None
    return store.start(window, actor="wang")


def parked_at_one(store: Store, clock: Clock) -> Ticket:
    """A001 served at window 1 for 4 minutes, then parked; A002, A003 wait behind it (every
    window open)."""
    store.issue(["M-SBK"])
    clock.advance(minutes=3)
    serving(store)
    for _ in range(2):
        store.issue(["M-SBK"])
    clock.advance(minutes=4)
    t = store.park(1, "户口本原件", actor="wang", number="A001")
    assert (t.status, t.window, t.park_note) == (Status.PARKED, 1, "户口本原件")
    return t


def test_park_frees_the_window_and_the_ticket_is_called_there_again_first(
    store: Store, clock: Clock
) -> None:
    parked_at_one(store, clock)
    assert store.windows()[0].ticket is None
    assert [t.number for t in store.parked()] == ["A001"]
    assert [t.number for t in store.waiting()] == ["A002", "A003"]  # not waiting meanwhile
    assert store.call_next(1, actor="wang").number == "A002"  # the window goes on
    store.issue(["M-SBK"], priority=Priority.ELDERLY)  # green channel, after the park
    clock.advance(minutes=20)
    back = store.unpark("A001", actor="desk1")
    assert (back.status, back.held_for, back.window) == (Status.WAITING, 1, None)
    assert store.parked() == []
    assert store.waiting(window=1)[0].number == "A001"  # as window 1 calls
    assert store.call_next(2, actor="li").number == "V001"  # window 2 never takes it
    store.start(1, actor="wang")
    store.finish(1, Outcome.COMPLETED, actor="wang")
    again = store.call_next(1, actor="wang")  # before A003 and before the green channel
    assert (again.number, again.window, again.held_for) == ("A001", 1, None)
    store.start(1, actor="wang")
    clock.advance(minutes=2)
    done = store.finish(1, Outcome.COMPLETED, actor="wang")
    assert done.handled_before == 240.0
    kinds = [e.kind for e in store.events(ticket="A001")]
    assert kinds == [
        "issued", "called", "started", "parked", "unparked", "called", "started", "finished",
    ]  # fmt: skip
    parked, unparked = (e for e in store.events(ticket="A001") if "park" in e.kind)
    assert (parked.window, parked.detail["note"], unparked.detail["parked_s"]) == (
        1,
        "户口本原件",
        1200.0,
    )
    stats = {w.window: w for w in store.window_stats().windows}[1]
    assert stats.mean_handling_s == (0 + 360) / 2  # A002; A001 4 + 2 min, not the 20 away
    from queue_app.domain.report import Period
    from queue_app.domain.rollup import By

    day = store.today()
    store.close_day(force=True)
    hall = store.report(By.HALL, Period.of(day, day)).lines[0].now
    # one wait each (A001's from its issue to its first call: 3 min), handling in sittings
    assert (hall.served, hall.wait_n, hall.handling_sum) == (2, 3, 0 + 360)
    assert hall.wait_sum == 180 + 240 + 1200  # A001 (not its 20 min away), A002, V001


def test_refusals_leave_it_as_it_was(store: Store, clock: Clock) -> None:
    parked_at_one(store, clock)
    store.call_next(1, actor="wang")  # A002 called, not served
    refused = [
        (lambda: store.park(1), "bad_status"),  # called, not being served
        (lambda: store.park(3), "no_current_ticket"),
        (lambda: store.unpark("A001", window=2), "not_your_ticket"),  # parked at window 1
        (lambda: store.unpark("A003"), "bad_status"),  # waiting, not parked
        (lambda: store.unpark("A999"), "no_such_ticket"),
        (lambda: store.unpark("A001", window=99), "no_such_window"),
    ]
    for act, code in refused:
        with pytest.raises(Refused) as e:
            act()
        assert e.value.code == code, code
    assert [t.number for t in store.parked()] == ["A001"]
    assert store.unpark("A001", window=1, actor="wang").held_for == 1  # its own clerk


def test_closing_the_window_or_its_clerk_leaving_sends_it_back_to_its_place(
    store: Store, clock: Clock
) -> None:
    parked_at_one(store, clock)
    store.close_window(1)  # closed while the citizen is away: un-parked into the line
    back = store.unpark("A001")
    assert back.held_for is None
    assert store.call_next(2, actor="li").number == "A001"  # its old place: first
    store.start(2, actor="li")
    store.park(2, "照片", actor="li")
    store.unpark("A001")
    assert store.ticket("A001").held_for == 2
    store.close_window(2)  # held, then the window closes: it goes back to the line
    assert store.ticket("A001").held_for is None
    assert store.events()[-1].kind == "hold_released"
    store.open_window(1)
    assert store.call_next(1).number == "A001"


def test_a_clerk_signing_out_lifts_the_holds_of_its_window(store: Store, clock: Clock) -> None:
    add_staff(store, "wang", Role.CLERK, "secret-pass")
    session = sign_in(store, "wang", "secret-pass", 1)
    parked_at_one(store, clock)
    sign_in(store, "wang", "secret-pass", 1)  # the terminal signs in again: still its own
    store.unpark("A001")
    assert store.ticket("A001").held_for == 1
    sign_out(store, session.token)  # its seat is gone already: nothing more
    assert store.ticket("A001").held_for == 1
    again = sign_in(store, "wang", "secret-pass", 1)
    sign_out(store, again.token)
    assert store.ticket("A001").held_for is None
    assert store.call_next(2).number == "A001"


def test_parked_tickets_expire_at_the_close_and_count_as_expired_not_served(
    store: Store, clock: Clock
) -> None:
    from queue_app.domain.report import Period
    from queue_app.domain.rollup import By

    parked_at_one(store, clock)
    day = store.today()
    assert store.close_day(force=True) == {"expired": 3, "parked": 1}
    assert store.ticket("A001").status is Status.EXPIRED
    closed = store.events(day=day)[-1]
    assert (closed.kind, closed.detail["parked"]) == ("day_closed", 1)
    hall = store.report(By.HALL, Period.of(day, day)).lines[0].now
    assert (hall.issued, hall.served, hall.expired, hall.wait_n) == (3, 0, 3, 1)


def test_a_parked_ticket_left_overnight_expires_at_the_rollover(store: Store, clock: Clock) -> None:
    parked_at_one(store, clock)
    day = store.today()
    clock.advance(hours=24)
    store.issue(["M-SBK"])  # the next day's first operation rolls over
    assert store.ticket("A001", day=day).status is Status.EXPIRED
    closed = [e for e in store.events(day=day) if e.kind == "day_closed"]
    assert closed[0].detail["parked"] == 1


def test_a_held_ticket_is_claimed_once_by_its_own_window_under_concurrent_calls(
    store: Store, clock: Clock
) -> None:
    """Two clerks' terminals at each of windows 1 to 3 press "call next" at once, round
    after round: the returned A001 goes to window 1 only, and in the first round, every
    ticket is called once."""
    import threading

    parked_at_one(store, clock)
    for _ in range(6):
        store.issue(["M-SBK"])
    store.unpark("A001")
    stores = [
        Store(store.engine, store.catalog, store.hall, clock=clock, create=False) for _ in range(6)
    ]
    called: list[tuple[int, str]] = []
    lock = threading.Lock()

    def press(s: Store, window: int, barrier: threading.Barrier) -> None:
        barrier.wait()
        try:
            t = s.call_next(window, actor=f"clerk{window}")
        except Refused as e:  # the window's other terminal called first
            assert e.code == "window_busy"
            return
        if t is not None:
            with lock:
                called.append((window, t.number))

    for _ in range(3):
        barrier = threading.Barrier(6)
        threads = [
            threading.Thread(target=press, args=(s, 1 + i % 3, barrier))
            for i, s in enumerate(stores)
        ]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        for w in (1, 2, 3):
            if store.windows()[w - 1].ticket is not None:
                store.no_show(w)
    numbers = [n for _, n in called]
    # windows 1 and 2 call one each per round (window 3 serves none of them): A001 first
    assert len(numbers) == len(set(numbers)) == 6
    assert [w for w, n in called if n == "A001"] == [1]
    assert next(n for w, n in called if w == 1) == "A001"  # window 1's first call
    assert sorted(numbers) == ["A001", "A002", "A003", "A004", "A005", "A006"]
