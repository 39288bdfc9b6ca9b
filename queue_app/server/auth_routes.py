"""Sign-in, sign-out, and the staff list."""

from __future__ import annotations

import asyncio
from typing import Annotated, cast

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from queue_app.api_models import SessionOut, SignInIn, SignInLockOut, StaffOut
from queue_app.domain.refusals import SignInLocked
from queue_app.server.auth import Manager, SignedIn, bearer
from queue_app.server.errors import ErrorResponse, known_query_only
from queue_app.server.service import HallService
from queue_app.store import sign_in_limits, staff

LOCKED_ANSWER_DELAY_S = 1.0  # before a 429 for a locked account name or address

router = APIRouter(
    prefix="/api",
    dependencies=[Depends(known_query_only)],
    responses={s: {"model": ErrorResponse} for s in (400, 401, 403, 404, 422)},
)


def _svc(request: Request) -> HallService:
    return cast(HallService, request.app.state.service)


Svc = Annotated[HallService, Depends(_svc)]


@router.post("/auth/sign-in", responses={429: {"model": ErrorResponse}})
async def sign_in(svc: Svc, body: SignInIn, request: Request) -> SessionOut:
    """Sign in; a clerk names the window it works at and may operate only that one. After
    5 failures in a row for an account name or from an address, 429 with Retry-After."""
    address = request.client.host if request.client else None
    try:
        await svc.read(sign_in_limits.refuse_if_locked, svc.store, body.username, address)
    except SignInLocked:
        # a guesser that ignores Retry-After waits for each answer (no thread is held):
        # a flood of tries then costs the hall little
        await asyncio.sleep(LOCKED_ANSWER_DELAY_S)
        raise
    found = await svc.read(staff.credentials, svc.store, body.username)
    check = await svc.hash(staff.check_password, body.password, found)
    s = await svc.write(
        staff.conclude_sign_in, svc.store, body.username, found, check, body.window, address
    )
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


@router.get("/staff/locks")
async def sign_in_locks(svc: Svc, who: Manager) -> list[SignInLockOut]:
    """Account names and addresses that may not sign in for now, and until when."""
    return [
        SignInLockOut(kind=k.kind, name=k.name, failures=k.failures, until=k.locked_until)
        for k in await svc.read(sign_in_limits.locks, svc.store)
    ]


@router.get("/staff")
async def staff_list(svc: Svc, who: Manager) -> list[StaffOut]:
    return [
        StaffOut(username=s.username, full_name=s.full_name, role=s.role.value, disabled=s.disabled)
        for s in await svc.read(staff.list_staff, svc.store)
    ]
