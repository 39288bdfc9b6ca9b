"""Bookings (预约) on a real SQLite file: booking takes a place and queues its notices;
every refusal; cancel and move give places back and prove the number; check-in turns a
booking into an appointment ticket within its window only; the no-show sweep, the bar it
leads to and a manager lifting it; closures; a day's close and the retention purge."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from queue_app.domain.booked import Booked
from queue_app.domain.booking_slots import day_slots
from queue_app.domain.catalog import Catalog
from queue_app.domain.errors import Refused
from queue_app.domain.hall import Hall
from queue_app.store import Store
from queue_app.store import booking_ops as ops
from queue_app.store.contacts import hall_keys
from queue_app.store.hall_key import bind
from queue_app.store.tables import booking_t, notice_t, ticket_t
from tests.bookings import with_bookings
from tests.conftest import SHANGHAI, Clock, hall_file

MOBILE, OTHER = "13812341234", "13900001111"


@pytest.fixture()
def hall(mini_hall: Hall) -> Hall:
    return with_bookings(mini_hall)


@pytest.fixture()
def bs(tmp_path: Path, mini_catalog: Catalog, hall: Hall, clock: Clock) -> Iterator[Store]:
    s = Store(hall_file(tmp_path / "hall.db"), mini_catalog, hall, clock=clock)
    yield s
    s.dispose()


def at(day: int, hhmm: str) -> float:
    h, m = hhmm.split(":")
    return dt.datetime(2026, 11, day, int(h), int(m), tzinfo=SHANGHAI).timestamp()


def refused(code: str, act: Any) -> Refused:
    with pytest.raises(Refused) as e:
        act()
    assert e.value.code == code, e.value
    return e.value


def rows(store: Store, table: Any, *where: Any) -> list[Any]:
    with store.engine.connect() as conn:
        return list(conn.execute(select(table).where(table.c.hall == store.code, *where)))


def notices_of(store: Store, code: str) -> list[tuple[str, str]]:
    found = rows(store, notice_t, notice_t.c.ref == code)
    return sorted((r.kind, r.state) for r in found)


def free(store: Store, day: str, start: str) -> int:
    offer = ops.offer(store, ["M-SBK"])
    return next(
        v.free for d in offer.days if d.day == day for v in d.slots if v.slot.start == start
    )


def test_a_booking_takes_a_place_keeps_the_number_sealed_and_queues_its_notices(
    bs: Store,
) -> None:
    b = ops.book(bs, ["M-SBK"], at(24, "09:30"), "138 1234 1234")
    assert len(b.code) == 6 and b.code.isdigit() and b.status == "booked"
    assert (b.day, b.start, b.end, b.masked) == ("2026-11-24", "09:30", "10:00", "138****1234")
    assert (b.check_in_from, b.check_in_until) == (at(24, "09:00"), at(24, "09:45"))
    assert free(bs, "2026-11-24", "09:30") == 1
    (row,) = rows(bs, booking_t)
    with bs.engine.connect() as conn:
        keys = hall_keys(bind(conn, bs.code), 0.0)
    assert keys.open(row.contact_sealed) == MOBILE and row.contact_digest == keys.digest(MOBILE)
    assert MOBILE not in json.dumps([e.detail for e in bs.events(day="2026-11-24")])
    # booked at once, the reminder the day before at 18:00
    assert notices_of(bs, b.code) == [("booked", "pending"), ("reminder", "pending")]
    (reminder,) = rows(bs, notice_t, notice_t.c.kind == "reminder")
    assert reminder.due_at == at(23, "18:00")
    assert json.loads(reminder.params) == {
        "booking": True,
        "code": b.code,
        "day": "2026-11-24",
        "start": "09:30",
        "end": "10:00",
        "matters": [bs.names["M-SBK"]],
        "hall": bs.hall.hall.name,
    }
    # a slot of today: its reminder time has passed, so none
    today = ops.book(bs, ["M-SBK"], at(23, "10:00"), OTHER)
    assert notices_of(bs, today.code) == [("booked", "pending")]
    assert [e.kind for e in bs.events()] == ["booked"]


def test_every_refusal_of_a_booking(bs: Store, clock: Clock) -> None:
    refused("bad_mobile", lambda: ops.book(bs, ["M-SBK"], at(24, "09:30"), "12345"))
    refused("not_bookable", lambda: ops.book(bs, ["M-HZ"], at(24, "09:30"), MOBILE))
    refused("no_such_slot", lambda: ops.book(bs, ["M-SBK"], at(24, "09:40"), MOBILE))
    refused("no_such_slot", lambda: ops.book(bs, ["M-SBK"], at(25, "09:30"), MOBILE))  # holiday
    refused("slot_past", lambda: ops.book(bs, ["M-SBK"], at(23, "09:00"), MOBILE))
    refused("beyond_horizon", lambda: ops.book(bs, ["M-SBK"], at(27, "09:00"), MOBILE))
    ops.book(bs, ["M-SBK"], at(24, "10:00"), MOBILE)
    refused("too_many_bookings", lambda: ops.book(bs, ["M-SBK"], at(24, "11:00"), MOBILE))
    ops.book(bs, ["M-YL"], at(24, "10:00"), OTHER)  # the second of two places
    refused("slot_full", lambda: ops.book(bs, ["M-SBK"], at(24, "10:00"), "13700000000"))
    assert free(bs, "2026-11-24", "10:00") == 0 and len(rows(bs, booking_t)) == 2


def test_cancel_and_move_prove_the_number_and_give_places_back(bs: Store) -> None:
    b = ops.book(bs, ["M-SBK"], at(24, "09:30"), MOBILE)
    refused("not_your_booking", lambda: ops.cancel(bs, b.code, OTHER))
    unknown = "000000" if b.code != "000000" else "000001"
    refused("no_such_booking", lambda: ops.cancel(bs, unknown, MOBILE))
    moved = ops.move(bs, b.code, MOBILE, at(26, "14:00"))
    assert (moved.code, moved.day, moved.start) == (b.code, "2026-11-26", "14:00")
    assert free(bs, "2026-11-24", "09:30") == 2 and free(bs, "2026-11-26", "14:00") == 1
    # the first reminder cancelled, the moved notice and a new reminder queued
    assert notices_of(bs, b.code) == [
        ("booked", "pending"),
        ("moved", "pending"),
        ("reminder", "cancelled"),
        ("reminder", "pending"),
    ]
    ops.book(bs, ["M-SBK"], at(24, "11:00"), OTHER)
    ops.book(bs, ["M-SBK"], at(24, "11:00"), "13700000000")
    refused("slot_full", lambda: ops.move(bs, b.code, MOBILE, at(24, "11:00")))
    assert ops.booking(bs, b.code).start == "14:00"  # the refused move changed nothing
    gone = ops.cancel(bs, b.code, MOBILE)
    assert gone.status == "cancelled" and free(bs, "2026-11-26", "14:00") == 2
    assert rows(bs, booking_t, booking_t.c.code == b.code)[0].contact_sealed is None
    assert ("cancelled", "pending") in notices_of(bs, b.code)
    assert ("reminder", "pending") not in notices_of(bs, b.code)
    refused("booking_not_active", lambda: ops.cancel(bs, b.code, MOBILE))
    kinds = [e.kind for e in bs.events(day="2026-11-26")]
    assert kinds == ["booking_moved", "booking_cancelled"]


def test_check_in_within_the_window_makes_an_appointment_ticket(bs: Store, clock: Clock) -> None:
    b = ops.book(bs, ["M-SBK"], at(23, "10:30"), MOBILE)
    late = ops.book(bs, ["M-SBK"], at(23, "09:30"), OTHER)
    e = refused("booking_early", lambda: ops.check_in(bs, b.code))
    assert "10:00" in str(e)
    clock.advance(hours=1)  # 10:00: the window opens 30 min before the slot
    issued = ops.check_in(bs, b.code, actor="desk")
    t = issued.ticket
    assert (t.number, t.appointment_at, t.issued_at) == ("Y001", at(23, "10:30"), clock.now)
    now = ops.booking(bs, b.code)
    assert (now.status, now.ticket_number, now.ticket_token) == ("checked_in", "Y001", issued.token)
    (row,) = rows(bs, ticket_t)
    assert row.contact_masked == "138****1234" and row.contact_sealed
    assert rows(bs, booking_t, booking_t.c.code == b.code)[0].contact_sealed is None
    e = refused("booking_not_active", lambda: ops.check_in(bs, b.code))
    assert "Y001" in str(e)
    lateness = refused("booking_late", lambda: ops.check_in(bs, late.code))  # 09:45 passed
    assert lateness.field == "walk_in"
    assert [x.kind for x in bs.events()][-2:] == ["issued", "checked_in"]


def test_no_shows_are_swept_counted_and_bar_the_number_until_lifted(
    bs: Store, clock: Clock
) -> None:
    codes = [ops.book(bs, ["M-SBK"], at(d, "10:00"), MOBILE).code for d in (23, 24, 26)]
    other = ops.book(bs, ["M-SBK"], at(23, "16:00"), OTHER)
    clock.advance(minutes=74)  # 10:14: the first booking may still check in
    assert bs.sweep_bookings() == {"no_shows": 0, "cancelled": 0}
    clock.advance(minutes=2)  # 10:16
    assert bs.sweep_bookings() == {"no_shows": 1, "cancelled": 0}
    assert ops.booking(bs, codes[0]).status == "no_show"
    assert ("no_show", "pending") in notices_of(bs, codes[0])
    assert bs.booked("2026-11-23") == [Booked(at(23, "16:00"), ("M-SBK",))]
    clock.now = at(27, "08:00")  # the days roll over: the rest were missed too
    bs.roll_over()
    assert [ops.booking(bs, c).status for c in codes] == ["no_show"] * 3
    assert ops.booking(bs, other.code).status == "no_show"
    e = refused("booking_banned", lambda: ops.book(bs, ["M-SBK"], at(27, "10:00"), MOBILE))
    until = (dt.date(2026, 11, 27) + dt.timedelta(days=90)).isoformat()
    assert until in str(e) and "3" in str(e)
    assert [(b.masked, b.no_shows, b.until) for b in ops.bans(bs)] == [("138****1234", 3, until)]
    lifted = ops.lift_ban(bs, MOBILE, "系统故障未能签到", actor="boss")
    assert lifted.until == until and ops.bans(bs) == []
    (event,) = [x for x in bs.events() if x.kind == "ban_lifted"]
    assert (event.actor, event.detail["reason"], event.detail["mobile"]) == (
        "boss",
        "系统故障未能签到",
        "138****1234",
    )
    refused("no_ban", lambda: ops.lift_ban(bs, MOBILE, "again"))
    ops.book(bs, ["M-SBK"], at(27, "10:00"), MOBILE)  # bookable again; old no-shows forgiven


def test_closures_close_slots_and_days_to_new_bookings(bs: Store) -> None:
    c = ops.close_slots(bs, "2026-11-24", "10:00", "social", "系统升级", actor="boss")
    refused("slot_closed", lambda: ops.book(bs, ["M-SBK"], at(24, "10:00"), MOBILE))
    offer = ops.offer(bs, ["M-SBK"])
    view = {(d.day, v.slot.start): v for d in offer.days for v in d.slots}
    assert view[("2026-11-24", "10:00")].closed and view[("2026-11-24", "10:00")].free == 0
    assert not view[("2026-11-24", "10:30")].closed
    day = ops.close_slots(bs, "2026-11-26", None, None, "停电")
    refused("slot_closed", lambda: ops.book(bs, ["M-GT"], at(26, "14:00"), MOBILE))
    assert [x.id for x in ops.closures(bs)] == [c.id, day.id]
    ops.reopen(bs, c.id, actor="boss")
    ops.book(bs, ["M-SBK"], at(24, "10:00"), MOBILE)
    refused("no_such_closure", lambda: ops.reopen(bs, c.id))
    refused("closure_past", lambda: ops.close_slots(bs, "2026-11-22", None, None, ""))
    refused("unknown_scope", lambda: ops.close_slots(bs, "2026-11-24", None, "nope", ""))
    refused("no_such_slot", lambda: ops.close_slots(bs, "2026-11-24", "12:00", None, ""))
    kinds = [e.kind for e in bs.events()]
    assert kinds.count("slots_closed") == 2 and kinds.count("slots_reopened") == 1


def test_closing_the_day_ends_its_bookings_and_old_ones_are_purged(bs: Store, clock: Clock) -> None:
    gone = ops.book(bs, ["M-SBK"], at(23, "16:00"), MOBILE)
    kept = ops.book(bs, ["M-SBK"], at(26, "16:00"), OTHER)
    clock.advance(hours=2)
    bs.close_day("boss")  # 16:00 is still to come: cancelled by the hall, not a no-show
    b = ops.booking(bs, gone.code)
    assert b.status == "cancelled" and ops.booking(bs, kept.code).status == "booked"
    assert ("cancelled", "pending") in notices_of(bs, gone.code)
    assert rows(bs, booking_t, booking_t.c.code == gone.code)[0].contact_sealed is None
    assert bs.booked("2026-11-26") and bs.booked("2026-11-23") == []
    clock.now = at(26, "09:00") + 89 * 86400  # within bookings.keep_days (90) of the 26th
    bs.roll_over()  # the 23rd's is past its keeping: gone
    assert [r.code for r in rows(bs, booking_t)] == [kept.code]
    clock.now += 2 * 86400
    bs.roll_over()
    with bs.engine.connect() as conn:
        left = conn.execute(select(func.count()).select_from(booking_t)).scalar_one()
    assert left == 0


def test_slots_listed_for_today_start_after_now(bs: Store, clock: Clock) -> None:
    clock.advance(minutes=31)  # 09:31
    offer = ops.offer(bs, ["M-SBK"])
    today = offer.days[0]
    assert today.day == "2026-11-23" and today.weekday == 1
    assert today.slots[0].slot.start == "10:00"
    assert [d.day for d in offer.days] == [
        "2026-11-23",
        "2026-11-24",
        "2026-11-25",
        "2026-11-26",
    ]
    assert offer.days[2].slots == []  # a holiday
    assert len(offer.days[3].slots) == len(day_slots(bs.hall, dt.date(2026, 11, 26)))
