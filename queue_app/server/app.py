"""The ASGI application of a hall server.

One FastAPI application per process holds the routes, middleware and error handlers
(``api``): FastAPI builds each route's models on an application's first request, a third
of a second, which a one-shot command, a second hall or a test would otherwise pay again.
A ``HallServer`` per hall puts that hall's service in each request's scope and runs its
lifespan (the feed of live events, the writer thread)."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from queue_app import __version__
from queue_app.domain.city import Elsewhere
from queue_app.server import errors, failures, idempotency
from queue_app.server.auth_routes import router as auth_router
from queue_app.server.body_limit import BodyLimit
from queue_app.server.booking_routes import router as booking_router
from queue_app.server.case_routes import router as case_router
from queue_app.server.city_routes import router as city_router
from queue_app.server.context import KEY, HallContext
from queue_app.server.dashboard_routes import router as dashboard_router
from queue_app.server.headers import SecurityHeaders
from queue_app.server.kiosk_routes import router as kiosk_router
from queue_app.server.notice_routes import router as notice_router
from queue_app.server.notifier import NoticeSettings, Notifier
from queue_app.server.pages import pages
from queue_app.server.printer_routes import router as printer_router
from queue_app.server.printers import Printing, PrintSettings
from queue_app.server.public import public
from queue_app.server.report_routes import router as report_router
from queue_app.server.routes import api as api_routes
from queue_app.server.service import HallService
from queue_app.server.signed_in_first import SignedInFirst
from queue_app.server.stream_slots import StreamCaps, StreamSlots
from queue_app.server.voice import Voice
from queue_app.store import Store
from queue_app.store.staff import Session


@functools.cache
def api(docs: bool = False) -> FastAPI:
    """The routes, middleware and error handlers, built once per process. ``docs``: the
    API reference at ``/docs`` and ``/redoc`` (off by default: their pages load scripts
    from a CDN, which a hall's network may not reach; ``/openapi.json`` is always there)."""
    app = FastAPI(
        title="queue_app",
        version=__version__,
        description="政务服务大厅综合窗口排队叫号 API. Every refusal has the same "
        "shape: {error: {code, message_zh, message_en, field}}.",
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
    )
    errors.install(app)
    app.add_middleware(SignedInFirst)  # inside CatchAll: its store reads may fail too
    app.add_middleware(failures.CatchAll)
    app.add_middleware(BodyLimit)  # outside the handlers: a large body is never read
    app.add_middleware(SecurityHeaders, exempt=("/docs", "/redoc") if docs else ())
    idempotency.install(app)
    app.include_router(auth_router)
    app.include_router(api_routes)
    app.include_router(city_router)
    app.include_router(report_router)
    app.include_router(case_router)
    app.include_router(printer_router)
    app.include_router(notice_router)
    app.include_router(public)
    app.include_router(dashboard_router)
    app.include_router(kiosk_router)
    app.include_router(booking_router)
    app.include_router(pages)
    return app


class HallServer:
    """The ASGI application serving one hall's store. The caller owns the store (and
    disposes of it), unless ``owns_store``: then the application disposes of it when it
    shuts down (``serve``: uvicorn ends the process by the signal that stopped it once it
    has shut down, so no code after ``uvicorn.run`` runs). ``public_url``: the server's
    base URL as citizens' phones reach it (the slip's QR code and status link;
    ``/api/health`` tells the terminals). ``operator``: local mode, every request made by
    this session (no sign-in). ``streams``: how many live-event streams may be open
    (``StreamCaps``' defaults when not given). ``elsewhere``: the city's other halls and
    places, where the desk sends a citizen whose matter this hall does not handle.
    ``printing``: how the slip printers' workers retry and poll (``PrintSettings``);
    ``notices``: how the notices' worker polls and backs off (``NoticeSettings``)."""

    def __init__(
        self,
        store: Store,
        *,
        public_url: str | None = None,
        docs: bool = False,
        operator: Session | None = None,
        owns_store: bool = False,
        streams: StreamCaps | None = None,
        elsewhere: Elsewhere | None = None,
        printing: PrintSettings | None = None,
        notices: NoticeSettings | None = None,
    ) -> None:
        self.code = store.code
        service = HallService(store, StreamSlots(streams), elsewhere)
        self.state = HallContext(service, Voice(), public_url, operator)
        state = self.state
        # the slips' QR codes: the public URL as it is when each slip prints (a city
        # server sets each hall's after building it)
        self.printing = Printing(store, lambda: state.public_url, service.write_here, printing)
        self.notifier = Notifier(store, service.write, notices or NoticeSettings.from_env())
        service.heard.append(self.notifier.heard)
        self.api = api(docs)
        self._store = store if owns_store else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        scope[KEY] = self.state
        await self.api(scope, receive, send)

    def openapi(self) -> dict[str, Any]:
        return self.api.openapi()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The hall's service following the event log, until the block ends."""
        svc = self.state.service
        try:
            await svc.start()
        except Exception as exc:  # e.g. a read-only or full database: requests are 503
            refusal = failures.storage_refusal(exc)  # and the first change tries again
            if refusal is None:
                raise
            failures.log.error("start: %s (%s); the first change will try again", refusal.code, exc)
        self.printing.start()
        self.notifier.start()
        try:
            yield
        finally:
            try:
                await self.notifier.stop()
                self.printing.stop()
                svc.close()
                self.state.voice.close()
            finally:
                if self._store is not None:
                    self._store.dispose()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        await lifespan(self.running(), receive, send)


async def lifespan(
    running: AbstractAsyncContextManager[None], receive: Receive, send: Send
) -> None:
    """The ASGI lifespan protocol around ``running`` (the server's work while it runs)."""
    await receive()  # lifespan.startup
    try:
        async with running:
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
    except Exception as exc:
        await send({"type": "lifespan.startup.failed", "message": repr(exc)})
        return
    await send({"type": "lifespan.shutdown.complete"})


create_app = HallServer  # the application serving a store's hall: see ``HallServer``
