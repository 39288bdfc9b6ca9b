"""The sign-in limit: after ``LIMIT`` failed sign-ins in a row for one account name (any
name typed, so a lock says nothing of which accounts exist) or from one client address,
further tries are refused for a while that doubles with each further failure; a
successful sign-in clears both. Kept in the database, so every server shares it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, cast

from sqlalchemy import delete, select, tuple_
from sqlalchemy.exc import IntegrityError

from queue_app.domain.refusals import SignInLocked
from queue_app.store.store import Store
from queue_app.store.tables import sign_in_limit_t
from queue_app.store.uow import Tx

LIMIT = 5  # failures in a row before a lock
FIRST_LOCK_S = 30.0  # the first lock; each further failure doubles it
LONGEST_LOCK_S = 15 * 60.0
FORGET_AFTER_S = 24 * 3600.0  # failures this old no longer count
ACCOUNT: Literal["account"] = "account"
ADDRESS: Literal["address"] = "address"


@dataclass(frozen=True, slots=True)
class Lock:
    kind: Literal["account", "address"]
    name: str
    failures: int
    locked_until: float


def lock_seconds(failures: int) -> float:
    """How long the ``failures``-th failure in a row locks (0 below the limit)."""
    if failures < LIMIT:
        return 0.0
    return float(min(LONGEST_LOCK_S, FIRST_LOCK_S * 2 ** (failures - LIMIT)))


def _keys(username: str, address: str | None) -> list[tuple[str, str]]:
    keys: list[tuple[str, str]] = [(ACCOUNT, username.lower()[:64])]
    if address:
        keys.append((ADDRESS, address[:64]))
    return keys


def refuse_if_locked(store: Store, username: str, address: str | None) -> None:
    """Raise ``SignInLocked`` (with the seconds to wait) while either key is locked."""
    now = store.clock()
    keys = _keys(username, address)
    with store.uow.read() as tx:
        until = tx.conn.execute(
            select(sign_in_limit_t.c.locked_until).where(
                sign_in_limit_t.c.hall == tx.hall,
                tuple_(sign_in_limit_t.c.kind, sign_in_limit_t.c.name).in_(keys),
                sign_in_limit_t.c.locked_until > now,
            )
        ).scalars()
        latest = max(until, default=None)
    if latest is not None:
        raise SignInLocked(seconds=max(1, math.ceil(latest - now)))


def record_failure(store: Store, username: str, address: str | None) -> None:
    """Count a failed sign-in against the account name and the address."""

    def count(tx: Tx, kind: str, name: str) -> None:
        t = sign_in_limit_t
        row = tx.conn.execute(
            select(t.c.failures, t.c.last_failure_at)
            .where(t.c.hall == tx.hall, t.c.kind == kind, t.c.name == name)
            .with_for_update()
        ).one_or_none()
        failures = 1
        if row is not None and tx.now - row.last_failure_at < FORGET_AFTER_S:
            failures = row.failures + 1
        wait = lock_seconds(failures)
        values = {
            "failures": failures,
            "last_failure_at": tx.now,
            "locked_until": tx.now + wait if wait else None,
        }
        if row is not None:
            tx.conn.execute(
                t.update()
                .where(t.c.hall == tx.hall, t.c.kind == kind, t.c.name == name)
                .values(**values)
            )
            return
        try:
            with tx.conn.begin_nested():
                tx.conn.execute(t.insert().values(hall=tx.hall, kind=kind, name=name, **values))
        except IntegrityError:  # another server's first failure for this key came first
            count(tx, kind, name)

    def op(tx: Tx) -> None:
        for kind, name in _keys(username, address):
            count(tx, kind, name)

    store.uow.run(op)


def clear(store: Store, username: str, address: str | None = None) -> None:
    """Forget the failures of the account name (and the address): a successful sign-in,
    or a manager's password reset."""
    keys = _keys(username, address)
    store.uow.run(
        lambda tx: tx.conn.execute(
            delete(sign_in_limit_t).where(
                sign_in_limit_t.c.hall == tx.hall,
                tuple_(sign_in_limit_t.c.kind, sign_in_limit_t.c.name).in_(keys),
            )
        )
    )


def locks(store: Store) -> list[Lock]:
    """The account names and addresses locked now, the longest lock first."""
    now = store.clock()
    t = sign_in_limit_t
    with store.uow.read() as tx:
        rows = tx.conn.execute(
            select(t)
            .where(t.c.hall == tx.hall, t.c.locked_until > now)
            .order_by(t.c.locked_until.desc(), t.c.name)
        ).all()
    return [
        Lock(cast(Literal["account", "address"], r.kind), r.name, r.failures, r.locked_until)
        for r in rows
    ]
