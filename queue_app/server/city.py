"""Several halls on one server: hall ``code`` at ``/halls/<code>/…`` (its API, its board,
its status pages), the first hall also at ``/`` (so a server of one hall, and every
terminal pointed at it, looks as before).

Each hall is a ``HallServer`` with its own service, event stream and caches; they share
the process's one FastAPI application and, usually, one database engine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager

from starlette.types import Receive, Scope, Send

from queue_app.domain.refusals import NoSuchHall
from queue_app.server.app import HallServer, lifespan
from queue_app.server.context import CityContext, CityHall, route_path
from queue_app.server.errors import error_json

PREFIX = "/halls/"


def hall_path(code: str) -> str:
    """Where hall ``code``'s pages and API are on a server of several halls."""
    return f"{PREFIX}{code}"


class CityServer:
    """The ASGI application serving several halls (``halls``: the first is the default)."""

    def __init__(self, halls: Sequence[HallServer], code: str = "", name: str = "") -> None:
        if not halls:
            raise ValueError("a server serves one hall at least")
        self.halls = {h.code: h for h in halls}
        if len(self.halls) != len(halls):
            raise ValueError("two halls with one code")
        self.default = halls[0]
        city = CityContext(
            code,
            name,
            tuple(
                CityHall(
                    h.code, h.state.service.store.hall.hall.name, hall_path(h.code), h.state.service
                )
                for h in halls
            ),
        )
        for h in halls:
            h.state.city = city

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        root, route = scope.get("root_path", ""), route_path(scope)
        if not route.startswith(PREFIX):
            await self.default(scope, receive, send)
            return
        code = route[len(PREFIX) :].split("/", 1)[0]
        hall = self.halls.get(code)
        if hall is None:
            if scope["type"] == "http":
                await error_json(NoSuchHall(hall=code))(scope, receive, send)
            return  # a websocket to no hall: closed unanswered
        await hall({**scope, "root_path": root + hall_path(code)}, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        await lifespan(self.running(), receive, send)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Every hall's service runs while the server does."""
        async with AsyncExitStack() as stack:
            for hall in self.halls.values():
                await stack.enter_async_context(hall.running())
            yield
