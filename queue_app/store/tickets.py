"""The ticket repository: rows in, domain ``Ticket``s out; every write a compare-and-set.

Statements are built once at import; SQLAlchemy compiles each once per dialect and keeps
it in its statement cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, and_, case, insert, literal_column, or_, select, update
from sqlalchemy import bindparam as bp
from sqlalchemy.dialects import postgresql, sqlite

from queue_app.domain import ticket as rules
from queue_app.domain.dispatch import Candidate
from queue_app.domain.refusals import NoSuchTicket, NoSuchTicketOn
from queue_app.domain.ticket import Item, Outcome, Priority, Status, Ticket
from queue_app.store import events, hall_key
from queue_app.store.contacts import Contact
from queue_app.store.hall_key import PARAM, mine, params
from queue_app.store.tables import counter_t, item_t, ticket_t
from queue_app.store.uow import Conflict, Tx

T = ticket_t.c
I = item_t.c  # noqa: E741
WAITING = Status.WAITING.value
PARKED = Status.PARKED.value
OPEN = tuple(s.value for s in rules.OPEN_STATUSES)

# dispatch class: 0 green channel, 1 appointment whose slot has begun, 2 the rest
RANK = case(
    (T.is_priority, literal_column("0")),
    (and_(T.appointment_at.is_not(None), T.appointment_at <= bp("now")), literal_column("1")),
    else_=literal_column("2"),
)
_WAITING_ON = and_(mine(ticket_t), T.day == bp("day"), T.status == WAITING)
_ITEMS_OF_TICKET = and_(I.hall == T.hall, I.ticket_id == T.id)
CANDIDATE_COLS = (
    T.id,
    T.matters,
    T.queue_key,
    T.is_priority,
    T.appointment_at,
    T.target_window,
    T.target_domain,
    T.held_for,
)
_LINE = select(*CANDIDATE_COLS).where(_WAITING_ON).order_by(RANK, T.queue_key, T.id)
# The same order as three index walks, one per dispatch class, each stopped after a page:
# green channel; appointments whose slot has begun; the rest (incl. future appointments).
_CLASS_FILTERS = (
    T.is_priority.is_(True),
    and_(T.is_priority.is_(False), T.appointment_at.is_not(None), T.appointment_at <= bp("now")),
    and_(T.is_priority.is_(False), or_(T.appointment_at.is_(None), T.appointment_at > bp("now"))),
)
_CLASS_PAGES = tuple(
    select(*CANDIDATE_COLS)
    .where(_WAITING_ON, f)
    .order_by(T.queue_key, T.id)
    .limit(bp("lim"))
    .offset(bp("off"))
    for f in _CLASS_FILTERS
)
# The line is read unlocked (rows locked while read would hide them from every other window
# calling at that moment); only the choice is locked, and a choice another window holds or
# has taken is passed over:
_CLAIMABLE = (
    select(T.id)
    .where(mine(ticket_t), T.id == bp("id"), T.status == WAITING)
    .with_for_update(skip_locked=True, of=ticket_t)
)
# Back with a missing material: the ticket held for a window, first at it (the oldest of them)
_HELD_FOR = (
    select(*CANDIDATE_COLS)
    .where(_WAITING_ON, T.held_for == bp("window"))
    .order_by(T.queue_key, T.id)
    .limit(1)
)
_HELD_AT = select(T.id).where(
    mine(ticket_t), T.held_for.in_(bp("windows", expanding=True)), T.status == WAITING
)
_PARKED = (
    select(T.id)
    .where(mine(ticket_t), T.day == bp("day"), T.status == PARKED)
    .order_by(T.parked_at, T.id)
)
_TICKET = (
    select(ticket_t, I.matter, I.outcome)
    .join(item_t, _ITEMS_OF_TICKET)
    .where(mine(ticket_t), T.id == bp("id"))
    .order_by(I.position)
)
_FIND = select(T.id).where(mine(ticket_t), T.day == bp("day"), T.number == bp("number"))
_BY_TOKEN = select(T.id).where(mine(ticket_t), T.token == bp("token"))
_INSERT = hall_key.inserting(ticket_t)
_INSERT_ITEM = insert(item_t)
MUTABLE = (
    "window",
    "target_window",
    "target_domain",
    "recalls",
    "queue_key",
    "called_at",
    "started_at",
    "finished_at",
    "held_for",
    "parked_at",
    "park_note",
    "handled_before",
)
_UPDATE = (
    update(ticket_t)
    .where(mine(ticket_t), T.id == bp("tid"), T.version == bp("old_version"))
    .values(status=bp("v_status"), version=bp("v_version"), **{f: bp(f"v_{f}") for f in MUTABLE})
)
_UPDATE_ITEM = (
    update(item_t)
    .where(mine(item_t), I.ticket_id == bp("tid"), I.position == bp("pos"))
    .values(outcome=bp("v_outcome"))
)
_COUNTER = {
    name: dialect.insert(counter_t)
    .values(hall=bp(PARAM), day=bp("day"), prefix=bp("prefix"), value=literal_column("1"))
    .on_conflict_do_update(
        index_elements=[counter_t.c.hall, counter_t.c.day, counter_t.c.prefix],
        set_={"value": counter_t.c.value + 1},
    )
    .returning(counter_t.c.value)
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}
_OPEN_BEFORE = select(T.id).where(mine(ticket_t), T.day < bp("day"), T.status.in_(OPEN))
_OPEN_ON = select(T.id).where(mine(ticket_t), T.day == bp("day"), T.status.in_(OPEN))


def _ticket(rows: Sequence[Any]) -> Ticket:
    r = rows[0]
    return Ticket(
        id=r.id,
        day=r.day,
        number=r.number,
        status=Status(r.status),
        items=tuple(Item(x.matter, Outcome(x.outcome) if x.outcome else None) for x in rows),
        issued_at=r.issued_at,
        queue_key=r.queue_key,
        priority=Priority(r.priority) if r.priority else None,
        appointment_at=r.appointment_at,
        bundle=r.bundle,
        window=r.window,
        target_window=r.target_window,
        target_domain=r.target_domain,
        recalls=r.recalls,
        called_at=r.called_at,
        started_at=r.started_at,
        finished_at=r.finished_at,
        held_for=r.held_for,
        parked_at=r.parked_at,
        park_note=r.park_note,
        handled_before=r.handled_before,
    )


def no_such_ticket(what: str) -> NoSuchTicket:
    return NoSuchTicket(number=what)


def load(conn: Connection, ticket_id: int) -> tuple[Ticket, int]:
    """A ticket and its row version (for the compare-and-set of ``save``)."""
    t, version, _ = load_with_contact(conn, ticket_id)
    return t, version


def load_with_contact(conn: Connection, ticket_id: int) -> tuple[Ticket, int, ContactOnTicket]:
    """``load``, with the citizen's number as the ticket keeps it (in the same read)."""
    rows = conn.execute(_TICKET, params(conn, id=ticket_id)).all()
    if not rows:
        raise no_such_ticket(str(ticket_id))
    r = rows[0]
    return _ticket(rows), r.version, ContactOnTicket(r.contact_sealed, r.contact_masked)


@dataclass(frozen=True, slots=True)
class ContactOnTicket:
    """A ticket's mobile number: sealed (None once erased, or never given) and masked."""

    sealed: str | None
    masked: str | None


def many(conn: Connection, ids: Sequence[int]) -> dict[int, Ticket]:
    """Several tickets in one read, by id."""
    return {i: t for i, (t, _) in many_versioned(conn, ids).items()}


def many_versioned(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[Ticket, int]]:
    """Several tickets and their row versions in one read, by id."""
    if not ids:
        return {}
    stmt = (
        select(ticket_t, I.matter, I.outcome)
        .join(item_t, _ITEMS_OF_TICKET)
        .where(T.hall == hall_key.of(conn), T.id.in_(list(ids)))
        .order_by(T.id, I.position)
    )
    by_id: dict[int, list[Any]] = {}
    for r in conn.execute(stmt):
        by_id.setdefault(r.id, []).append(r)
    return {i: (_ticket(rows), rows[0].version) for i, rows in by_id.items()}


def find(conn: Connection, day: str, number: str) -> int:
    """The id of ticket ``number`` of ``day``."""
    number = number.strip().upper()
    tid = conn.execute(_FIND, params(conn, day=day, number=number)).scalar()
    if tid is None:
        raise NoSuchTicketOn(number=number, day=day)
    return int(tid)


def by_token(conn: Connection, token: str) -> Ticket | None:
    tid = conn.execute(_BY_TOKEN, params(conn, token=token)).scalar()
    return load(conn, int(tid))[0] if tid is not None else None


def next_seq(conn: Connection, day: str, prefix: str) -> int:
    """The daily counter of a prefix: one atomic upsert, never max()+1."""
    return int(
        conn.execute(_COUNTER[conn.dialect.name], params(conn, day=day, prefix=prefix)).scalar_one()
    )


def insert_ticket(
    tx: Tx,
    t: Ticket,
    *,
    prefix: str,
    seq: int,
    token: str,
    actor: str,
    contact: Contact | None = None,
) -> Ticket:
    """Write a new waiting ticket (its id is the row's), with the citizen's mobile number
    if they gave one; the caller logs its event."""
    tid = tx.conn.execute(
        _INSERT[tx.dialect],
        {
            PARAM: tx.hall,
            "hall": tx.hall,
            "day": t.day,
            "number": t.number,
            "prefix": prefix,
            "seq": seq,
            "status": t.status.value,
            "version": 0,
            "priority": t.priority.value if t.priority else None,
            "is_priority": t.priority is not None,
            "channel": "appointment" if t.appointment_at is not None else "walk_in",
            "appointment_at": t.appointment_at,
            "queue_key": t.queue_key,
            "issued_at": t.issued_at,
            "recalls": 0,
            "bundle": t.bundle,
            "matters": " ".join(i.matter for i in t.items),
            "token": token,
            "issued_by": actor,
            "contact_masked": contact.masked if contact else None,
            "contact_sealed": contact.sealed if contact else None,
        },
    ).scalar_one()
    tx.conn.execute(
        _INSERT_ITEM,
        [
            {"hall": tx.hall, "ticket_id": tid, "position": i, "matter": m.matter}
            for i, m in enumerate(t.items)
        ],
    )
    return replace(t, id=tid)


def save(tx: Tx, old: Ticket, version: int, change: rules.Change, actor: str) -> Ticket:
    """Write a transition with a compare-and-set on the row's version, and log its event."""
    return save_many(tx, [(old, version, change)], actor)[0]


def save_many(
    tx: Tx, changes: Sequence[tuple[Ticket, int, rules.Change]], actor: str
) -> list[Ticket]:
    """Write transitions (a compare-and-set on each row's version) and log their events, in
    a constant number of statements however many."""
    if not changes:
        return []
    hall = tx.hall
    rows = [
        {
            PARAM: hall,
            "tid": old.id,
            "old_version": version,
            "v_status": c.ticket.status.value,
            "v_version": version + 1,
            **{f"v_{f}": getattr(c.ticket, f) for f in MUTABLE},
        }
        for old, version, c in changes
    ]
    res = tx.conn.execute(_UPDATE, rows[0] if len(rows) == 1 else rows)
    counted = len(rows) == 1 or tx.conn.dialect.supports_sane_multi_rowcount
    if counted and res.rowcount != len(rows):
        raise Conflict(changes[0][0].number)
    outcomes = [
        {
            PARAM: hall,
            "tid": old.id,
            "pos": pos,
            "v_outcome": b.outcome.value if b.outcome else None,
        }
        for old, _, c in changes
        for pos, (a, b) in enumerate(zip(old.items, c.ticket.items, strict=True))
        if a.outcome != b.outcome
    ]
    if outcomes:
        tx.conn.execute(_UPDATE_ITEM, outcomes)
    events.append_many(
        tx,
        [
            events.New(c.event, actor, c.ticket.day, c.ticket, c.detail.get("window"), c.detail)
            for _, _, c in changes
        ],
    )
    return [c.ticket for _, _, c in changes]


def line(conn: Connection, day: str, now: float) -> Sequence[Any]:
    """The waiting line of ``day`` in dispatch order (rows of ``CANDIDATE_COLS``)."""
    return conn.execute(_LINE, params(conn, day=day, now=now)).all()


def class_page(
    conn: Connection, rank: int, day: str, now: float, lim: int, off: int
) -> Sequence[Any]:
    """One page of the waiting line's dispatch class ``rank`` (0, 1, 2), in line order."""
    given = params(conn, day=day, now=now, lim=lim, off=off)
    return conn.execute(_CLASS_PAGES[rank], given).all()


def held_for(conn: Connection, day: str, window: int) -> Any | None:
    """The oldest ticket of ``day`` waiting held for ``window`` (a row of
    ``CANDIDATE_COLS``), or None."""
    return conn.execute(_HELD_FOR, params(conn, day=day, window=window)).first()


def parked(conn: Connection, day: str) -> list[Ticket]:
    """The tickets of ``day`` parked now (补材料), the longest parked first."""
    ids = list(conn.execute(_PARKED, params(conn, day=day)).scalars())
    found = many(conn, ids)
    return [found[i] for i in ids]


def release_holds(tx: Tx, windows: Sequence[int], actor: str) -> list[Ticket]:
    """Lift the holds for ``windows`` (closed, or their clerk left): the tickets waiting for
    them go back to the line at their old places."""
    if not windows:
        return []
    ids = list(tx.conn.execute(_HELD_AT, params(tx.conn, windows=sorted(set(windows)))).scalars())
    found = many_versioned(tx.conn, ids)
    changes = [(t, v, rules.release(t, tx.now)) for t, v in found.values()]
    return save_many(tx, changes, actor)


def claimable(conn: Connection, ticket_id: int) -> bool:
    """Lock the waiting ticket for this transaction; False if it is taken or locked."""
    return conn.execute(_CLAIMABLE, params(conn, id=ticket_id)).scalar() is not None


def open_before(conn: Connection, day: str) -> list[int]:
    """Tickets of days before ``day`` still open (waiting, called or being served)."""
    return list(conn.execute(_OPEN_BEFORE, params(conn, day=day)).scalars())


def open_on(conn: Connection, day: str) -> list[int]:
    return list(conn.execute(_OPEN_ON, params(conn, day=day)).scalars())


def as_candidate(t: Ticket, domains: frozenset[str]) -> Candidate:
    return Candidate(
        id=t.id,
        matters=t.matters,
        queue_key=t.queue_key,
        priority=t.priority is not None,
        appointment_at=t.appointment_at,
        target_window=t.target_window,
        target_domain=t.target_domain,
        domains=domains,
        held_for=t.held_for,
    )
