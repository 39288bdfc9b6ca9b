"""Security headers on every response the hall server sends (issue 13, item 6).

Browsers must not guess a content type (``nosniff``), may not frame the hall's pages
(the board and the status page are whole pages, never parts of another site's), and
send no referrer off the hall's network. An answer without a policy of its own (the
JSON API, errors) gets the strictest one: it loads nothing. The pages set theirs
(``pages.CSP``), and so does the API reference when ``serve --docs`` turns it on.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from queue_app.server.context import route_path

ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
NOTHING_LOADED = "default-src 'none'; frame-ancestors 'none'"


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP response, unless it set its own."""

    def __init__(self, app: ASGIApp, *, exempt: tuple[str, ...] = ()) -> None:
        self.app = app
        self.exempt = exempt  # paths whose own page needs scripts from elsewhere (/docs)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exempt = route_path(scope) in self.exempt

        async def add(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    headers.setdefault(name, value)
                if not exempt:
                    headers.setdefault("Content-Security-Policy", NOTHING_LOADED)
            await send(message)

        await self.app(scope, receive, add)
