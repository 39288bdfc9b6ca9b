"""Who may do what: bearer tokens from sign-in, checked per route by role and window."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from queue_app.domain.errors import N_, Text
from queue_app.domain.refusals import (
    Forbidden,
    NotSignedIn,
    NotYourWindow,
    OtherWindowsClerk,
    SessionExpired,
)
from queue_app.server.context import hall_of
from queue_app.server.service import HallService
from queue_app.store.staff import Role, Session, session_for

bearer = HTTPBearer(auto_error=False, description="the token from POST /api/auth/sign-in")


ROLE_WORDS = {  # as refusals name them
    Role.DESK: Text(N_("desk")),
    Role.CLERK: Text(N_("clerk")),
    Role.MANAGER: Text(N_("manager")),
    Role.DISPLAY: Text(N_("display")),
}


async def signed_in(
    request: Request, cred: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Session:
    """Any signed-in account (display included); in local mode, the operator."""
    hall = hall_of(request.scope)
    if hall.operator is not None:
        return hall.operator
    if cred is None:
        raise NotSignedIn()
    session = await session_of(hall.service, cred.credentials)
    if session is None:
        raise SessionExpired()
    return session


async def session_of(svc: HallService, token: str) -> Session | None:
    """The live session of a bearer token (remembered for a few seconds), or None."""
    session = svc.sessions.get(token, svc.store.clock())
    if session is None:
        session = await svc.read(session_for, svc.store, token)
        if session is not None:
            svc.sessions.put(token, session)
    return session


SignedIn = Annotated[Session, Depends(signed_in)]


def roles(*allowed: Role) -> Callable[[Session], Awaitable[Session]]:
    async def check(who: SignedIn) -> Session:
        if who.role not in allowed:
            raise Forbidden(role=ROLE_WORDS[who.role], roles=[ROLE_WORDS[r] for r in allowed])
        return who

    return check


async def window_operator(who: SignedIn, window: Annotated[int, Path(ge=1, le=999)]) -> Session:
    """A manager, or the clerk signed in at this very window."""
    if who.role is Role.MANAGER or (who.role is Role.CLERK and who.window == window):
        return who
    if who.role is Role.CLERK and who.window is not None:
        raise OtherWindowsClerk(own=who.window, window=window)
    raise NotYourWindow(role=ROLE_WORDS[who.role], window=window)


Desk = Annotated[Session, Depends(roles(Role.DESK, Role.MANAGER))]
Manager = Annotated[Session, Depends(roles(Role.MANAGER))]
Operator = Annotated[Session, Depends(window_operator)]
