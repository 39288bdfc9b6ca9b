"""Where the command line's hall commands act: on a running hall server (``--server``), or
on the database through the same FastAPI app run in this process over ASGI. Either way the
command talks to a client, so it prints the same thing and is refused the same way."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from queue_app.client import AsyncHallClient, HallClient, sync_client
from queue_app.server import HallServer, create_app
from queue_app.store import Store
from queue_app.store.staff import Role, Session

LOCAL_URL = "http://local.hall"  # requests never leave the process
A_DAY_S = 24 * 3600.0


def local_app(store: Store, actor: str) -> HallServer:
    """The hall server's app on ``store``, every request made by ``actor`` with a manager's
    rights: whoever may open the database may do anything to it, so there is no sign-in,
    and the event log names ``actor`` as it names a signed-in account."""
    until = store.clock() + A_DAY_S  # the command ends long before
    session = Session(username=actor, role=Role.MANAGER, window=None, expires_at=until)
    return create_app(store, operator=session)


@asynccontextmanager
async def in_process(app: HallServer) -> AsyncIterator[AsyncHallClient]:
    """A client of ``app`` run in this process: its lifespan (the feed of live events, the
    writer thread) started first and ended after."""
    async with (
        app.running(),
        AsyncHallClient(LOCAL_URL, transport=httpx.ASGITransport(app=app)) as client,
    ):
        yield client


def local_client(store: Store, actor: str) -> HallClient:
    """A blocking client of ``store``'s hall run in process, acting as ``actor``."""
    return sync_client(in_process(local_app(store, actor)))
