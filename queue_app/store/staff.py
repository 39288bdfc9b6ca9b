"""Staff accounts, passwords (scrypt) and sign-in sessions."""

from __future__ import annotations

import base64
import hashlib
import hmac
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
from queue_app.store.sessions import purge_sessions
from queue_app.store.store import Store
from queue_app.store.tables import session_t, staff_t
from queue_app.store.uow import Tx

SESSION_HOURS = 12
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
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


def hash_password(password: str) -> str:
    """scrypt with a random salt, as ``scrypt$n$r$p$salt$digest``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    b64 = base64.b64encode
    return (
        f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}$"
        f"{b64(salt).decode()}${b64(digest).decode()}"
    )


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except ValueError:
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


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


def disable_staff(store: Store, username: str) -> None:
    """Disable an account and end its sessions."""

    def op(tx: Tx) -> None:
        found = tx.conn.execute(
            update(staff_t).where(staff_t.c.username == username).values(disabled=True)
        )
        if found.rowcount != 1:
            raise NoSuchStaff(username=username)
        tx.conn.execute(delete(session_t).where(session_t.c.username == username))

    store.uow.run(op)


def sign_in(store: Store, username: str, password: str, window: int | None) -> Session:
    with store.uow.read() as tx:
        row = tx.conn.execute(select(staff_t).where(staff_t.c.username == username)).one_or_none()
    if row is None or not verify_password(password, row.password_hash) or row.disabled:
        raise BadCredentials()
    role = Role(row.role)
    if role is Role.CLERK and window is None:
        raise WindowRequired()
    if window is not None:
        store.require_window(window)
    token = secrets.token_urlsafe(32)
    now = store.clock()
    expires = now + SESSION_HOURS * 3600
    values = {
        "token_digest": _digest(token),
        "username": username,
        "role": role.value,
        "window": window if role in (Role.CLERK, Role.MANAGER) else None,
        "created_at": now,
        "expires_at": expires,
    }

    def op(tx: Tx) -> None:
        purge_sessions(tx.conn, now)
        tx.conn.execute(insert(session_t).values(**values))

    store.uow.run(op)
    return Session(
        username, role, window if role in (Role.CLERK, Role.MANAGER) else None, expires, token
    )


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
