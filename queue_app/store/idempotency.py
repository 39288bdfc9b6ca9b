"""Retry safety: a keyed request's response is stored in the same transaction as its
change, so a retry at any later moment replays it and a crash can never split the two.

    once = Once(scope, key, fingerprint, render)   # render: result -> (status, JSON body)
    uow.run(with_once(op, once))                   # raises Replay(stored) for a known key
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy import bindparam as bp
from sqlalchemy.exc import IntegrityError

from queue_app.domain.errors import Refused
from queue_app.domain.refusals import IdempotencyKeyReused
from queue_app.store.hall_key import mine, of, params
from queue_app.store.tables import idempotency_t as t
from queue_app.store.uow import Conflict, Tx, UnitOfWork

R = TypeVar("R")
KEEP_S = 24 * 3600.0  # a key is remembered this long, then purged
_GET = select(t.c.fingerprint, t.c.status_code, t.c.body).where(
    mine(t), t.c.scope == bp("scope"), t.c.key == bp("key")
)


@dataclass(frozen=True, slots=True)
class Stored:
    status_code: int
    body: str


class Replay(Exception):
    """The key was seen before: answer with its stored response."""

    def __init__(self, stored: Stored) -> None:
        super().__init__(stored.status_code)
        self.stored = stored


@dataclass(frozen=True, slots=True)
class Once:
    """A keyed request: who (``scope``), its key, a digest of what it asked, and how its
    result becomes the response that is stored and replayed."""

    scope: str
    key: str
    fingerprint: str
    render: Callable[[Any], tuple[int, str]]


def lookup(conn: Connection, once: Once) -> Stored | None:
    """The stored response of ``once``'s key; refused when the key was used for another
    request."""
    row = conn.execute(_GET, params(conn, scope=once.scope, key=once.key)).one_or_none()
    if row is None:
        return None
    if row.fingerprint != once.fingerprint:
        raise IdempotencyKeyReused()
    return Stored(int(row.status_code), row.body)


def record(tx: Tx, once: Once, status_code: int, body: str) -> None:
    """Store the response; a twin request that committed first makes this one run again
    (and then replay)."""
    values = {
        "hall": tx.hall,
        "scope": once.scope,
        "key": once.key,
        "fingerprint": once.fingerprint,
        "status_code": status_code,
        "body": body,
        "created_at": tx.now,
    }
    try:  # no savepoint: a failure rolls the whole unit of work back, as it must
        tx.conn.execute(insert(t), values)
    except IntegrityError as exc:
        raise Conflict(f"idempotency key {once.key}") from exc


def with_once(op: Callable[[Tx], R], once: Once | None) -> Callable[[Tx], R]:
    """``op`` run at most once for ``once``'s key: the response is stored with the change."""
    if once is None:
        return op

    def keyed(tx: Tx) -> R:
        stored = lookup(tx.conn, once)
        if stored is not None:
            raise Replay(stored)
        result = op(tx)
        record(tx, once, *once.render(result))
        return result

    return keyed


def purge(conn: Connection, now: float) -> int:
    """Forget keys older than ``KEEP_S``."""
    return conn.execute(
        delete(t).where(t.c.hall == of(conn), t.c.created_at < now - KEEP_S)
    ).rowcount


def remember_refusal(uow: UnitOfWork, once: Once, status_code: int, body: str) -> None:
    """Store a refusal's response for ``once``'s key (it changed nothing, so it is stored
    on its own); a key stored meanwhile by a twin request stays as it is."""

    def op(tx: Tx) -> None:
        if lookup(tx.conn, once) is None:
            record(tx, once, status_code, body)

    with contextlib.suppress(Conflict, Refused):
        uow.run(op, attempts=1)
