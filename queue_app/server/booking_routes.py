"""Bookings (预约, ``store.booking_ops``): the slots open and booking, moving, cancelling
and checking in are public (a citizen's phone, the ``/book`` pages; the mobile number
booked with proves the booking is theirs); the desk and the kiosk check in with their
station (its printer prints the slip); the day's bookings are the desk's read; closures
and no-show bars are a manager's."""

from __future__ import annotations

import io
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import AfterValidator

from queue_app.api_bookings import (
    BanOut,
    BookIn,
    BookingOut,
    ClosureIn,
    ClosureOut,
    LiftBanIn,
    MobileIn,
    MoveIn,
    NamedMatter,
    SlotDayOut,
    SlotOut,
    SlotsOut,
    calendar_day,
)
from queue_app.api_models import IssuedOut
from queue_app.domain.refusals import MatterOrBundle, NotYourHall, SessionExpired
from queue_app.server.auth import Desk, Manager, session_of
from queue_app.server.context import Svc, hall_of
from queue_app.server.errors import ErrorResponse, known_query_only
from queue_app.server.idempotency import Keyed
from queue_app.server.public import NO_STORE
from queue_app.server.service import HallService
from queue_app.server.signed_in_first import bearer_token
from queue_app.store import booking_ops
from queue_app.store.bookings import Ban, Booking, Closure
from queue_app.store.staff import Session

router = APIRouter(
    prefix="/api",
    responses={s: {"model": ErrorResponse} for s in (400, 401, 403, 404, 409, 422)},
    dependencies=[Depends(known_query_only)],
)
Code = Annotated[str, Path(pattern=r"^\d{6}$")]
Day = Annotated[str, Query(pattern=r"^\d{4}-\d{2}-\d{2}$"), AfterValidator(calendar_day)]
ClosureId = Annotated[str, Path(pattern=r"^[0-9a-f]{12}$")]
CITIZEN = "citizen"


def _named(svc: HallService, codes: Any) -> list[NamedMatter]:
    return [NamedMatter(code=c, name=svc.names.get(c, c)) for c in codes]


def booking_out(svc: HallService, b: Booking) -> BookingOut:
    return BookingOut(
        code=b.code,
        status=b.status,  # type: ignore[arg-type]
        day=b.day,
        start=b.start,
        end=b.end,
        at=b.at,
        matters=_named(svc, b.matters),
        mobile=b.masked,
        check_in_from=b.check_in_from,
        check_in_until=b.check_in_until,
        ticket=b.ticket_number,
        ticket_token=b.ticket_token,
        page=f"/book/{b.code}",
        qr=f"/api/bookings/{b.code}/qr.svg",
    )


def _closure(c: Closure) -> ClosureOut:
    return ClosureOut(
        id=c.id,
        day=c.day,
        start=c.start,
        scope=c.scope,
        reason=c.reason,
        closed_by=c.closed_by,
        closed_at=c.closed_at,
    )


def _ban(b: Ban) -> BanOut:
    return BanOut(mobile=b.masked, no_shows=b.no_shows, until=b.until)


async def maybe_signed_in(request: Request) -> Session | None:
    """The session of a signed-in caller (a desk or kiosk checking a citizen in), or None
    for a citizen's phone (or an account of another hall: here it is a citizen); an
    unknown or ended token is refused, not taken as a citizen's."""
    hall = hall_of(request.scope)
    if hall.operator is not None:
        return hall.operator
    # read from the header itself: a security dependency would mark these public routes
    # as needing a token in the API's schema
    token = bearer_token(request.scope)
    if token is None:
        return None
    try:
        session = await session_of(hall.service, token)
    except NotYourHall:
        return None
    if session is None:
        raise SessionExpired()
    return session


MaybeSignedIn = Annotated[Session | None, Depends(maybe_signed_in)]


# ------------------------------------------------------------------ citizens
@router.post("/bookings", status_code=201)
async def book(svc: Svc, body: BookIn, key: Keyed, who: MaybeSignedIn) -> BookingOut:
    """Book a slot (``at``: its start, from ``GET /api/book/slots``) for some matters or a
    bundle with a mobile number; the booking with its 6-digit code. Refused: the slot full
    or closed, begun or beyond the horizon, a number holding its bookings of the day
    already, or barred after no-shows."""
    if not body.matters and body.bundle is None:
        raise MatterOrBundle(field="matters")
    actor = who.username if who is not None else CITIZEN
    return await svc.act(
        key,
        201,
        lambda b: booking_out(svc, b),
        booking_ops.book,
        svc.store,
        body.matters,
        body.at,
        body.mobile,
        bundle=body.bundle,
        actor=actor,
    )


@router.post("/bookings/{code}/cancel")
async def cancel_booking(
    svc: Svc, code: Code, body: MobileIn, key: Keyed, who: MaybeSignedIn
) -> BookingOut:
    """Cancel a booking: its mobile number proves it is the citizen's."""
    actor = who.username if who is not None else CITIZEN
    return await svc.act(
        key,
        200,
        lambda b: booking_out(svc, b),
        booking_ops.cancel,
        svc.store,
        code,
        body.mobile,
        actor=actor,
    )


@router.post("/bookings/{code}/move")
async def move_booking(
    svc: Svc, code: Code, body: MoveIn, key: Keyed, who: MaybeSignedIn
) -> BookingOut:
    """Move a booking to another slot (same code); its mobile number proves it."""
    actor = who.username if who is not None else CITIZEN
    return await svc.act(
        key,
        200,
        lambda b: booking_out(svc, b),
        booking_ops.move,
        svc.store,
        code,
        body.mobile,
        body.at,
        actor=actor,
    )


@router.post("/bookings/{code}/check-in", status_code=201)
async def check_in(svc: Svc, code: Code, key: Keyed, who: MaybeSignedIn) -> IssuedOut:
    """The citizen is here: within the check-in window the booking becomes a ticket of
    the appointment class (as ``POST /api/tickets`` answers), its slip printed at the
    caller's station. Refused before the window (``booking_early``), after it
    (``booking_late``: a walk-in ticket instead), or when no longer active."""
    actor = who.username if who is not None else CITIZEN
    station = who.station if who is not None else None
    return await svc.act(
        key,
        201,
        lambda issued: IssuedOut.of(issued, svc.names),
        booking_ops.check_in,
        svc.store,
        code,
        actor=actor,
        station=station,
    )


@router.get("/book/slots")
async def slots(
    svc: Svc,
    matters: Annotated[str | None, Query(max_length=800)] = None,
    bundle: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
) -> SlotsOut:
    """The slots from today to the horizon for some matters (codes, comma-separated) or a
    bundle, each with its places left. 422 ``not_bookable`` when no slot scope of the hall
    covers them."""
    codes = [c.strip() for c in (matters or "").split(",") if c.strip()]
    if not codes and bundle is None:
        raise MatterOrBundle(field="matters")
    found = await svc.read(booking_ops.offer, svc.store, codes, bundle)
    return SlotsOut(
        matters=_named(svc, found.matters),
        scope=found.scope.name,
        days=[
            SlotDayOut(
                day=d.day,
                weekday=d.weekday,
                slots=[
                    SlotOut(
                        start=v.slot.start,
                        end=v.slot.end,
                        at=v.slot.at,
                        capacity=v.capacity,
                        free=v.free,
                        closed=v.closed,
                    )
                    for v in d.slots
                ],
            )
            for d in found.days
        ],
    )


@router.get("/bookings/{code}")
async def booking(svc: Svc, code: Code, response: Response) -> BookingOut:
    """A booking by its code (its number masked)."""
    response.headers.update(NO_STORE)
    return booking_out(svc, await svc.read(booking_ops.booking, svc.store, code))


def booking_url(request: Request, code: str) -> str:
    base = hall_of(request.scope).public_url or str(request.base_url)
    return f"{base.rstrip('/')}/book/{code}"


@router.get(
    "/bookings/{code}/qr.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
async def booking_qr(svc: Svc, request: Request, code: Code) -> Any:
    """The QR code (SVG) of a booking's page (``/book/<code>``), shown at check-in."""
    await svc.read(booking_ops.booking, svc.store, code)  # 404 for an unknown code
    out = io.BytesIO()
    segno.make(booking_url(request, code), error="m").save(
        out, kind="svg", scale=10, border=2, xmldecl=False, svgns=True
    )
    return Response(out.getvalue(), media_type="image/svg+xml", headers=NO_STORE)


# ------------------------------------------------------------------ staff
@router.get("/bookings")
async def day_bookings(svc: Svc, who: Desk, day: Day) -> list[BookingOut]:
    """The bookings of a day, by slot (numbers masked)."""
    found = await svc.read(booking_ops.on_day, svc.store, day)
    return [booking_out(svc, b) for b in found]


@router.post("/book/closures", status_code=201)
async def close_slots(svc: Svc, who: Manager, body: ClosureIn, key: Keyed) -> ClosureOut:
    """Close a slot (``start``) or a whole day (``start`` null) of a scope, or of every
    scope (``scope`` null), to new bookings; bookings made stay."""
    return await svc.act(
        key,
        201,
        _closure,
        booking_ops.close_slots,
        svc.store,
        body.day,
        body.start,
        body.scope,
        body.reason,
        actor=who.username,
    )


@router.get("/book/closures")
async def closures(
    svc: Svc, who: Manager, day: Annotated[str | None, Day] = None
) -> list[ClosureOut]:
    """The closures of a day, or of today and later days."""
    return [_closure(c) for c in await svc.read(booking_ops.closures, svc.store, day)]


@router.delete("/book/closures/{closure_id}")
async def reopen_slots(svc: Svc, who: Manager, closure_id: ClosureId) -> ClosureOut:
    """Reopen what a closure closed."""
    found = await svc.write(booking_ops.reopen, svc.store, closure_id, actor=who.username)
    return _closure(found)


@router.get("/book/bans")
async def bans(svc: Svc, who: Manager) -> list[BanOut]:
    """The numbers barred from booking after no-shows (masked), until when."""
    return [_ban(b) for b in await svc.read(booking_ops.bans, svc.store)]


@router.post("/book/bans/lift")
async def lift_ban(svc: Svc, who: Manager, body: LiftBanIn, key: Keyed) -> BanOut:
    """Lift a number's bar (logged with the manager and the reason)."""
    return await svc.act(
        key,
        200,
        _ban,
        booking_ops.lift_ban,
        svc.store,
        body.mobile,
        body.reason,
        actor=who.username,
    )
