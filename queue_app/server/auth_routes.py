"""Sign-in, sign-out, and the staff list."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from queue_app.api_models import SessionOut, SignInIn, StaffOut
from queue_app.server.auth import Manager, SignedIn, bearer
from queue_app.server.errors import ErrorResponse, known_query_only
from queue_app.server.service import HallService
from queue_app.store import staff

router = APIRouter(
    prefix="/api",
    dependencies=[Depends(known_query_only)],
    responses={s: {"model": ErrorResponse} for s in (400, 401, 403, 404, 422)},
)


def _svc(request: Request) -> HallService:
    return cast(HallService, request.app.state.service)


Svc = Annotated[HallService, Depends(_svc)]


@router.post("/auth/sign-in")
async def sign_in(svc: Svc, body: SignInIn) -> SessionOut:
    """Sign in; a clerk names the window it works at and may operate only that one."""
    s = await svc.read(staff.sign_in, svc.store, body.username, body.password, body.window)
    return SessionOut(
        username=s.username,
        role=s.role.value,
        window=s.window,
        expires_at=s.expires_at,
        token=s.token,
    )


@router.post("/auth/sign-out", status_code=204)
async def sign_out(
    svc: Svc, who: SignedIn, cred: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> None:
    if cred is not None:
        svc.sessions.forget(cred.credentials)
        await svc.write(staff.sign_out, svc.store, cred.credentials)


@router.get("/auth/me")
async def me(who: SignedIn) -> SessionOut:
    return SessionOut(
        username=who.username, role=who.role.value, window=who.window, expires_at=who.expires_at
    )


@router.get("/staff")
async def staff_list(svc: Svc, who: Manager) -> list[StaffOut]:
    return [
        StaffOut(username=s.username, full_name=s.full_name, role=s.role.value, disabled=s.disabled)
        for s in await svc.read(staff.list_staff, svc.store)
    ]
