"""Staff accounts, their passwords (``passwords``), sign-in sessions and seats.

A clerk (or a manager) signs in *at* a window and takes its seat: one session per window
and one seat per account. Every session that ends logs a ``signed_out`` event, so each
server sharing the database forgets it at once (its session cache is emptied)."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from queue_app.domain.errors import Text
from queue_app.domain.public_text import clean_staff_number
from queue_app.domain.refusals import (
    BadCredentials,
    BadUsername,
    NoOneSeated,
    NoSuchStaff,
    NoSuchStation,
    SeatTaken,
    StaffExists,
    StationNotForRole,
    WeakPassword,
    WindowNotAllowed,
    WindowRequired,
)
from queue_app.domain.window_sets import parse_windows, windows_text
from queue_app.store import events, sign_in_limits, tickets
from queue_app.store.hall_key import of
from queue_app.store.passwords import (
    hash_password,
    needs_rehash,
    verify_password,
    verify_unknown_user,
)
from queue_app.store.sessions import purge_sessions
from queue_app.store.store import Store
from queue_app.store.tables import seat_t, session_t, staff_t
from queue_app.store.uow import Tx, UnitOfWork

SESSION_HOURS = 12
MIN_PASSWORD = 8  # characters
_USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{1,39}$")


class Role(StrEnum):
    DESK = "desk"  # 导办台: issue, cancel, re-queue
    CLERK = "clerk"  # 窗口: operates the one window signed in at
    MANAGER = "manager"  # 大厅管理: everything
    DISPLAY = "display"  # 叫号屏: reads only
    CITY = "city"  # 市级: reads every hall on the database; changes one only as its manager
    KIOSK = "kiosk"  # 取号机: the self-service kiosk, issues tickets and nothing else
    RATER = "rater"  # 评价器: the tablet facing the citizen at one window; rates its last visit


SIGNED_IN, SIGNED_OUT = "signed_in", "signed_out"  # event kinds: a seat taken, a session ended
STAFF_EDITED = "staff_edited"  # an account's names or number changed (logged where it sits)
# a clerk sits at the window it signs in at; a manager may operate any window, so one
# signed in at a window (a one-shot `--server … window N` command) takes no seat
AT_A_WINDOW = (Role.CLERK, Role.MANAGER, Role.RATER)
AT_A_STATION = (Role.DESK, Role.MANAGER, Role.KIOSK)  # the roles that issue tickets
# a 评价器 is bound to the window it signs in at too, but sits beside the clerk (no seat);
# like a kiosk it signs in once and stays so for weeks (it can only rate the visit just
# finished there; a kiosk can only issue)
NEEDS_A_WINDOW = (Role.CLERK, Role.RATER)
DEVICES = (Role.RATER, Role.KIOSK)  # signed in once by staff at set-up, then unattended
DEVICE_SESSION_DAYS = 30
_ACCOUNT_OF_SEAT = and_(staff_t.c.hall == seat_t.c.hall, staff_t.c.username == seat_t.c.username)
_SESSION_OF_SEAT = and_(
    session_t.c.hall == seat_t.c.hall, session_t.c.token_digest == seat_t.c.token_digest
)


@dataclass(frozen=True, slots=True)
class StaffInfo:
    username: str
    full_name: str
    role: Role
    disabled: bool
    windows: frozenset[int] | None = None  # where the account may sit; None: anywhere
    staff_number: str | None = None  # 工号
    display_name: str | None = None  # the name public screens show, when the hall set one


@dataclass(frozen=True, slots=True)
class SeatInfo:
    window: int
    username: str
    full_name: str
    since: float


@dataclass(frozen=True, slots=True)
class Session:
    username: str
    role: Role
    window: int | None
    expires_at: float
    token: str = ""  # only set when the session is created
    hall: str = ""  # the hall signed in at, when not the one acted on (a city account)
    manages: bool = False  # a city account that is a manager of the hall acted on too
    station: str | None = None  # the desk or kiosk (hall file) its tickets' slips print at

    def acts_as(self, role: Role) -> bool:
        """Whether the session may do what ``role`` may (a city account that manages the
        hall acted on does what its manager does)."""
        return self.role is role or (role is Role.MANAGER and self.manages)


TOKEN_HALL = "~"  # a token starts with its hall's code and this: "district-hall~…"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _allowed(store: Store, windows: frozenset[int] | None) -> str | None:
    """The column's form of the windows an account may sit at (each one this hall's)."""
    if windows is None:
        return None
    for n in sorted(windows):
        store.require_window(n, field="windows")
    return windows_text(windows)


def add_staff(
    store: Store,
    username: str,
    role: Role,
    password: str,
    full_name: str = "",
    windows: frozenset[int] | None = None,
    staff_number: str | None = None,
    display_name: str | None = None,
) -> StaffInfo:
    if not _USERNAME.match(username):
        raise BadUsername()
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(least=MIN_PASSWORD)
    values = {
        "hall": store.uow.hall,
        "username": username,
        "full_name": full_name.strip(),
        "role": role.value,
        "password_hash": hash_password(password),
        "disabled": False,
        "windows": _allowed(store, windows),
        "staff_number": clean_staff_number(staff_number),
        "display_name": (display_name or "").strip() or None,
    }
    try:
        store.uow.run(
            lambda tx: tx.conn.execute(insert(staff_t).values(**values, created_at=tx.now))
        )
    except IntegrityError:
        raise StaffExists(username=username) from None
    return StaffInfo(
        username,
        full_name.strip(),
        role,
        False,
        windows,
        values["staff_number"],  # type: ignore[arg-type]
        values["display_name"],  # type: ignore[arg-type]
    )


def _info(row: Any) -> StaffInfo:
    windows = parse_windows(row.windows) if row.windows else None
    return StaffInfo(
        row.username,
        row.full_name,
        Role(row.role),
        bool(row.disabled),
        windows,
        row.staff_number,
        row.display_name,
    )


KEEP = object()  # edit_staff: leave this field as it is


def edit_staff(
    store: Store,
    username: str,
    *,
    full_name: str | None = None,
    staff_number: str | object | None = KEEP,
    display_name: str | object | None = KEEP,
) -> StaffInfo:
    """Change an account's full name, staff number (工号) or public display name (``KEEP``
    leaves one as it is; None or "" clears the number or the display name). Logs
    ``staff_edited`` at the window it sits at, so that window's screen reads it again."""
    values: dict[str, object] = {}
    if full_name is not None:
        values["full_name"] = full_name.strip()
    if staff_number is not KEEP:
        values["staff_number"] = clean_staff_number(staff_number)  # type: ignore[arg-type]
    if display_name is not KEEP:
        values["display_name"] = (str(display_name or "")).strip() or None

    def op(tx: Tx) -> StaffInfo:
        t = staff_t.c
        mine = and_(t.hall == tx.hall, t.username == username)
        if values:
            found = tx.conn.execute(update(staff_t).where(mine).values(**values))
            if found.rowcount != 1:
                raise NoSuchStaff(username=username)
        row = tx.conn.execute(select(staff_t).where(mine)).one_or_none()
        if row is None:
            raise NoSuchStaff(username=username)
        seat = tx.conn.execute(
            select(seat_t.c.window).where(seat_t.c.hall == tx.hall, seat_t.c.username == username)
        ).scalar()
        if values and seat is not None:
            day = store.day_of(tx.now)
            events.append(tx, STAFF_EDITED, username, day, window=seat)
        return _info(row)

    return store.uow.run(op).result


@dataclass(frozen=True, slots=True)
class Occupant:
    """Who sits at a window, as a public screen may need it (it chooses what to show)."""

    full_name: str
    display_name: str | None
    staff_number: str | None


def occupant(store: Store, window: int) -> Occupant | None:
    """The account signed in at ``window`` now, if any."""
    with store.uow.read() as tx:
        row = tx.conn.execute(
            select(staff_t.c.full_name, staff_t.c.display_name, staff_t.c.staff_number)
            .select_from(seat_t)
            .join(staff_t, _ACCOUNT_OF_SEAT)
            .join(session_t, _SESSION_OF_SEAT)
            .where(
                seat_t.c.hall == tx.hall,
                seat_t.c.window == window,
                session_t.c.expires_at >= tx.now,
            )
        ).one_or_none()
    if row is None:
        return None
    return Occupant(row.full_name, row.display_name, row.staff_number)


def list_staff(store: Store) -> list[StaffInfo]:
    with store.uow.read() as tx:
        rows = tx.conn.execute(
            select(staff_t).where(staff_t.c.hall == tx.hall).order_by(staff_t.c.username)
        ).all()
    return [_info(r) for r in rows]


def set_windows(store: Store, username: str, windows: frozenset[int] | None) -> StaffInfo:
    """Where the account may sit from now on (None: at any window); a seat it holds
    elsewhere is not taken from it (a manager releases that)."""
    value = _allowed(store, windows)

    def op(tx: Tx) -> StaffInfo:
        t = staff_t.c
        mine = and_(t.hall == tx.hall, t.username == username)
        if tx.conn.execute(update(staff_t).where(mine).values(windows=value)).rowcount != 1:
            raise NoSuchStaff(username=username)
        return _info(tx.conn.execute(select(staff_t).where(mine)).one())

    return store.uow.run(op).result


def _end_sessions(
    tx: Tx, store: Store, where: Any, actor: str, staying_at: int | None = None
) -> None:
    """End the sessions ``where`` selects (their seats go with them) and log each end. The
    tickets held for a window left empty (un-parked, waiting for that clerk) go back to the
    line at their places, but at ``staying_at`` (the same clerk signing in there again)."""
    s = session_t.c
    seated = and_(seat_t.c.hall == s.hall, seat_t.c.token_digest == s.token_digest)
    ended = tx.conn.execute(
        select(s.token_digest, s.username, seat_t.c.window)
        .select_from(session_t.outerjoin(seat_t, seated))
        .where(s.hall == tx.hall, where)
    ).all()
    if not ended:
        return
    tx.conn.execute(
        delete(session_t).where(
            s.hall == tx.hall, s.token_digest.in_([e.token_digest for e in ended])
        )
    )
    day = store.day_of(tx.now)
    events.append_many(
        tx,
        [
            events.New(
                SIGNED_OUT, actor or e.username, day, window=e.window, detail={"who": e.username}
            )
            for e in ended
        ],
    )
    left = [e.window for e in ended if e.window is not None and e.window != staying_at]
    tickets.release_holds(tx, left, actor or ended[0].username)


def _change_and_end_sessions(store: Store, username: str, actor: str, **values: object) -> None:
    """Change the account's row and end its sessions, in one transaction."""

    def op(tx: Tx) -> None:
        found = tx.conn.execute(
            update(staff_t)
            .where(staff_t.c.hall == tx.hall, staff_t.c.username == username)
            .values(**values)
        )
        if found.rowcount != 1:
            raise NoSuchStaff(username=username)
        _end_sessions(tx, store, session_t.c.username == username, actor)

    store.uow.run(op)


def disable_staff(store: Store, username: str, actor: str = "") -> None:
    """Disable an account and end its sessions (on every server at once)."""
    _change_and_end_sessions(store, username, actor, disabled=True)


@dataclass(frozen=True, slots=True)
class Credentials:
    username: str
    role: Role
    password_hash: str
    disabled: bool
    windows: frozenset[int] | None = None


@dataclass(frozen=True, slots=True)
class PasswordCheck:
    ok: bool
    new_hash: str | None = None  # set when the stored hash is of an older kind


def credentials(store: Store, username: str) -> Credentials | None:
    with store.uow.read() as tx:
        row = tx.conn.execute(
            select(staff_t).where(staff_t.c.hall == tx.hall, staff_t.c.username == username)
        ).one_or_none()
    if row is None:
        return None
    return Credentials(
        row.username,
        Role(row.role),
        row.password_hash,
        bool(row.disabled),
        parse_windows(row.windows) if row.windows else None,
    )


def check_password(password: str, found: Credentials | None) -> PasswordCheck:
    """The slow part of a sign-in (the hash), the same work whether the account exists."""
    if found is None:
        verify_unknown_user(password)
        return PasswordCheck(False)
    if not verify_password(password, found.password_hash) or found.disabled:
        return PasswordCheck(False)
    renewed = hash_password(password) if needs_rehash(found.password_hash) else None
    return PasswordCheck(True, renewed)


def _require_station(store: Store, role: Role, station: str | None) -> None:
    """A station named at sign-in is one of the hall file's, and the role issues tickets."""
    if station is None:
        return
    if role not in AT_A_STATION:
        raise StationNotForRole(role=Text(role.value))  # the role's word, translated
    if station not in store.hall.station_by_name:
        known = ", ".join(store.hall.station_by_name) or "-"
        raise NoSuchStation(station=station, known=known)


def start_session(
    store: Store,
    found: Credentials,
    check: PasswordCheck,
    window: int | None,
    address: str | None,
    station: str | None = None,
) -> Session:
    """A session for credentials whose password was checked: clears the account's and the
    address's failures and puts a hash of an older kind right. A clerk takes the seat of
    the window it signs in at (``_leave_seats``); a desk or kiosk names its station."""
    assert check.ok
    role = found.role
    if role in NEEDS_A_WINDOW and window is None:
        raise WindowRequired()
    _require_station(store, role, station)
    if window is not None:
        store.require_window(window)
    at = window if role in AT_A_WINDOW else None
    seat = at if role is Role.CLERK else None
    if at is not None and found.windows is not None and at not in found.windows:
        raise WindowNotAllowed(
            username=found.username, allowed=windows_text(found.windows), window=at
        )
    sign_in_limits.clear(store, found.username, address)
    token = f"{store.code}{TOKEN_HALL}{secrets.token_urlsafe(32)}"
    now = store.clock()
    expires = now + (DEVICE_SESSION_DAYS * 86400 if role in DEVICES else SESSION_HOURS * 3600)
    values = {
        "hall": store.uow.hall,
        "token_digest": _digest(token),
        "username": found.username,
        "role": role.value,
        "window": at,
        "created_at": now,
        "expires_at": expires,
        "station": station,
    }

    def op(tx: Tx) -> None:
        purge_sessions(tx.conn, now)
        if seat is not None:
            _leave_seats(tx, store, found.username, seat)
        tx.conn.execute(insert(session_t).values(**values))
        if seat is not None:
            tx.conn.execute(
                insert(seat_t).values(
                    hall=tx.hall,
                    window=seat,
                    token_digest=values["token_digest"],
                    username=found.username,
                    since=tx.now,
                )
            )
            events.append(tx, SIGNED_IN, found.username, store.day_of(tx.now), window=seat)
        if check.new_hash is not None:
            tx.conn.execute(
                update(staff_t)
                .where(
                    staff_t.c.hall == tx.hall,
                    staff_t.c.username == found.username,
                    staff_t.c.password_hash == found.password_hash,
                )
                .values(password_hash=check.new_hash)
            )

    try:
        store.uow.run(op)
    except IntegrityError:  # another sign-in took the seat in the same instant
        assert seat is not None
        raise SeatTaken(username=_sitting_at(store, seat) or "?", window=seat) from None
    return Session(found.username, role, at, expires, token, station=station)


def _leave_seats(tx: Tx, store: Store, username: str, window: int) -> None:
    """Before ``username`` sits at ``window``: refuse if someone else sits there; end the
    account's own seated sessions (a terminal signed in again, or a move to another window)."""
    there = _occupant(tx.conn, window)
    if there is not None and there != username:
        raise SeatTaken(username=there, window=window)
    own = select(seat_t.c.token_digest).where(
        seat_t.c.hall == tx.hall, seat_t.c.username == username
    )
    _end_sessions(tx, store, session_t.c.token_digest.in_(own), username, staying_at=window)


def _occupant(conn: Connection, window: int) -> str | None:
    return conn.execute(
        select(seat_t.c.username).where(seat_t.c.hall == of(conn), seat_t.c.window == window)
    ).scalar()


def _sitting_at(store: Store, window: int) -> str | None:
    with store.uow.read() as tx:
        return _occupant(tx.conn, window)


def seats(store: Store) -> list[SeatInfo]:
    """Who sits at which window now, by window."""
    with store.uow.read() as tx:
        rows = tx.conn.execute(
            select(seat_t, staff_t.c.full_name)
            .join(staff_t, _ACCOUNT_OF_SEAT)
            .join(session_t, _SESSION_OF_SEAT)
            .where(seat_t.c.hall == tx.hall, session_t.c.expires_at >= tx.now)
            .order_by(seat_t.c.window)
        ).all()
    return [SeatInfo(r.window, r.username, r.full_name, r.since) for r in rows]


def release_seat(store: Store, window: int, actor: str) -> SeatInfo:
    """A manager frees a window's seat: the session sitting there ends. Who sat there."""
    store.require_window(window)

    def op(tx: Tx) -> SeatInfo:
        sat = tx.conn.execute(
            select(seat_t, staff_t.c.full_name)
            .join(staff_t, _ACCOUNT_OF_SEAT)
            .where(seat_t.c.hall == tx.hall, seat_t.c.window == window)
        ).one_or_none()
        if sat is None:
            raise NoOneSeated(window=window)
        _end_sessions(tx, store, session_t.c.token_digest == sat.token_digest, actor)
        return SeatInfo(window, sat.username, sat.full_name, sat.since)

    return store.uow.run(op).result


def sign_in(
    store: Store,
    username: str,
    password: str,
    window: int | None,
    address: str | None = None,
    station: str | None = None,
) -> Session:
    """Sign in (the whole of it in this thread; the server hashes on a pool of its own)."""
    sign_in_limits.refuse_if_locked(store, username, address)
    found = credentials(store, username)
    return conclude_sign_in(
        store, username, found, check_password(password, found), window, address, station
    )


def conclude_sign_in(
    store: Store,
    username: str,
    found: Credentials | None,
    check: PasswordCheck,
    window: int | None,
    address: str | None,
    station: str | None = None,
) -> Session:
    """After the password's check: the failure counted (``BadCredentials``), or a session."""
    if found is None or not check.ok:
        sign_in_limits.record_failure(store, username, address)
        raise BadCredentials()
    return start_session(store, found, check, window, address, station)


def set_password(store: Store, username: str, password: str, actor: str = "") -> None:
    """A new password (a reset): the account's sessions end and its failures are forgotten."""
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(least=MIN_PASSWORD)
    _change_and_end_sessions(store, username, actor, password_hash=hash_password(password))
    sign_in_limits.clear(store, username)


def session_for(store: Store, token: str) -> Session | None:
    """The live session a bearer token belongs to, or None."""
    with store.uow.read() as tx:
        row = tx.conn.execute(
            select(session_t).where(
                session_t.c.hall == tx.hall, session_t.c.token_digest == _digest(token)
            )
        ).one_or_none()
    if row is None or row.expires_at < store.clock():
        return None
    return Session(row.username, Role(row.role), row.window, row.expires_at, station=row.station)


def home_hall(token: str) -> str | None:
    """The code of the hall a token was given at (None: a token of an older release)."""
    hall, sep, _ = token.partition(TOKEN_HALL)
    return hall if sep and hall else None


def session_elsewhere(store: Store, token: str) -> Session | None:
    """The live session of a token given at another hall on this database (the hall its
    token names), or None."""
    hall = home_hall(token)
    if hall is None or hall == store.code:
        return None
    with UnitOfWork(store.engine, store.clock, hall).read() as tx:
        row = tx.conn.execute(
            select(session_t).where(
                session_t.c.hall == hall, session_t.c.token_digest == _digest(token)
            )
        ).one_or_none()
    if row is None or row.expires_at < store.clock():
        return None
    return Session(row.username, Role(row.role), row.window, row.expires_at, hall=hall)


def manages(store: Store, username: str) -> bool:
    """Whether ``username`` has an enabled manager account in this hall."""
    with store.uow.read() as tx:
        found = tx.conn.execute(
            select(staff_t.c.username).where(
                staff_t.c.hall == tx.hall,
                staff_t.c.username == username,
                staff_t.c.role == Role.MANAGER.value,
                staff_t.c.disabled.is_(False),
            )
        ).first()
    return found is not None


def sign_out(store: Store, token: str) -> None:
    """End the session of ``token`` (its seat is free again)."""
    digest = _digest(token)
    home = home_hall(token)
    uow = store.uow if home in (None, store.code) else UnitOfWork(store.engine, store.clock, home)
    uow.run(lambda tx: _end_sessions(tx, store, session_t.c.token_digest == digest, ""))
