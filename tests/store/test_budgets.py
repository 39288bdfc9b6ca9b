"""Cost budgets, counted: transactions and statements each operation sends to the database
(a SQLAlchemy ``before_cursor_execute`` listener), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event

from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.domain.ticket import Outcome
from queue_app.store import Store
from queue_app.store.idempotency import Once
from tests.conftest import Clock, hall_coded
from tests.notices.helpers import with_senders

_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")


@dataclass
class Counted:
    transactions: int = 0
    statements: int = 0


@contextmanager
def counting(store: Store) -> Iterator[Counted]:
    """Count the transactions begun and the statements sent (transaction control aside)."""
    seen = Counted()

    def on_sql(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        if not sql.lstrip().upper().startswith(_CONTROL):
            seen.statements += 1

    def on_begin(conn: Any) -> None:
        seen.transactions += 1

    event.listen(store.engine, "before_cursor_execute", on_sql)
    event.listen(store.engine, "begin", on_begin)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", on_sql)
        event.remove(store.engine, "begin", on_begin)


def _once(n: int) -> Once:
    return Once("desk", f"key-{n}", f"digest-{n}", lambda issued: (201, issued.token))


def _line(store: Store, n: int) -> None:
    for _ in range(n):
        store.issue(["M-SBK"], slip=False)


def _cost(store: Store, op: Callable[[], Any]) -> Counted:
    with counting(store) as seen:
        op()
    return seen


def test_issuing_is_one_transaction_of_at_most_seven_statements(store: Store) -> None:
    _line(store, 3)  # warm: the layout is read once per settings version
    for n, waiting in enumerate((10, 300)):
        _line(store, waiting - len(store.waiting()))
        cost = _cost(store, lambda n=n: store.issue(["M-SBK"], slip=False, once=_once(n)))
        assert (cost.transactions, cost.statements) == (1, 7), waiting


def test_issuing_with_its_slip_within_two_transactions_and_eight_statements(
    store: Store,
) -> None:
    _line(store, 10)
    store.issue(["M-SBK"])  # the first slip makes the forecast of the line
    made = store.forecasts.rebuilds
    for n, waiting in enumerate((12, 300)):
        _line(store, waiting - len(store.waiting()))
        store.issue(["M-SBK"])  # tickets issued meanwhile join it
        cost = _cost(store, lambda n=n: store.issue(["M-SBK"], once=_once(n)))
        assert (cost.transactions, cost.statements) == (2, 8), waiting
    assert store.forecasts.rebuilds == made  # walk-ins joined the forecast, no new one


def test_a_ticket_committed_after_a_later_one_joins_the_forecast_in_its_place(
    store: Store, clock: Clock
) -> None:
    """Two desks (or two servers) commit in the other order: the ticket issued first joins
    the shared forecast a place back, without a new forecast, and every slip counts the
    people ahead in order."""
    clock.advance(minutes=5)
    _line(store, 20)
    store.issue(["M-SBK"])  # the forecast of the line
    made = store.forecasts.rebuilds
    behind = Clock()
    behind.now = clock.now - 2  # the other desk's transaction began two seconds earlier
    other = Store(store.engine, store.catalog, store.hall, clock=behind, create=False)
    later = store.issue(["M-SBK"], slip=False).ticket
    earlier = other.issue(["M-SBK"], slip=False).ticket
    line = [t.number for t in store.waiting()]
    assert line.index(earlier.number) < line.index(later.number)
    for t in (later, earlier):
        assert store.ahead(t) == line.index(t.number)
    assert store.forecasts.rebuilds == made


def test_call_next_is_one_transaction_whatever_the_line(store: Store) -> None:
    costs = []
    for waiting in (10, 300):
        _line(store, waiting - len(store.waiting()))
        costs.append(_cost(store, lambda: store.call_next(1)))
        store.no_show(1)
    assert all(c.transactions == 1 for c in costs)
    assert costs[0].statements == costs[1].statements


def test_the_line_the_windows_and_closing_the_day_in_constant_statements(
    store: Store, clock: Clock
) -> None:
    def costs() -> tuple[int, int, int]:
        return (
            _cost(store, store.waiting).statements,
            _cost(store, store.windows).statements,
            _cost(store, lambda: store.waiting(window=1)).statements,
        )

    _line(store, 5)
    store.call_next(1)
    small = costs()
    _line(store, 60)
    store.call_next(2)
    store.start(2)
    store.finish(2, Outcome.COMPLETED)
    store.call_next(2)
    assert costs() == small
    closing = _cost(store, lambda: store.close_day(force=True))
    # expiring, freeing and logging (16), then keeping the day's figures: its tickets, items
    # and events read, the ratings set aside on appeal read, its rollups and their histograms
    # replaced and added to the month's (9), the raw rows past keeping looked for (3), the
    # tickets' numbers erased, their stale notices cancelled and the old ones purged (3)
    assert closing.transactions == 1 and closing.statements <= 31
    assert store.counts()["expired"] == 64  # all but the one finished


def test_parking_and_unparking_are_one_transaction_each_whatever_the_line(
    store: Store,
) -> None:
    """补材料: park costs what a no-show costs (the window's ticket written, the window
    freed); un-park and the call of the held ticket cost the same at 10 and 300 waiting."""
    costs = []
    for waiting in (10, 300):
        _line(store, waiting - len(store.waiting()))
        store.call_next(1)
        no_show = _cost(store, lambda: store.no_show(1))
        store.call_next(1)
        store.start(1)
        parked = _cost(store, lambda: store.park(1, "户口本"))
        number = store.parked()[0].number
        unparked = _cost(store, lambda number=number: store.unpark(number))
        called = _cost(store, lambda: store.call_next(1))
        assert store.windows()[0].ticket.number == number
        store.start(1)
        store.finish(1, Outcome.COMPLETED)
        costs.append((parked, unparked, called, no_show))
    for parked, unparked, called, no_show in costs:
        assert (parked.transactions, unparked.transactions, called.transactions) == (1, 1, 1)
        assert parked.statements == no_show.statements
    # un-park: the hall's state, the ticket found and read, its window's state, the write,
    # its event; the call: the window locked, the held ticket found and locked first
    assert [(u.statements, c.statements) for _, u, c, _ in costs] == [(6, 8)] * 2


def _booking_store(db_url: str, catalog: Any, hall: Any, clock: Clock) -> Store:
    from tests.bookings import with_bookings

    scopes = [{"name": "social", "domains": ["社保"], "capacity": 500}]
    return Store(db_url, catalog, with_bookings(hall, scopes=scopes), clock=clock)


def test_booking_and_checking_in_in_constant_statements(
    db_url: str, mini_catalog: Any, mini_hall: Any, clock: Clock
) -> None:
    """One transaction each, the same statements with 10 or 300 bookings made: booking
    (the day rolled, the number's bar and count, the closure, the place, the code, the
    row, its event, its two notices) and checking in (the booking, the ticket as issuing
    writes it, the booking's change, its event)."""
    from queue_app.store import booking_ops as ops

    store = _booking_store(db_url, mini_catalog, mini_hall, clock)
    slot = 1795397400.0  # 2026-11-23 09:30, Shanghai
    tomorrow = slot + 86400
    n = 0

    def book(at: float) -> str:
        nonlocal n
        n += 1
        return ops.book(store, ["M-SBK"], at, f"138{n:08d}").code

    costs = []
    for made in (10, 300):
        while n < made:
            book(tomorrow)
        first = book(slot)
        booking = _cost(store, lambda: book(tomorrow))
        check_in = _cost(store, lambda first=first: ops.check_in(store, first, station=None))
        costs.append(
            (booking.transactions, booking.statements, check_in.transactions, check_in.statements)
        )
    assert costs[0] == costs[1], costs
    booking_tx, booking_statements, check_in_tx, check_in_statements = costs[0]
    assert (booking_tx, check_in_tx) == (1, 2), costs  # the change, then the slip's read
    assert booking_statements <= 14 and check_in_statements <= 16, costs
    store.dispose()


def test_call_next_with_notices_costs_the_same_at_10_and_300_waiting_with_numbers(
    db_url: str, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    """Every citizen left a number: a call writes its 请到 X 号窗口, reads the head of its
    class's line (near_turn + 1 rows) and writes the 前面还有 N 位 of the one come near (on
    PostgreSQL a lock and the head read again): 3 (5) statements more than without senders,
    at 10 and at 300 waiting; closing the day erases the numbers, cancels the
    stale notices and purges the old ones in 3."""
    told = Store(db_url, mini_catalog, with_senders(mini_hall, near_turn=2), clock=clock)
    try:
        told.open_window(1)
        costs = []
        for waiting in (10, 300):
            for _ in range(waiting - len(told.waiting())):
                told.issue(["M-SBK"], slip=False, mobile="13812341234")
            costs.append(_cost(told, lambda: told.call_next(1)))
            told.no_show(1)
        assert [(c.transactions, c.statements) for c in costs] == [(1, costs[0].statements)] * 2
        plain = Store(told.engine, mini_catalog, hall_coded(mini_hall, "plain"), clock=clock)
        plain.open_window(1)
        _line(plain, 10)
        more = 3 if told.sqlite else 5  # PostgreSQL: a lock, and the search again under it
        assert costs[0].statements == _cost(plain, lambda: plain.call_next(1)).statements + more
        closing = _cost(told, lambda: told.close_day(force=True))
        assert closing.transactions == 1 and closing.statements <= 31
    finally:
        told.dispose()
