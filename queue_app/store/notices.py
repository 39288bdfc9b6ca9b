"""The notice outbox: what to tell a citizen, written in the transaction of the change it
reports, one row per sender of the hall (``notices.senders`` of the hall file), so a notice
is never lost to a crash nor written without its change. A worker claims due rows and
delivers them (``queue_app.server.notifier``). A citizen without a mobile number, or a
hall without senders, gets no rows: nothing else depends on them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy import bindparam as bp

from queue_app.domain.notice_rules import NoticeKind, NoticeRules
from queue_app.domain.refusals import NoSuchNotice, NoticeNotDead
from queue_app.domain.ticket import Status
from queue_app.store.contacts import ContactKeys, hall_keys
from queue_app.store.hall_key import mine, params
from queue_app.store.tables import notice_t, ticket_t
from queue_app.store.tickets import RANK
from queue_app.store.uow import Tx

N = notice_t.c
PENDING, DONE, DEAD, CANCELLED = "pending", "done", "dead", "cancelled"
_CANCEL = (
    update(notice_t)
    .where(
        mine(notice_t),
        N.ref == bp("about"),  # not "ref": a column's own name is SQLAlchemy's in a SET
        N.kind.in_(bp("kinds", expanding=True)),
        N.state == PENDING,
    )
    .values(state=CANCELLED, contact_sealed=None)
)


def queue(
    tx: Tx,
    rules: NoticeRules,
    *,
    kind: NoticeKind,
    day: str,
    ref: str,
    sealed: str | None,
    masked: str | None,
    data: Mapping[str, Any],
    due_at: float | None = None,
) -> int:
    """Write the notice for each of the hall's senders; the rows written (0 without a
    sealed number or without senders). ``due_at``: not sent before (default: at once)."""
    return queue_many(
        tx, rules, [Note(kind, day, ref, sealed, masked, data, due_at)] if sealed else []
    )


@dataclass(frozen=True, slots=True)
class Note:
    """A notice to queue (``queue_many``)."""

    kind: NoticeKind
    day: str
    ref: str
    sealed: str | None
    masked: str | None
    data: Mapping[str, Any]
    due_at: float | None = None


def queue_many(tx: Tx, rules: NoticeRules, notes: Sequence[Note]) -> int:
    """``queue`` for several notices in one statement; the rows written."""
    rows = [row for n in notes if n.sealed is not None for row in _rows(tx, rules, n)]
    if rows:
        tx.conn.execute(insert(notice_t), rows)
    return len(rows)


def _rows(tx: Tx, rules: NoticeRules, n: Note) -> list[dict[str, Any]]:
    kind, day, ref, sealed, masked, data = n.kind, n.day, n.ref, n.sealed, n.masked, n.data
    due = tx.now if n.due_at is None else n.due_at
    body = json.dumps(dict(data), ensure_ascii=False, sort_keys=True)
    return [
        {
            "hall": tx.hall,
            "id": uuid.uuid4().hex,
            "sender": sender,
            "kind": kind.value,
            "day": day,
            "ref": ref,
            "contact_sealed": sealed,
            "contact_masked": masked or "",
            "params": body,
            "created_at": tx.now,
            "due_at": due,
            "state": PENDING,
            "attempts": 0,
            "next_try_at": due,
        }
        for sender in sorted(rules.senders)
    ]


def cancel(tx: Tx, ref: str, kinds: tuple[NoticeKind, ...]) -> int:
    """Cancel the pending notices of these kinds about ``ref`` (a booking's reminder when it
    is cancelled or moved); the rows cancelled."""
    result = tx.conn.execute(_CANCEL, params(tx.conn, about=ref, kinds=[k.value for k in kinds]))
    return result.rowcount or 0


# ------------------------------------------------------------ near turn (前面还有 N 位)
T = ticket_t.c
_TOLD = (
    select(N.id)
    .where(
        N.hall == T.hall,
        N.ref == T.number,
        N.kind == NoticeKind.NEAR_TURN.value,
        N.day == T.day,
    )
    .exists()
)
_CLASS_OF = select(T.prefix).where(mine(ticket_t), T.id == bp("called")).scalar_subquery()
# the head of the called ticket's class's line, in call order (as ``tickets.RANK`` orders)
_HEAD = (
    select(T.number, T.contact_sealed, T.contact_masked, _TOLD.label("told"))
    .where(
        mine(ticket_t),
        T.day == bp("day"),
        T.status == Status.WAITING.value,
        T.prefix == _CLASS_OF,
    )
    .order_by(RANK, T.queue_key, T.id)
    .limit(bp("head"))
)
_TURNS = text("SELECT pg_advisory_xact_lock(hashtext(:k))")


def near_turn(tx: Tx, rules: NoticeRules, day: str, called: int, hall_name: str) -> int:
    """Queue 前面还有 N 位 for the waiting tickets with a number that the call of ticket
    ``called`` brought to at most ``rules.near_turn`` people ahead in its class's line
    (tickets of its prefix, in call order), once per ticket. One statement reads the
    first ``near_turn + 1`` of that line (an index walk of the class's waiting tickets and
    a top-N sort), one writes the notices; nothing without senders or with ``near_turn:
    0``. On PostgreSQL, when it found someone to tell, two calls at once take turns (a
    transaction lock) and the second reads again once the first committed."""
    if not rules.senders or rules.near_turn <= 0:
        return 0
    given = params(tx.conn, day=day, now=tx.now, called=called, head=rules.near_turn + 1)
    head = tx.conn.execute(_HEAD, given).all()
    if tx.dialect == "postgresql" and any(r.contact_sealed and not r.told for r in head):
        tx.conn.execute(_TURNS, {"k": f"queue_app near_turn {tx.hall}"})
        head = tx.conn.execute(_HEAD, given).all()
    notes = [
        Note(
            NoticeKind.NEAR_TURN,
            day,
            r.number,
            r.contact_sealed,
            r.contact_masked,
            {"number": r.number, "hall": hall_name, "ahead": ahead},
        )
        for ahead, r in enumerate(head)
        if r.contact_sealed and not r.told
    ]
    return queue_many(tx, rules, notes)


# ------------------------------------------------------------------- delivery
LIVE = (PENDING,)
ENDED = (DONE, DEAD, CANCELLED)
ERROR_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Claimed:
    """A notice claimed for delivery by one process (its lease held)."""

    id: str
    sender: str
    kind: str
    day: str
    ref: str
    to: str | None  # the number, opened; None if it was not sealed under the hall's key
    masked: str
    data: dict[str, Any]
    created_at: float
    attempt: int  # this delivery's attempt, from 1


@dataclass(frozen=True, slots=True)
class Claim:
    notices: list[Claimed]
    next_due: float | None  # when the next pending notice is due (none claimed now)


_DUE = (
    select(notice_t)
    .where(
        mine(notice_t),
        N.state == PENDING,
        N.next_try_at <= bp("now"),
        N.sender.in_(bp("senders", expanding=True)),
        or_(N.lease_until.is_(None), N.lease_until < bp("now")),
    )
    .order_by(N.next_try_at, N.id)
    .limit(bp("lim"))
)
_NEXT_DUE = select(func.min(N.next_try_at)).where(
    mine(notice_t), N.state == PENDING, N.sender.in_(bp("senders", expanding=True))
)
_LEASE = (
    update(notice_t)
    .where(mine(notice_t), N.id.in_(bp("ids", expanding=True)))
    .values(lease_owner=bp("owner"), lease_until=bp("until"))
)
_MINE = and_(mine(notice_t), N.id == bp("nid"), N.state == PENDING, N.lease_owner == bp("owner"))


def claim(
    tx: Tx,
    senders: Sequence[str],
    owner: str,
    lease_s: float,
    limit: int,
    keys: ContactKeys | None = None,
) -> Claim:
    """Claim up to ``limit`` due notices of ``senders`` for ``owner`` for ``lease_s``
    seconds: rows another process holds are skipped (``FOR UPDATE SKIP LOCKED`` on
    PostgreSQL; SQLite's writers take turns), so no two processes hold one notice."""
    if not senders:
        return Claim([], None)
    stmt = _DUE.with_for_update(skip_locked=True) if tx.dialect != "sqlite" else _DUE
    rows = tx.conn.execute(
        stmt, params(tx.conn, now=tx.now, senders=list(senders), lim=limit)
    ).all()
    if not rows:
        nxt = tx.conn.execute(_NEXT_DUE, params(tx.conn, senders=list(senders))).scalar()
        return Claim([], None if nxt is None else float(nxt))
    given = params(tx.conn, ids=[r.id for r in rows], owner=owner, until=tx.now + lease_s)
    tx.conn.execute(_LEASE, given)
    opener = keys or hall_keys(tx.conn, tx.now)
    return Claim(
        [
            Claimed(
                r.id,
                r.sender,
                r.kind,
                r.day,
                r.ref,
                opener.open(r.contact_sealed) if r.contact_sealed else None,
                r.contact_masked,
                json.loads(r.params),
                r.created_at,
                r.attempts + 1,
            )
            for r in rows
        ],
        None,
    )


def delivered(tx: Tx, nid: str, owner: str) -> bool:
    """Mark a notice this process holds delivered, its number erased."""
    stmt = (
        update(notice_t)
        .where(_MINE)
        .values(
            state=DONE,
            attempts=N.attempts + 1,
            delivered_at=tx.now,
            contact_sealed=None,
            lease_owner=None,
            lease_until=None,
            last_error=None,
        )
    )
    return bool(tx.conn.execute(stmt, params(tx.conn, nid=nid, owner=owner)).rowcount)


def failed(tx: Tx, nid: str, owner: str, error: str, next_try_at: float | None) -> bool:
    """Record a failed attempt of a notice this process holds: tried again at
    ``next_try_at``, or (None) a dead letter."""
    values: dict[str, Any] = {
        "attempts": N.attempts + 1,
        "last_error": error[:ERROR_LENGTH],
        "lease_owner": None,
        "lease_until": None,
    }
    if next_try_at is None:
        values["state"] = DEAD
    else:
        values["next_try_at"] = next_try_at
    stmt = update(notice_t).where(_MINE).values(**values)
    return bool(tx.conn.execute(stmt, params(tx.conn, nid=nid, owner=owner)).rowcount)


# ------------------------------------------------------------------ the manager's
@dataclass(frozen=True, slots=True)
class NoticeInfo:
    """A notice as the manager sees it (the masked number only)."""

    id: str
    sender: str
    kind: str
    day: str
    ref: str
    masked: str
    state: str
    attempts: int
    created_at: float
    next_try_at: float
    delivered_at: float | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class NoticeCounts:
    pending: int
    dead: int
    done_today: int
    last_error: str | None  # of the latest failed attempt of a live or dead notice
    last_error_at: float | None


def _info(r: Any) -> NoticeInfo:
    return NoticeInfo(
        r.id,
        r.sender,
        r.kind,
        r.day,
        r.ref,
        r.contact_masked,
        r.state,
        r.attempts,
        r.created_at,
        r.next_try_at,
        r.delivered_at,
        r.last_error,
    )


def listing(conn: Connection, state: str, limit: int) -> list[NoticeInfo]:
    """Notices in ``state``, the latest first."""
    stmt = (
        select(notice_t)
        .where(mine(notice_t), N.state == bp("state"))
        .order_by(N.created_at.desc(), N.id)
        .limit(bp("lim"))
    )
    return [_info(r) for r in conn.execute(stmt, params(conn, state=state, lim=limit))]


def counts(conn: Connection, day: str) -> NoticeCounts:
    """How many notices wait, are dead letters, were delivered about ``day``; the last
    error."""
    by_state: dict[str, int] = dict(
        conn.execute(
            select(N.state, func.count())
            .where(mine(notice_t), or_(N.state.in_([PENDING, DEAD]), N.day == bp("day")))
            .group_by(N.state),
            params(conn, day=day),
        ).all()
    )
    last = conn.execute(
        select(N.last_error, N.next_try_at)
        .where(mine(notice_t), N.state.in_([PENDING, DEAD]), N.last_error.is_not(None))
        .order_by(N.next_try_at.desc())
        .limit(1),
        params(conn),
    ).first()
    return NoticeCounts(
        int(by_state.get(PENDING, 0)),
        int(by_state.get(DEAD, 0)),
        int(by_state.get(DONE, 0)),
        None if last is None else last.last_error,
        None if last is None else float(last.next_try_at),
    )


def retry(tx: Tx, nid: str) -> NoticeInfo:
    """Put a dead letter back: pending, due now, its attempts counted from zero."""
    row = tx.conn.execute(
        select(notice_t).where(mine(notice_t), N.id == bp("nid")).with_for_update(),
        params(tx.conn, nid=nid),
    ).first()
    if row is None:
        raise NoSuchNotice(notice=nid)
    if row.state != DEAD:
        raise NoticeNotDead(notice=nid, state=row.state)
    tx.conn.execute(
        update(notice_t)
        .where(mine(notice_t), N.id == bp("nid"))
        .values(state=PENDING, attempts=0, next_try_at=tx.now, lease_owner=None, lease_until=None),
        params(tx.conn, nid=nid),
    )
    return replace(_info(row), state=PENDING, attempts=0, next_try_at=tx.now)


_PURGE = delete(notice_t).where(mine(notice_t), N.state.in_(ENDED), N.created_at < bp("before"))
_ERASE = (
    update(ticket_t)
    .where(mine(ticket_t), ticket_t.c.day <= bp("through"), ticket_t.c.contact_sealed.is_not(None))
    .values(contact_sealed=None)
)


def purge(tx: Tx, keep_days: int) -> int:
    """Delete the delivered, dead and cancelled notices written more than ``keep_days``
    days ago; the rows deleted."""
    before = tx.now - keep_days * 86400.0
    return tx.conn.execute(_PURGE, params(tx.conn, before=before)).rowcount or 0


_STALE = (
    update(notice_t)
    .where(
        mine(notice_t),
        N.day <= bp("through"),
        N.state == PENDING,
        N.kind.in_([NoticeKind.CALLED.value, NoticeKind.NEAR_TURN.value]),
    )
    .values(state=CANCELLED, contact_sealed=None, lease_owner=None, lease_until=None)
)


def cancel_stale(tx: Tx, day: str) -> int:
    """Cancel the 请到 X 号窗口 and 前面还有 N 位 of ``day`` and before not yet delivered
    (their day is over: they would mislead), their numbers erased; the rows cancelled."""
    return tx.conn.execute(_STALE, params(tx.conn, through=day)).rowcount or 0


def erase_numbers(tx: Tx, day: str) -> int:
    """Erase the sealed numbers of the tickets of ``day`` and before (their day is over:
    no more notices about them); the tickets erased."""
    return tx.conn.execute(_ERASE, params(tx.conn, through=day)).rowcount or 0
