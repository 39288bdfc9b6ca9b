"""Response bodies of the notices' API (``/api/notices``: the manager's view of the outbox),
shared by the server and the client. Numbers are only ever masked here."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

NoticeState = Literal["pending", "done", "dead", "cancelled"]


class OutboxNoticeOut(BaseModel):
    """A notice to a citizen for one sender (its id is the webhook's delivery id)."""

    id: str
    sender: str
    kind: str  # booked, moved, cancelled, reminder, near_turn, called, no_show
    day: str
    ref: str  # the ticket number or the booking code
    mobile: str  # masked: 138****1234
    state: NoticeState
    attempts: int
    created_at: float
    next_try_at: float
    delivered_at: float | None
    last_error: str | None


class SenderOut(BaseModel):
    name: str
    url: str
    max_attempts: int
    secret_env: str
    ready: bool  # False: its secret is not in the server's environment; its notices wait


class NoticeSummaryOut(BaseModel):
    """The outbox at a glance: what waits, the dead letters, the last error, the senders."""

    pending: int
    dead: int
    done_today: int
    last_error: str | None
    last_error_at: float | None
    senders: list[SenderOut]
