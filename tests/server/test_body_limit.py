"""Request bodies over 64 KiB are refused before anything reads them (issue 13, item 3):
413 with the JSON error shape, nothing written, whether the size is declared or streamed."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from queue_app.domain.catalog import Catalog
from queue_app.server.body_limit import MAX_BODY
from queue_app.store import Store
from queue_app.store.tables import idempotency_t, ticket_t
from tests.conftest import midday_hall
from tests.server.live import sqlite_url
from tests.server.threaded import ThreadedServer

BIG = b'{"matters": ["M-SBK"], "x": "' + b"a" * (1024 * 1024) + b'"}'


def rows(store: Store) -> tuple[int, int]:
    with store.engine.connect() as conn:
        tickets = conn.execute(select(func.count()).select_from(ticket_t)).scalar_one()
        keys = conn.execute(select(func.count()).select_from(idempotency_t)).scalar_one()
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


@pytest.fixture()
def server(tmp_path: Path, mini_catalog: Catalog) -> Iterator[ThreadedServer]:
    s = ThreadedServer(sqlite_url(tmp_path), mini_catalog, midday_hall(tmp_path)).start()
    yield s
    s.stop()


def test_the_server_answers_before_the_body_is_sent(server: ThreadedServer) -> None:
    """Real HTTP: the request announces a 1 MB body and sends none of it; the 413 comes
    all the same (nothing waited for the body, let alone read it)."""
    head = (
        "POST /api/tickets HTTP/1.1\r\nHost: hall\r\nContent-Type: application/json\r\n"
        f"Content-Length: {1024 * 1024}\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as conn:
        conn.sendall(head.encode())
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            answer += chunk
    status, _, rest = answer.partition(b"\r\n")
    assert status.startswith(b"HTTP/1.1 413"), answer[:200]
    body = rest.split(b"\r\n\r\n", 1)[1]
    assert json.loads(body)["error"]["code"] == "body_too_large"
