"""A retried POST with the same Idempotency-Key gets the first response, never a second
ticket."""

from __future__ import annotations

import asyncio

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_a_retried_issue_returns_the_first_ticket(api: httpx.AsyncClient) -> None:
    h = {"Idempotency-Key": "desk1-0001"}
    first = await api.post("/api/tickets", json={"matters": ["M-SBK"]}, headers=h)
    again = await api.post("/api/tickets", json={"matters": ["M-SBK"]}, headers=h)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = await api.post(
        "/api/tickets", json={"matters": ["M-SBK"]}, headers={"Idempotency-Key": "desk1-0002"}
    )
    assert other.json()["ticket"]["number"] == "A002"
    counts = (await api.get("/api/stats/today")).json()["counts"]
    assert counts["waiting"] == 2


async def test_concurrent_retries_make_one_ticket(api: httpx.AsyncClient) -> None:
    h = {"Idempotency-Key": "burst"}
    results = await asyncio.gather(
        *[api.post("/api/tickets", json={"matters": ["M-SBK"]}, headers=h) for _ in range(6)]
    )
    ok = [r for r in results if r.status_code == 201]
    assert ok and {r.json()["ticket"]["number"] for r in ok} == {"A001"}
    for r in results:
        assert r.status_code == 201 or r.json()["error"]["code"] == "request_in_progress"
    assert (await api.get("/api/stats/today")).json()["counts"]["waiting"] == 1


async def test_a_key_reused_for_another_request_is_refused(api: httpx.AsyncClient) -> None:
    h = {"Idempotency-Key": "k1"}
    await api.post("/api/tickets", json={"matters": ["M-SBK"]}, headers=h)
    r = await api.post("/api/tickets", json={"matters": ["M-YL"]}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "idempotency_key_reused"
    r = await api.post(
        "/api/tickets", json={"matters": ["M-SBK"]}, headers={"Idempotency-Key": "x" * 200}
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "Idempotency-Key"


async def test_a_refusal_is_replayed_too_and_changes_nothing(api: httpx.AsyncClient) -> None:
    h = {"Idempotency-Key": "call-1"}
    first = await api.post("/api/windows/1/start", headers=h)
    assert first.status_code == 409
    await api.post("/api/tickets", json={"matters": ["M-SBK"]})
    await api.post("/api/windows/1/call-next")
    again = await api.post("/api/windows/1/start", headers=h)
    assert again.status_code == 409 and again.json() == first.json()
    # a retried call-next does not claim a second ticket
    await api.post("/api/tickets", json={"matters": ["M-SBK"]})
    h2 = {"Idempotency-Key": "call-2"}
    await api.post("/api/windows/2/call-next", headers=h2)
    r = await api.post("/api/windows/2/call-next", headers=h2)
    assert r.json()["ticket"]["number"] == "A002"
    assert (await api.get("/api/stats/today")).json()["counts"]["called"] == 2
