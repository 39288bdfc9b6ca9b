"""What the server answers when something fails that no rule foresaw: never plain text.

A request that raises is answered with the usual JSON error shape: 503 with its own code
when the database cannot be written (read-only, or the disk is full: an administrator's
matter, and the server goes on by itself once it is fixed), else 500 with a request id
that the log line, written with the traceback, carries too. A response already begun
(a live-event stream) cannot be replaced: its exception goes on to the server."""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Iterator

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from queue_app.domain.errors import Refused
from queue_app.domain.refusals import ServerFailed, StorageFull, StorageReadOnly
from queue_app.server.errors import error_json

log = logging.getLogger("queue_app.server")
REQUEST_ID = "X-Request-ID"
# SQLite's result codes and PostgreSQL's SQLSTATEs for "cannot write"
_SQLITE_READ_ONLY, _SQLITE_FULL = "SQLITE_READONLY", "SQLITE_FULL"
_PG_READ_ONLY = {"25006"}  # read_only_sql_transaction (a standby, or default_transaction_read_only)
_PG_FULL = {"53100"}  # disk_full


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [getattr(e, "orig", None), e.__cause__, e.__context__]


def storage_refusal(exc: BaseException) -> Refused | None:
    """StorageReadOnly or StorageFull if ``exc`` comes from a database that cannot be
    written; None for anything else."""
    for e in _causes(exc):
        if isinstance(e, sqlite3.Error):
            name = getattr(e, "sqlite_errorname", "") or ""
            if name.startswith(_SQLITE_READ_ONLY):
                return StorageReadOnly()
            if name == _SQLITE_FULL:
                return StorageFull()
        state = getattr(e, "sqlstate", None)
        if state in _PG_READ_ONLY:
            return StorageReadOnly()
        if state in _PG_FULL:
            return StorageFull()
    return None


def request_id(request: Request) -> str:
    """The client's ``X-Request-ID`` when it is a sensible one, else a new id."""
    given = request.headers.get(REQUEST_ID, "")
    if 0 < len(given) <= 64 and given.isascii() and given.isprintable():
        return given
    return uuid.uuid4().hex[:16]


class CatchAll:
    """ASGI middleware: an exception no handler took becomes a JSON answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:
                raise
            request = Request(scope)
            rid = request_id(request)
            refusal = storage_refusal(exc)
            where = f"{request.method} {request.url.path}"
            if refusal is None:
                log.error("request %s: %s failed", rid, where, exc_info=exc)
                refusal = ServerFailed(request_id=rid)
            else:
                log.error("request %s: %s: %s (%s)", rid, where, refusal.code, exc)
            response = error_json(refusal)
            response.headers[REQUEST_ID] = rid
            await response(scope, receive, send)
