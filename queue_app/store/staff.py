"""Staff accounts, their passwords (``passwords``) and sign-in sessions."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from queue_app.domain.refusals import (
    BadCredentials,
    BadUsername,
    NoSuchStaff,
    StaffExists,
    WeakPassword,
    WindowRequired,
)
from queue_app.store import sign_in_limits
from queue_app.store.passwords import (
    hash_password,
    needs_rehash,
    verify_password,
    verify_unknown_user,
)
from queue_app.store.sessions import purge_sessions
from queue_app.store.store import Store
from queue_app.store.tables import session_t, staff_t
from queue_app.store.uow import Tx

SESSION_HOURS = 12
MIN_PASSWORD = 8  # characters
_USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{1,39}$")


class Role(StrEnum):
    DESK = "desk"  # 导办台: issue, cancel, re-queue
    CLERK = "clerk"  # 窗口: operates the one window signed in at
    MANAGER = "manager"  # 大厅管理: everything
    DISPLAY = "display"  # 叫号屏: reads only


@dataclass(frozen=True, slots=True)
class StaffInfo:
    username: str
    full_name: str
    role: Role
    disabled: bool


@dataclass(frozen=True, slots=True)
class Session:
    username: str
    role: Role
    window: int | None
    expires_at: float
    token: str = ""  # only set when the session is created


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_staff(
    store: Store, username: str, role: Role, password: str, full_name: str = ""
) -> StaffInfo:
    if not _USERNAME.match(username):
        raise BadUsername()
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(least=MIN_PASSWORD)
    values = {
        "username": username,
        "full_name": full_name.strip(),
        "role": role.value,
        "password_hash": hash_password(password),
        "disabled": False,
    }
    try:
        store.uow.run(
            lambda tx: tx.conn.execute(insert(staff_t).values(**values, created_at=tx.now))
        )
    except IntegrityError:
        raise StaffExists(username=username) from None
    return StaffInfo(username, full_name.strip(), role, False)


def list_staff(store: Store) -> list[StaffInfo]:
    with store.uow.read() as tx:
        rows = tx.conn.execute(select(staff_t).order_by(staff_t.c.username)).all()
    return [StaffInfo(r.username, r.full_name, Role(r.role), bool(r.disabled)) for r in rows]


def _change_and_end_sessions(store: Store, username: str, **values: object) -> None:
    """Change the account's row and end its sessions, in one transaction."""

    def op(tx: Tx) -> None:
        found = tx.conn.execute(
            update(staff_t).where(staff_t.c.username == username).values(**values)
        )
        if found.rowcount != 1:
            raise NoSuchStaff(username=username)
        tx.conn.execute(delete(session_t).where(session_t.c.username == username))

    store.uow.run(op)


def disable_staff(store: Store, username: str) -> None:
    """Disable an account and end its sessions."""
    _change_and_end_sessions(store, username, disabled=True)


@dataclass(frozen=True, slots=True)
class Credentials:
    username: str
    role: Role
    password_hash: str
    disabled: bool


@dataclass(frozen=True, slots=True)
class PasswordCheck:
    ok: bool
    new_hash: str | None = None  # set when the stored hash is of an older kind


def credentials(store: Store, username: str) -> Credentials | None:
    with store.uow.read() as tx:
        row = tx.conn.execute(select(staff_t).where(staff_t.c.username == username)).one_or_none()
    if row is None:
        return None
    return Credentials(row.username, Role(row.role), row.password_hash, bool(row.disabled))


def check_password(password: str, found: Credentials | None) -> PasswordCheck:
    """The slow part of a sign-in (the hash), the same work whether the account exists."""
    if found is None:
        verify_unknown_user(password)
        return PasswordCheck(False)
    if not verify_password(password, found.password_hash) or found.disabled:
        return PasswordCheck(False)
    renewed = hash_password(password) if needs_rehash(found.password_hash) else None
    return PasswordCheck(True, renewed)


def start_session(
    store: Store, found: Credentials, check: PasswordCheck, window: int | None, address: str | None
) -> Session:
    """A session for credentials whose password was checked: clears the account's and the
    address's failures and puts a hash of an older kind right."""
    assert check.ok
    role = found.role
    if role is Role.CLERK and window is None:
        raise WindowRequired()
    if window is not None:
        store.require_window(window)
    sign_in_limits.clear(store, found.username, address)
    token = secrets.token_urlsafe(32)
    now = store.clock()
    expires = now + SESSION_HOURS * 3600
    seat = window if role in (Role.CLERK, Role.MANAGER) else None
    values = {
        "token_digest": _digest(token),
        "username": found.username,
        "role": role.value,
        "window": seat,
        "created_at": now,
        "expires_at": expires,
    }

    def op(tx: Tx) -> None:
        purge_sessions(tx.conn, now)
        tx.conn.execute(insert(session_t).values(**values))
        if check.new_hash is not None:
            tx.conn.execute(
                update(staff_t)
                .where(
                    staff_t.c.username == found.username,
                    staff_t.c.password_hash == found.password_hash,
                )
                .values(password_hash=check.new_hash)
            )

    store.uow.run(op)
    return Session(found.username, role, seat, expires, token)


def sign_in(
    store: Store, username: str, password: str, window: int | None, address: str | None = None
) -> Session:
    """Sign in (the whole of it in this thread; the server hashes on a pool of its own)."""
    sign_in_limits.refuse_if_locked(store, username, address)
    found = credentials(store, username)
    return conclude_sign_in(
        store, username, found, check_password(password, found), window, address
    )


def conclude_sign_in(
    store: Store,
    username: str,
    found: Credentials | None,
    check: PasswordCheck,
    window: int | None,
    address: str | None,
) -> Session:
    """After the password's check: the failure counted (``BadCredentials``), or a session."""
    if found is None or not check.ok:
        sign_in_limits.record_failure(store, username, address)
        raise BadCredentials()
    return start_session(store, found, check, window, address)


def set_password(store: Store, username: str, password: str) -> None:
    """A new password (a reset): the account's sessions end and its failures are forgotten."""
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(least=MIN_PASSWORD)
    _change_and_end_sessions(store, username, password_hash=hash_password(password))
    sign_in_limits.clear(store, username)


def session_for(store: Store, token: str) -> Session | None:
    """The live session a bearer token belongs to, or None."""
    with store.uow.read() as tx:
        row = tx.conn.execute(
            select(session_t).where(session_t.c.token_digest == _digest(token))
        ).one_or_none()
    if row is None or row.expires_at < store.clock():
        return None
    return Session(row.username, Role(row.role), row.window, row.expires_at)


def sign_out(store: Store, token: str) -> None:
    digest = _digest(token)
    store.uow.run(
        lambda tx: tx.conn.execute(delete(session_t).where(session_t.c.token_digest == digest))
    )
