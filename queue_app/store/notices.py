"""The notice outbox: what to tell a citizen, written in the transaction of the change it
reports, one row per sender of the hall (``notices.senders`` of the hall file), so a notice
is never lost to a crash nor written without its change. A worker claims due rows and
delivers them (``queue_app.server.notifier``). A citizen without a mobile number, or a
hall without senders, gets no rows: nothing else depends on them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam as bp
from sqlalchemy import insert, update

from queue_app.domain.notice_rules import NoticeKind, NoticeRules
from queue_app.store.hall_key import mine, params
from queue_app.store.tables import notice_t
from queue_app.store.uow import Tx

N = notice_t.c
PENDING, DONE, DEAD, CANCELLED = "pending", "done", "dead", "cancelled"
_CANCEL = (
    update(notice_t)
    .where(
        mine(notice_t),
        N.ref == bp("about"),  # not "ref": a column's own name is SQLAlchemy's in a SET
        N.kind.in_(bp("kinds", expanding=True)),
        N.state == PENDING,
    )
    .values(state=CANCELLED, contact_sealed=None)
)


def queue(
    tx: Tx,
    rules: NoticeRules,
    *,
    kind: NoticeKind,
    day: str,
    ref: str,
    sealed: str | None,
    masked: str | None,
    data: Mapping[str, Any],
    due_at: float | None = None,
) -> int:
    """Write the notice for each of the hall's senders; the rows written (0 without a
    sealed number or without senders). ``due_at``: not sent before (default: at once)."""
    if sealed is None or not rules.senders:
        return 0
    due = tx.now if due_at is None else due_at
    body = json.dumps(dict(data), ensure_ascii=False, sort_keys=True)
    rows = [
        {
            "hall": tx.hall,
            "id": uuid.uuid4().hex,
            "sender": sender,
            "kind": kind.value,
            "day": day,
            "ref": ref,
            "contact_sealed": sealed,
            "contact_masked": masked or "",
            "params": body,
            "created_at": tx.now,
            "due_at": due,
            "state": PENDING,
            "attempts": 0,
            "next_try_at": due,
        }
        for sender in sorted(rules.senders)
    ]
    tx.conn.execute(insert(notice_t), rows)
    return len(rows)


def cancel(tx: Tx, ref: str, kinds: tuple[NoticeKind, ...]) -> int:
    """Cancel the pending notices of these kinds about ``ref`` (a booking's reminder when it
    is cancelled or moved); the rows cancelled."""
    result = tx.conn.execute(_CANCEL, params(tx.conn, about=ref, kinds=[k.value for k in kinds]))
    return result.rowcount or 0
