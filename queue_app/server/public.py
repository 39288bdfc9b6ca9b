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
    DisplayOut,
    Look,
    RatingOut,
    StatusOut,
)
from queue_app.domain.errors import N_, Text
from queue_app.domain.refusals import NotATicketNumber, NoVoice, UnknownSlip
from queue_app.domain.ticket import STATUS_LABELS, Status
from queue_app.domain.window_state import WindowView
from queue_app.server.context import Svc, hall_of
from queue_app.server.errors import ErrorResponse, known_query_only
from queue_app.server.service import HallService
from queue_app.server.voice import NUMBER, Voice

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
    latest, waiting = store.board(hall.display.windows, limit=max(10, len(shown)))
    last_called = {c.ticket: c.at for c in latest}
    calling = [
        BoardCall(
            ticket=w.ticket.number,
            window=w.number,
            at=last_called.get(w.ticket.number, w.ticket.called_at or 0.0),
        )
        for w in store.windows()
        if w.state is WindowView.CALLING and w.ticket is not None and w.number in shown
    ]
    calling.sort(key=lambda c: -c.at)
    recent = latest[:10]
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
            ClassWaiting(prefix=c.prefix, name=c.name, waiting=waiting.get(c.prefix, 0))
            for c in hall.ticket_classes
        ],
        waiting_total=sum(waiting.values()),
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
