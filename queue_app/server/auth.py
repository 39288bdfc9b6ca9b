"""Who may do what: bearer tokens from sign-in, checked per route by role and window."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from queue_app.domain.errors import Refused
from queue_app.server.service import HallService
from queue_app.store.staff import Role, Session, session_for

bearer = HTTPBearer(auto_error=False, description="the token from POST /api/auth/sign-in")


class NotSignedIn(Refused):
    pass


class Forbidden(Refused):
    pass


async def signed_in(
    request: Request, cred: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Session:
    """Any signed-in account (display included)."""
    if cred is None:
        raise NotSignedIn(
            "not_signed_in",
            "请先登录",
            "sign in first (Authorization: Bearer <token>)",
            "Authorization",
        )
    svc: HallService = request.app.state.service
    token = cred.credentials
    session = svc.sessions.get(token, svc.store.clock())
    if session is None:
        session = await svc.read(session_for, svc.store, token)
        if session is not None:
            svc.sessions.put(token, session)
    if session is None:
        raise NotSignedIn(
            "not_signed_in",
            "登录已失效，请重新登录",
            "the token is unknown or has expired; sign in again",
            "Authorization",
        )
    return session


SignedIn = Annotated[Session, Depends(signed_in)]


def roles(*allowed: Role) -> Callable[[Session], Awaitable[Session]]:
    async def check(who: SignedIn) -> Session:
        if who.role not in allowed:
            names = ", ".join(r.value for r in allowed)
            raise Forbidden(
                "forbidden",
                "当前账号无权执行此操作",
                f"a {who.role.value} account may not do this (needs {names})",
                "Authorization",
            )
        return who

    return check


async def window_operator(who: SignedIn, window: Annotated[int, Path(ge=1, le=999)]) -> Session:
    """A manager, or the clerk signed in at this very window."""
    if who.role is Role.MANAGER or (who.role is Role.CLERK and who.window == window):
        return who
    raise Forbidden(
        "forbidden",
        f"当前账号不能操作 {window} 号窗口",
        f"a {who.role.value} account"
        + (f" signed in at window {who.window}" if who.window else "")
        + f" may not operate window {window}",
        "window",
    )


Desk = Annotated[Session, Depends(roles(Role.DESK, Role.MANAGER))]
Manager = Annotated[Session, Depends(roles(Role.MANAGER))]
Operator = Annotated[Session, Depends(window_operator)]
