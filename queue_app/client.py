"""The typed HTTP client of a hall server, sync (``HallClient``) and async
(``AsyncHallClient``); the only way terminals and scripts reach the server.

Every POST carries a fresh ``Idempotency-Key``; when the network fails (the server is
restarting, a proxy answers 502/503/504) the client tries again with the same key for up to
``retry_for`` seconds, so the server acts once (a ticket is never issued twice) and the desk
gets its slip. Refusals raise ``ApiError`` with the server's code and messages.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx
from pydantic import TypeAdapter

from queue_app.api_models import (
    CallOut,
    CloseDayOut,
    CountsOut,
    DomainWaitsOut,
    HitOut,
    IssuedOut,
    OpenLateOut,
    ProfileChoice,
    QueueSeriesOut,
    SessionOut,
    StaffingOut,
    StatusOut,
    TicketOut,
    WindowOut,
    WindowStateOut,
    WindowStatsOut,
)
from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall, Targets
from queue_app.domain.profiles import WindowProfile

R = TypeVar("R")
RETRY_FOR_S = 30.0  # a server restart takes seconds: keep trying this long
BACKOFF_START_S, BACKOFF_CAP_S = 0.1, 2.0
GATEWAY_STATUSES = frozenset({502, 503, 504})  # a proxy's: the hall server behind it is away
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)  # never left here
HOPELESS = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)  # a retry fails the same way
STREAM_READ_TIMEOUT_S = 45.0  # above the server's 15 s keepalive


class ApiError(Exception):
    """A refusal from the server, or ``code="unreachable"`` when there is no answer."""

    def __init__(self, status: int, code: str, zh: str, en: str, field: str | None = None) -> None:
        self.status, self.code, self.zh, self.en, self.field = status, code, zh, en, field
        super().__init__(f"{status} {code}: {en}")


@dataclass(frozen=True, slots=True)
class ServerEvent:
    event: str
    data: dict[str, Any]
    id: str | None = None


@dataclass(frozen=True)
class _Call(Generic[R]):
    method: str
    path: str
    parse: Callable[[Any], R]
    json: Any = None
    params: dict[str, Any] | None = None
    key: str | None = field(default=None)


def _model(cls: Any) -> Callable[[Any], Any]:
    adapter = TypeAdapter(cls)
    return adapter.validate_python


def _error(r: httpx.Response) -> ApiError:
    try:
        e = r.json()["error"]
        return ApiError(r.status_code, e["code"], e["message_zh"], e["message_en"], e.get("field"))
    except (ValueError, KeyError, TypeError):
        return ApiError(
            r.status_code,
            f"http_{r.status_code}",
            "服务器返回了意外的应答",
            f"unexpected answer from the server: {r.text[:200]}",
        )


def _unreachable(failure: Exception | httpx.Response) -> ApiError:
    reason = (
        f"HTTP {failure.status_code}"
        if isinstance(failure, httpx.Response)
        else failure.__class__.__name__
    )
    return ApiError(
        0, "unreachable", "无法连接大厅服务器", f"the hall server is unreachable: {reason}"
    )


def _in_progress(r: httpx.Response) -> bool:
    """The server's answer to a retry whose first request it is still handling."""
    if r.status_code != 409:
        return False
    try:
        return bool(r.json()["error"]["code"] == "request_in_progress")
    except (ValueError, KeyError, TypeError):
        return False


class _Tries:
    """When one call is tried again, written once for both clients: after a network failure,
    a proxy's 502/503/504 or the server's "still in progress", the same request (the same
    ``Idempotency-Key``) goes again after an exponential back-off with jitter, until
    ``retry_for`` seconds have passed. A POST without a key goes again only when it never
    left (its connection failed): the server may have acted on it."""

    def __init__(self, call: _Call[Any], retry_for: float) -> None:
        self.resendable = call.method != "POST" or call.key is not None
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
    event, data, eid = "message", [], None
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


class _Api:
    """Every request of the API as a ``_Call`` (method, path, body, how to read the answer),
    shared by the sync and async clients, which only send them."""

    def __init__(self, token: str | None, retry_for: float) -> None:
        self.token = token
        self.retry_for = retry_for

    def _headers(self, call: _Call[Any]) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if call.key:
            h["Idempotency-Key"] = call.key
        return h

    def _request_kwargs(self, call: _Call[Any]) -> dict[str, Any]:
        return {"json": call.json, "params": call.params, "headers": self._headers(call)}

    @staticmethod
    def _result(call: _Call[R], r: httpx.Response) -> R:
        if r.status_code >= 400:
            raise _error(r)
        return call.parse(r.json() if r.content else None)

    @staticmethod
    def _post(path: str, parse: Callable[[Any], R], body: Any = None) -> _Call[R]:
        return _Call("POST", path, parse, body, key=uuid.uuid4().hex)

    @staticmethod
    def _get(path: str, parse: Callable[[Any], R], **params: Any) -> _Call[R]:
        query = {k: v for k, v in params.items() if v is not None}
        return _Call("GET", path, parse, params=query or None)

    # the requests
    def _sign_in(self, username: str, password: str, window: int | None) -> _Call[SessionOut]:
        body = {"username": username, "password": password, "window": window}
        return _Call("POST", "/api/auth/sign-in", _model(SessionOut), body)

    def _sign_out(self) -> _Call[None]:
        return self._post("/api/auth/sign-out", lambda _: None)

    def _issue(
        self,
        matters: Iterable[str],
        bundle: str | None,
        priority: str | None,
        appointment_at: float | None,
    ) -> _Call[IssuedOut]:
        body = {
            "matters": list(matters),
            "bundle": bundle,
            "priority": priority,
            "appointment_at": appointment_at,
        }
        return self._post("/api/tickets", _model(IssuedOut), body)

    def _search(self, q: str, limit: int) -> _Call[list[HitOut]]:
        return self._get("/api/catalog/search", _model(list[HitOut]), q=q, limit=limit)

    def _tickets(self, window: int | None, domain: str | None) -> _Call[list[TicketOut]]:
        return self._get("/api/tickets", _model(list[TicketOut]), window=window, domain=domain)

    def _ticket(self, number: str, day: str | None) -> _Call[TicketOut]:
        return self._get(f"/api/tickets/{number}", _model(TicketOut), day=day)

    def _call_next(self, window: int) -> _Call[CallOut]:
        return self._post(f"/api/windows/{window}/call-next", _model(CallOut))

    def _finish(
        self,
        window: int,
        outcome: str | None,
        outcomes: dict[str, str] | None,
        ticket: str | None,
    ) -> _Call[TicketOut]:
        body = {"outcome": outcome, "outcomes": outcomes, "ticket": ticket}
        return self._window(window, "finish", body)

    def _transfer(
        self,
        window: int,
        to_window: int | None,
        to_domain: str | None,
        reason: str,
        ticket: str | None,
    ) -> _Call[TicketOut]:
        body = {"to_window": to_window, "to_domain": to_domain, "reason": reason, "ticket": ticket}
        return self._window(window, "transfer", body)

    def _slip_status(self, token: str) -> _Call[StatusOut]:
        return self._get(f"/api/status/{token}", _model(StatusOut))

    def _queue_series(self, bucket_minutes: int) -> _Call[QueueSeriesOut]:
        return self._get("/api/stats/queue", _model(QueueSeriesOut), bucket_minutes=bucket_minutes)

    def _rate(self, window: int, ticket: str, level: int) -> _Call[TicketOut]:
        return self._window(window, "rating", {"ticket": ticket, "level": level})

    def _set_profile(self, window: int, profile: WindowProfile | None) -> _Call[WindowProfile]:
        body = {"profile": profile.model_dump(mode="json") if profile else None}
        return self._post(f"/api/windows/{window}/profile", _model(WindowProfile), body)

    def _set_targets(self, targets: Targets | None) -> _Call[Targets]:
        body = {"targets": targets.model_dump(mode="json") if targets else None}
        return self._post("/api/hall/targets", _model(Targets), body)

    def _cancel(self, number: str, reason: str) -> _Call[TicketOut]:
        return self._post(f"/api/tickets/{number}/cancel", _model(TicketOut), {"reason": reason})

    def _requeue(self, number: str) -> _Call[TicketOut]:
        return self._post(f"/api/tickets/{number}/requeue", _model(TicketOut))

    def _close_day(self, force: bool, day: str | None) -> _Call[CloseDayOut]:
        return self._post("/api/day/close", _model(CloseDayOut), {"force": force, "day": day})

    def _open_late(self, until: float | None) -> _Call[OpenLateOut]:
        return self._post("/api/day/open-late", _model(OpenLateOut), {"until": until})

    def _window(self, window: int, action: str, body: Any = None) -> _Call[TicketOut]:
        return self._post(f"/api/windows/{window}/{action}", _model(TicketOut), body)

    def _window_state(self, window: int, action: str, body: Any = None) -> _Call[WindowStateOut]:
        return self._post(f"/api/windows/{window}/{action}", _model(WindowStateOut), body)

    _HEALTH = _Call("GET", "/api/health", dict)
    _HALL = _Call("GET", "/api/hall", _model(Hall))
    _PROFILES = _Call("GET", "/api/hall/profiles", _model(list[ProfileChoice]))
    _CATALOG = _Call("GET", "/api/catalog", _model(Catalog))
    _WINDOWS = _Call("GET", "/api/windows", _model(list[WindowOut]))
    _STATS = _Call("GET", "/api/stats/today", _model(CountsOut))
    _ME = _Call("GET", "/api/auth/me", _model(SessionOut))
    _WINDOW_STATS = _Call("GET", "/api/stats/windows", _model(WindowStatsOut))
    _DOMAIN_WAITS = _Call("GET", "/api/stats/domains", _model(DomainWaitsOut))
    _STAFFING = _Call("GET", "/api/stats/staffing", _model(StaffingOut))


class HallClient(_Api):
    """Synchronous client (CLI, scripts, tests)."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 10.0,
        retry_for: float = RETRY_FOR_S,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(token, retry_for)
        self.http = httpx.Client(base_url=base_url, timeout=timeout, transport=transport)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> HallClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _run(self, call: _Call[R]) -> R:
        tries = _Tries(call, self.retry_for)
        while True:
            try:
                outcome = self.http.request(call.method, call.path, **self._request_kwargs(call))
            except httpx.TransportError as exc:
                outcome = exc
            step = tries.after(outcome)
            if isinstance(step, httpx.Response):
                return self._result(call, step)
            time.sleep(step)

    def sign_in(self, username: str, password: str, window: int | None = None) -> SessionOut:
        s = self._run(self._sign_in(username, password, window))
        self.token = s.token
        return s

    def sign_out(self) -> None:
        """End this client's session (its token stops working)."""
        self._run(self._sign_out())
        self.token = None

    def me(self) -> SessionOut:
        return self._run(self._ME)

    def health(self) -> dict[str, str]:
        return self._run(self._HEALTH)

    def hall(self) -> Hall:
        return self._run(self._HALL)

    def catalog(self) -> Catalog:
        return self._run(self._CATALOG)

    def search(self, q: str, limit: int = 10) -> list[HitOut]:
        return self._run(self._search(q, limit))

    def issue(
        self,
        matters: Iterable[str] = (),
        *,
        bundle: str | None = None,
        priority: str | None = None,
        appointment_at: float | None = None,
    ) -> IssuedOut:
        return self._run(self._issue(matters, bundle, priority, appointment_at))

    def tickets(self, window: int | None = None, domain: str | None = None) -> list[TicketOut]:
        return self._run(self._tickets(window, domain))

    def ticket(self, number: str, day: str | None = None) -> TicketOut:
        return self._run(self._ticket(number, day))

    def windows(self) -> list[WindowOut]:
        return self._run(self._WINDOWS)

    def stats(self) -> CountsOut:
        return self._run(self._STATS)

    def window_stats(self) -> WindowStatsOut:
        return self._run(self._WINDOW_STATS)

    def domain_waits(self) -> DomainWaitsOut:
        return self._run(self._DOMAIN_WAITS)

    def slip_status(self, token: str) -> StatusOut:
        """A ticket as its citizen's status page shows it (the slip's token)."""
        return self._run(self._slip_status(token))

    def staffing(self) -> StaffingOut:
        return self._run(self._STAFFING)

    def queue_series(self, bucket_minutes: int = 10) -> QueueSeriesOut:
        return self._run(self._queue_series(bucket_minutes))

    def rate(self, window: int, ticket: str, level: int) -> TicketOut:
        """The citizen's 好差评 (5 非常满意 … 1 非常不满意) of a visit finished here."""
        return self._run(self._rate(window, ticket, level))

    def call_next(self, window: int) -> TicketOut | None:
        return self._run(self._call_next(window)).ticket

    def recall(self, window: int, ticket: str | None = None) -> TicketOut:
        return self._run(self._window(window, "recall", {"ticket": ticket}))

    def start(self, window: int, ticket: str | None = None) -> TicketOut:
        return self._run(self._window(window, "start", {"ticket": ticket}))

    def finish(
        self,
        window: int,
        outcome: str | None = None,
        outcomes: dict[str, str] | None = None,
        ticket: str | None = None,
    ) -> TicketOut:
        return self._run(self._finish(window, outcome, outcomes, ticket))

    def transfer(
        self,
        window: int,
        *,
        to_window: int | None = None,
        to_domain: str | None = None,
        reason: str = "",
        ticket: str | None = None,
    ) -> TicketOut:
        return self._run(self._transfer(window, to_window, to_domain, reason, ticket))

    def no_show(self, window: int, ticket: str | None = None) -> TicketOut:
        return self._run(self._window(window, "no-show", {"ticket": ticket}))

    def open_window(self, window: int) -> WindowStateOut:
        return self._run(self._window_state(window, "open"))

    def close_window(self, window: int) -> WindowStateOut:
        return self._run(self._window_state(window, "close"))

    def pause(self, window: int, reason: str) -> WindowStateOut:
        return self._run(self._window_state(window, "pause", {"reason": reason}))

    def resume(self, window: int) -> WindowStateOut:
        return self._run(self._window_state(window, "resume"))

    def hall_profiles(self) -> list[ProfileChoice]:
        return self._run(self._PROFILES)

    def set_profile(self, window: int, profile: WindowProfile | None) -> WindowProfile:
        """Change what ``window`` serves; None restores the layout file's profile."""
        return self._run(self._set_profile(window, profile))

    def set_targets(self, targets: Targets | None) -> Targets:
        """Change the hall's targets; None restores the layout file's."""
        return self._run(self._set_targets(targets))

    def cancel(self, number: str, reason: str = "") -> TicketOut:
        return self._run(self._cancel(number, reason))

    def requeue(self, number: str) -> TicketOut:
        return self._run(self._requeue(number))

    def close_day(self, force: bool = False, day: str | None = None) -> CloseDayOut:
        return self._run(self._close_day(force, day))

    def open_late(self, until: float | None) -> OpenLateOut:
        return self._run(self._open_late(until))

    def events(self) -> Iterator[ServerEvent]:
        """The live event stream (a snapshot first); ends when the server closes it."""
        timeout = httpx.Timeout(10.0, read=STREAM_READ_TIMEOUT_S)
        try:
            with self.http.stream(
                "GET", "/api/events", timeout=timeout, headers=self._headers(_Call("GET", "", dict))
            ) as r:
                if r.status_code >= 400:
                    r.read()
                    raise _error(r)
                yield from parse_sse(r.iter_lines())
        except httpx.TransportError as exc:
            raise _unreachable(exc) from None


class AsyncHallClient(_Api):
    """Asynchronous client (the terminal UI): the same requests as ``HallClient``."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 10.0,
        retry_for: float = RETRY_FOR_S,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(token, retry_for)
        self.base_url = base_url
        self.http = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _run(self, call: _Call[R]) -> R:
        tries = _Tries(call, self.retry_for)
        while True:
            try:
                outcome = await self.http.request(
                    call.method, call.path, **self._request_kwargs(call)
                )
            except httpx.TransportError as exc:
                outcome = exc
            step = tries.after(outcome)
            if isinstance(step, httpx.Response):
                return self._result(call, step)
            await asyncio.sleep(step)

    async def sign_in(self, username: str, password: str, window: int | None = None) -> SessionOut:
        s = await self._run(self._sign_in(username, password, window))
        self.token = s.token
        return s

    async def sign_out(self) -> None:
        await self._run(self._sign_out())
        self.token = None

    async def me(self) -> SessionOut:
        return await self._run(self._ME)

    async def health(self) -> dict[str, str]:
        return await self._run(self._HEALTH)

    async def hall(self) -> Hall:
        return await self._run(self._HALL)

    async def catalog(self) -> Catalog:
        return await self._run(self._CATALOG)

    async def search(self, q: str, limit: int = 10) -> list[HitOut]:
        return await self._run(self._search(q, limit))

    async def issue(
        self,
        matters: Iterable[str] = (),
        *,
        bundle: str | None = None,
        priority: str | None = None,
        appointment_at: float | None = None,
    ) -> IssuedOut:
        return await self._run(self._issue(matters, bundle, priority, appointment_at))

    async def tickets(
        self, window: int | None = None, domain: str | None = None
    ) -> list[TicketOut]:
        return await self._run(self._tickets(window, domain))

    async def ticket(self, number: str, day: str | None = None) -> TicketOut:
        return await self._run(self._ticket(number, day))

    async def windows(self) -> list[WindowOut]:
        return await self._run(self._WINDOWS)

    async def stats(self) -> CountsOut:
        return await self._run(self._STATS)

    async def window_stats(self) -> WindowStatsOut:
        return await self._run(self._WINDOW_STATS)

    async def domain_waits(self) -> DomainWaitsOut:
        return await self._run(self._DOMAIN_WAITS)

    async def slip_status(self, token: str) -> StatusOut:
        """A ticket as its citizen's status page shows it (the slip's token)."""
        return await self._run(self._slip_status(token))

    async def staffing(self) -> StaffingOut:
        return await self._run(self._STAFFING)

    async def queue_series(self, bucket_minutes: int = 10) -> QueueSeriesOut:
        return await self._run(self._queue_series(bucket_minutes))

    async def rate(self, window: int, ticket: str, level: int) -> TicketOut:
        return await self._run(self._rate(window, ticket, level))

    async def call_next(self, window: int) -> TicketOut | None:
        return (await self._run(self._call_next(window))).ticket

    async def recall(self, window: int, ticket: str | None = None) -> TicketOut:
        return await self._run(self._window(window, "recall", {"ticket": ticket}))

    async def start(self, window: int, ticket: str | None = None) -> TicketOut:
        return await self._run(self._window(window, "start", {"ticket": ticket}))

    async def finish(
        self,
        window: int,
        outcome: str | None = None,
        outcomes: dict[str, str] | None = None,
        ticket: str | None = None,
    ) -> TicketOut:
        return await self._run(self._finish(window, outcome, outcomes, ticket))

    async def transfer(
        self,
        window: int,
        *,
        to_window: int | None = None,
        to_domain: str | None = None,
        reason: str = "",
        ticket: str | None = None,
    ) -> TicketOut:
        return await self._run(self._transfer(window, to_window, to_domain, reason, ticket))

    async def no_show(self, window: int, ticket: str | None = None) -> TicketOut:
        return await self._run(self._window(window, "no-show", {"ticket": ticket}))

    async def open_window(self, window: int) -> WindowStateOut:
        return await self._run(self._window_state(window, "open"))

    async def close_window(self, window: int) -> WindowStateOut:
        return await self._run(self._window_state(window, "close"))

    async def pause(self, window: int, reason: str) -> WindowStateOut:
        return await self._run(self._window_state(window, "pause", {"reason": reason}))

    async def resume(self, window: int) -> WindowStateOut:
        return await self._run(self._window_state(window, "resume"))

    async def hall_profiles(self) -> list[ProfileChoice]:
        return await self._run(self._PROFILES)

    async def set_profile(self, window: int, profile: WindowProfile | None) -> WindowProfile:
        """Change what ``window`` serves; None restores the layout file's profile."""
        return await self._run(self._set_profile(window, profile))

    async def set_targets(self, targets: Targets | None) -> Targets:
        """Change the hall's targets; None restores the layout file's."""
        return await self._run(self._set_targets(targets))

    async def cancel(self, number: str, reason: str = "") -> TicketOut:
        return await self._run(self._cancel(number, reason))

    async def requeue(self, number: str) -> TicketOut:
        return await self._run(self._requeue(number))

    async def close_day(self, force: bool = False, day: str | None = None) -> CloseDayOut:
        return await self._run(self._close_day(force, day))

    async def open_late(self, until: float | None) -> OpenLateOut:
        return await self._run(self._open_late(until))

    async def events(self) -> AsyncIterator[ServerEvent]:
        """The live event stream (a snapshot first); ends when the server closes it."""
        timeout = httpx.Timeout(10.0, read=STREAM_READ_TIMEOUT_S)
        try:
            async with self.http.stream("GET", "/api/events", timeout=timeout) as r:
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
