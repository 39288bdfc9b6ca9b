"""Request bodies over 64 KiB are refused before anything reads them (issue 13, item 3):
413 with the JSON error shape, nothing written, whether the size is declared or streamed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select

from queue_app.server.body_limit import MAX_BODY
from queue_app.store import Store
from queue_app.store.tables import idempotency_t, ticket_t
from tests.server.threaded import ThreadedServer, answer_without_body

BIG = b'{"matters": ["M-SBK"], "x": "' + b"a" * (1024 * 1024) + b'"}'


def rows(store: Store) -> tuple[int, int]:
    with store.engine.connect() as conn:
        tickets = conn.execute(
            select(func.count()).where(ticket_t.c.hall == store.code)
        ).scalar_one()
        keys = conn.execute(
            select(func.count()).where(idempotency_t.c.hall == store.code)
        ).scalar_one()
    return tickets, keys


def refused(r: httpx.Response) -> None:
    assert r.status_code == 413, r.text
    assert r.headers["content-type"] == "application/json"
    error = r.json()["error"]
    assert error["code"] == "body_too_large" and error["field"] == "body"
    assert "64 KiB" in error["message_en"]


@pytest.mark.anyio
async def test_a_large_body_is_refused_declared_or_streamed(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, store: Store
) -> None:
    before = rows(store)
    keyed = {"Idempotency-Key": "big-1", "Content-Type": "application/json"}

    async def stream() -> AsyncIterator[bytes]:
        for at in range(0, len(BIG), 16 * 1024):
            yield BIG[at : at + 16 * 1024]

    for client in (anon, api):
        refused(await client.post("/api/tickets", content=BIG, headers=keyed))
    refused(await api.post("/api/tickets", content=stream(), headers=keyed))
    # anonymous, with no length declared: refused as such before any of it is read
    r = await anon.post("/api/tickets", content=stream(), headers=keyed)
    assert r.status_code == 401 and r.json()["error"]["code"] == "not_signed_in"
    assert rows(store) == before  # no ticket, no idempotency key kept
    ok = await api.post("/api/tickets", json={"matters": ["M-SBK"]})
    assert ok.status_code == 201 and len(ok.request.content) < MAX_BODY


def test_the_server_answers_before_the_body_is_sent(threaded_hall: ThreadedServer) -> None:
    """Real HTTP: a 1 MB body announced and none of it sent still gets its 413."""
    status, body = answer_without_body(threaded_hall.port, "/api/tickets", 1024 * 1024)
    assert status == 413 and body["error"]["code"] == "body_too_large"
