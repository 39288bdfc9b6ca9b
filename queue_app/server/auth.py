"""Who may do what: bearer tokens from sign-in, checked per route by role and window."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from queue_app.domain.errors import N_, Text
from queue_app.domain.refusals import (
    Forbidden,
    NotSignedIn,
    NotYourHall,
    NotYourWindow,
    OtherWindowsClerk,
    RaterOnlyRates,
    SessionExpired,
)
from queue_app.server.context import hall_of
from queue_app.server.service import HallService
from queue_app.store.staff import Role, Session, manages, session_elsewhere, session_for

bearer = HTTPBearer(auto_error=False, description="the token from POST /api/auth/sign-in")


ROLE_WORDS = {  # as refusals name them
    Role.DESK: Text(N_("desk")),
    Role.CLERK: Text(N_("clerk")),
    Role.MANAGER: Text(N_("manager")),
    Role.DISPLAY: Text(N_("display")),
    Role.CITY: Text(N_("city")),
    Role.KIOSK: Text(N_("kiosk")),
    Role.RATER: Text(N_("rating tablet")),
}
STAFF_ROLES = [r for r in Role if r not in (Role.KIOSK, Role.RATER)]  # who read the hall's state
READS = frozenset({"GET", "HEAD"})


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
    """The live session of a bearer token (remembered for a few seconds), or None. A
    session of another hall on the database is refused (``NotYourHall``) unless it is a
    city account's: that one reads here, and acts as a manager only if it is one here."""
    session = svc.sessions.get(token, svc.store.clock())
    if session is None:
        session = await svc.read(session_for, svc.store, token)
        if session is None:
            session = await _from_elsewhere(svc, token)
        if session is not None:
            svc.sessions.put(token, session)
    return session


async def _from_elsewhere(svc: HallService, token: str) -> Session | None:
    session = await svc.read(session_elsewhere, svc.store, token)
    if session is None:
        return None
    if session.role is not Role.CITY:
        raise NotYourHall(yours=session.hall, hall=svc.store.code)
    if await svc.read(manages, svc.store, session.username):
        return replace(session, manages=True)
    return session


AnySession = Annotated[Session, Depends(signed_in)]  # a kiosk's and a 评价器's too: sign-out, me


async def staff_signed_in(who: AnySession) -> Session:
    """Any signed-in account but a device's: a kiosk issues tickets and reads only what
    issuing needs (the catalog, the hall, its guides), never the line or the figures; a
    评价器 may only rate the visit just finished at its window (and read what it shows)."""
    if who.role is Role.KIOSK:
        raise Forbidden(role=ROLE_WORDS[who.role], roles=[ROLE_WORDS[r] for r in STAFF_ROLES])
    if who.role is Role.RATER:
        raise RaterOnlyRates(window=who.window or 0)
    return who


SignedIn = Annotated[Session, Depends(staff_signed_in)]


def roles(*allowed: Role) -> Callable[[Request, Session], Awaitable[Session]]:
    """Sessions of the ``allowed`` roles; a city account's too where a manager's read."""

    async def check(request: Request, who: AnySession) -> Session:
        if who.role is Role.CITY and Role.MANAGER in allowed and request.method in READS:
            return who
        if not any(who.acts_as(role) for role in allowed):
            raise Forbidden(role=ROLE_WORDS[who.role], roles=[ROLE_WORDS[r] for r in allowed])
        return who

    return check


async def window_operator(who: SignedIn, window: Annotated[int, Path(ge=1, le=999)]) -> Session:
    """A manager, or the clerk signed in at this very window."""
    if who.acts_as(Role.MANAGER) or (who.role is Role.CLERK and who.window == window):
        return who
    if who.role is Role.CLERK and who.window is not None:
        raise OtherWindowsClerk(own=who.window, window=window)
    raise NotYourWindow(role=ROLE_WORDS[who.role], window=window)


async def rater_or_operator(who: AnySession, window: Annotated[int, Path(ge=1, le=999)]) -> Session:
    """The 评价器 of this very window, or who may operate it (``window_operator``)."""
    if who.role is Role.RATER:
        if who.window == window:
            return who
        raise NotYourWindow(role=ROLE_WORDS[who.role], window=window)
    return await window_operator(await staff_signed_in(who), window)


async def window_rater(who: AnySession, window: Annotated[int, Path(ge=1, le=999)]) -> Session:
    """The 评价器 of this very window, or a manager."""
    if who.acts_as(Role.MANAGER) or (who.role is Role.RATER and who.window == window):
        return who
    raise NotYourWindow(role=ROLE_WORDS[who.role], window=window)


Desk = Annotated[Session, Depends(roles(Role.DESK, Role.MANAGER))]
Issuer = Annotated[Session, Depends(roles(Role.DESK, Role.MANAGER, Role.KIOSK))]
Manager = Annotated[Session, Depends(roles(Role.MANAGER))]
Operator = Annotated[Session, Depends(window_operator)]
RaterOrOperator = Annotated[Session, Depends(rater_or_operator)]
Rater = Annotated[Session, Depends(window_rater)]
