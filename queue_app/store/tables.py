"""The database tables. Instants are POSIX seconds (UTC) in double-precision columns.

Every table belongs to one hall: its first column is the hall's code (``hall``), which
starts its primary key and every unique key and index, and every statement filters by it
(``HALL_OWNED``; ``queue_app.store.hall_key``). A database may hold a city of halls, and a
province can shard the tables by hall on a PostgreSQL-compatible distributed engine.
Generated ids (tickets, events) are unique within their hall: a sequence on PostgreSQL,
the hall's highest id plus one on SQLite (whose writers take turns).
"""

from __future__ import annotations

from sqlalchemy import FetchedValue, ForeignKeyConstraint, Index, Table, UniqueConstraint, text
from sqlmodel import Field, SQLModel

HALL_LENGTH = 40  # a hall code: [a-z0-9][a-z0-9-]{1,39}


def _hall() -> str:
    """The hall key column, first in every table."""
    return Field(primary_key=True, max_length=HALL_LENGTH)  # type: ignore[no-any-return]


def _generated_id() -> int:
    """An id the database generates within the hall (see the module's docstring)."""
    return Field(  # type: ignore[no-any-return]
        primary_key=True,
        sa_column_kwargs={"autoincrement": False, "server_default": FetchedValue()},
    )


class TicketRow(SQLModel, table=True):
    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("hall", "day", "number", name="uq_ticket_day_number"),
        UniqueConstraint("hall", "token", name="uq_ticket_token"),
        Index("ix_ticket_queue", "hall", "day", "status", "is_priority", "queue_key"),
        Index("ix_ticket_appointment", "hall", "day", "status", "appointment_at"),
        Index("ix_ticket_held", "hall", "held_for", "day"),
    )

    hall: str = _hall()
    id: int = _generated_id()
    day: str = Field(max_length=10)
    number: str = Field(max_length=8)
    prefix: str = Field(max_length=2)
    seq: int
    status: str = Field(max_length=12)
    version: int = 0
    priority: str | None = Field(default=None, max_length=12)
    is_priority: bool = False
    channel: str = Field(default="walk_in", max_length=12)
    appointment_at: float | None = None
    queue_key: float
    issued_at: float
    called_at: float | None = None
    started_at: float | None = None
    finished_at: float | None = None
    window: int | None = None
    target_window: int | None = None
    target_domain: str | None = Field(default=None, max_length=40)
    recalls: int = 0
    bundle: str | None = Field(default=None, max_length=40)
    matters: str  # space-separated matter codes, for dispatch without a join
    token: str = Field(max_length=32)
    issued_by: str = Field(default="", max_length=64)
    # 补材料 (revision 0011): parked while the citizen fetches a missing material
    held_for: int | None = None  # un-parked: its window calls it before anything else
    parked_at: float | None = None
    park_note: str = Field(default="", max_length=200)
    handled_before: float = 0.0  # seconds served in earlier sittings (before a park)
    # the citizen's mobile number (revision 0012), for notices: masked, and sealed until
    # the day is over (queue_app.store.contacts)
    contact_masked: str | None = Field(default=None, max_length=16)
    contact_sealed: str | None = Field(default=None, max_length=200)


class TicketItemRow(SQLModel, table=True):
    __tablename__ = "ticket_item"
    __table_args__ = (
        ForeignKeyConstraint(
            ["hall", "ticket_id"], ["ticket.hall", "ticket.id"], name="fk_ticket_item_ticket"
        ),
    )

    hall: str = _hall()
    ticket_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    position: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    matter: str = Field(max_length=80)
    outcome: str | None = Field(default=None, max_length=12)


class WindowRow(SQLModel, table=True):
    __tablename__ = "hall_window"

    hall: str = _hall()
    number: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    status: str = Field(default="closed", max_length=8)
    reason: str = Field(default="", max_length=80)
    current_ticket: int | None = None
    updated_at: float = 0.0


class WindowProfileRow(SQLModel, table=True):
    """A window serving otherwise than its layout says, since a manager changed it (one row
    per changed window; restoring the layout deletes the row)."""

    __tablename__ = "window_profile"

    hall: str = _hall()
    number: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    profile: str  # WindowProfile as JSON
    set_at: float
    set_by: str = Field(default="", max_length=64)


class HallSettingRow(SQLModel, table=True):
    """A hall setting changed at run time over the layout's value (e.g. the wait targets)."""

    __tablename__ = "hall_setting"

    hall: str = _hall()
    key: str = Field(primary_key=True, max_length=40)
    value: str  # JSON
    set_at: float
    set_by: str = Field(default="", max_length=64)


class HallStateRow(SQLModel, table=True):
    """The hall's running state, one row per hall: its current business day (the first operation of
    a later day rolls the day over), the version of its run-time settings (every change of
    a window's profile or the targets moves it: each process rebuilds the layout in effect
    when it sees it move) and until when issuing stays open beyond the hall's hours."""

    __tablename__ = "hall_state"

    hall: str = _hall()
    day: str = Field(max_length=10)
    settings_version: int = 0
    open_until: float | None = None
    day_closed: bool = False  # the current day was closed by hand: no more tickets
    notice: str | None = Field(default=None, max_length=120)  # the boards' notice line
    notice_at: float | None = None
    notice_by: str | None = Field(default=None, max_length=64)


class CounterRow(SQLModel, table=True):
    __tablename__ = "day_counter"

    hall: str = _hall()
    day: str = Field(primary_key=True, max_length=10)
    prefix: str = Field(primary_key=True, max_length=2)
    value: int = 0


class BusinessDayRow(SQLModel, table=True):
    __tablename__ = "business_day"

    hall: str = _hall()
    day: str = Field(primary_key=True, max_length=10)
    closed_at: float | None = None
    closed_by: str = Field(default="", max_length=64)


class EventRow(SQLModel, table=True):
    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_day", "hall", "day"),
        Index("ix_event_ticket_id", "hall", "ticket_id"),
    )

    hall: str = _hall()
    id: int = _generated_id()
    at: float
    day: str = Field(max_length=10)
    kind: str = Field(max_length=20)
    ticket_id: int | None = None
    ticket_number: str | None = Field(default=None, max_length=8)
    window: int | None = None
    actor: str = Field(default="", max_length=64)
    detail: str = "{}"  # JSON


class IdempotencyRow(SQLModel, table=True):
    """A POST made with an Idempotency-Key, and the response it got (replayed on retry)."""

    __tablename__ = "idempotency"

    hall: str = _hall()
    scope: str = Field(primary_key=True, max_length=64)  # the acting account
    key: str = Field(primary_key=True, max_length=128)
    fingerprint: str = Field(max_length=64)  # method, path and body digest
    status_code: int | None = None  # None while the first request is being handled
    body: str = ""
    created_at: float


class StaffRow(SQLModel, table=True):
    __tablename__ = "staff"

    hall: str = _hall()
    username: str = Field(primary_key=True, max_length=40)
    full_name: str = Field(default="", max_length=40)
    role: str = Field(max_length=10)
    password_hash: str = Field(max_length=200)
    disabled: bool = False
    created_at: float
    windows: str | None = Field(default=None, max_length=200)  # e.g. "1-5,8"; None: any
    staff_number: str | None = Field(default=None, max_length=16)  # 工号, shown at the window
    display_name: str | None = Field(default=None, max_length=40)  # shown instead of the name


class SeatRow(SQLModel, table=True):
    """Who sits at a window: the one session that may operate it (ends with the session)."""

    __tablename__ = "window_seat"
    __table_args__ = (
        ForeignKeyConstraint(
            ["hall", "token_digest"],
            ["staff_session.hall", "staff_session.token_digest"],
            name="fk_window_seat_session",
            ondelete="CASCADE",
        ),
        UniqueConstraint("hall", "token_digest", name="uq_window_seat_session"),
        Index("ix_window_seat_username", "hall", "username"),
    )

    hall: str = _hall()
    window: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    token_digest: str = Field(max_length=64)
    username: str = Field(max_length=40)
    since: float


class SessionRow(SQLModel, table=True):
    """A signed-in terminal. Only a digest of the token is kept."""

    __tablename__ = "staff_session"
    __table_args__ = (Index("ix_staff_session_username", "hall", "username"),)

    hall: str = _hall()
    token_digest: str = Field(primary_key=True, max_length=64)
    username: str = Field(max_length=40)
    role: str = Field(max_length=10)
    window: int | None = None
    created_at: float
    expires_at: float
    station: str | None = Field(default=None, max_length=40)  # the desk or kiosk (hall file)


class SignInLimitRow(SQLModel, table=True):
    """Failed sign-ins in a row for one account name or one client address, and until when
    further tries are refused (shared by every server on the database)."""

    __tablename__ = "sign_in_limit"

    hall: str = _hall()
    kind: str = Field(primary_key=True, max_length=8)  # "account" or "address"
    name: str = Field(primary_key=True, max_length=64)  # username (any typed) or address
    failures: int
    last_failure_at: float
    locked_until: float | None = None


class DayRollupRow(SQLModel, table=True):
    """A closed business day's figures for one group (``queue_app.domain.rollup``): what
    reports sum once the day's raw tickets and events are purged."""

    __tablename__ = "day_rollup"

    hall: str = _hall()
    dim: str = Field(primary_key=True, max_length=12)  # hall, window, clerk, matter, …
    day: str = Field(primary_key=True, max_length=10)
    name: str = Field(primary_key=True, max_length=80)  # the group ("" for the hall)
    issued: int = 0
    served: int = 0
    no_shows: int = 0
    transfers: int = 0
    cancelled: int = 0
    expired: int = 0
    within_target: int = 0
    bundles: int = 0
    bundles_one_visit: int = 0
    wait_n: int = 0
    wait_sum: int = 0  # whole seconds
    handling_n: int = 0
    handling_sum: int = 0
    rating_5: int = 0
    rating_4: int = 0
    rating_3: int = 0
    rating_2: int = 0
    rating_1: int = 0
    excluded_5: int = 0  # ratings set aside on appeal
    excluded_4: int = 0
    excluded_3: int = 0
    excluded_2: int = 0
    excluded_1: int = 0
    proxy_5: int = 0  # 代评: entered by staff on the citizen's word, counted apart
    proxy_4: int = 0
    proxy_3: int = 0
    proxy_2: int = 0
    proxy_1: int = 0
    outcome_completed: int = 0
    outcome_accepted: int = 0
    outcome_correction: int = 0
    outcome_rejected: int = 0
    busy_s: float = 0.0
    open_s: float = 0.0
    wait_median: int | None = None  # the day's own (report resolution)
    wait_p90: int | None = None
    balance: float | None = None  # the hall's row: 忙闲均衡度 of the day


class DayRollupStepRow(SQLModel, table=True):
    """A day's wait ("w") or handling ("h") histogram for one group: tickets per step of
    report resolution, summed over days for a period's median and p90."""

    __tablename__ = "day_rollup_step"

    hall: str = _hall()
    dim: str = Field(primary_key=True, max_length=12)
    day: str = Field(primary_key=True, max_length=10)
    name: str = Field(primary_key=True, max_length=80)
    kind: str = Field(primary_key=True, max_length=1)
    step: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    tickets: int


class MonthRollupStepRow(SQLModel, table=True):
    """A month's ``day_rollup_step`` rows added up (its kept days so far): what a report
    over whole months sums instead of every day's."""

    __tablename__ = "month_rollup_step"

    hall: str = _hall()
    dim: str = Field(primary_key=True, max_length=12)
    month: str = Field(primary_key=True, max_length=7)  # YYYY-MM
    name: str = Field(primary_key=True, max_length=80)
    kind: str = Field(primary_key=True, max_length=1)
    step: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    tickets: int


class RatingCaseRow(SQLModel, table=True):
    """The 好差评 case a poor rating opened (``queue_app.domain.cases``): one per rated
    ticket, its id the ticket's; kept when the ticket's raw rows are purged. Each step: its
    note, who, the instant and the business day (the day tells whether it was on time)."""

    __tablename__ = "rating_case"
    __table_args__ = (
        Index("ix_rating_case_day", "hall", "day"),
        Index("ix_rating_case_stage", "hall", "stage", "day"),
    )

    hall: str = _hall()
    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    day: str = Field(max_length=10)
    number: str = Field(max_length=8)
    window: int
    clerk: str = Field(max_length=64)
    level: int
    opened_at: float
    stage: str = Field(max_length=8)  # visit, rectify, feedback, closed
    visit_due: str = Field(max_length=10)
    fix_due: str = Field(max_length=10)
    assignee: str | None = Field(default=None, max_length=40)
    assigned_by: str | None = Field(default=None, max_length=64)
    assigned_at: float | None = None
    assigned_day: str | None = Field(default=None, max_length=10)
    visit_note: str | None = Field(default=None, max_length=500)
    visit_by: str | None = Field(default=None, max_length=64)
    visit_at: float | None = None
    visit_day: str | None = Field(default=None, max_length=10)
    fix_required: bool | None = None
    fix_note: str | None = Field(default=None, max_length=500)
    fix_by: str | None = Field(default=None, max_length=64)
    fix_at: float | None = None
    fix_day: str | None = Field(default=None, max_length=10)
    feedback_note: str | None = Field(default=None, max_length=500)
    feedback_by: str | None = Field(default=None, max_length=64)
    feedback_at: float | None = None
    feedback_day: str | None = Field(default=None, max_length=10)
    appeal_note: str | None = Field(default=None, max_length=500)
    appeal_by: str | None = Field(default=None, max_length=64)
    appeal_at: float | None = None
    appeal_day: str | None = Field(default=None, max_length=10)
    upheld: bool | None = None
    decided_note: str | None = Field(default=None, max_length=500)
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: float | None = None
    decided_day: str | None = Field(default=None, max_length=10)
    # how the rating came (device, status, staff: 代评) and its reasons (codes, by spaces)
    channel: str = Field(default="", max_length=8)
    reasons: str = Field(default="", max_length=200)


class PrintJobRow(SQLModel, table=True):
    """A slip to print (the outbox of printing): written in the transaction that issued
    the ticket (or asked for a reprint), printed by the printer's worker (``printed_at``)."""

    __tablename__ = "print_job"
    __table_args__ = (Index("ix_print_job_waiting", "hall", "printer", "printed_at", "queued_at"),)

    hall: str = _hall()
    ticket_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    copy_no: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})  # 1, 2 …
    day: str = Field(max_length=10)
    number: str = Field(max_length=8)
    printer: str = Field(max_length=40)
    station: str | None = Field(default=None, max_length=40)
    queued_at: float
    attempts: int = 0
    printed_at: float | None = None
    last_error: str | None = Field(default=None, max_length=200)


class PrinterStateRow(SQLModel, table=True):
    """A printer's state as its worker last found it, and which server process holds it
    (``owner`` until ``lease_until``: one process prints on a printer at a time, in order)."""

    __tablename__ = "printer_state"

    hall: str = _hall()
    printer: str = Field(primary_key=True, max_length=40)
    state: str = Field(max_length=12)  # unknown, online, offline, paper_out
    detail: str = Field(default="", max_length=200)
    changed_at: float
    owner: str | None = Field(default=None, max_length=64)
    lease_until: float | None = None


class NoticeRow(SQLModel, table=True):
    """A notice to a citizen for one sender (the outbox of notices): written in the
    transaction of the change it reports, delivered by a worker (``state`` pending → done,
    or dead after the sender's attempts). ``id`` is the delivery id the receiver
    deduplicates on."""

    __tablename__ = "notice"
    __table_args__ = (
        Index("ix_notice_due", "hall", "state", "next_try_at"),
        Index("ix_notice_ref", "hall", "ref", "kind"),
    )

    hall: str = _hall()
    id: str = Field(primary_key=True, max_length=32)  # the delivery id (uuid4, hex)
    sender: str = Field(max_length=40)
    kind: str = Field(max_length=16)  # NoticeKind
    day: str = Field(max_length=10)  # the business day it is about
    ref: str = Field(max_length=16)  # the ticket number or the booking code
    contact_sealed: str | None = Field(default=None, max_length=200)  # erased once sent
    contact_masked: str = Field(max_length=16)
    params: str  # JSON: what the message says (window, people ahead, slot …)
    created_at: float
    due_at: float  # not sent before (a reminder: the day before)
    state: str = Field(max_length=10)  # pending, done, dead, cancelled
    attempts: int = 0
    next_try_at: float
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: float | None = None
    delivered_at: float | None = None
    last_error: str | None = Field(default=None, max_length=200)


class BookingRow(SQLModel, table=True):
    """A booking (预约) of a slot: its 6-digit code (unique among the hall's live
    bookings), the mobile number as its keyed hash (to find a number's bookings and
    no-shows by), masked, and sealed (for its notices; erased when the booking ends).
    Purged ``bookings.keep_days`` after its day."""

    __tablename__ = "booking"
    __table_args__ = (
        Index(
            "uq_booking_live_code",
            "hall",
            "code",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
        Index("ix_booking_code", "hall", "code", "created_at"),
        Index("ix_booking_day", "hall", "day", "status"),
        Index("ix_booking_due", "hall", "status", "check_in_until"),
        Index("ix_booking_contact", "hall", "contact_digest", "day"),
    )

    hall: str = _hall()
    id: str = Field(primary_key=True, max_length=32)  # uuid4, hex
    code: str = Field(max_length=6)
    day: str = Field(max_length=10)
    scope: str = Field(max_length=40)  # the slot scope (``bookings.scopes``)
    start: str = Field(max_length=5)  # HH:MM, hall time
    slot_at: float
    slot_end: float
    check_in_from: float
    check_in_until: float  # not checked in by then: a no-show
    matters: str = Field(max_length=2000)  # the matter codes, space-separated
    bundle: str | None = Field(default=None, max_length=40)
    status: str = Field(max_length=12)  # booked, checked_in, cancelled, no_show
    contact_digest: str = Field(max_length=64)
    contact_masked: str = Field(max_length=16)
    contact_sealed: str | None = Field(default=None, max_length=200)
    created_at: float
    changed_at: float
    ended_at: float | None = None
    ticket_id: int | None = None
    ticket_number: str | None = Field(default=None, max_length=8)
    ticket_token: str | None = Field(default=None, max_length=32)


class BookingSlotRow(SQLModel, table=True):
    """The places taken in a slot of a scope: the capacity holds by a conditional
    ``UPDATE … SET taken = taken + 1 WHERE taken < capacity`` in the booking's
    transaction."""

    __tablename__ = "booking_slot"

    hall: str = _hall()
    day: str = Field(primary_key=True, max_length=10)
    scope: str = Field(primary_key=True, max_length=40)
    start: str = Field(primary_key=True, max_length=5)
    taken: int = 0


class BookingClosureRow(SQLModel, table=True):
    """A manager closed a slot (``start``) or a whole day (no ``start``), of one scope or
    of all (no ``scope``), for new bookings."""

    __tablename__ = "booking_closure"
    __table_args__ = (Index("ix_booking_closure_day", "hall", "day"),)

    hall: str = _hall()
    id: str = Field(primary_key=True, max_length=16)
    day: str = Field(max_length=10)
    scope: str | None = Field(default=None, max_length=40)
    start: str | None = Field(default=None, max_length=5)
    reason: str = Field(max_length=200)
    closed_by: str = Field(max_length=64)
    closed_at: float


class BookingBanRow(SQLModel, table=True):
    """A number's no-show bar (by its keyed hash): no booking before ``until``. A manager
    may lift it; no-shows before ``counted_after`` no longer count."""

    __tablename__ = "booking_ban"

    hall: str = _hall()
    digest: str = Field(primary_key=True, max_length=64)
    masked: str = Field(max_length=16)
    no_shows: int = 0
    banned_at: float | None = None
    until: str | None = Field(default=None, max_length=10)  # a day: bookable again from it
    counted_after: float = 0.0
    lifted_at: float | None = None
    lifted_by: str | None = Field(default=None, max_length=64)
    lift_reason: str | None = Field(default=None, max_length=200)


def _table(row: type[SQLModel]) -> Table:
    """The table a table model maps."""
    # set by SQLAlchemy's declarative mapping at class creation; SQLModel does not declare it
    table = row.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


ticket_t = _table(TicketRow)
item_t = _table(TicketItemRow)
window_t = _table(WindowRow)
profile_t = _table(WindowProfileRow)
setting_t = _table(HallSettingRow)
counter_t = _table(CounterRow)
hall_state_t = _table(HallStateRow)
day_t = _table(BusinessDayRow)
event_t = _table(EventRow)
idempotency_t = _table(IdempotencyRow)
staff_t = _table(StaffRow)
session_t = _table(SessionRow)
sign_in_limit_t = _table(SignInLimitRow)
seat_t = _table(SeatRow)
rollup_t = _table(DayRollupRow)
rollup_step_t = _table(DayRollupStepRow)
month_step_t = _table(MonthRollupStepRow)
case_t = _table(RatingCaseRow)
print_job_t = _table(PrintJobRow)
printer_state_t = _table(PrinterStateRow)
notice_t = _table(NoticeRow)
booking_t = _table(BookingRow)
booking_slot_t = _table(BookingSlotRow)
booking_closure_t = _table(BookingClosureRow)
booking_ban_t = _table(BookingBanRow)
HALL_OWNED = (
    ticket_t,
    item_t,
    window_t,
    profile_t,
    setting_t,
    counter_t,
    hall_state_t,
    day_t,
    event_t,
    idempotency_t,
    staff_t,
    session_t,
    sign_in_limit_t,
    seat_t,
    rollup_t,
    rollup_step_t,
    month_step_t,
    case_t,
    print_job_t,
    printer_state_t,
    notice_t,
    booking_t,
    booking_slot_t,
    booking_closure_t,
    booking_ban_t,
)
