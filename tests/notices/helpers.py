"""Halls with notice senders, and reading the outbox, for the notices' tests."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from queue_app.domain.hall import Hall
from queue_app.domain.notice_rules import NoticeRules, WebhookSender
from queue_app.store import Store
from queue_app.store.tables import notice_t, ticket_t

SECRET_ENV = "QUEUE_APP_TEST_NOTICE_SECRET"


def with_senders(
    hall: Hall, url: str = "http://127.0.0.1:9/notices", *, near_turn: int = 2, **sender: Any
) -> Hall:
    """``hall`` with one webhook sender ``sms`` at ``url``."""
    rules = NoticeRules(
        near_turn=near_turn,
        senders={"sms": WebhookSender(url=url, secret_env=SECRET_ENV, **sender)},
    )
    return hall.model_copy(update={"notices": rules})


def outbox(store: Store) -> list[dict[str, Any]]:
    """Every notice row, oldest first, its data decoded."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(notice_t).where(notice_t.c.hall == store.code).order_by(notice_t.c.created_at)
        ).all()
    return [{**r._asdict(), "data": json.loads(r.params)} for r in rows]


def sealed_numbers(store: Store) -> list[str | None]:
    with store.engine.connect() as conn:
        return list(
            conn.execute(
                select(ticket_t.c.contact_sealed)
                .where(ticket_t.c.hall == store.code)
                .order_by(ticket_t.c.id)
            ).scalars()
        )
