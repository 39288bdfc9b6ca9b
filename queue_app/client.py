"""The typed HTTP client of a hall server; the only way terminals, the command line and
scripts reach a hall.

Every operation is written once, as a method of ``AsyncHallClient``; ``HallClient`` runs the
same methods to their end on a private event loop (a thread of its own), for code that does not
run one. Every POST carries a fresh ``Idempotency-Key``; when the network fails (the server is
restarting, a proxy answers 502/503/504) the client tries again with the same key for up to
``retry_for`` seconds, so the server acts once (a ticket is never issued twice) and the desk
gets its slip. Refusals raise ``ApiError`` with the server's code and messages.
"""

from __future__ import annotations

import asyncio
import functools
import json
import random
import time
import uuid
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Sequence,
)
from contextlib import AbstractAsyncContextManager, ExitStack
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import quote

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from pydantic import TypeAdapter

from queue_app.api_bookings import BanOut, BookingOut, ClosureOut, SlotsOut
from queue_app.api_cases import CaseFiguresOut, CaseOut
from queue_app.api_kiosk import KioskGuideOut, KioskMenuOut
from queue_app.api_models import (
    CallOut,
    CityOut,
    CloseDayOut,
    CountsOut,
    DisplayOut,
    DomainWaitsOut,
    EventOut,
    HitOut,
    IssuedOut,
    NoticeOut,
    OpenLateOut,
    ProfileChoice,
    QueueSeriesOut,
    RaterOut,
    ReferralsOut,
    SeatOut,
    SessionOut,
    SignInLockOut,
    StaffingOut,
    StaffOut,
    StatusOut,
    TicketOut,
    WindowOut,
    WindowScreenOut,
    WindowStateOut,
    WindowStatsOut,
)
from queue_app.api_notices import NoticeSummaryOut, OutboxNoticeOut
from queue_app.api_printing import PrinterOut, PrintJobOut
from queue_app.dashboard_models import DashboardOut
from queue_app.defaults import RETRY_FOR_S
from queue_app.domain.catalog import Catalog
from queue_app.domain.errors import N_, Text
from queue_app.domain.hall import Hall, Targets
from queue_app.domain.profiles import WindowProfile
from queue_app.report_models import ReportOut

R = TypeVar("R")
P = ParamSpec("P")
BACKOFF_START_S, BACKOFF_CAP_S = 0.1, 2.0
GATEWAY_STATUSES = frozenset({502, 503, 504})  # a proxy's: the hall server behind it is away
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)  # never left here
HOPELESS = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)  # a retry fails the same way
STREAM_READ_TIMEOUT_S = 45.0  # above the server's 15 s keepalive
UNREACHABLE = N_("the hall server is unreachable")
UNEXPECTED = N_("unexpected answer from the server")


class ApiError(Exception):
    """A refusal from the server, or ``code="unreachable"`` when there is no answer;
    ``retry_after``: the seconds its ``Retry-After`` asks the client to wait, if any."""

    def __init__(
        self,
        status: int,
        code: str,
        zh: str,
        en: str,
        field: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status, self.code, self.zh, self.en, self.field = status, code, zh, en, field
        self.retry_after = retry_after
        super().__init__(f"{status} {code}: {en}")

    def message(self, lang: str) -> str:
        """The message in ``lang`` (``zh`` or ``en``)."""
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True, slots=True)
class ServerEvent:
    event: str
    data: dict[str, Any]
    id: str | None = None


Read = Callable[[httpx.Response], R]


@functools.cache
def _as(shape: Any) -> Read[Any]:
    """How to read an answer of this shape (a model, a list of models ...) from its JSON."""
    validate = TypeAdapter(shape).validate_python
    return lambda r: validate(r.json() if r.content else None)


def _nothing(_: httpx.Response) -> None:
    return None


def _raw(r: httpx.Response) -> bytes:
    return r.content


def _error(r: httpx.Response) -> ApiError:
    wait = r.headers.get("Retry-After", "")
    retry_after = float(wait) if wait.isdigit() else None
    try:
        e = r.json()["error"]
        return ApiError(
            r.status_code, e["code"], e["message_zh"], e["message_en"], e.get("field"), retry_after
        )
    except (ValueError, KeyError, TypeError):
        return _local(r.status_code, f"http_{r.status_code}", UNEXPECTED, r.text[:200])


def _unreachable(failure: Exception | httpx.Response) -> ApiError:
    reason = (
        f"HTTP {failure.status_code}"
        if isinstance(failure, httpx.Response)
        else failure.__class__.__name__
    )
    return _local(0, "unreachable", UNREACHABLE, reason)


def _local(status: int, code: str, msgid: str, detail: str) -> ApiError:
    """An error of the client's own (the server said nothing it could read) in both
    languages, from the message catalogs; the technical detail goes with the English."""
    from queue_app.i18n import render

    text = Text(msgid)
    return ApiError(status, code, render(text, "zh"), f"{render(text, 'en')}: {detail}")


def _in_progress(r: httpx.Response) -> bool:
    """The server's answer to a retry whose first request it is still handling."""
    if r.status_code != 409:
        return False
    try:
        return bool(r.json()["error"]["code"] == "request_in_progress")
    except (ValueError, KeyError, TypeError):
        return False


class _Tries:
    """When one request is tried again: after a network failure, a proxy's 502/503/504 or
    the server's "still in progress", the same request (the same ``Idempotency-Key``) goes
    again after an exponential back-off with jitter, until ``retry_for`` seconds have passed.
    A POST without a key goes again only when it never left (its connection failed): the
    server may have acted on it."""

    def __init__(self, resendable: bool, retry_for: float) -> None:
        self.resendable = resendable
        self.deadline = time.monotonic() + retry_for
        self.backoff = BACKOFF_START_S

    def after(self, outcome: httpx.Response | httpx.TransportError) -> httpx.Response | float:
        """The response to read, else the seconds to wait before the next try; raises the
        unreachable ``ApiError`` when the call may not be tried again."""
        if isinstance(outcome, httpx.Response) and outcome.status_code not in GATEWAY_STATUSES:
            if not _in_progress(outcome) or (delay := self._delay(outcome)) is None:
                return outcome  # the server's answer (still in progress at the end: so be it)
            return delay
        delay = self._delay(outcome)
        if delay is None:
            raise _unreachable(outcome)
        return delay

    def _delay(self, failure: httpx.Response | httpx.TransportError) -> float | None:
        """Seconds to wait before trying again, or None when the call may not be retried."""
        left = self.deadline - time.monotonic()
        may_resend = self.resendable or isinstance(failure, NOT_SENT)
        if left <= 0 or not may_resend or isinstance(failure, HOPELESS):
            return None
        delay = self.backoff * random.uniform(0.5, 1.0)
        self.backoff = min(2 * self.backoff, BACKOFF_CAP_S)
        return min(delay, left)


def parse_sse(lines: Iterable[str]) -> Iterator[ServerEvent]:
    """Server-sent events from a stream of text lines (comments and retry hints skipped)."""
    event, eid = "message", None
    data: list[str] = []
    for line in lines:
        if line == "":
            if data:
                yield ServerEvent(event, json.loads("\n".join(data)), eid)
            event, data, eid = "message", [], None
        elif line.startswith(":"):
            continue
        else:
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)
            elif name == "id":
                eid = value


class AsyncHallClient:
    """Every operation of the API, once: its request and how its answer is read."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 10.0,
        retry_for: float = RETRY_FOR_S,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url, self.token, self.retry_for = base_url, token, retry_for
        self._timeout, self._transport = timeout, transport
        self.http = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)

    def at(self, path: str) -> AsyncHallClient:
        """A client of another hall of the same server (``path``: "/halls/<code>", as the
        city's view gives it) with this client's token: a city account reads every hall."""
        origin = httpx.URL(self.base_url).copy_with(path="/", query=None, fragment=None)
        return AsyncHallClient(
            str(origin).rstrip("/") + path,
            self.token,
            timeout=self._timeout,
            retry_for=self.retry_for,
            transport=self._transport,
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> AsyncHallClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------ sending
    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def _send(
        self,
        method: str,
        path: str,
        read: Read[R],
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        keyed: bool,
    ) -> R:
        """One request, tried again as ``_Tries`` says; its answer read, or its refusal
        raised. A keyed request carries one ``Idempotency-Key`` through all its tries."""
        headers = self._auth()
        if keyed:
            headers["Idempotency-Key"] = uuid.uuid4().hex
        tries = _Tries(method != "POST" or keyed, self.retry_for)
        outcome: httpx.Response | httpx.TransportError
        while True:
            try:
                outcome = await self.http.request(
                    method, path, json=body, params=params, headers=headers
                )
            except httpx.TransportError as exc:
                outcome = exc
            step = tries.after(outcome)
            if isinstance(step, httpx.Response):
                if step.status_code >= 400:
                    raise _error(step)
                return read(step)
            await asyncio.sleep(step)

    async def _post(self, path: str, read: Read[R], body: Any = None) -> R:
        return await self._send("POST", path, read, body=body, keyed=True)

    async def _get(self, path: str, read: Read[R], **params: Any) -> R:
        query = {k: v for k, v in params.items() if v is not None}
        return await self._send("GET", path, read, params=query or None, keyed=False)

    async def _window(self, window: int, action: str, body: Any = None) -> TicketOut:
        return await self._post(f"/api/windows/{window}/{action}", _as(TicketOut), body)

    async def _window_state(self, window: int, action: str, body: Any = None) -> WindowStateOut:
        return await self._post(f"/api/windows/{window}/{action}", _as(WindowStateOut), body)

    # ------------------------------------------------------------ accounts
    async def sign_in(
        self,
        username: str,
        password: str,
        window: int | None = None,
        station: str | None = None,
    ) -> SessionOut:
        """Sign in; a clerk at its ``window``, a desk or kiosk at its ``station`` of the hall
        file (the slips of the tickets it issues print at the station's printer)."""
        body: dict[str, Any] = {"username": username, "password": password, "window": window}
        if station is not None:
            body["station"] = station
        s: SessionOut = await self._send(
            "POST", "/api/auth/sign-in", _as(SessionOut), body=body, keyed=False
        )
        self.token = s.token
        return s

    async def sign_out(self) -> None:
        """End this client's session (its token stops working)."""
        await self._post("/api/auth/sign-out", _nothing)
        self.token = None

    async def me(self) -> SessionOut:
        return await self._get("/api/auth/me", _as(SessionOut))

    async def staff(self) -> list[StaffOut]:
        """Every staff account (a manager's read)."""
        return await self._get("/api/staff", _as(list[StaffOut]))

    async def sign_in_locks(self) -> list[SignInLockOut]:
        """Account names and addresses locked out after failed sign-ins (a manager's read)."""
        return await self._get("/api/staff/locks", _as(list[SignInLockOut]))

    async def set_staff_windows(self, username: str, windows: list[int] | None) -> StaffOut:
        """The windows an account may sit at from now on (None: any); a manager's change."""
        return await self._post(
            f"/api/staff/{quote(username, safe='')}/windows", _as(StaffOut), {"windows": windows}
        )

    async def edit_staff(self, username: str, changes: dict[str, str | None]) -> StaffOut:
        """Change an account's ``full_name``, ``staff_number`` or ``display_name`` (the keys
        given; None clears the number or the display name); a manager's change."""
        return await self._send(
            "PATCH",
            f"/api/staff/{quote(username, safe='')}",
            _as(StaffOut),
            body=changes,
            keyed=False,
        )

    async def seats(self) -> list[SeatOut]:
        """Who sits at which window now (a manager's read)."""
        return await self._get("/api/seats", _as(list[SeatOut]))

    async def release_seat(self, window: int) -> SeatOut:
        """End the session sitting at ``window`` so another may sit there; who sat there."""
        return await self._post(f"/api/seats/{window}/release", _as(SeatOut))

    # ------------------------------------------------------------ the hall
    async def health(self) -> dict[str, str]:
        return await self._get("/api/health", _as(dict[str, str]))

    async def hall(self) -> Hall:
        return await self._get("/api/hall", _as(Hall))

    async def hall_profiles(self) -> list[ProfileChoice]:
        return await self._get("/api/hall/profiles", _as(list[ProfileChoice]))

    async def set_profile(self, window: int, profile: WindowProfile | None) -> WindowProfile:
        """Change what ``window`` serves; None restores the layout file's profile."""
        body = {"profile": profile.model_dump(mode="json") if profile else None}
        return await self._post(f"/api/windows/{window}/profile", _as(WindowProfile), body)

    async def set_targets(self, targets: Targets | None) -> Targets:
        """Change the hall's targets; None restores the layout file's."""
        body = {"targets": targets.model_dump(mode="json") if targets else None}
        return await self._post("/api/hall/targets", _as(Targets), body)

    async def set_notice(self, text: str | None) -> NoticeOut:
        """Set the notice line of the hall's boards; None or blank clears it."""
        return await self._send(
            "PUT", "/api/hall/notice", _as(NoticeOut), body={"text": text}, keyed=False
        )

    async def catalog(self) -> Catalog:
        return await self._get("/api/catalog", _as(Catalog))

    async def search(self, q: str, limit: int = 10) -> list[HitOut]:
        return await self._get("/api/catalog/search", _as(list[HitOut]), q=q, limit=limit)

    async def city(self) -> CityOut:
        """Every hall of the server side by side (a city account's)."""
        return await self._get("/api/city", _as(CityOut))

    async def referrals(self) -> ReferralsOut:
        """The matters this hall does not handle, and where each is handled instead."""
        return await self._get("/api/referrals", _as(ReferralsOut))

    async def kiosk_menu(self) -> KioskMenuOut:
        """The kiosk's big buttons by theme (个人, 企业, 一件事), best first."""
        return await self._get("/api/kiosk/menu", _as(KioskMenuOut))

    async def kiosk_guide(
        self, matter: str | None = None, bundle: str | None = None
    ) -> KioskGuideOut:
        """A matter's or a bundle's guide before issuing (give one of them)."""
        return await self._get("/api/kiosk/guide", _as(KioskGuideOut), matter=matter, bundle=bundle)

    async def slip_qr(self, token: str) -> bytes:
        """The QR code (SVG) of a slip's status page."""
        return await self._get(f"/api/status/{token}/qr.svg", _raw)

    # ------------------------------------------------------------ tickets
    async def issue(
        self,
        matters: Iterable[str] = (),
        *,
        bundle: str | None = None,
        priority: str | None = None,
        appointment_at: float | None = None,
        mobile: str | None = None,
    ) -> IssuedOut:
        """Issue a ticket; ``mobile``: the citizen's number for the notices."""
        body = {
            "matters": list(matters),
            "bundle": bundle,
            "priority": priority,
            "appointment_at": appointment_at,
        }
        if mobile:
            body["mobile"] = mobile
        return await self._post("/api/tickets", _as(IssuedOut), body)

    async def tickets(
        self, window: int | None = None, domain: str | None = None, status: str | None = None
    ) -> list[TicketOut]:
        """Today's waiting tickets in call order; ``status="parked"``: those parked now
        (补材料), the longest parked first (of ``window``, if given)."""
        return await self._get(
            "/api/tickets", _as(list[TicketOut]), window=window, domain=domain, status=status
        )

    async def ticket(self, number: str, day: str | None = None) -> TicketOut:
        return await self._get(f"/api/tickets/{number}", _as(TicketOut), day=day)

    async def history(self, number: str, day: str | None = None) -> list[EventOut]:
        """A ticket's history, oldest first, with who acted (a manager's read)."""
        return await self._get(f"/api/tickets/{number}/events", _as(list[EventOut]), day=day)

    async def cancel(self, number: str, reason: str = "") -> TicketOut:
        return await self._post(f"/api/tickets/{number}/cancel", _as(TicketOut), {"reason": reason})

    async def requeue(self, number: str) -> TicketOut:
        return await self._post(f"/api/tickets/{number}/requeue", _as(TicketOut))

    async def notices(self, state: str = "dead", limit: int = 50) -> list[OutboxNoticeOut]:
        """The notices in ``state`` (dead letters by default), numbers masked (a manager's)."""
        return await self._get("/api/notices", _as(list[OutboxNoticeOut]), state=state, limit=limit)

    async def notice_summary(self) -> NoticeSummaryOut:
        """The notices waiting, the dead letters, the last error, the senders."""
        return await self._get("/api/notices/summary", _as(NoticeSummaryOut))

    async def retry_notice(self, notice: str) -> OutboxNoticeOut:
        """Send a dead letter again."""
        path = f"/api/notices/{quote(notice, safe='')}/retry"
        return await self._post(path, _as(OutboxNoticeOut))

    async def printers(self) -> list[PrinterOut]:
        """The slip printers and their states (a desk's and a manager's read)."""
        return await self._get("/api/printers", _as(list[PrinterOut]))

    async def reprint(self, number: str, printer: str | None = None) -> PrintJobOut:
        """Print ticket ``number``'s slip again: at ``printer``, else at the session's
        station's printer."""
        body = {"printer": printer} if printer is not None else None
        return await self._post(f"/api/tickets/{number}/print", _as(PrintJobOut), body)

    async def unpark(self, number: str) -> TicketOut:
        """补材料: the citizen is back; its window calls the ticket next (the desk's)."""
        return await self._post(f"/api/tickets/{number}/unpark", _as(TicketOut))

    async def slip_status(self, token: str) -> StatusOut:
        """A ticket as its citizen's status page shows it (the slip's token)."""
        return await self._get(f"/api/status/{token}", _as(StatusOut))

    async def rate_visit(self, token: str, level: int, reasons: Sequence[str] = ()) -> StatusOut:
        """The citizen's own 好差评 of a finished visit, by its slip's token."""
        body = {"level": level, "reasons": list(reasons)}
        return await self._post(f"/api/status/{token}/rating", _as(StatusOut), body)

    # ------------------------------------------------------------ windows
    async def windows(self) -> list[WindowOut]:
        return await self._get("/api/windows", _as(list[WindowOut]))

    async def call_next(self, window: int) -> TicketOut | None:
        called: CallOut = await self._post(f"/api/windows/{window}/call-next", _as(CallOut))
        return called.ticket

    async def recall(self, window: int, ticket: str | None = None) -> TicketOut:
        return await self._window(window, "recall", {"ticket": ticket})

    async def start(self, window: int, ticket: str | None = None) -> TicketOut:
        return await self._window(window, "start", {"ticket": ticket})

    async def finish(
        self,
        window: int,
        outcome: str | None = None,
        outcomes: dict[str, str] | None = None,
        ticket: str | None = None,
    ) -> TicketOut:
        body = {"outcome": outcome, "outcomes": outcomes, "ticket": ticket}
        return await self._window(window, "finish", body)

    async def transfer(
        self,
        window: int,
        *,
        to_window: int | None = None,
        to_domain: str | None = None,
        reason: str = "",
        ticket: str | None = None,
    ) -> TicketOut:
        body = {"to_window": to_window, "to_domain": to_domain, "reason": reason, "ticket": ticket}
        return await self._window(window, "transfer", body)

    async def no_show(self, window: int, ticket: str | None = None) -> TicketOut:
        return await self._window(window, "no-show", {"ticket": ticket})

    async def park(self, window: int, note: str = "", ticket: str | None = None) -> TicketOut:
        """补材料: the ticket being served waits while its citizen fetches ``note``."""
        return await self._window(window, "park", {"note": note, "ticket": ticket})

    async def unpark_here(self, window: int, ticket: str) -> TicketOut:
        """A ticket parked at this window is back: called here next (the clerk's)."""
        return await self._window(window, "unpark", {"ticket": ticket})

    async def rate(
        self, window: int, ticket: str, level: int, reasons: Sequence[str] = ()
    ) -> TicketOut:
        """A 好差评 (5 非常满意 … 1 非常不满意, the two lowest with their ``reasons``) of a
        visit finished here: the 评价器's own, or a clerk's 代评 where the window has no
        评价器."""
        body = {"ticket": ticket, "level": level, "reasons": list(reasons)}
        return await self._window(window, "rating", body)

    async def rater(self, window: int) -> RaterOut:
        """What window ``window``'s 评价器 shows: the visit finished there last."""
        return await self._get(f"/api/windows/{window}/rater", _as(RaterOut))

    async def open_window(self, window: int) -> WindowStateOut:
        return await self._window_state(window, "open")

    async def close_window(self, window: int) -> WindowStateOut:
        return await self._window_state(window, "close")

    async def pause(self, window: int, reason: str) -> WindowStateOut:
        return await self._window_state(window, "pause", {"reason": reason})

    async def resume(self, window: int) -> WindowStateOut:
        return await self._window_state(window, "resume")

    # ------------------------------------------------------------ the day
    async def close_day(self, force: bool = False, day: str | None = None) -> CloseDayOut:
        return await self._post("/api/day/close", _as(CloseDayOut), {"force": force, "day": day})

    async def open_late(self, until: float | None) -> OpenLateOut:
        return await self._post("/api/day/open-late", _as(OpenLateOut), {"until": until})

    # ------------------------------------------------------------ figures
    async def stats(self) -> CountsOut:
        return await self._get("/api/stats/today", _as(CountsOut))

    async def window_stats(self) -> WindowStatsOut:
        return await self._get("/api/stats/windows", _as(WindowStatsOut))

    async def report(self, by: str, first: str, last: str) -> ReportOut:
        """The figures of days ``first`` to ``last`` by ``by`` (hall, window, clerk,
        department, matter, domain, class, hour), against the period before."""
        params = {"from": first, "to": last}
        return await self._get(f"/api/reports/{by}", _as(ReportOut), **params)

    async def report_workbook(self, first: str, last: str, lang: str = "zh") -> bytes:
        """Days ``first`` to ``last`` as the hall's Excel workbook (日报, 周报, 月报 …), in
        ``lang`` (zh or en)."""
        params = {"from": first, "to": last, "lang": lang}
        return await self._get("/api/reports.xlsx", _raw, **params)

    async def domain_waits(self) -> DomainWaitsOut:
        return await self._get("/api/stats/domains", _as(DomainWaitsOut))

    async def staffing(self) -> StaffingOut:
        return await self._get("/api/stats/staffing", _as(StaffingOut))

    async def queue_series(self, bucket_minutes: int = 10) -> QueueSeriesOut:
        return await self._get(
            "/api/stats/queue", _as(QueueSeriesOut), bucket_minutes=bucket_minutes
        )

    # ------------------------------------------------------------ bookings (预约)
    async def book_slots(self, matters: Iterable[str] = (), bundle: str | None = None) -> SlotsOut:
        """The slots from today to the horizon for some matters or a bundle."""
        codes = ",".join(matters) or None
        return await self._get("/api/book/slots", _as(SlotsOut), matters=codes, bundle=bundle)

    async def book(
        self, matters: Iterable[str], at: float, mobile: str, bundle: str | None = None
    ) -> BookingOut:
        """Book the slot starting at ``at`` with a mobile number; the booking (its code)."""
        body = {"matters": list(matters), "bundle": bundle, "at": at, "mobile": mobile}
        return await self._post("/api/bookings", _as(BookingOut), body)

    async def booking(self, code: str) -> BookingOut:
        return await self._get(f"/api/bookings/{code}", _as(BookingOut))

    async def booking_qr(self, code: str) -> bytes:
        """The QR code (SVG) of a booking's page."""
        return await self._get(f"/api/bookings/{code}/qr.svg", _raw)

    async def cancel_booking(self, code: str, mobile: str) -> BookingOut:
        return await self._post(f"/api/bookings/{code}/cancel", _as(BookingOut), {"mobile": mobile})

    async def move_booking(self, code: str, mobile: str, at: float) -> BookingOut:
        body = {"mobile": mobile, "at": at}
        return await self._post(f"/api/bookings/{code}/move", _as(BookingOut), body)

    async def check_in(self, code: str) -> IssuedOut:
        """Check booking ``code`` in: its ticket (the slip at this session's station)."""
        return await self._post(f"/api/bookings/{code}/check-in", _as(IssuedOut))

    async def bookings(self, day: str) -> list[BookingOut]:
        """The bookings of ``day`` (a desk's or manager's read; numbers masked)."""
        return await self._get("/api/bookings", _as(list[BookingOut]), day=day)

    async def close_slots(
        self, day: str, start: str | None = None, scope: str | None = None, reason: str = ""
    ) -> ClosureOut:
        """Close a slot (``start``) or the whole day, of a scope or of all, to bookings."""
        body = {"day": day, "start": start, "scope": scope, "reason": reason}
        return await self._post("/api/book/closures", _as(ClosureOut), body)

    async def closures(self, day: str | None = None) -> list[ClosureOut]:
        return await self._get("/api/book/closures", _as(list[ClosureOut]), day=day)

    async def reopen_slots(self, closure_id: str) -> ClosureOut:
        return await self._send(
            "DELETE", f"/api/book/closures/{closure_id}", _as(ClosureOut), keyed=False
        )

    async def bans(self) -> list[BanOut]:
        """The numbers barred from booking after no-shows (masked)."""
        return await self._get("/api/book/bans", _as(list[BanOut]))

    async def lift_ban(self, mobile: str, reason: str) -> BanOut:
        body = {"mobile": mobile, "reason": reason}
        return await self._post("/api/book/bans/lift", _as(BanOut), body)

    # ------------------------------------------------------------ 好差评 cases
    async def cases(
        self, show: str = "open", first: str | None = None, last: str | None = None
    ) -> list[CaseOut]:
        """The cases of poor ratings: ``open``, ``overdue`` or ``all``, opened from ``first``
        to ``last`` when given (a manager's read)."""
        return await self._get("/api/cases", _as(list[CaseOut]), show=show, first=first, last=last)

    async def case(self, case_id: int) -> CaseOut:
        return await self._get(f"/api/cases/{case_id}", _as(CaseOut))

    async def case_figures(
        self, first: str | None = None, last: str | None = None
    ) -> CaseFiguresOut:
        """The cases opened in a period (default: this month so far): 回访率, 整改率 …"""
        return await self._get("/api/stats/cases", _as(CaseFiguresOut), first=first, last=last)

    async def _case(self, case_id: int, step: str, body: dict[str, Any]) -> CaseOut:
        return await self._post(f"/api/cases/{case_id}/{step}", _as(CaseOut), body)

    async def assign_case(self, case_id: int, assignee: str) -> CaseOut:
        """Give the case's return visit to the manager account ``assignee``."""
        return await self._case(case_id, "assign", {"assignee": assignee})

    async def visit_case(self, case_id: int, result: str, rectify: bool) -> CaseOut:
        """The return visit's finding, and whether it calls for rectification."""
        return await self._case(case_id, "visit", {"result": result, "rectify": rectify})

    async def rectify_case(self, case_id: int, note: str) -> CaseOut:
        return await self._case(case_id, "rectify", {"note": note})

    async def answer_case(self, case_id: int, note: str) -> CaseOut:
        """The feedback to the citizen (反馈); the case closes."""
        return await self._case(case_id, "feedback", {"note": note})

    async def appeal_case(self, case_id: int, reason: str) -> CaseOut:
        return await self._case(case_id, "appeal", {"reason": reason})

    async def decide_case(self, case_id: int, upheld: bool, note: str) -> CaseOut:
        """The review of the appeal; upheld sets the rating aside."""
        return await self._case(case_id, "decide", {"upheld": upheld, "note": note})

    # ------------------------------------------------------------ public
    async def display(self) -> DisplayOut:
        """The display board's figures (public: numbers and windows only)."""
        return await self._get("/api/display", _as(DisplayOut))

    async def window_screen(self, window: int) -> WindowScreenOut:
        """What the screen above ``window`` shows (public: no phone, no ID, a masked name)."""
        return await self._get(f"/api/screen/{window}", _as(WindowScreenOut))

    async def dashboard(self) -> DashboardOut:
        """The hall's big screen: the line by domain, the windows, today, the last 30 days
        (public: counts, ticket numbers and window names only)."""
        return await self._get("/api/dashboard", _as(DashboardOut))

    async def voice(self, number: str, window: int) -> bytes:
        """The call of ``number`` to ``window`` spoken, as a WAV file (when the server can)."""
        return await self._get(f"/api/voice/{number}/{window}.wav", _raw)

    async def events(self) -> AsyncGenerator[ServerEvent, None]:
        """The live event stream (a snapshot first); ends when the server closes it."""
        timeout = httpx.Timeout(10.0, read=STREAM_READ_TIMEOUT_S)
        try:
            async with self.http.stream(
                "GET", "/api/events", timeout=timeout, headers=self._auth()
            ) as r:
                if r.status_code >= 400:
                    await r.aread()
                    raise _error(r)
                lines: list[str] = []
                async for line in r.aiter_lines():
                    lines.append(line)
                    if line == "":
                        for ev in parse_sse(lines):
                            yield ev
                        lines = []
        except httpx.TransportError as exc:
            raise _unreachable(exc) from None


def _blocking(
    op: Callable[Concatenate[AsyncHallClient, P], Awaitable[R]],
) -> Callable[Concatenate[HallClient, P], R]:
    """``AsyncHallClient``'s ``op`` as a method of ``HallClient``: run to its end on the
    client's event loop, its answer returned and its refusal raised here."""

    def run(self: HallClient, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return self._portal.call(functools.partial(op, self.core, *args, **kwargs))

    functools.update_wrapper(run, op)
    return run


async def _next(stream: AsyncIterator[ServerEvent]) -> ServerEvent | None:
    try:
        return await anext(stream)
    except StopAsyncIteration:
        return None


class HallClient:
    """The same operations for code without an event loop (command line, scripts, tests):
    each runs ``AsyncHallClient``'s on an event loop of this client's own thread."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 10.0,
        retry_for: float = RETRY_FOR_S,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        core = AsyncHallClient(
            base_url, token, timeout=timeout, retry_for=retry_for, transport=transport
        )
        self._enter(core)

    def _enter(self, core: AbstractAsyncContextManager[AsyncHallClient]) -> None:
        self._exits = ExitStack()
        try:
            self._portal: BlockingPortal = self._exits.enter_context(start_blocking_portal())
            self.core = self._exits.enter_context(self._portal.wrap_async_context_manager(core))
        except BaseException:
            self._exits.close()
            raise

    def at(self, path: str) -> HallClient:
        """A client of another hall of the same server with this client's token (see
        ``AsyncHallClient.at``)."""
        other = object.__new__(HallClient)
        other._enter(self.core.at(path))
        return other

    def close(self) -> None:
        """Close the core client (and whatever its context holds) and stop the thread."""
        self._exits.close()

    def __enter__(self) -> HallClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    sign_in = _blocking(AsyncHallClient.sign_in)
    sign_out = _blocking(AsyncHallClient.sign_out)
    me = _blocking(AsyncHallClient.me)
    staff = _blocking(AsyncHallClient.staff)
    sign_in_locks = _blocking(AsyncHallClient.sign_in_locks)
    set_staff_windows = _blocking(AsyncHallClient.set_staff_windows)
    edit_staff = _blocking(AsyncHallClient.edit_staff)
    seats = _blocking(AsyncHallClient.seats)
    release_seat = _blocking(AsyncHallClient.release_seat)
    health = _blocking(AsyncHallClient.health)
    hall = _blocking(AsyncHallClient.hall)
    hall_profiles = _blocking(AsyncHallClient.hall_profiles)
    set_profile = _blocking(AsyncHallClient.set_profile)
    set_targets = _blocking(AsyncHallClient.set_targets)
    set_notice = _blocking(AsyncHallClient.set_notice)
    catalog = _blocking(AsyncHallClient.catalog)
    search = _blocking(AsyncHallClient.search)
    referrals = _blocking(AsyncHallClient.referrals)
    kiosk_menu = _blocking(AsyncHallClient.kiosk_menu)
    kiosk_guide = _blocking(AsyncHallClient.kiosk_guide)
    slip_qr = _blocking(AsyncHallClient.slip_qr)
    city = _blocking(AsyncHallClient.city)
    issue = _blocking(AsyncHallClient.issue)
    tickets = _blocking(AsyncHallClient.tickets)
    ticket = _blocking(AsyncHallClient.ticket)
    history = _blocking(AsyncHallClient.history)
    cancel = _blocking(AsyncHallClient.cancel)
    requeue = _blocking(AsyncHallClient.requeue)
    printers = _blocking(AsyncHallClient.printers)
    notices = _blocking(AsyncHallClient.notices)
    notice_summary = _blocking(AsyncHallClient.notice_summary)
    retry_notice = _blocking(AsyncHallClient.retry_notice)
    reprint = _blocking(AsyncHallClient.reprint)
    unpark = _blocking(AsyncHallClient.unpark)
    park = _blocking(AsyncHallClient.park)
    unpark_here = _blocking(AsyncHallClient.unpark_here)
    slip_status = _blocking(AsyncHallClient.slip_status)
    windows = _blocking(AsyncHallClient.windows)
    call_next = _blocking(AsyncHallClient.call_next)
    recall = _blocking(AsyncHallClient.recall)
    start = _blocking(AsyncHallClient.start)
    finish = _blocking(AsyncHallClient.finish)
    transfer = _blocking(AsyncHallClient.transfer)
    no_show = _blocking(AsyncHallClient.no_show)
    rate = _blocking(AsyncHallClient.rate)
    rater = _blocking(AsyncHallClient.rater)
    rate_visit = _blocking(AsyncHallClient.rate_visit)
    open_window = _blocking(AsyncHallClient.open_window)
    close_window = _blocking(AsyncHallClient.close_window)
    pause = _blocking(AsyncHallClient.pause)
    resume = _blocking(AsyncHallClient.resume)
    close_day = _blocking(AsyncHallClient.close_day)
    open_late = _blocking(AsyncHallClient.open_late)
    stats = _blocking(AsyncHallClient.stats)
    window_stats = _blocking(AsyncHallClient.window_stats)
    report = _blocking(AsyncHallClient.report)
    report_workbook = _blocking(AsyncHallClient.report_workbook)
    domain_waits = _blocking(AsyncHallClient.domain_waits)
    staffing = _blocking(AsyncHallClient.staffing)
    queue_series = _blocking(AsyncHallClient.queue_series)
    cases = _blocking(AsyncHallClient.cases)
    case = _blocking(AsyncHallClient.case)
    case_figures = _blocking(AsyncHallClient.case_figures)
    assign_case = _blocking(AsyncHallClient.assign_case)
    visit_case = _blocking(AsyncHallClient.visit_case)
    rectify_case = _blocking(AsyncHallClient.rectify_case)
    answer_case = _blocking(AsyncHallClient.answer_case)
    appeal_case = _blocking(AsyncHallClient.appeal_case)
    decide_case = _blocking(AsyncHallClient.decide_case)
    display = _blocking(AsyncHallClient.display)
    dashboard = _blocking(AsyncHallClient.dashboard)
    window_screen = _blocking(AsyncHallClient.window_screen)
    voice = _blocking(AsyncHallClient.voice)
    book_slots = _blocking(AsyncHallClient.book_slots)
    book = _blocking(AsyncHallClient.book)
    booking = _blocking(AsyncHallClient.booking)
    booking_qr = _blocking(AsyncHallClient.booking_qr)
    cancel_booking = _blocking(AsyncHallClient.cancel_booking)
    move_booking = _blocking(AsyncHallClient.move_booking)
    check_in = _blocking(AsyncHallClient.check_in)
    bookings = _blocking(AsyncHallClient.bookings)
    close_slots = _blocking(AsyncHallClient.close_slots)
    closures = _blocking(AsyncHallClient.closures)
    reopen_slots = _blocking(AsyncHallClient.reopen_slots)
    bans = _blocking(AsyncHallClient.bans)
    lift_ban = _blocking(AsyncHallClient.lift_ban)

    def events(self) -> Iterator[ServerEvent]:
        """The live event stream (a snapshot first); ends when the server closes it."""
        stream = self.core.events()
        try:
            while (ev := self._portal.call(_next, stream)) is not None:
                yield ev
        finally:
            self._portal.call(stream.aclose)


def sync_client(core: AbstractAsyncContextManager[AsyncHallClient]) -> HallClient:
    """A ``HallClient`` over the client ``core`` yields, its context entered on the new
    client's event loop (e.g. an app run in process, whose lifespan needs that loop) and
    left when it closes."""
    client = HallClient.__new__(HallClient)
    client._enter(core)
    return client
