"""The database tables. Instants are POSIX seconds (UTC) in double-precision columns."""

from __future__ import annotations

from sqlalchemy import Index, Table, UniqueConstraint
from sqlmodel import Field, SQLModel


class TicketRow(SQLModel, table=True):
    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("day", "number", name="uq_ticket_day_number"),
        Index("ix_ticket_queue", "day", "status", "is_priority", "queue_key"),
        Index("ix_ticket_appointment", "day", "status", "appointment_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
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
    token: str = Field(max_length=32, unique=True)
    issued_by: str = Field(default="", max_length=64)


class TicketItemRow(SQLModel, table=True):
    __tablename__ = "ticket_item"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    position: int
    matter: str = Field(max_length=80)
    outcome: str | None = Field(default=None, max_length=12)


class WindowRow(SQLModel, table=True):
    __tablename__ = "hall_window"

    number: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    status: str = Field(default="closed", max_length=8)
    reason: str = Field(default="", max_length=80)
    current_ticket: int | None = None
    updated_at: float = 0.0


class WindowProfileRow(SQLModel, table=True):
    """A window serving otherwise than its layout says, since a manager changed it (one row
    per changed window; restoring the layout deletes the row)."""

    __tablename__ = "window_profile"

    number: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    profile: str  # WindowProfile as JSON
    set_at: float
    set_by: str = Field(default="", max_length=64)


class HallSettingRow(SQLModel, table=True):
    """A hall setting changed at run time over the layout's value (e.g. the wait targets)."""

    __tablename__ = "hall_setting"

    key: str = Field(primary_key=True, max_length=40)
    value: str  # JSON
    set_at: float
    set_by: str = Field(default="", max_length=64)


class HallStateRow(SQLModel, table=True):
    """The hall's running state, one row: its current business day (the first operation of
    a later day rolls the day over), the version of its run-time settings (every change of
    a window's profile or the targets moves it: each process rebuilds the layout in effect
    when it sees it move) and until when issuing stays open beyond the hall's hours."""

    __tablename__ = "hall_state"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    day: str = Field(max_length=10)
    settings_version: int = 0
    open_until: float | None = None
    day_closed: bool = False  # the current day was closed by hand: no more tickets


class CounterRow(SQLModel, table=True):
    __tablename__ = "day_counter"

    day: str = Field(primary_key=True, max_length=10)
    prefix: str = Field(primary_key=True, max_length=2)
    value: int = 0


class BusinessDayRow(SQLModel, table=True):
    __tablename__ = "business_day"

    day: str = Field(primary_key=True, max_length=10)
    closed_at: float | None = None
    closed_by: str = Field(default="", max_length=64)


class EventRow(SQLModel, table=True):
    __tablename__ = "event"

    id: int | None = Field(default=None, primary_key=True)
    at: float
    day: str = Field(max_length=10, index=True)
    kind: str = Field(max_length=20)
    ticket_id: int | None = Field(default=None, index=True)
    ticket_number: str | None = Field(default=None, max_length=8)
    window: int | None = None
    actor: str = Field(default="", max_length=64)
    detail: str = "{}"  # JSON


class IdempotencyRow(SQLModel, table=True):
    """A POST made with an Idempotency-Key, and the response it got (replayed on retry)."""

    __tablename__ = "idempotency"

    scope: str = Field(primary_key=True, max_length=64)  # the acting account
    key: str = Field(primary_key=True, max_length=128)
    fingerprint: str = Field(max_length=64)  # method, path and body digest
    status_code: int | None = None  # None while the first request is being handled
    body: str = ""
    created_at: float


class StaffRow(SQLModel, table=True):
    __tablename__ = "staff"

    username: str = Field(primary_key=True, max_length=40)
    full_name: str = Field(default="", max_length=40)
    role: str = Field(max_length=10)
    password_hash: str = Field(max_length=200)
    disabled: bool = False
    created_at: float
    windows: str | None = Field(default=None, max_length=200)  # e.g. "1-5,8"; None: any


class SeatRow(SQLModel, table=True):
    """Who sits at a window: the one session that may operate it (ends with the session)."""

    __tablename__ = "window_seat"

    window: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    token_digest: str = Field(
        foreign_key="staff_session.token_digest", ondelete="CASCADE", unique=True, max_length=64
    )
    username: str = Field(max_length=40, index=True)
    since: float


class SessionRow(SQLModel, table=True):
    """A signed-in terminal. Only a digest of the token is kept."""

    __tablename__ = "staff_session"

    token_digest: str = Field(primary_key=True, max_length=64)
    username: str = Field(max_length=40, index=True)
    role: str = Field(max_length=10)
    window: int | None = None
    created_at: float
    expires_at: float


class SignInLimitRow(SQLModel, table=True):
    """Failed sign-ins in a row for one account name or one client address, and until when
    further tries are refused (shared by every server on the database)."""

    __tablename__ = "sign_in_limit"

    kind: str = Field(primary_key=True, max_length=8)  # "account" or "address"
    name: str = Field(primary_key=True, max_length=64)  # username (any typed) or address
    failures: int
    last_failure_at: float
    locked_until: float | None = None


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
