"""A change to the API is refused before its body is read unless it carries a live
session (issue 13, item 3): anonymous traffic costs a header check."""

from __future__ import annotations

import httpx
import pytest

from tests.server.threaded import ThreadedServer, answer_without_body

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


def test_the_server_answers_401_before_the_body_is_sent(threaded_hall: ThreadedServer) -> None:
    status, body = answer_without_body(threaded_hall.port, "/api/windows/1/pause", 1000)
    assert status == 401 and body["error"]["code"] == "not_signed_in"
