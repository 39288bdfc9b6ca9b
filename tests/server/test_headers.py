"""Security headers on every response (issue 13, item 6), and the API reference (whose
pages load scripts from a CDN) off unless asked for."""

from __future__ import annotations

import httpx
import pytest

from queue_app.server import create_app
from queue_app.server.headers import ALWAYS, NOTHING_LOADED
from queue_app.store import Store

pytestmark = pytest.mark.anyio


async def test_every_kind_of_answer_carries_the_security_headers(
    anon: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    answers = {
        "json": await api.get("/api/windows"),
        "refusal": await anon.get("/api/windows"),  # 401
        "unknown address": await anon.get("/nowhere"),  # 404
        "bad text": await api.get("/api/tickets/A%00"),  # 422
        "schema": await anon.get("/openapi.json"),
        "page": await anon.get("/display"),
        "script": await anon.get("/web/common.js"),
    }
    for what, r in answers.items():
        for name, value in ALWAYS.items():
            assert r.headers.get(name) == value, (what, r.status_code, name)
        assert r.headers.get("content-security-policy"), what
    assert answers["json"].headers["content-security-policy"] == NOTHING_LOADED
    page_policy = answers["page"].headers["content-security-policy"]
    assert page_policy != NOTHING_LOADED and "script-src 'self'" in page_policy  # its own


async def test_the_api_reference_is_off_unless_asked_for(
    anon: httpx.AsyncClient, store: Store
) -> None:
    for path in ("/docs", "/redoc"):
        assert (await anon.get(path)).status_code == 404
    assert (await anon.get("/openapi.json")).status_code == 200

    app = create_app(store, docs=True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hall") as client:
        r = await client.get("/docs")
        assert r.status_code == 200 and "swagger" in r.text.lower()
        assert "content-security-policy" not in r.headers  # its scripts come from a CDN
        assert r.headers["x-content-type-options"] == "nosniff"
    app.state.service.close()
