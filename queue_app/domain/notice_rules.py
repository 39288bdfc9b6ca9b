"""What the hall tells citizens who left a mobile number, and where the notices go
(the hall file's ``notices:`` section). Pure.

Every notice is one row of the notice outbox per sender, written in the transaction of the
change it reports; a worker delivers it. The sender shipped is a webhook: the hall's SMS
gateway or WeChat template-message service receives signed JSON and sends the message.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

SENDER_NAME = r"^[a-z0-9][a-z0-9_-]{0,39}$"
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,99}")
_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


class NoticeKind(StrEnum):
    """What a notice says."""

    BOOKED = "booked"  # 预约成功: the slot, the code
    MOVED = "moved"  # 预约已改期
    CANCELLED = "cancelled"  # 预约已取消
    REMINDER = "reminder"  # the day before the slot
    NEAR_TURN = "near_turn"  # 前面还有 N 位
    CALLED = "called"  # 请到 X 号窗口
    NO_SHOW = "no_show"  # 过号 (a ticket) or a booking never checked in


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WebhookSender(_Strict):
    """A webhook: JSON posted to ``url``, signed with HMAC-SHA256 under the key held in the
    environment variable ``secret_env`` (never in the hall file)."""

    url: str
    secret_env: str
    max_attempts: Annotated[int, Field(ge=1, le=100)] = 10  # then the notice is a dead letter
    timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 10.0

    @field_validator("url")
    @classmethod
    def _http(cls, v: str) -> str:
        if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", v):
            raise ValueError(f"expected an http:// or https:// address, got {v!r}")
        return v

    @field_validator("secret_env")
    @classmethod
    def _env(cls, v: str) -> str:
        if not _ENV_NAME.fullmatch(v):
            raise ValueError(
                f"expected the name of an environment variable (A-Z, 0-9, _), got {v!r}"
            )
        return v


class NoticeRules(_Strict):
    """``notices:``: when to tell, and the senders (none: no notices are written)."""

    near_turn: Annotated[int, Field(ge=0, le=50)] = 3  # 前面还有 N 位 at N ahead (0: never)
    reminder_at: str = "18:00"  # the day before a booked slot, hall time
    keep_days: Annotated[int, Field(ge=1, le=3660)] = 30  # delivered and dead notices kept
    senders: dict[Annotated[str, Field(pattern=SENDER_NAME)], WebhookSender] = {}

    @field_validator("reminder_at")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not _HHMM.fullmatch(v):
            raise ValueError(f"expected a time of day HH:MM, got {v!r}")
        return v
