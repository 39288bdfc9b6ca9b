"""Retry safety: the first response to a keyed request is kept and replayed."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from queue_app.domain.errors import Refused
from queue_app.store.store import Store
from queue_app.store.tables import idempotency_t as t

STALE_S = 120.0  # a claim never completed (the server died mid-request) may be retaken


@dataclass(frozen=True, slots=True)
class Stored:
    status_code: int
    body: str


def claim(store: Store, scope: str, key: str, fingerprint: str) -> Stored | None:
    """None: this request owns the key and must run. Stored: replay it. Refused when the
    key was used for a different request, or its first request is still running."""
    now = time.time()
    with store._write() as conn:
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(t).values(
                        scope=scope,
                        key=key,
                        fingerprint=fingerprint,
                        status_code=None,
                        body="",
                        created_at=now,
                    )
                )
            return None
        except IntegrityError:
            pass
        row = conn.execute(select(t).where(t.c.scope == scope, t.c.key == key)).one()
        if row.fingerprint != fingerprint:
            raise Refused(
                "idempotency_key_reused",
                "该幂等键已用于另一个请求",
                "this Idempotency-Key was used for a different request",
                "Idempotency-Key",
            )
        if row.status_code is not None:
            return Stored(row.status_code, row.body)
        if now - row.created_at < STALE_S:
            raise Refused(
                "request_in_progress",
                "相同请求正在处理中，请稍后重试",
                "the same request is still being handled; retry shortly",
                "Idempotency-Key",
            )
        conn.execute(update(t).where(t.c.scope == scope, t.c.key == key).values(created_at=now))
        return None


def complete(store: Store, scope: str, key: str, status_code: int, body: str) -> None:
    with store._write() as conn:
        conn.execute(
            update(t)
            .where(t.c.scope == scope, t.c.key == key)
            .values(status_code=status_code, body=body)
        )


def release(store: Store, scope: str, key: str) -> None:
    """Forget a claim whose request failed on the server's side, so a retry runs again."""
    with store._write() as conn:
        conn.execute(delete(t).where(t.c.scope == scope, t.c.key == key, t.c.status_code.is_(None)))
