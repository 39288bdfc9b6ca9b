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

from queue_app.domain.errors import Refused
from queue_app.store.sessions import purge_sessions
from queue_app.store.store import Store
from queue_app.store.tables import session_t, staff_t
from queue_app.store.uow import Tx

SESSION_HOURS = 12
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
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
        raise Refused(
            "bad_username",
            "账号应为 2-40 位小写字母、数字或 _ . -，以字母开头",
            "a username is 2-40 small letters, digits, _ . or -, starting with a letter",
            "username",
        )
    if len(password) < 8:
        raise Refused(
            "weak_password", "密码至少 8 位", "a password needs at least 8 characters", "password"
        )
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
        raise Refused(
            "staff_exists", f"账号 {username} 已存在", f"account {username} exists", "username"
        ) from None
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
            raise Refused(
                "no_such_staff", f"没有账号 {username}", f"no account {username}", "username"
            )
        tx.conn.execute(delete(session_t).where(session_t.c.username == username))

    store.uow.run(op)


def sign_in(store: Store, username: str, password: str, window: int | None) -> Session:
    with store.uow.read() as tx:
        row = tx.conn.execute(select(staff_t).where(staff_t.c.username == username)).one_or_none()
    if row is None or not verify_password(password, row.password_hash) or row.disabled:
        raise Refused(
            "bad_credentials",
            "账号或密码错误，或账号已停用",
            "wrong username or password, or the account is disabled",
            "password",
        )
    role = Role(row.role)
    if role is Role.CLERK and window is None:
        raise Refused(
            "window_required",
            "窗口人员登录需选择窗口",
            "a clerk signs in at a window: give its number",
            "window",
        )
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
