"""The response of ``GET /api/events``: one subscriber's stream, written until the client
goes, the server drops it, or the server stops; its subscription and its slot under the
stream caps are given back however it ends.

The stream is written from a task of its own. Waiting for each event in the request's own
task would resume the whole stack of middlewares and routing around the response on every
event, for every subscriber: that, not the writing, was most of what 200 subscribers cost."""

from __future__ import annotations

import anyio
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from queue_app.server.events import Broadcaster, writes
from queue_app.server.stream_slots import Slot

HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


class EventStream(Response):
    media_type = "text/event-stream"

    def __init__(self, broadcaster: Broadcaster, slot: Slot) -> None:
        self.broadcaster, self.slot = broadcaster, slot
        self.status_code = 200
        self.background = None
        self.init_headers(HEADERS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            sub = self.broadcaster.subscribe(prompt=self.slot.staff)
            try:
                await send(
                    {"type": "http.response.start", "status": 200, "headers": self.raw_headers}
                )
                async with anyio.create_task_group() as tasks:

                    async def write() -> None:
                        async for chunk in writes(self.broadcaster, sub):
                            await send(
                                {"type": "http.response.body", "body": chunk, "more_body": True}
                            )
                        await send({"type": "http.response.body", "body": b"", "more_body": False})
                        tasks.cancel_scope.cancel()  # the server ended it

                    tasks.start_soon(write)
                    while (await receive())["type"] != "http.disconnect":
                        pass
                    tasks.cancel_scope.cancel()  # the client went
            finally:
                self.broadcaster.unsubscribe(sub)
        finally:
            self.slot.release()
