"""Bookings (预约): the slots open to book, booking, moving and cancelling (the citizen
proves the mobile number booked with), checking in (the booking becomes a ticket of the
appointment class), a manager's closures and lifting a no-show bar. Each change is one
transaction of the store (the day rolled over first), logged in the event log, its
notices queued in the outbox in the same transaction, made once per Idempotency-Key.

Rules (the hall file's ``bookings:``, ``domain.booking_rules``): a number holds at most
``per_number_per_day`` live bookings a day (default 1); check-in runs from
``check_in.before_minutes`` before the slot's start to ``check_in.after_minutes`` after it
(defaults 30 and 15), and a booking not checked in by then is a no-show (swept by the
server every minute and at each day's close); ``no_shows.after`` no-shows within
``no_shows.within_days`` days bar the number for ``no_shows.ban_days`` days (3, 90, 90).
Checking in does not look at the issuing hours: the booking is the citizen's admission.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from weakref import WeakKeyDictionary

from queue_app.domain.booking_rules import SlotScope
from queue_app.domain.booking_slots import (
    Slot,
    bookable_days,
    check_in_window,
    day_slots,
    scope_for,
    slot_starting,
)
from queue_app.domain.errors import N_, Text
from queue_app.domain.hall import Coverage
from queue_app.domain.mobile import require_mobile
from queue_app.domain.notice_rules import NoticeKind
from queue_app.domain.refusals import (
    BeyondHorizon,
    BookingBanned,
    BookingCheckedIn,
    BookingEarly,
    BookingLate,
    BookingNotActive,
    ClosurePast,
    DayClosedNoTickets,
    NoBan,
    NoSuchBooking,
    NoSuchClosure,
    NoSuchSlot,
    NotBookable,
    NotYourBooking,
    SlotClosed,
    SlotFull,
    SlotPast,
    TooManyBookings,
    UnknownScope,
)
from queue_app.domain.request import resolve
from queue_app.store import bookings, events, notices
from queue_app.store.bookings import BOOKED, CANCELLED, CHECKED_IN, Ban, Booking, Closure
from queue_app.store.contacts import Contact, hall_keys
from queue_app.store.idempotency import Once
from queue_app.store.settings import HallState, Layout
from queue_app.store.store import Issued, Store
from queue_app.store.uow import Tx

STATUS_WORDS = {
    BOOKED: Text(N_("booked")),
    CHECKED_IN: Text(N_("checked in")),
    CANCELLED: Text(N_("cancelled")),
    bookings.NO_SHOW: Text(N_("missed")),
}


@dataclass(frozen=True, slots=True)
class SlotView:
    slot: Slot
    capacity: int
    free: int
    closed: bool


@dataclass(frozen=True, slots=True)
class DayView:
    day: str
    weekday: int  # ISO: Monday 1
    slots: list[SlotView]


@dataclass(frozen=True, slots=True)
class Offer:
    """The slots open to book for some matters."""

    matters: tuple[str, ...]
    scope: SlotScope
    days: list[DayView]


_COVERAGE: WeakKeyDictionary[Store, Coverage] = WeakKeyDictionary()


def _coverage(store: Store) -> Coverage:
    """What the hall file's windows serve (bookings are for days ahead: not today's
    changes)."""
    found = _COVERAGE.get(store)
    if found is None:
        found = _COVERAGE[store] = Coverage(store.hall, store.catalog)
    return found


def _scope(
    store: Store, matters: Sequence[str], bundle: str | None
) -> tuple[list[str], str | None, SlotScope]:
    codes, bundle = resolve(store.catalog, matters, bundle)
    scope = scope_for(store.hall, _coverage(store), frozenset(codes))
    if scope is None:
        raise NotBookable(matters=[store.names[c] for c in codes])
    return codes, bundle, scope


def _today(store: Store, now: float) -> dt.date:
    return dt.date.fromisoformat(store.day_of(now))


def offer(store: Store, matters: Sequence[str] = (), bundle: str | None = None) -> Offer:
    """The slots from today to the horizon for these matters, with the places left."""
    codes, _, scope = _scope(store, matters, bundle)
    with store.uow.read() as tx:
        days = bookable_days(_today(store, tx.now), store.hall.bookings.horizon_days)
        first, last = days[0].isoformat(), days[-1].isoformat()
        taken = bookings.taken(tx.conn, tx.hall, scope.name, first, last)
        shut = bookings.closures(tx.conn, tx.hall, first, last)
        now = tx.now
    out = []
    for d in days:
        views = []
        for s in day_slots(store.hall, d):
            if s.at <= now:
                continue
            closed = any(c.day == s.day and c.covers(scope.name, s.start) for c in shut)
            free = max(0, scope.capacity - taken.get((s.day, s.start), 0))
            views.append(SlotView(s, scope.capacity, 0 if closed else free, closed))
        out.append(DayView(d.isoformat(), d.isoweekday(), views))
    return Offer(tuple(codes), scope, out)


def _slot(store: Store, at: float) -> Slot:
    slot = slot_starting(store.hall, at)
    if slot is None:
        when = dt.datetime.fromtimestamp(at, store.hall.zone).strftime("%Y-%m-%d %H:%M")
        raise NoSuchSlot(when=when)
    return slot


def _bookable(store: Store, tx: Tx, slot: Slot, scope: SlotScope, today: str) -> None:
    """Refuse a slot begun, beyond the horizon or closed; take a place in it."""
    if slot.at <= tx.now:
        raise SlotPast(day=slot.day, start=slot.start)
    horizon = store.hall.bookings.horizon_days
    last = (dt.date.fromisoformat(today) + dt.timedelta(days=horizon)).isoformat()
    if slot.day > last:
        raise BeyondHorizon(days=horizon, last=last)
    if bookings.closed(tx, slot.day, scope.name, slot.start):
        raise SlotClosed(day=slot.day, start=slot.start)
    if not bookings.take_place(tx, slot.day, scope.name, slot.start, scope.capacity):
        raise SlotFull(day=slot.day, start=slot.start)


def _may_hold(store: Store, tx: Tx, digest: str, day: str, today: str, moving: bool) -> None:
    """Refuse a barred number, or one holding its bookings of ``day`` already."""
    bookings.lock_number(tx, digest)
    ban = bookings.ban_of(tx, digest, today)
    if ban is not None:
        raise BookingBanned(count=ban.no_shows, until=ban.until)
    most = store.hall.bookings.per_number_per_day
    if bookings.live_count(tx.conn, tx.hall, digest, day) - int(moving) >= most:
        raise TooManyBookings(most=most, day=day)


def _slot_values(store: Store, slot: Slot, scope: SlotScope) -> dict[str, object]:
    opens, until = check_in_window(store.hall, slot.at)
    return {
        "day": slot.day,
        "scope": scope.name,
        "start": slot.start,
        "slot_at": slot.at,
        "slot_end": slot.end_at,
        "check_in_from": opens,
        "check_in_until": until,
    }


def book(
    store: Store,
    matters: Sequence[str],
    at: float,
    mobile: str,
    *,
    bundle: str | None = None,
    actor: str = "citizen",
    once: Once | None = None,
) -> Booking:
    """Book the slot starting at ``at`` for these matters; the booking with its code."""
    number = require_mobile(mobile)
    codes, bundle, scope = _scope(store, matters, bundle)
    slot = _slot(store, at)

    def op(tx: Tx, state: HallState, layout: Layout) -> Booking:
        contact = hall_keys(tx.conn, tx.now).contact(number)
        _may_hold(store, tx, contact.digest, slot.day, state.day, moving=False)
        _bookable(store, tx, slot, scope, state.day)
        row = {
            **_slot_values(store, slot, scope),
            "matters": " ".join(codes),
            "bundle": bundle,
            "status": BOOKED,
            "contact_digest": contact.digest,
            "contact_masked": contact.masked,
            "contact_sealed": contact.sealed,
            "created_at": tx.now,
            "changed_at": tx.now,
        }
        code = bookings.insert_booking(tx, row)
        b = _made(store, code, slot, scope, codes, bundle, contact, tx.now)
        events.append(tx, "booked", actor, slot.day, detail=_detail(b))
        bookings.tell(tx, store.hall, store.names, b, NoticeKind.BOOKED)
        return b

    return store._run(op, once)


def _made(
    store: Store,
    code: str,
    slot: Slot,
    scope: SlotScope,
    codes: Sequence[str],
    bundle: str | None,
    contact: Contact,
    now: float,
) -> Booking:
    opens, until = check_in_window(store.hall, slot.at)
    return Booking(
        id="",
        code=code,
        day=slot.day,
        scope=scope.name,
        start=slot.start,
        end=slot.end,
        at=slot.at,
        end_at=slot.end_at,
        check_in_from=opens,
        check_in_until=until,
        matters=tuple(codes),
        bundle=bundle,
        status=BOOKED,
        masked=contact.masked,
        digest=contact.digest,
        sealed=contact.sealed,
        created_at=now,
    )


def _detail(b: Booking, **more: object) -> dict[str, object]:
    return {"code": b.code, "day": b.day, "start": b.start, "scope": b.scope, **more}


def _mine(store: Store, tx: Tx, code: str, number: str) -> Booking:
    """The live booking ``code``, its row locked, made with ``number``."""
    b = bookings.by_code(tx.conn, store.hall, code, lock=True)
    if b is None:
        raise NoSuchBooking(code=code)
    if hall_keys(tx.conn, tx.now).digest(number) != b.digest:
        raise NotYourBooking(code=code)
    _live(b)
    return b


def _live(b: Booking) -> None:
    if b.status == CHECKED_IN:
        raise BookingCheckedIn(code=b.code, ticket=b.ticket_number or "")
    if b.status != BOOKED:
        raise BookingNotActive(code=b.code, status=STATUS_WORDS[b.status])


def cancel(
    store: Store, code: str, mobile: str, *, actor: str = "citizen", once: Once | None = None
) -> Booking:
    """Cancel booking ``code`` (the number it was made with proves it is the citizen's);
    its place goes back to the slot."""
    number = require_mobile(mobile)

    def op(tx: Tx, state: HallState, layout: Layout) -> Booking:
        b = _mine(store, tx, code, number)
        bookings.give_back(tx, b.day, b.scope, b.start)
        bookings.tell(tx, store.hall, store.names, b, NoticeKind.CANCELLED)
        bookings.change(tx, b.id, status=CANCELLED, ended_at=tx.now, contact_sealed=None)
        events.append(tx, "booking_cancelled", actor, b.day, detail=_detail(b))
        notices.cancel(tx, b.code, (NoticeKind.REMINDER,))
        return _replace(b, status=CANCELLED, sealed=None)

    return store._run(op, once)


def _replace(b: Booking, **changes: object) -> Booking:
    return replace(b, **changes)  # type: ignore[arg-type]


def move(
    store: Store,
    code: str,
    mobile: str,
    at: float,
    *,
    actor: str = "citizen",
    once: Once | None = None,
) -> Booking:
    """Move booking ``code`` to the slot starting at ``at`` (same code); the old place
    goes back."""
    number = require_mobile(mobile)
    slot = _slot(store, at)

    def op(tx: Tx, state: HallState, layout: Layout) -> Booking:
        b = _mine(store, tx, code, number)
        scope = store.hall.bookings.scope(b.scope)
        if scope is None:  # the hall file dropped it: the matters' scope now
            scope = _scope(store, b.matters, None)[2]
        _may_hold(store, tx, b.digest, slot.day, state.day, moving=slot.day == b.day)
        _bookable(store, tx, slot, scope, state.day)
        bookings.give_back(tx, b.day, b.scope, b.start)
        values = _slot_values(store, slot, scope)
        bookings.change(tx, b.id, **values)
        notices.cancel(tx, b.code, (NoticeKind.REMINDER,))
        opens, until = check_in_window(store.hall, slot.at)
        moved = _replace(
            b,
            day=slot.day,
            scope=scope.name,
            start=slot.start,
            end=slot.end,
            at=slot.at,
            end_at=slot.end_at,
            check_in_from=opens,
            check_in_until=until,
        )
        detail = _detail(moved, from_day=b.day, from_start=b.start)
        events.append(tx, "booking_moved", actor, slot.day, detail=detail)
        bookings.tell(tx, store.hall, store.names, moved, NoticeKind.MOVED)
        return moved

    return store._run(op, once)


def check_in(
    store: Store,
    code: str,
    *,
    actor: str = "citizen",
    station: str | None = None,
    once: Once | None = None,
) -> Issued:
    """The citizen is here: booking ``code`` becomes a waiting ticket of the appointment
    class (in line from its slot's start), its slip printed at ``station``'s printer."""
    printer = store.printer_of(station)

    def op(tx: Tx, state: HallState, layout: Layout) -> Issued:
        b = bookings.by_code(tx.conn, store.hall, code, lock=True)
        if b is None:
            raise NoSuchBooking(code=code)
        _live(b)
        if tx.now < b.check_in_from:
            opens = dt.datetime.fromtimestamp(b.check_in_from, store.hall.zone)
            raise BookingEarly(code=code, opens=opens.strftime("%H:%M"), day=b.day)
        if tx.now > b.check_in_until:
            until = dt.datetime.fromtimestamp(b.check_in_until, store.hall.zone)
            raise BookingLate(code=code, until=until.strftime("%H:%M"))
        if state.day_closed:
            raise DayClosedNoTickets(day=state.day)
        contact = Contact(b.digest, b.masked, b.sealed) if b.sealed else None
        issued = store._new_ticket(
            tx, state, layout, b.matters, b.bundle, None, b.at, actor, contact, printer, station
        )
        t = issued.ticket
        bookings.change(
            tx,
            b.id,
            status=CHECKED_IN,
            ended_at=tx.now,
            contact_sealed=None,
            ticket_id=t.id,
            ticket_number=t.number,
            ticket_token=issued.token,
        )
        events.append(tx, "checked_in", actor, t.day, ticket=t, detail=_detail(b))
        return issued

    return store.with_slip(store._run(op, once))


# ------------------------------------------------------------------ reads
def booking(store: Store, code: str) -> Booking:
    with store.uow.read() as tx:
        b = bookings.by_code(tx.conn, store.hall, code)
    if b is None:
        raise NoSuchBooking(code=code)
    return b


def on_day(store: Store, day: str) -> list[Booking]:
    with store.uow.read() as tx:
        return bookings.on_day(tx.conn, store.hall, day)


def closures(store: Store, day: str | None = None) -> list[Closure]:
    """The closures of ``day``, or of today and later days."""
    with store.uow.read() as tx:
        first = day or store.day_of(tx.now)
        return bookings.closures(tx.conn, tx.hall, first, day or "9999-12-31")


def bans(store: Store) -> list[Ban]:
    """The numbers barred from booking now (masked)."""
    with store.uow.read() as tx:
        return bookings.bans(tx.conn, tx.hall, store.day_of(tx.now))


# ------------------------------------------------------------------ manager
def close_slots(
    store: Store,
    day: str,
    start: str | None,
    scope: str | None,
    reason: str,
    *,
    actor: str = "manager",
    once: Once | None = None,
) -> Closure:
    """Close a slot (``start``) or a whole day (None) of a scope, or of all (None), to new
    bookings (those made stay)."""
    rules = store.hall.bookings
    if scope is not None and rules.scope(scope) is None:
        known = ", ".join(s.name for s in rules.scopes) or "-"
        raise UnknownScope(scope=scope, known=known)
    if start is not None and not any(
        s.start == start for s in day_slots(store.hall, dt.date.fromisoformat(day))
    ):
        raise NoSuchSlot(when=f"{day} {start}")

    def op(tx: Tx, state: HallState, layout: Layout) -> Closure:
        if day < state.day:
            raise ClosurePast(day=day)
        c = Closure(secrets.token_hex(6), day, scope, start, reason, actor, tx.now)
        bookings.add_closure(tx, c)
        detail = {"id": c.id, "day": day, "start": start, "scope": scope, "reason": reason}
        events.append(tx, "slots_closed", actor, state.day, detail=detail)
        return c

    return store._run(op, once)


def reopen(
    store: Store, closure_id: str, *, actor: str = "manager", once: Once | None = None
) -> Closure:
    def op(tx: Tx, state: HallState, layout: Layout) -> Closure:
        c = bookings.remove_closure(tx, closure_id)
        if c is None:
            raise NoSuchClosure(id=closure_id)
        detail = {"id": c.id, "day": c.day, "start": c.start, "scope": c.scope}
        events.append(tx, "slots_reopened", actor, state.day, detail=detail)
        return c

    return store._run(op, once)


def lift_ban(
    store: Store, mobile: str, reason: str, *, actor: str = "manager", once: Once | None = None
) -> Ban:
    """Lift the number's no-show bar now (logged with the manager and the reason); the
    no-shows before no longer count."""
    number = require_mobile(mobile)

    def op(tx: Tx, state: HallState, layout: Layout) -> Ban:
        digest = hall_keys(tx.conn, tx.now).digest(number)
        ban = bookings.lift(tx, digest, state.day, actor, reason)
        if ban is None:
            raise NoBan()
        detail = {"mobile": ban.masked, "until": ban.until, "reason": reason}
        events.append(tx, "ban_lifted", actor, state.day, detail=detail)
        return ban

    return store._run(op, once)
