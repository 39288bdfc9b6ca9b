"""Request bodies over ``MAX_BODY`` bytes are refused (413, the JSON error shape) before
anything reads them: at once when ``Content-Length`` says so, else as soon as the
streamed body passes the limit. Every request the API takes is a few hundred bytes."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from queue_app.domain.refusals import BodyTooLarge
from queue_app.server.errors import error_json

MAX_BODY = 64 * 1024  # bytes


class BodyLimit:
    """ASGI middleware enforcing ``MAX_BODY`` on every HTTP request."""

    def __init__(self, app: ASGIApp, most: int = MAX_BODY) -> None:
        self.app = app
        self.most = most

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.most):
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            """The body as it comes; past the limit, a 413 for the app to answer (an
            HTTPException, which FastAPI lets through from the body's reading)."""
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.most:
                    raise HTTPException(413, detail=str(self.most // 1024))
            return message

        await self.app(scope, counted, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        await error_json(BodyTooLarge(most=self.most // 1024))(scope, receive, send)
