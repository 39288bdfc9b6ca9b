"""The bookings' rows: bookings, the places taken per slot, closures and no-show bars, and
the sweep that ends what was never checked in. Every statement filters by the hall.

A slot's capacity holds under any number of concurrent bookings: a booking takes its
place with ``UPDATE booking_slot SET taken = taken + 1 WHERE … AND taken < :capacity`` in
its own transaction (one row, or none when full); a cancel or a move gives it back.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from queue_app.domain.booked import Booked
from queue_app.domain.hall import Hall
from queue_app.domain.notice_rules import NoticeKind
from queue_app.store import events, notices
from queue_app.store.tables import booking_ban_t, booking_closure_t, booking_slot_t, booking_t
from queue_app.store.uow import Tx

B, S, C, X = booking_t.c, booking_slot_t.c, booking_closure_t.c, booking_ban_t.c
BOOKED, CHECKED_IN, CANCELLED, NO_SHOW = "booked", "checked_in", "cancelled", "no_show"
CODE_TRIES = 50


@dataclass(frozen=True, slots=True)
class Booking:
    """A booking as the store keeps it (the number only hashed, masked and sealed)."""

    id: str
    code: str
    day: str
    scope: str
    start: str
    end: str
    at: float
    end_at: float
    check_in_from: float
    check_in_until: float
    matters: tuple[str, ...]
    bundle: str | None
    status: str
    masked: str
    digest: str
    sealed: str | None
    created_at: float
    ticket_id: int | None = None
    ticket_number: str | None = None
    ticket_token: str | None = None


@dataclass(frozen=True, slots=True)
class Closure:
    id: str
    day: str
    scope: str | None  # None: every scope
    start: str | None  # None: the whole day
    reason: str
    closed_by: str
    closed_at: float

    def covers(self, scope: str, start: str) -> bool:
        return (self.scope is None or self.scope == scope) and (
            self.start is None or self.start == start
        )


@dataclass(frozen=True, slots=True)
class Ban:
    masked: str
    no_shows: int
    until: str  # bookable again from this day


def _hhmm(at: float, hall: Hall) -> str:
    return dt.datetime.fromtimestamp(at, hall.zone).strftime("%H:%M")


def _of(r: Any, hall: Hall) -> Booking:
    return Booking(
        id=r.id,
        code=r.code,
        day=r.day,
        scope=r.scope,
        start=r.start,
        end=_hhmm(r.slot_end, hall),
        at=r.slot_at,
        end_at=r.slot_end,
        check_in_from=r.check_in_from,
        check_in_until=r.check_in_until,
        matters=tuple(r.matters.split()),
        bundle=r.bundle,
        status=r.status,
        masked=r.contact_masked,
        digest=r.contact_digest,
        sealed=r.contact_sealed,
        created_at=r.created_at,
        ticket_id=r.ticket_id,
        ticket_number=r.ticket_number,
        ticket_token=r.ticket_token,
    )


# ------------------------------------------------------------------ bookings
def by_code(conn: Connection, hall: Hall, code: str, *, lock: bool = False) -> Booking | None:
    """The latest booking with ``code`` (a code is unique among live bookings; an ended
    booking's may be given again later)."""
    stmt = (
        select(booking_t)
        .where(B.hall == hall.hall.code, B.code == code)
        .order_by(B.created_at.desc())
        .limit(1)
    )
    if lock:
        stmt = stmt.with_for_update()
    r = conn.execute(stmt).first()
    return None if r is None else _of(r, hall)


def on_day(conn: Connection, hall: Hall, day: str) -> list[Booking]:
    stmt = (
        select(booking_t)
        .where(B.hall == hall.hall.code, B.day == day)
        .order_by(B.slot_at, B.created_at)
    )
    return [_of(r, hall) for r in conn.execute(stmt)]


def booked(conn: Connection, hall: str, day: str) -> list[Booked]:
    """The day's bookings still to come (not checked in, cancelled or missed)."""
    stmt = (
        select(B.slot_at, B.matters)
        .where(B.hall == hall, B.day == day, B.status == BOOKED)
        .order_by(B.slot_at)
    )
    return [Booked(r.slot_at, tuple(r.matters.split())) for r in conn.execute(stmt)]


def live_count(conn: Connection, hall: str, digest: str, day: str) -> int:
    """How many live bookings the number with ``digest`` holds on ``day``."""
    stmt = select(func.count()).where(
        B.hall == hall, B.contact_digest == digest, B.day == day, B.status == BOOKED
    )
    return int(conn.execute(stmt).scalar_one())


def lock_number(tx: Tx, digest: str) -> None:
    """PostgreSQL: one booking change per number at a time (the per-day count holds);
    SQLite's writers take turns anyway."""
    if tx.dialect == "postgresql":
        key = f"booking:{tx.hall}:{digest}"
        tx.conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})


def _new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def insert_booking(tx: Tx, row: dict[str, Any]) -> str:
    """Write a new booking with a random 6-digit code no live or coming booking of the
    hall holds; its code."""
    for _ in range(CODE_TRIES):
        code = _new_code()
        taken = tx.conn.execute(
            select(B.id)
            .where(
                B.hall == tx.hall,
                B.code == code,
                or_(B.status == BOOKED, B.day >= row["day"]),
            )
            .limit(1)
        ).first()
        if taken is not None:
            continue
        values = {**row, "hall": tx.hall, "id": uuid.uuid4().hex, "code": code}
        if tx.dialect != "postgresql":
            tx.conn.execute(insert(booking_t).values(**values))
            return code
        try:  # another process may have just given the same code to a live booking
            with tx.conn.begin_nested():
                tx.conn.execute(insert(booking_t).values(**values))
        except IntegrityError:
            continue
        return code
    raise RuntimeError("no free booking code after many tries")


def change(tx: Tx, booking_id: str, **values: Any) -> None:
    tx.conn.execute(
        update(booking_t)
        .where(B.hall == tx.hall, B.id == booking_id)
        .values(changed_at=tx.now, **values)
    )


# ------------------------------------------------------------------ places
def take_place(tx: Tx, day: str, scope: str, start: str, capacity: int) -> bool:
    """Take a place in the slot if one is left (atomic: never more than ``capacity``)."""
    row = {"hall": tx.hall, "day": day, "scope": scope, "start": start, "taken": 0}
    if tx.dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        tx.conn.execute(pg_insert(booking_slot_t).values(**row).on_conflict_do_nothing())
    else:
        tx.conn.execute(insert(booking_slot_t).values(**row).prefix_with("OR IGNORE"))
    took = tx.conn.execute(
        update(booking_slot_t)
        .where(
            S.hall == tx.hall,
            S.day == day,
            S.scope == scope,
            S.start == start,
            S.taken < capacity,
        )
        .values(taken=S.taken + 1)
    )
    return took.rowcount == 1


def give_back(tx: Tx, day: str, scope: str, start: str) -> None:
    tx.conn.execute(
        update(booking_slot_t)
        .where(S.hall == tx.hall, S.day == day, S.scope == scope, S.start == start, S.taken > 0)
        .values(taken=S.taken - 1)
    )


def taken(
    conn: Connection, hall: str, scope: str, first: str, last: str
) -> dict[tuple[str, str], int]:
    """The places taken per (day, start) of a scope from ``first`` to ``last``."""
    stmt = select(S.day, S.start, S.taken).where(
        S.hall == hall, S.scope == scope, S.day >= first, S.day <= last
    )
    return {(r.day, r.start): r.taken for r in conn.execute(stmt)}


# ------------------------------------------------------------------ closures
def closures(conn: Connection, hall: str, first: str, last: str) -> list[Closure]:
    stmt = (
        select(booking_closure_t)
        .where(C.hall == hall, C.day >= first, C.day <= last)
        .order_by(C.day, C.closed_at)
    )
    return [
        Closure(r.id, r.day, r.scope, r.start, r.reason, r.closed_by, r.closed_at)
        for r in conn.execute(stmt)
    ]


def closed(tx: Tx, day: str, scope: str, start: str) -> bool:
    stmt = (
        select(C.id)
        .where(
            C.hall == tx.hall,
            C.day == day,
            or_(C.scope.is_(None), C.scope == scope),
            or_(C.start.is_(None), C.start == start),
        )
        .limit(1)
    )
    return tx.conn.execute(stmt).first() is not None


def add_closure(tx: Tx, closure: Closure) -> None:
    values = {
        "hall": tx.hall,
        "id": closure.id,
        "day": closure.day,
        "scope": closure.scope,
        "start": closure.start,
        "reason": closure.reason,
        "closed_by": closure.closed_by,
        "closed_at": closure.closed_at,
    }
    tx.conn.execute(insert(booking_closure_t).values(**values))


def remove_closure(tx: Tx, closure_id: str) -> Closure | None:
    r = tx.conn.execute(
        select(booking_closure_t).where(C.hall == tx.hall, C.id == closure_id)
    ).first()
    if r is None:
        return None
    tx.conn.execute(delete(booking_closure_t).where(C.hall == tx.hall, C.id == closure_id))
    return Closure(r.id, r.day, r.scope, r.start, r.reason, r.closed_by, r.closed_at)


# ------------------------------------------------------------------ no-show bars
def ban_of(tx: Tx, digest: str, today: str) -> Ban | None:
    """The number's bar, while it holds (``today`` before its end)."""
    r = tx.conn.execute(
        select(X.masked, X.no_shows, X.until).where(
            X.hall == tx.hall, X.digest == digest, X.until > today
        )
    ).first()
    return None if r is None else Ban(r.masked, r.no_shows, r.until)


def bans(conn: Connection, hall: str, today: str) -> list[Ban]:
    stmt = (
        select(X.masked, X.no_shows, X.until)
        .where(X.hall == hall, X.until > today)
        .order_by(X.until, X.masked)
    )
    return [Ban(r.masked, r.no_shows, r.until) for r in conn.execute(stmt)]


def lift(tx: Tx, digest: str, today: str, actor: str, reason: str) -> Ban | None:
    """End the number's bar now; its no-shows so far no longer count. None: no bar."""
    ban = ban_of(tx, digest, today)
    if ban is None:
        return None
    tx.conn.execute(
        update(booking_ban_t)
        .where(X.hall == tx.hall, X.digest == digest)
        .values(
            until=today,
            counted_after=tx.now,
            lifted_at=tx.now,
            lifted_by=actor,
            lift_reason=reason,
        )
    )
    return ban


def _count_no_show(tx: Tx, hall: Hall, digest: str, masked: str, today: str) -> None:
    """After a no-show: bar the number if it has missed enough bookings lately."""
    rules = hall.bookings.no_shows
    found = tx.conn.execute(
        select(X.counted_after).where(X.hall == tx.hall, X.digest == digest)
    ).first()
    since = (dt.date.fromisoformat(today) - dt.timedelta(days=rules.within_days)).isoformat()
    count = int(
        tx.conn.execute(
            select(func.count()).where(
                B.hall == tx.hall,
                B.contact_digest == digest,
                B.status == NO_SHOW,
                B.day >= since,
                B.ended_at > (found.counted_after if found else 0.0),
            )
        ).scalar_one()
    )
    if count < rules.after:
        return
    until = (dt.date.fromisoformat(today) + dt.timedelta(days=rules.ban_days)).isoformat()
    values = {"masked": masked, "no_shows": count, "banned_at": tx.now, "until": until}
    if found is None:
        values |= {"hall": tx.hall, "digest": digest, "counted_after": 0.0}
        tx.conn.execute(insert(booking_ban_t).values(**values))
    else:
        tx.conn.execute(
            update(booking_ban_t).where(X.hall == tx.hall, X.digest == digest).values(**values)
        )


# ------------------------------------------------------------------ notices
def notice_data(b: Booking, hall: Hall, names: Mapping[str, str]) -> dict[str, Any]:
    """What a booking's notice says (the notices' contract)."""
    return {
        "booking": True,
        "code": b.code,
        "day": b.day,
        "start": b.start,
        "end": b.end,
        "matters": [names.get(c, c) for c in b.matters],
        "hall": hall.hall.name,
    }


def tell(tx: Tx, hall: Hall, names: Mapping[str, str], b: Booking, kind: NoticeKind) -> None:
    """Queue notice ``kind`` about ``b`` (booked and moved: with the reminder the day
    before, unless that time has passed)."""
    data = notice_data(b, hall, names)
    sealed, masked = b.sealed, b.masked
    notices.queue(
        tx, hall.notices, kind=kind, day=b.day, ref=b.code, sealed=sealed, masked=masked, data=data
    )
    if kind in (NoticeKind.BOOKED, NoticeKind.MOVED):
        before = dt.date.fromisoformat(b.day) - dt.timedelta(days=1)
        hh, mm = hall.notices.reminder_at.split(":")
        due = dt.datetime.combine(before, dt.time(int(hh), int(mm)), hall.zone).timestamp()
        if due > tx.now:
            notices.queue(
                tx,
                hall.notices,
                kind=NoticeKind.REMINDER,
                day=b.day,
                ref=b.code,
                sealed=sealed,
                masked=masked,
                data=data,
                due_at=due,
            )


# ------------------------------------------------------------------ the sweep
def sweep(
    tx: Tx,
    hall: Hall,
    names: Mapping[str, str],
    today: str,
    *,
    closed_through: str | None = None,
    actor: str = "system",
) -> dict[str, int]:
    """End the bookings never checked in: those whose check-in window has passed are
    no-shows (counted towards a bar, told); with ``closed_through`` (a day closed), that
    day's and earlier days' bookings still waiting for their window are cancelled by the
    hall (told, not counted). The ended bookings' sealed numbers are erased."""
    due = tx.conn.execute(
        select(booking_t).where(B.hall == tx.hall, B.status == BOOKED, B.check_in_until < tx.now)
    ).all()
    missed = [_of(r, hall) for r in due]
    _end(tx, hall, names, missed, NO_SHOW, NoticeKind.NO_SHOW, "booking_no_show", actor)
    for digest, masked in sorted({(b.digest, b.masked) for b in missed}):
        _count_no_show(tx, hall, digest, masked, today)
    dropped: list[Booking] = []
    if closed_through is not None:
        left = tx.conn.execute(
            select(booking_t).where(B.hall == tx.hall, B.status == BOOKED, B.day <= closed_through)
        ).all()
        dropped = [_of(r, hall) for r in left]
        _end(tx, hall, names, dropped, CANCELLED, NoticeKind.CANCELLED, "booking_cancelled", actor)
        for b in dropped:
            give_back(tx, b.day, b.scope, b.start)
    return {"no_shows": len(missed), "cancelled": len(dropped)}


def _end(
    tx: Tx,
    hall: Hall,
    names: Mapping[str, str],
    ended: Sequence[Booking],
    status: str,
    kind: NoticeKind,
    event: str,
    actor: str,
) -> None:
    if not ended:
        return
    for b in ended:
        tell(tx, hall, names, b, kind)
        notices.cancel(tx, b.code, (NoticeKind.REMINDER,))
    tx.conn.execute(
        update(booking_t)
        .where(B.hall == tx.hall, B.id.in_([b.id for b in ended]))
        .values(status=status, ended_at=tx.now, changed_at=tx.now, contact_sealed=None)
    )
    events.append_many(
        tx,
        [events.New(event, actor, b.day, detail={"code": b.code, "start": b.start}) for b in ended],
    )


def purge(tx: Tx, hall: Hall, today: str) -> int:
    """Forget bookings ``bookings.keep_days`` after their day, the places and closures of
    past days, and bars long over; how many rows went."""
    rules = hall.bookings
    d = dt.date.fromisoformat(today)
    keep_from = (d - dt.timedelta(days=rules.keep_days)).isoformat()
    bars_from = (d - dt.timedelta(days=rules.no_shows.within_days)).isoformat()
    gone = 0
    for stmt in (
        delete(booking_t).where(B.hall == tx.hall, B.day < keep_from),
        delete(booking_slot_t).where(S.hall == tx.hall, S.day < today),
        delete(booking_closure_t).where(C.hall == tx.hall, C.day < today),
        delete(booking_ban_t).where(X.hall == tx.hall, X.until < bars_from),
    ):
        gone += tx.conn.execute(stmt).rowcount or 0
    return gone
