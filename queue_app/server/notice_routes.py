"""The notices' outbox as the manager sees it: what waits, the dead letters (numbers
masked), and sending a dead letter again."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from queue_app.api_notices import NoticeSummaryOut, OutboxNoticeOut, SenderOut
from queue_app.server.auth import Manager
from queue_app.server.context import Svc
from queue_app.server.errors import ErrorResponse, known_query_only
from queue_app.server.idempotency import Keyed
from queue_app.server.notifier import missing_secrets
from queue_app.store.notices import NoticeInfo

router = APIRouter(
    prefix="/api",
    responses={s: {"model": ErrorResponse} for s in (401, 403, 404, 409, 422)},
    dependencies=[Depends(known_query_only)],
)


def notice_out(n: NoticeInfo) -> OutboxNoticeOut:
    return OutboxNoticeOut(
        id=n.id,
        sender=n.sender,
        kind=n.kind,
        day=n.day,
        ref=n.ref,
        mobile=n.masked,
        state=n.state,  # type: ignore[arg-type]
        attempts=n.attempts,
        created_at=n.created_at,
        next_try_at=n.next_try_at,
        delivered_at=n.delivered_at,
        last_error=n.last_error,
    )


@router.get("/notices")
async def notices(
    svc: Svc,
    who: Manager,
    state: Literal["pending", "dead", "done", "cancelled"] = "dead",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[OutboxNoticeOut]:
    """The notices in ``state`` (dead letters by default), the latest first."""
    found = await svc.read(svc.store.outbox, state, limit)
    return [notice_out(n) for n in found]


@router.get("/notices/summary")
async def notice_summary(svc: Svc, who: Manager) -> NoticeSummaryOut:
    """How many notices wait and are dead letters, the last error, and each sender (one
    whose secret this server's environment lacks is not tried: its notices wait)."""
    c = await svc.read(svc.store.notice_counts)
    senders = svc.store.hall.notices.senders
    missing = missing_secrets(senders)
    return NoticeSummaryOut(
        pending=c.pending,
        dead=c.dead,
        done_today=c.done_today,
        last_error=c.last_error,
        last_error_at=c.last_error_at,
        senders=[
            SenderOut(
                name=name,
                url=s.url,
                max_attempts=s.max_attempts,
                secret_env=s.secret_env,
                ready=name not in missing,
            )
            for name, s in sorted(senders.items())
        ],
    )


@router.post("/notices/{notice}/retry")
async def retry_notice(
    svc: Svc,
    who: Manager,
    key: Keyed,
    notice: Annotated[str, Path(min_length=1, max_length=32)],
) -> OutboxNoticeOut:
    """Send a dead letter again: pending at once, its attempts counted from zero (409 if
    it is not dead)."""
    return await svc.act(key, 200, notice_out, svc.store.retry_notice, notice, actor=who.username)
