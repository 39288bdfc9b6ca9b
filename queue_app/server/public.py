"""The public reads behind the web pages: the display board and the citizen's status page,
and the optional server-side voice. No sign-in (a wall TV and a citizen's phone have no
account), so they carry ticket numbers, matter names, windows and counts: never a person.
"""

from __future__ import annotations

import re
import subprocess
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import FileResponse

from queue_app.api_models import (
    BoardCall,
    CitizenRatingIn,
    ClassWaiting,
    ClerkOut,
    DisplayOut,
    Look,
    NoShowOut,
    RatingOut,
    ServesOut,
    StatusOut,
    WindowScreenOut,
    WindowStripItem,
)
from queue_app.domain.errors import N_, Text
from queue_app.domain.hall import Serves
from queue_app.domain.public_text import public_name
from queue_app.domain.refusals import NotATicketNumber, NoVoice, UnknownSlip
from queue_app.domain.ticket import STATUS_LABELS, Status
from queue_app.domain.window_state import WindowView
from queue_app.server.context import Svc, hall_of
from queue_app.server.errors import ErrorResponse, known_query_only
from queue_app.server.service import HallService
from queue_app.server.voice import NUMBER, Voice
from queue_app.store import staff

ERRORS: dict[int | str, dict[str, Any]] = {s: {"model": ErrorResponse} for s in (404, 422)}
public = APIRouter(prefix="/api", responses=ERRORS, dependencies=[Depends(known_query_only)])

# the store makes tokens with secrets.token_urlsafe(16): 22 characters of this alphabet
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,32}$")
FINAL = {Status.DONE, Status.CANCELLED, Status.EXPIRED}
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _voice(request: Request) -> Voice:
    return hall_of(request.scope).voice


# ------------------------------------------------------------------ reads
def look(svc: HallService) -> Look:
    hall = svc.store.hall
    return Look(
        hall=hall.hall.name,
        title=hall.display.title or hall.hall.name,
        theme=hall.display.theme.value,
        accent=hall.display.accent,
    )


def _board(svc: HallService, voice: Voice, version: int) -> DisplayOut:
    store = svc.store
    hall = store.hall
    now = store.clock()
    day = store.day_of(now)
    shown = hall.display.windows or [w.number for w in hall.windows]
    # the latest call of each ticket, a recall included: the headline is the newest of them
    read = store.board(hall.display.windows, limit=max(10, len(shown)))
    last_called = {c.ticket: c.at for c in read.calls}
    on_board = [w for w in read.windows if w.number in shown]
    calling = [
        BoardCall(
            ticket=w.ticket.number,
            window=w.number,
            at=last_called.get(w.ticket.number, w.ticket.called_at or 0.0),
        )
        for w in on_board
        if w.state is WindowView.CALLING and w.ticket is not None
    ]
    calling.sort(key=lambda c: -c.at)
    recent = read.calls[:10]
    return DisplayOut(
        look=look(svc),
        speak=hall.display.speak,
        server_voice=voice.available,
        timezone=hall.hall.timezone,
        day=day,
        now=now,
        version=version,
        windows=shown,
        current=calling,
        recent=[
            BoardCall(ticket=c.ticket, window=c.window, at=c.at, recall=c.recall) for c in recent
        ],
        waiting=[
            ClassWaiting(prefix=c.prefix, name=c.name, waiting=read.waiting.get(c.prefix, 0))
            for c in hall.ticket_classes
        ],
        waiting_total=sum(read.waiting.values()),
        strip=[
            WindowStripItem(
                window=w.number, state=w.state, ticket=w.ticket.number if w.ticket else None
            )
            for w in sorted(on_board, key=lambda w: w.number)
        ],
        no_shows=[NoShowOut(ticket=n.ticket, window=n.window, at=n.at) for n in read.no_shows],
        no_show_count=read.no_show_count,
        notice=read.notice.text if read.notice else None,
    )


def _serves(svc: HallService, serves: Serves) -> ServesOut:
    catalog = svc.store.catalog
    departments = catalog.department_by_code
    return ServesOut(
        all=serves.all,
        undifferentiated=serves.undifferentiated,
        domains=list(serves.domains),
        departments=[departments[d].name if d in departments else d for d in serves.departments],
        matters=[svc.names.get(m, m) for m in serves.matters],
    )


def _screen(svc: HallService, number: int, version: int) -> WindowScreenOut:
    store = svc.store
    store.require_window(number)
    hall = store.hall_in_effect()
    info = next(w for w in store.windows() if w.number == number)
    sitting = staff.occupant(store, number)
    full = hall.display.staff_names == "full"
    clerk = (
        ClerkOut(
            name=public_name(sitting.full_name, sitting.display_name, full),
            staff_number=sitting.staff_number,
        )
        if sitting is not None
        else None
    )
    window = hall.window_by_number[number]
    return WindowScreenOut(
        look=look(svc),
        timezone=hall.hall.timezone,
        now=store.clock(),
        version=version,
        window=number,
        name=window.name,
        kind=window.kind,
        state=info.state,
        reason=info.reason,
        ticket=info.ticket.number if info.ticket else None,
        recalls=info.ticket.recalls if info.ticket else 0,
        serves=_serves(svc, window.serves),
        changed=info.changed,
        clerk=clerk,
    )


def _status(svc: HallService, token: str) -> StatusOut:
    store = svc.store
    t = store.ticket_by_token(token)
    if t is None or t.day != store.today():
        raise _no_slip()
    ahead = wait = None
    if t.status is Status.WAITING:
        slip = store.slip(t)
        ahead, wait = slip.ahead, slip.wait_minutes
    classes = {c.prefix: c.name for c in store.hall.ticket_classes}
    bundle = store.catalog.bundle_by_code.get(t.bundle) if t.bundle else None
    at_window = t.status in (Status.CALLED, Status.SERVING)
    given = store.rating(t.id) if t.status is Status.DONE else None
    return StatusOut(
        look=look(svc),
        day=t.day,
        number=t.number,
        class_name=classes.get(t.number.rstrip("0123456789"), ""),
        status=t.status.value,
        status_label=STATUS_LABELS[t.status],
        matters=[svc.names.get(i.matter, i.matter) for i in t.items],
        bundle=bundle.name if bundle else None,
        ahead=ahead,
        estimated_wait_minutes=wait,
        window=t.window if at_window else None,
        target_window=t.target_window if t.status is Status.WAITING else None,
        recalls=t.recalls,
        final=t.status in FINAL,
        now=store.clock(),
        rating=RatingOut.of(given) if given else None,
        can_rate=t.status is Status.DONE and given is None,
    )


def _no_slip() -> UnknownSlip:
    # one answer for a malformed, unknown or old token: it reveals nothing
    return UnknownSlip()


# ------------------------------------------------------------------ routes
@public.get("/display")
async def display(svc: Svc, request: Request, response: Response) -> DisplayOut:
    """The display board: the hall's look, the calls now and the last ten, the waiting
    line by ticket class, the server's time. Public; numbers and windows only."""
    response.headers["Cache-Control"] = "no-store"
    version = svc.events.version  # read first: the board below is at least this new
    return await svc.read(_board, svc, _voice(request), version)


@public.get("/screen/{window}")
async def window_screen(
    svc: Svc, window: Annotated[int, Path(ge=1, le=999)], response: Response
) -> WindowScreenOut:
    """The screen above window ``window``: its name, what it serves now, the number it
    calls or serves, paused and why, who sits there as the hall shows them (a masked name
    or the hall's display name, and the staff number). Public; never a phone or an ID."""
    response.headers["Cache-Control"] = "no-store"
    version = svc.events.version
    return await svc.read(_screen, svc, window, version)


@public.get("/status/{token}")
async def status(svc: Svc, token: str, response: Response) -> StatusOut:
    """A citizen's ticket, by the token of the QR code on the slip: number, matters,
    status, people ahead, estimated wait, the window when called. 404 for an unknown or
    malformed token, or one of another business day."""
    response.headers.update(NO_STORE)
    if not TOKEN.match(token):
        raise _no_slip()
    return await svc.read(_status, svc, token)


@public.post("/status/{token}/rating", responses={s: {"model": ErrorResponse} for s in (400, 409)})
async def rate_visit(svc: Svc, token: str, body: CitizenRatingIn, response: Response) -> StatusOut:
    """The citizen's own 好差评 of a finished visit, by the token of its slip (5 非常满意 …
    1 非常不满意; the two lowest with their ``reasons``): once per visit, whether given
    here or at the window's 评价器 (409 ``already_rated``). The ticket's status after it."""
    response.headers.update(NO_STORE)
    if not TOKEN.match(token):
        raise _no_slip()
    await svc.write(svc.store.rate_by_token, token, body.level, body.reasons)
    return await svc.read(_status, svc, token)


@public.get(
    "/voice/{number}/{window}.wav",
    response_class=FileResponse,
    responses={200: {"content": {"audio/wav": {}}}},
)
async def voice(
    svc: Svc, request: Request, number: str, window: Annotated[int, Path(ge=1, le=999)]
) -> FileResponse:
    """The call of ticket ``number`` to ``window`` spoken in Mandarin (espeak-ng), for displays
    without speech synthesis; 404 when the server has no espeak-ng."""
    v = _voice(request)
    if not v.available:
        raise NoVoice(reason=Text(N_("espeak-ng is not installed")))
    if not NUMBER.match(number):
        raise NotATicketNumber(number=number)
    svc.store.require_window(window)
    try:
        path = await svc.read(v.wav, number, window)
    except (OSError, subprocess.SubprocessError) as exc:  # the page goes on without it
        raise NoVoice(
            reason=Text(N_("espeak-ng failed: {error}"), error=type(exc).__name__)
        ) from None
    return FileResponse(
        path, media_type="audio/wav", headers={"Cache-Control": "public, max-age=86400"}
    )
