"""The terminals' live-event loop: back-off on a broken stream, at least as long as a
refusal's Retry-After (too many streams open)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import pytest

from queue_app.client import ApiError, ServerEvent
from queue_app.tui.live import BACKOFF_START_S, follow

pytestmark = pytest.mark.anyio


class Refusing:
    """A client whose stream is refused twice (503, Retry-After 7 s), then opens."""

    def __init__(self) -> None:
        self.tries = 0

    async def events(self) -> AsyncGenerator[ServerEvent, None]:
        self.tries += 1
        if self.tries <= 2:
            raise ApiError(503, "too_many_streams", "连接过多", "too many", None, 7.0)
        yield ServerEvent("snapshot", {"version": 1})


class Stop(Exception):
    pass


async def test_a_refused_stream_is_tried_again_after_its_retry_after() -> None:
    waits: list[float] = []
    online: list[bool] = []

    async def sleep(s: float) -> None:
        waits.append(s)
        if len(waits) == 3:
            raise Stop

    with pytest.raises(Stop):
        await follow(Refusing(), lambda ev: None, online.append, sleep)  # type: ignore[arg-type]
    assert waits[:2] == [7.0, 7.0]  # not the back-off's 0.5 and 1 s
    assert waits[2] == BACKOFF_START_S  # connected, then ended: the back-off starts over
    assert online == [False, False, True, False]


def test_a_refusal_s_retry_after_reaches_the_client() -> None:
    import httpx

    from queue_app.client import _error

    body: dict[str, Any] = {
        "error": {"code": "too_many_streams", "message_zh": "z", "message_en": "e", "field": None}
    }
    r = httpx.Response(503, json=body, headers={"Retry-After": "10"})
    assert _error(r).retry_after == 10.0
    assert _error(httpx.Response(503, json=body)).retry_after is None
