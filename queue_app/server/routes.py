"""The HTTP API: every store operation, and the reads the terminals need."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials

from queue_app.api_models import (
    CallOut,
    CloseDayIn,
    CloseDayOut,
    CountsOut,
    DomainWaitsOut,
    EventOut,
    ExpectIn,
    FinishIn,
    HitOut,
    IssuedOut,
    IssueIn,
    NoticeIn,
    NoticeOut,
    OpenLateIn,
    OpenLateOut,
    ParkIn,
    PauseIn,
    ProfileChoice,
    ProfileIn,
    QueueSeriesOut,
    RaterOut,
    RaterVisitOut,
    RatingIn,
    RatingOut,
    ReasonIn,
    ReferralsOut,
    StaffingOut,
    TargetsIn,
    TicketOut,
    TransferIn,
    UnparkIn,
    WindowOut,
    WindowStateOut,
    WindowStatsOut,
)
from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall, Targets
from queue_app.domain.profiles import WindowProfile, layout_profiles
from queue_app.domain.rating import Channel
from queue_app.domain.refusals import OutcomeOrOutcomes, UnsupportedFilter
from queue_app.domain.ticket import Status, Ticket
from queue_app.domain.window_state import WindowState
from queue_app.server.auth import (
    Desk,
    Issuer,
    Manager,
    Operator,
    Rater,
    RaterOrOperator,
    SignedIn,
    bearer,
    session_of,
)
from queue_app.server.context import Svc, hall_of
from queue_app.server.errors import ErrorResponse, known_query_only
from queue_app.server.event_stream import EventStream
from queue_app.server.idempotency import REPLAYED, Keyed
from queue_app.server.service import HallService
from queue_app.store import Issued, Store
from queue_app.store.idempotency import Replay
from queue_app.store.settings import Notice
from queue_app.store.staff import Role
from queue_app.store.uow import EventInfo

ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorResponse} for s in (400, 401, 403, 404, 409, 422)
}
api = APIRouter(prefix="/api", responses=ERRORS, dependencies=[Depends(known_query_only)])


WindowNo = Annotated[int, Path(ge=1, le=999)]


def _out(svc: HallService, t: Ticket) -> TicketOut:
    return TicketOut.of(t, svc.names)


# Changes first: a request is matched against the routes in order, and changes are
# the hall's busiest requests.
# ----------------------------------------------------------------- desk
@api.post("/tickets", status_code=201)
async def issue(svc: Svc, who: Issuer, body: IssueIn, key: Keyed, response: Response) -> IssuedOut:
    """Issue a ticket; its slip's people ahead and wait are read after the change (a
    replayed issue reads them again: they are as of now). Issued at a station with a
    printer, its slip is queued there in the same transaction (``GET /api/printers``)."""

    made: list[Issued] = []

    def out(issued: Issued) -> IssuedOut:
        made.append(issued)
        return IssuedOut.of(issued, svc.names)

    try:
        issued = await svc.act(
            key,
            201,
            out,
            svc.store.issue,
            body.matters,
            bundle=body.bundle,
            priority=body.priority,
            appointment_at=body.appointment_at,
            actor=who.username,
            slip=False,
            station=who.station,
            mobile=body.mobile,
        )
    except Replay as r:
        if r.stored.status_code != 201:
            raise
        issued = IssuedOut.model_validate_json(r.stored.body)
        t = await svc.read(svc.store.ticket_by_token, issued.token)
        if t is not None and t.status is Status.WAITING:
            s = await svc.read(svc.store.slip, t)
            issued = issued.model_copy(
                update={"ahead": s.ahead, "estimated_wait_minutes": s.wait_minutes}
            )
        response.headers[REPLAYED] = "true"
        return issued
    # the slip's figures are reads: off the (SQLite) writer, which the next change needs
    s = await svc.read(svc.store.slip, made[-1].ticket)
    return issued.model_copy(update={"ahead": s.ahead, "estimated_wait_minutes": s.wait_minutes})


@api.post("/tickets/{number}/cancel")
async def cancel(
    svc: Svc, who: Desk, number: str, key: Keyed, body: ReasonIn | None = None
) -> TicketOut:
    reason = body.reason if body else ""
    return await svc.act(
        key, 200, _outer(svc), svc.store.cancel, number, actor=who.username, reason=reason
    )


@api.post("/tickets/{number}/requeue")
async def requeue(svc: Svc, who: Desk, number: str, key: Keyed) -> TicketOut:
    return await svc.act(key, 200, _outer(svc), svc.store.requeue, number, actor=who.username)


@api.post("/tickets/{number}/unpark")
async def unpark(svc: Svc, who: Desk, number: str, key: Keyed) -> TicketOut:
    """补材料: the citizen is back with the material: the parked ticket waits again, held
    for the window it was parked at, which calls it before anything else (that window
    closed: in the line at its old place)."""
    return await svc.act(key, 200, _outer(svc), svc.store.unpark, number, actor=who.username)


# ----------------------------------------------------------------- window
@api.post("/windows/{window}/call-next")
async def call_next(svc: Svc, who: Operator, window: WindowNo, key: Keyed) -> CallOut:
    def out(t: Ticket | None) -> CallOut:
        return CallOut(ticket=_out(svc, t) if t else None)

    return await svc.act(key, 200, out, svc.store.call_next, window, actor=who.username)


@api.post("/windows/{window}/recall")
async def recall(
    svc: Svc, who: Operator, window: WindowNo, key: Keyed, body: ExpectIn | None = None
) -> TicketOut:
    number = body.ticket if body else None
    return await svc.act(
        key, 200, _outer(svc), svc.store.recall, window, actor=who.username, number=number
    )


@api.post("/windows/{window}/start")
async def start(
    svc: Svc, who: Operator, window: WindowNo, key: Keyed, body: ExpectIn | None = None
) -> TicketOut:
    number = body.ticket if body else None
    return await svc.act(
        key, 200, _outer(svc), svc.store.start, window, actor=who.username, number=number
    )


@api.post("/windows/{window}/finish")
async def finish(
    svc: Svc, who: Operator, window: WindowNo, body: FinishIn, key: Keyed
) -> TicketOut:
    if (body.outcome is None) == (body.outcomes is None):
        raise OutcomeOrOutcomes()
    given = body.outcome if body.outcome is not None else body.outcomes
    return await svc.act(
        key,
        200,
        _outer(svc),
        svc.store.finish,
        window,
        given,
        actor=who.username,
        number=body.ticket,
    )


@api.post("/windows/{window}/transfer")
async def transfer(
    svc: Svc, who: Operator, window: WindowNo, body: TransferIn, key: Keyed
) -> TicketOut:
    return await svc.act(
        key,
        200,
        _outer(svc),
        svc.store.transfer,
        window,
        to_window=body.to_window,
        to_domain=body.to_domain,
        reason=body.reason,
        actor=who.username,
        number=body.ticket,
    )


@api.post("/windows/{window}/no-show")
async def no_show(
    svc: Svc, who: Operator, window: WindowNo, key: Keyed, body: ExpectIn | None = None
) -> TicketOut:
    number = body.ticket if body else None
    return await svc.act(
        key, 200, _outer(svc), svc.store.no_show, window, actor=who.username, number=number
    )


@api.post("/windows/{window}/park")
async def park(
    svc: Svc, who: Operator, window: WindowNo, key: Keyed, body: ParkIn | None = None
) -> TicketOut:
    """补材料: the ticket being served waits while its citizen fetches a missing material
    (``note``: what); the window is free for the next one, the ticket keeps it."""
    note = body.note if body else ""
    number = body.ticket if body else None
    return await svc.act(
        key, 200, _outer(svc), svc.store.park, window, note, actor=who.username, number=number
    )


@api.post("/windows/{window}/unpark")
async def unpark_here(
    svc: Svc, who: Operator, window: WindowNo, body: UnparkIn, key: Keyed
) -> TicketOut:
    """The clerk un-parks a ticket parked at its own window: it is called here next."""
    return await svc.act(
        key,
        200,
        _outer(svc),
        svc.store.unpark,
        body.ticket,
        actor=who.username,
        window=window,
    )


@api.post("/windows/{window}/rating")
async def rate(
    svc: Svc, who: RaterOrOperator, window: WindowNo, body: RatingIn, key: Keyed
) -> TicketOut:
    """A 好差评 (5 非常满意 … 1 非常不满意; the two lowest with their ``reasons``) of a
    visit finished here today, once per visit. The window's 评价器 rates the visit
    finished here last (the citizen's own); a clerk or manager enters a 代评 for the
    citizen, only at a window without a 评价器 (403 ``rater_here`` otherwise)."""
    channel = Channel.DEVICE if who.role is Role.RATER else Channel.STAFF
    return await svc.act(
        key,
        200,
        _outer(svc),
        svc.store.rate,
        window,
        body.ticket,
        body.level,
        actor=who.username,
        reasons=body.reasons,
        channel=channel,
    )


@api.post("/windows/{window}/open")
async def open_window(svc: Svc, who: Operator, window: WindowNo, key: Keyed) -> WindowStateOut:
    return await svc.act(key, 200, _state, svc.store.open_window, window, actor=who.username)


@api.post("/windows/{window}/close")
async def close_window(svc: Svc, who: Operator, window: WindowNo, key: Keyed) -> WindowStateOut:
    return await svc.act(key, 200, _state, svc.store.close_window, window, actor=who.username)


@api.post("/windows/{window}/profile")
async def set_profile(
    svc: Svc, who: Manager, window: WindowNo, body: ProfileIn, key: Keyed
) -> WindowProfile:
    """Change what a window serves (no profile: back to the layout file's); refused when a
    waiting ticket would be left with no window to call it."""
    return await svc.act(
        key, 200, _same, svc.store.set_profile, window, body.profile, actor=who.username
    )


@api.post("/windows/{window}/pause")
async def pause(
    svc: Svc, who: Operator, window: WindowNo, body: PauseIn, key: Keyed
) -> WindowStateOut:
    return await svc.act(
        key,
        200,
        _state,
        svc.store.pause,
        window,
        body.reason,
        actor=who.username,
    )


@api.post("/windows/{window}/resume")
async def resume(svc: Svc, who: Operator, window: WindowNo, key: Keyed) -> WindowStateOut:
    return await svc.act(key, 200, _state, svc.store.resume, window, actor=who.username)


# ----------------------------------------------------------------- day
@api.post("/day/close")
async def close_day(
    svc: Svc, who: Manager, key: Keyed, body: CloseDayIn | None = None
) -> CloseDayOut:
    """Close today (or a past ``day``): what is still open expires, windows are freed."""
    force = body.force if body else False
    day = body.day if body else None
    return await svc.act(
        key,
        200,
        lambda r: CloseDayOut(**r),
        svc.store.close_day,
        actor=who.username,
        force=force,
        day=day,
    )


@api.post("/day/open-late")
async def open_late(svc: Svc, who: Manager, body: OpenLateIn, key: Keyed) -> OpenLateOut:
    """Keep issuing open after the hall's hours today, until ``until`` (null: the hours)."""
    return await svc.act(
        key,
        200,
        lambda u: OpenLateOut(until=u),
        svc.store.open_late,
        body.until,
        actor=who.username,
    )


# ----------------------------------------------------------------- reads
@api.get("/health")
async def health(svc: Svc, request: Request) -> dict[str, str]:
    """The server is up: its hall, business day, and the base URL of the pages a citizen's
    phone opens (``public_url``, when the server was given one: ``serve --public-url``)."""
    said = {"status": "ok", "hall": svc.store.hall.hall.name, "day": svc.store.today()}
    public_url = hall_of(request.scope).public_url
    if public_url:
        said["public_url"] = public_url
    return said


@api.get("/hall")
async def hall_layout(svc: Svc) -> Hall:
    """The hall in effect: the layout file with today's changes (what windows serve, the
    targets); a ``hall_changed`` event says when to fetch it again. Public: a printer shows
    only its kind of device (tcp, usb, file), not its address (``/api/printers`` has it), a
    notices' sender only its scheme (``/api/notices/summary`` has its address)."""
    hall = await svc.read(svc.store.hall_in_effect)
    kinds = {
        n: p.model_copy(update={"device": p.device.split(":", 1)[0]})
        for n, p in hall.printers.items()
    }
    hidden = {
        n: s.model_copy(update={"url": s.url.split(":", 1)[0] + "://hidden"})
        for n, s in hall.notices.senders.items()
    }
    notices = hall.notices.model_copy(update={"senders": hidden})
    return hall.model_copy(update={"printers": kinds, "notices": notices})


@api.get("/hall/profiles")
async def hall_profiles(svc: Svc) -> list[ProfileChoice]:
    """The profiles a window may be given: the distinct ones of the layout file."""
    return [ProfileChoice(profile=p, windows=ns) for p, ns in layout_profiles(svc.store.hall)]


@api.post("/hall/targets")
async def set_targets(svc: Svc, who: Manager, body: TargetsIn, key: Keyed) -> Targets:
    """Change the wait and service targets (no targets: back to the layout file's)."""
    return await svc.act(key, 200, _same, svc.store.set_targets, body.targets, actor=who.username)


@api.put("/hall/notice")
async def set_notice(svc: Svc, who: Manager, body: NoticeIn, key: Keyed) -> NoticeOut:
    """Set the notice line the hall's boards show (null or blank: none); one line of at
    most 60 characters. Boards hear ``notice_changed`` and read /api/display again."""

    def out(n: Notice | None) -> NoticeOut:
        if n is None:
            return NoticeOut(text=None, set_at=None, set_by=None)
        return NoticeOut(text=n.text, set_at=n.at, set_by=n.by)

    return await svc.act(key, 200, out, svc.store.set_notice, body.text, actor=who.username)


@api.get("/catalog")
async def catalog(svc: Svc) -> Catalog:
    """The whole catalog: departments, domains, matters with their guides, bundles."""
    return svc.store.catalog


@api.get("/catalog/search")
async def catalog_search(
    svc: Svc,
    q: Annotated[str, Query(min_length=1, max_length=100)],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[HitOut]:
    # on a thread: the first search builds the pinyin index, which takes a while
    hits = await svc.read(lambda: svc.search.search(q, limit))
    return [HitOut(kind=h.kind, code=h.code, name=h.name, score=h.score) for h in hits]


@api.get("/referrals")
async def referrals(svc: Svc) -> ReferralsOut:
    """The matters this hall (as in effect) does not handle, and where each is handled:
    another hall of the city, or a place the city file names. Public: anyone at the hall
    may be told where to go."""
    hall = await svc.read(svc.store.hall_in_effect)
    return ReferralsOut.of(await svc.read(svc.referrals, hall))


@api.get("/tickets")
async def tickets(
    svc: Svc,
    who: SignedIn,
    status: Annotated[Status, Query()] = Status.WAITING,
    window: Annotated[int | None, Query(ge=1, le=999)] = None,
    domain: Annotated[str | None, Query(max_length=40)] = None,
) -> list[TicketOut]:
    """Today's waiting tickets in the order they will be called (optionally only those a
    window may serve, or of a domain); ``status=parked``: the tickets parked now (补材料),
    the longest parked first (optionally those of a window)."""
    if status is Status.PARKED:
        parked = await svc.read(svc.store.parked)
        found = [t for t in parked if window is None or t.window == window]
        return [_out(svc, t) for t in found]
    if status is not Status.WAITING:
        raise UnsupportedFilter()
    found = await svc.read(svc.store.waiting, window=window, domain=domain)
    return [_out(svc, t) for t in found]


@api.get("/tickets/{number}")
async def ticket(
    svc: Svc,
    who: SignedIn,
    number: str,
    day: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
) -> TicketOut:
    return _out(svc, await svc.read(svc.store.ticket, number, day))


@api.get("/tickets/{number}/events")
async def ticket_events(
    svc: Svc,
    who: Manager,
    number: str,
    day: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
) -> list[EventOut]:
    """A ticket's history, oldest first: what happened, at which window, by whom (a
    manager's read: it names the staff)."""
    return [
        EventOut(kind=e.kind, window=e.window, actor=e.actor, at=e.at)
        for e in await svc.read(_history, svc.store, number, day)
    ]


@api.get("/windows/{window}/rater")
async def rater(svc: Svc, who: Rater, window: WindowNo) -> RaterOut:
    """What the window's 评价器 shows: the visit finished here last (and its rating, if
    given), how long to stay awake for it, the server's time."""
    return await svc.read(_rater, svc, window)


def _rater(svc: HallService, window: int) -> RaterOut:
    found = svc.store.rater_visit(window)
    visit = None
    if found is not None:
        t, given = found
        visit = RaterVisitOut(
            number=t.number,
            finished_at=t.finished_at or 0.0,
            rating=RatingOut.of(given) if given else None,
        )
    hall = svc.store.hall
    return RaterOut(
        window=window,
        hall=hall.hall.name,
        awake_seconds=hall.ratings.device_awake_seconds,
        visit=visit,
        now=svc.store.clock(),
    )


@api.get("/windows")
async def windows(svc: Svc, who: SignedIn) -> list[WindowOut]:
    return [WindowOut.of(w, svc.names) for w in await svc.read(svc.store.windows)]


@api.get("/stats/today")
async def stats_today(svc: Svc, who: SignedIn) -> CountsOut:
    return CountsOut(day=svc.store.today(), counts=await svc.read(svc.store.counts))


@api.get("/stats/queue")
async def stats_queue(
    svc: Svc,
    who: SignedIn,
    bucket_minutes: Annotated[int, Query(ge=1, le=120)] = 10,
) -> QueueSeriesOut:
    """The waiting line's length over the day so far, every ``bucket_minutes``."""
    day = svc.store.today()
    start, waiting = await svc.read(svc.store.queue_over_day, day, bucket_minutes * 60.0)
    return QueueSeriesOut(day=day, start=start, bucket_minutes=bucket_minutes, waiting=waiting)


@api.get("/stats/domains")
async def stats_domains(svc: Svc, who: SignedIn) -> DomainWaitsOut:
    """Each domain's mean wait today (issue to first call), over the tickets called so far;
    longest first."""
    return DomainWaitsOut.model_validate(await svc.read(svc.store.domain_waits))


@api.get("/stats/staffing")
async def stats_staffing(svc: Svc, who: SignedIn) -> StaffingOut:
    """Windows needed hour by hour today for a p90 wait within the wait target (Erlang C on
    the arrivals so far and the learned minutes a ticket holds a window), and the windows
    open now with the p90 wait they give the latest hour."""
    return StaffingOut.model_validate(await svc.read(svc.store.staffing))


@api.get("/stats/windows")
async def stats_windows(svc: Svc, who: SignedIn) -> WindowStatsOut:
    """Per window today: served, bundles, mean handling, busy and open time, utilisation,
    ratings; and the load balance across open windows (0 = even)."""
    return WindowStatsOut.model_validate(await svc.read(svc.store.window_stats))


@api.get(
    "/events",
    status_code=200,
    response_class=EventStream,
    responses={200: {"content": {"text/event-stream": {}}}, 503: {"model": ErrorResponse}},
)
async def events(
    svc: Svc,
    request: Request,
    cred: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> EventStream:
    """Server-sent events: a snapshot version on connect, then ticket_issued,
    ticket_called, ticket_changed, queue_changed, window_changed, day_closed; a keepalive
    comment every 15 s. Carries numbers and windows only (no names), to anyone; streams
    without a live sign-in are capped per address and in all, those with one apart:
    past a cap 503 with ``Retry-After``."""
    await svc.start()
    staff = cred is not None and await session_of(svc, cred.credentials) is not None
    address = request.client.host if request.client else None
    return EventStream(svc.events, svc.streams.take(address, staff=staff))


def _history(store: Store, number: str, day: str | None) -> list[EventInfo]:
    t = store.ticket(number, day)
    return store.events(day=t.day, ticket=t.number)


def _state(w: WindowState) -> WindowStateOut:
    return WindowStateOut.model_validate(w)


def _outer(svc: HallService) -> Callable[[Ticket], TicketOut]:
    return lambda t: _out(svc, t)


def _same(x: Any) -> Any:
    return x
