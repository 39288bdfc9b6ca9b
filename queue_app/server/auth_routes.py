"""Sign-in, sign-out, and the staff list."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials

from queue_app.api_models import (
    SeatOut,
    SessionOut,
    SignInIn,
    SignInLockOut,
    StaffEditIn,
    StaffOut,
    StaffWindowsIn,
)
from queue_app.domain.refusals import SignInLocked
from queue_app.server.auth import AnySession, Manager, bearer
from queue_app.server.context import Svc
from queue_app.server.errors import ErrorResponse, known_query_only
from queue_app.store import sign_in_limits, staff

LOCKED_ANSWER_DELAY_S = 1.0  # before a 429 for a locked account name or address

router = APIRouter(
    prefix="/api",
    dependencies=[Depends(known_query_only)],
    responses={s: {"model": ErrorResponse} for s in (400, 401, 403, 404, 422)},
)


@router.post("/auth/sign-in", responses={s: {"model": ErrorResponse} for s in (409, 429)})
async def sign_in(svc: Svc, body: SignInIn, request: Request) -> SessionOut:
    """Sign in; a clerk names the window it works at and may operate only that one, and
    sits there alone (409 while another account sits there; 403 at a window the account
    may not sit at). A desk or kiosk names its ``station`` of the hall file (404 if there
    is none such): the slips of the tickets it issues print at the station's printer.
    After 5 failures in a row for an account name or from an address, 429 with
    Retry-After."""
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
        staff.conclude_sign_in,
        svc.store,
        body.username,
        found,
        check,
        body.window,
        address,
        body.station,
    )
    return SessionOut(
        username=s.username,
        role=s.role.value,
        window=s.window,
        expires_at=s.expires_at,
        token=s.token,
        station=s.station,
    )


@router.post("/auth/sign-out", status_code=204)
async def sign_out(
    svc: Svc, who: AnySession, cred: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> None:
    if cred is not None:
        svc.sessions.forget(cred.credentials)
        await svc.write(staff.sign_out, svc.store, cred.credentials)


@router.get("/auth/me")
async def me(who: AnySession) -> SessionOut:
    return SessionOut(
        username=who.username,
        role=who.role.value,
        window=who.window,
        expires_at=who.expires_at,
        station=who.station,
    )


@router.get("/staff/locks")
async def sign_in_locks(svc: Svc, who: Manager) -> list[SignInLockOut]:
    """Account names and addresses that may not sign in for now, and until when."""
    return [
        SignInLockOut(kind=k.kind, name=k.name, failures=k.failures, until=k.locked_until)
        for k in await svc.read(sign_in_limits.locks, svc.store)
    ]


def _staff_out(s: staff.StaffInfo) -> StaffOut:
    return StaffOut(
        username=s.username,
        full_name=s.full_name,
        role=s.role.value,
        disabled=s.disabled,
        windows=sorted(s.windows) if s.windows is not None else None,
        staff_number=s.staff_number,
        display_name=s.display_name,
    )


@router.get("/staff")
async def staff_list(svc: Svc, who: Manager) -> list[StaffOut]:
    return [_staff_out(s) for s in await svc.read(staff.list_staff, svc.store)]


@router.post("/staff/{username}/windows")
async def set_staff_windows(
    svc: Svc, who: Manager, username: Annotated[str, Path(max_length=40)], body: StaffWindowsIn
) -> StaffOut:
    """Where the account may sit (sign in at) from now on; null: at any window."""
    windows = frozenset(body.windows) if body.windows is not None else None
    return _staff_out(await svc.write(staff.set_windows, svc.store, username, windows))


@router.patch("/staff/{username}")
async def edit_staff(
    svc: Svc, who: Manager, username: Annotated[str, Path(max_length=40)], body: StaffEditIn
) -> StaffOut:
    """Change an account's full name, staff number (工号) or display name (the name public
    screens show instead of the masked full name); a field left out stays as it is, null
    or "" clears the number or the display name."""
    given = body.model_fields_set
    changes: dict[str, Any] = {}
    if "full_name" in given and body.full_name is not None:
        changes["full_name"] = body.full_name
    for name in ("staff_number", "display_name"):
        if name in given:
            changes[name] = getattr(body, name)
    return _staff_out(await svc.write(staff.edit_staff, svc.store, username, **changes))


@router.get("/seats")
async def seats(svc: Svc, who: Manager) -> list[SeatOut]:
    """Who sits at which window now (a window operated by no one is not listed)."""
    return [
        SeatOut(window=s.window, username=s.username, full_name=s.full_name, since=s.since)
        for s in await svc.read(staff.seats, svc.store)
    ]


@router.post("/seats/{window}/release", responses={409: {"model": ErrorResponse}})
async def release_seat(
    svc: Svc, who: Manager, window: Annotated[int, Path(ge=1, le=999)]
) -> SeatOut:
    """End the session sitting at the window (its clerk's terminal must sign in again), so
    another may sit there; who sat there."""
    s = await svc.write(staff.release_seat, svc.store, window, who.username)
    return SeatOut(window=s.window, username=s.username, full_name=s.full_name, since=s.since)
