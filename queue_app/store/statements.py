"""Every statement the hot paths run, built once (see ``sql.Sql``)."""

from __future__ import annotations

from sqlalchemy import and_, case, func, insert, literal_column, or_, select, update
from sqlalchemy import bindparam as bp
from sqlalchemy.dialects import postgresql, sqlite

from queue_app.store.sql import Sql
from queue_app.store.tables import counter_t, day_t, event_t, item_t, ticket_t, window_t

T = ticket_t.c

# dispatch class: 0 green channel, 1 appointment whose slot has begun, 2 the rest
RANK = case(
    (T.is_priority, literal_column("0")),
    (and_(T.appointment_at.is_not(None), T.appointment_at <= bp("now")), literal_column("1")),
    else_=literal_column("2"),
)
WAITING_TODAY = and_(T.day == bp("day"), T.status == bp("waiting"))
CANDIDATE_COLS = (
    T.id,
    T.matters,
    T.queue_key,
    T.is_priority,
    T.appointment_at,
    T.target_window,
    T.target_domain,
)
_ORDERED = select(*CANDIDATE_COLS).where(WAITING_TODAY).order_by(RANK, T.queue_key, T.id)

# The line is read unlocked (rows locked while read would hide them from every other window
# calling at that moment: "nobody waiting" while people wait); only the choice is locked,
# and a choice another window holds or has taken is passed over:
CLAIMABLE = Sql(
    select(T.id)
    .where(T.id == bp("id"), T.status == bp("waiting"))
    .with_for_update(skip_locked=True, of=ticket_t)
)
CANDIDATES_READ = Sql(_ORDERED)

# For a new ticket's slip: waiting tickets grouped by what they need, flagged when ahead.
_BEFORE_ME = or_(
    bp("my_rank") > RANK,
    and_(
        bp("my_rank") == RANK,
        or_(T.queue_key < bp("my_key"), and_(T.queue_key == bp("my_key"), T.id < bp("my_id"))),
    ),
)
WAITING_GROUPS = Sql(
    select(
        T.matters,
        T.target_window,
        T.target_domain,
        case((_BEFORE_ME, literal_column("1")), else_=literal_column("0")).label("ahead"),
        func.count().label("n"),
    )
    .where(WAITING_TODAY, T.id != bp("my_id"))
    .group_by(T.matters, T.target_window, T.target_domain, literal_column("ahead"))
)

TICKET = Sql(select(ticket_t).where(T.id == bp("id")))
ITEMS = Sql(
    select(item_t.c.matter, item_t.c.outcome)
    .where(item_t.c.ticket_id == bp("id"))
    .order_by(item_t.c.position)
)
FIND = Sql(select(T.id).where(T.day == bp("day"), T.number == bp("number")))
BY_TOKEN = Sql(select(T.id).where(T.token == bp("token")))

INSERT_TICKET = Sql(
    insert(ticket_t)
    .values(
        day=bp("v_day"),
        number=bp("v_number"),
        prefix=bp("v_prefix"),
        seq=bp("v_seq"),
        status=bp("v_status"),
        version=literal_column("0"),
        priority=bp("v_priority"),
        is_priority=bp("v_is_priority"),
        channel=bp("v_channel"),
        appointment_at=bp("v_appointment_at"),
        queue_key=bp("v_queue_key"),
        issued_at=bp("v_issued_at"),
        recalls=literal_column("0"),
        bundle=bp("v_bundle"),
        matters=bp("v_matters"),
        token=bp("v_token"),
        issued_by=bp("v_issued_by"),
    )
    .returning(T.id)
)
INSERT_ITEM = Sql(
    insert(item_t).values(ticket_id=bp("v_tid"), position=bp("v_pos"), matter=bp("v_matter"))
)
# What a transition may change on a ticket (besides status and version), by name.
TICKET_MUTABLE = (
    "window",
    "target_window",
    "target_domain",
    "recalls",
    "queue_key",
    "called_at",
    "started_at",
    "finished_at",
)
UPDATE_TICKET = Sql(
    update(ticket_t)
    .where(T.id == bp("tid"), T.version == bp("old_version"))
    .values(
        status=bp("v_status"), version=bp("v_version"), **{f: bp(f"v_{f}") for f in TICKET_MUTABLE}
    )
)
UPDATE_ITEM = Sql(
    update(item_t)
    .where(item_t.c.ticket_id == bp("tid"), item_t.c.position == bp("pos"))
    .values(outcome=bp("v_outcome"))
)

WINDOW = Sql(select(window_t).where(window_t.c.number == bp("number")))
WINDOW_LOCKED = Sql(select(window_t).where(window_t.c.number == bp("number")).with_for_update())
UPDATE_WINDOW = Sql(
    update(window_t)
    .where(window_t.c.number == bp("number"))
    .values(
        status=bp("v_status"),
        reason=bp("v_reason"),
        current_ticket=bp("v_current"),
        updated_at=bp("v_at"),
    )
)
OPEN_WINDOWS = Sql(select(window_t.c.number).where(window_t.c.status == bp("open")))

EVENT_COLUMNS = ("at", "day", "kind", "ticket_id", "ticket_number", "window", "actor", "detail")
INSERT_EVENT = Sql(
    insert(event_t).values(**{c: bp(f"v_{c}") for c in EVENT_COLUMNS}).returning(event_t.c.id)
)

COUNTER = Sql(
    select(counter_t.c.value).where(
        counter_t.c.day == bp("day"), counter_t.c.prefix == bp("prefix")
    )
)
COUNTER_CAS = Sql(
    update(counter_t)
    .where(
        counter_t.c.day == bp("day"),
        counter_t.c.prefix == bp("prefix"),
        counter_t.c.value == bp("old"),
    )
    .values(value=bp("new"))
)
COUNTER_BUMP = Sql(  # one round trip where UPDATE ... RETURNING exists (the row is locked)
    update(counter_t)
    .where(counter_t.c.day == bp("day"), counter_t.c.prefix == bp("prefix"))
    .values(value=counter_t.c.value + 1)
    .returning(counter_t.c.value)
)
COUNTER_CREATE = {
    "sqlite": Sql(
        sqlite.insert(counter_t)
        .values(day=bp("day"), prefix=bp("prefix"), value=literal_column("0"))
        .on_conflict_do_nothing()
    ),
    "postgresql": Sql(
        postgresql.insert(counter_t)
        .values(day=bp("day"), prefix=bp("prefix"), value=literal_column("0"))
        .on_conflict_do_nothing()
    ),
}
DAY_CLOSED = Sql(select(day_t.c.closed_at).where(day_t.c.day == bp("day")))

# The same order as three index walks, one per dispatch class, each stopped after a page:
# green channel; appointments whose slot has begun; the rest (incl. future appointments).
_CLASS_FILTERS = (
    T.is_priority.is_(True),
    and_(T.is_priority.is_(False), T.appointment_at.is_not(None), T.appointment_at <= bp("now")),
    and_(T.is_priority.is_(False), or_(T.appointment_at.is_(None), T.appointment_at > bp("now"))),
)
CLASS_PAGES = tuple(
    Sql(
        select(*CANDIDATE_COLS)
        .where(WAITING_TODAY, f)
        .order_by(T.queue_key, T.id)
        .limit(bp("lim"))
        .offset(bp("off"))
    )
    for f in _CLASS_FILTERS
)

# Per window, the tickets finished on a day: how many, of them bundles, mean handling (start
# to finish) and busy time (call to finish).
DONE_BY_WINDOW = Sql(
    select(
        T.window,
        func.count().label("served"),
        func.count(T.bundle).label("bundles"),
        func.avg(T.finished_at - T.started_at).label("handling"),
        func.sum(T.finished_at - T.called_at).label("busy"),
    )
    .where(T.day == bp("day"), T.status == bp("done"), T.window.is_not(None))
    .group_by(T.window)
)
