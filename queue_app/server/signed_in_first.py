"""A change to the API (POST, PUT, PATCH, DELETE), other than signing in, a citizen's
rating by the slip's token and a citizen's booking (by its code), is refused (401, the
JSON error shape) before its body is read unless it carries a live session's bearer
token: anonymous traffic costs a header check, never a body's reading."""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

from queue_app.domain.errors import Refused
from queue_app.domain.refusals import NotSignedIn, SessionExpired
from queue_app.server.auth import session_of
from queue_app.server.context import hall_of, route_path
from queue_app.server.errors import error_json

SIGN_IN = "/api/auth/sign-in"
CHANGES = {"POST", "PUT", "PATCH", "DELETE"}  # other methods: the router answers
# the citizen's own 好差评 on the status page: the slip's token is its credential
CITIZEN_RATING = re.compile(r"^/api/status/[A-Za-z0-9_-]{16,32}/rating$")
# a citizen's booking (预约): booking, and a booking's cancel, move and check-in by its code
CITIZEN_BOOKING = re.compile(r"^/api/bookings(/\d{6}/(cancel|move|check-in))?$")


def bearer_token(scope: Scope) -> str | None:
    """The token of an ``Authorization: Bearer …`` header, if there is one."""
    raw = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
    scheme, _, token = raw.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


class SignedInFirst:
    """ASGI middleware: sessions checked before the body of a change."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = route_path(scope) if scope["type"] == "http" else ""
        if (
            scope["type"] == "http"
            and scope["method"] in CHANGES
            and path.startswith("/api/")
            and path != SIGN_IN
            and not (
                scope["method"] == "POST"
                and (CITIZEN_RATING.match(path) or CITIZEN_BOOKING.match(path))
            )
        ):
            hall = hall_of(scope)
            if hall.operator is not None:  # local mode: the operator acts
                await self.app(scope, receive, send)
                return
            token = bearer_token(scope)
            refusal: Refused | None = None
            if token is None:
                refusal = NotSignedIn()
            else:
                try:
                    if await session_of(hall.service, token) is None:
                        refusal = SessionExpired()
                except Refused as exc:  # a session of another hall
                    refusal = exc
            if refusal is not None:
                await error_json(refusal)(scope, receive, send)
                return
        await self.app(scope, receive, send)
