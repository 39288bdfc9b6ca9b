"""The ticket notices (called, 过号, 前面还有 N 位) are written in the transactions of the
ticket operations, for tickets with a number only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.domain.ticket import Outcome, Status
from queue_app.store import Store
from tests.conftest import Clock, hall_coded
from tests.notices.helpers import outbox, sealed_numbers, with_senders

MOBILE = "13812341234"


@pytest.fixture()
def told(db_url: str, mini_catalog: Catalog, mini_hall: Hall, clock: Clock) -> Iterator[Store]:
    s = Store(db_url, mini_catalog, with_senders(mini_hall, near_turn=2), clock=clock)
    for w in mini_hall.windows:
        s.open_window(w.number, actor="setup")
    yield s
    s.dispose()


def test_called_recalled_and_no_show_are_told_in_their_transactions(told: Store) -> None:
    t = told.issue(["M-SBK"], mobile="138 1234 1234").ticket
    assert outbox(told) == []  # issuing tells nothing (the booking kinds are the bookings')
    told.call_next(1)
    told.recall(1)
    told.no_show(1)
    rows = outbox(told)
    assert [r["kind"] for r in rows] == ["called", "called", "no_show"]
    assert {r["ref"] for r in rows} == {t.number}
    assert rows[0]["data"] == {"number": t.number, "hall": "测试大厅", "window": 1}
    assert rows[2]["data"] == {"number": t.number, "hall": "测试大厅"}
    assert {r["contact_masked"] for r in rows} == {"138****1234"}
    assert all(r["contact_sealed"] and MOBILE not in r["contact_sealed"] for r in rows)
    assert {(r["state"], r["sender"], r["attempts"]) for r in rows} == {("pending", "sms", 0)}
    assert len({r["id"] for r in rows}) == 3


def test_a_citizen_without_a_number_gets_no_rows_and_nothing_else_changes(
    told: Store, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    """The same operations on a hall with senders and one without: the same tickets."""
    store = Store(told.engine, mini_catalog, hall_coded(mini_hall, "plain"), clock=clock)
    store.open_window(1)
    for s in (told, store):
        s.issue(["M-SBK"])
        s.issue(["M-SBK"])
        s.call_next(1)
        s.recall(1)
        s.no_show(1)
        s.call_next(1)
        s.start(1)
        s.finish(1, Outcome.COMPLETED)
    assert outbox(told) == []
    assert sealed_numbers(told) == [None, None]
    assert [(t.number, t.status) for t in told.waiting()] == []
    assert [told.ticket(n).status for n in ("A001", "A002")] == [Status.NO_SHOW, Status.DONE]
    assert [store.ticket(n).status for n in ("A001", "A002")] == [Status.NO_SHOW, Status.DONE]


def test_near_turn_once_per_ticket_when_its_line_comes_to_n_ahead(told: Store) -> None:
    """Near turn at 2: counted over the tickets of its class (its prefix) ahead of it."""
    numbers = []
    for i in range(6):
        mobile = f"1391234000{i}" if i in (3, 5) else None
        numbers.append(told.issue(["M-SBK"], mobile=mobile, slip=False).ticket.number)
    told.issue(["M-GT"], slip=False)  # another class (B): never counted ahead of an A
    assert [n[0] for n in numbers] == ["A"] * 6
    near = []
    for _ in range(5):
        told.call_next(1)
        told.no_show(1)
        near.append(
            sorted((r["ref"], r["data"]["ahead"]) for r in outbox(told) if r["kind"] == "near_turn")
        )
    # A004 had 3 ahead, then 2 (told), A006 comes to 2 ahead after the third call
    assert near[0] == [(numbers[3], 2)]
    assert near[1] == [(numbers[3], 2)]
    assert near[2] == [(numbers[3], 2), (numbers[5], 2)]
    assert near[4] == near[2]  # once per ticket


def test_near_turn_zero_tells_no_one(
    db_url: str, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    s = Store(db_url, mini_catalog, with_senders(mini_hall, near_turn=0), clock=clock)
    try:
        s.open_window(1)
        s.issue(["M-SBK"], mobile=MOBILE)
        s.issue(["M-SBK"], mobile=MOBILE)
        s.call_next(1)
        assert [r["kind"] for r in outbox(s)] == ["called"]
    finally:
        s.dispose()


def test_the_day_close_erases_the_tickets_numbers_and_purges_old_notices(
    told: Store, clock: Clock
) -> None:
    told.issue(["M-SBK"], mobile=MOBILE)
    told.call_next(1)
    assert sealed_numbers(told)[0] is not None
    told.no_show(1)
    told.close_day(force=True)
    assert sealed_numbers(told) == [None]
    # the call not delivered by the day's end: cancelled, its number erased; 过号 still goes
    assert [(r["kind"], r["state"], r["contact_sealed"] is None) for r in outbox(told)] == [
        ("called", "cancelled", True),
        ("no_show", "pending", False),
    ]
    with told.engine.begin() as conn:
        from sqlalchemy import update

        from queue_app.store.tables import notice_t

        conn.execute(
            update(notice_t)
            .where(notice_t.c.hall == told.code)
            .values(state="done", contact_sealed=None)
        )
    clock.advance(hours=24 * 29)  # kept 30 days
    told.roll_over()
    assert len(outbox(told)) == 2
    clock.advance(hours=24 * 2)
    told.roll_over()
    assert outbox(told) == []
