"""The FastAPI application of a hall server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from queue_app import __version__
from queue_app.server import errors, failures, idempotency
from queue_app.server.auth_routes import router as auth_router
from queue_app.server.body_limit import BodyLimit
from queue_app.server.headers import SecurityHeaders
from queue_app.server.pages import pages
from queue_app.server.public import public
from queue_app.server.routes import api
from queue_app.server.service import HallService
from queue_app.server.signed_in_first import SignedInFirst
from queue_app.server.stream_slots import StreamCaps, StreamSlots
from queue_app.server.voice import Voice
from queue_app.store import Store


def create_app(
    store: Store,
    *,
    public_url: str | None = None,
    docs: bool = False,
    streams: StreamCaps | None = None,
) -> FastAPI:
    """An app serving ``store``'s hall. The caller owns the store (and disposes of it).
    ``public_url`` is the server's base URL as citizens' phones reach it (the slip's QR code
    and status link); ``/api/health`` tells the terminals. ``docs``: the API reference at
    ``/docs`` and ``/redoc`` (off by default: their pages load scripts from a CDN, which a
    hall's network may not reach; ``/openapi.json`` is always there). ``streams``: how many
    live-event streams may be open (``StreamCaps``' defaults when not given)."""
    svc = HallService(store, StreamSlots(streams))
    voice = Voice()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            await svc.start()
        except Exception as exc:  # e.g. a read-only or full database: requests are 503
            refusal = failures.storage_refusal(exc)  # and the first change tries again
            if refusal is None:
                raise
            failures.log.error("start: %s (%s); the first change will try again", refusal.code, exc)
        yield
        svc.close()
        voice.close()

    app = FastAPI(
        title=f"queue_app · {store.hall.hall.name}",
        version=__version__,
        lifespan=lifespan,
        description="政务服务大厅综合窗口排队叫号 API. Every refusal has the same "
        "shape: {error: {code, message_zh, message_en, field}}.",
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
    )
    app.state.service = svc
    app.state.voice = voice
    app.state.public_url = public_url
    errors.install(app)
    app.add_middleware(SignedInFirst)  # inside CatchAll: its store reads may fail too
    app.add_middleware(failures.CatchAll)
    app.add_middleware(BodyLimit)  # outside the handlers: a large body is never read
    app.add_middleware(SecurityHeaders, exempt=("/docs", "/redoc") if docs else ())
    idempotency.install(app)
    app.include_router(auth_router)
    app.include_router(api)
    app.include_router(public)
    app.include_router(pages)
    return app
