"""A change to the API is refused before its body is read unless it carries a live
session (issue 13, item 3): anonymous traffic costs a header check."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from queue_app.domain.catalog import Catalog
from tests.conftest import midday_hall
from tests.server.live import sqlite_url
from tests.server.threaded import ThreadedServer

NOT_JSON = {"content": b"{not json", "headers": {"Content-Type": "application/json"}}


@pytest.mark.anyio
async def test_a_change_without_a_live_session_is_refused_before_its_body(
    api: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic x"}):
        r = await anon.post("/api/tickets", **NOT_JSON | {"headers": NOT_JSON["headers"] | headers})
        assert r.status_code == 401, r.text  # not 422: the body was never parsed
        assert r.json()["error"]["code"] == "not_signed_in"
    r = await api.post("/api/tickets", **NOT_JSON)  # signed in: the body is read, and wrong
    assert r.status_code == 422
    r = await anon.post("/api/auth/sign-in", **NOT_JSON)  # signing in needs no session
    assert r.status_code == 422
    assert (await anon.get("/api/hall")).status_code == 200  # reads stay public


@pytest.fixture()
def server(tmp_path: Path, mini_catalog: Catalog) -> Iterator[ThreadedServer]:
    s = ThreadedServer(sqlite_url(tmp_path), mini_catalog, midday_hall(tmp_path)).start()
    yield s
    s.stop()


def test_the_server_answers_401_before_the_body_is_sent(server: ThreadedServer) -> None:
    head = (
        "POST /api/windows/1/pause HTTP/1.1\r\nHost: hall\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as conn:
        conn.sendall(head.encode())
        answer = b""
        while not answer.rstrip().endswith(b"}"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    body = answer.split(b"\r\n\r\n", 1)[1]
    assert json.loads(body)["error"]["code"] == "not_signed_in"
