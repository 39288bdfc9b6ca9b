"""The hall served in this process for terminal tests: the hall server's app over a real SQLite
file with a clock the test holds, reached through an httpx transport that streams."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any

import httpx

from queue_app.client import AsyncHallClient
from queue_app.domain.city import Elsewhere
from queue_app.server import HallServer, create_app
from queue_app.server.city import CityServer
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from queue_app.tui.app import HallApp
from tests.conftest import Clock

URL = "http://hall.test"
PW = "s3cret-pass"
STAFF = (("boss", "manager"), ("d1", "desk"), ("c1", "clerk"), ("tv", "display"))

Message = MutableMapping[str, Any]


class StreamingASGITransport(httpx.AsyncBaseTransport):
    """httpx's own ASGITransport returns a response only once the app has sent all of it,
    so the live-event stream (which never ends) would never return. This one returns at
    the response's start and hands its body on as the app sends it; closing the response
    tells the app the client has gone. (An app error after the start is the 500 the app
    already sent.)"""

    def __init__(self, app: HallServer) -> None:
        self.app = app

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "headers": [(k.lower(), v) for k, v in request.headers.raw],
            "scheme": request.url.scheme,
            "path": request.url.path,
            "raw_path": request.url.raw_path.split(b"?")[0],
            "query_string": request.url.query,
            "server": (request.url.host, request.url.port),
            "client": ("127.0.0.1", 50000),
            "root_path": "",
        }
        loop = asyncio.get_running_loop()
        head: asyncio.Future[tuple[int, list[tuple[bytes, bytes]]]] = loop.create_future()
        chunks: asyncio.Queue[bytes | None] = asyncio.Queue()
        gone = asyncio.Event()
        asked = False

        async def receive() -> Message:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "http.request", "body": body, "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                head.set_result((message["status"], list(message.get("headers", []))))
            elif message["type"] == "http.response.body":
                chunks.put_nowait(message.get("body", b""))
                if not message.get("more_body", False):
                    chunks.put_nowait(None)

        async def run() -> None:
            try:
                await self.app(scope, receive, send)  # type: ignore[arg-type]
            except Exception as exc:
                if not head.done():
                    head.set_exception(exc)
            finally:
                chunks.put_nowait(None)
                if not head.done():
                    head.set_exception(RuntimeError(f"no response to {request.url.path}"))

        task = loop.create_task(run())
        try:
            status, headers = await head
        except BaseException:
            task.cancel()
            raise
        return httpx.Response(status, headers=headers, stream=_Body(chunks, gone, task))


class _Body(httpx.AsyncByteStream):
    def __init__(
        self, chunks: asyncio.Queue[bytes | None], gone: asyncio.Event, task: asyncio.Task[None]
    ) -> None:
        self.chunks, self.gone, self.task = chunks, gone, task

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while (chunk := await self.chunks.get()) is not None:
            yield chunk

    async def aclose(self) -> None:
        self.gone.set()
        if not self.task.done():
            self.task.cancel()
        await asyncio.wait([self.task])


@dataclass
class InProcessHall:
    """A hall on a real SQLite file, its clock held by the test, its app in this process."""

    store: Store
    clock: Clock
    app: HallServer

    def client(self) -> AsyncHallClient:
        """A client of the app in this process (no retries: nothing here is unreachable)."""
        return AsyncHallClient(URL, retry_for=0, transport=StreamingASGITransport(self.app))

    def terminal(
        self,
        role: str,
        user: str | None,
        window: int | None = None,
        lang: str = "zh",
    ) -> HallApp:
        """A terminal signed in as ``user`` (None: it asks), on the hall's clock."""
        return HallApp(
            self.client(),
            role,
            public_url=URL,
            clock=self.clock,
            window=window,
            lang=lang,
            username=user,
            password=PW if user else None,
        )

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[InProcessHall]:
        """The app's lifespan (the service follows the event log, then stops)."""
        async with self.app.running():
            yield self

    @contextlib.asynccontextmanager
    async def signed_in(self, user: str = "boss") -> AsyncIterator[AsyncHallClient]:
        client = self.client()
        try:
            await client.sign_in(user, PW)
            yield client
        finally:
            await client.aclose()


def in_process_hall(
    store: Store,
    clock: Clock,
    staff: Iterable[tuple[str, str]] = STAFF,
    elsewhere: Elsewhere | None = None,
) -> InProcessHall:
    """``elsewhere``: the city's other places, where the desk refers what this hall does
    not handle."""
    for username, role in staff:
        add_staff(store, username, Role(role), PW)
    return InProcessHall(store, clock, create_app(store, elsewhere=elsewhere))


@contextlib.asynccontextmanager
async def city_terminal(
    stores: Iterable[Store], clock: Callable[[], float], user: str = "mayor"
) -> AsyncIterator[HallApp]:
    """A city's server over ``stores`` (each hall's app running) and the city's terminal,
    signed in as ``user``."""
    servers = [create_app(s) for s in stores]
    city = CityServer(servers, "demo-city", "示例区")
    app = HallApp(
        AsyncHallClient(URL, retry_for=0, transport=StreamingASGITransport(city)),  # type: ignore[arg-type]
        "city",
        public_url=URL,
        clock=clock,
        username=user,
        password=PW,
    )
    async with contextlib.AsyncExitStack() as stack:
        for s in servers:
            await stack.enter_async_context(s.running())
        yield app
