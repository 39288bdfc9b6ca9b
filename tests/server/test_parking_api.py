"""补材料 over HTTP: the clerk parks at its own window and un-parks its own tickets, the desk
un-parks any, everyone signed in lists them; who may not is told so."""

from __future__ import annotations

import httpx
import pytest

from queue_app.server import HallServer
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from tests.server.conftest import PASSWORD, sign_in
from tests.server.test_api import assert_error

pytestmark = pytest.mark.anyio


def client(app: HallServer, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://hall",
        headers={"Authorization": f"Bearer {token}"},
    )


async def test_who_parks_and_un_parks(
    app: HallServer, anon: httpx.AsyncClient, store: Store
) -> None:
    for name, role in (("wang", Role.CLERK), ("li", Role.CLERK), ("desk1", Role.DESK)):
        add_staff(store, name, role, PASSWORD)
    wang = client(app, await sign_in(anon, "wang", 1))
    li = client(app, await sign_in(anon, "li", 2))
    desk = client(app, await sign_in(anon, "desk1"))
    async with wang, li, desk:
        for _ in range(3):
            assert (await desk.post("/api/tickets", json={"matters": ["M-SBK"]})).status_code
        await wang.post("/api/windows/1/call-next")
        assert_error(await wang.post("/api/windows/1/park"), 409, "bad_status", "ticket")
        await wang.post("/api/windows/1/start")
        assert_error(await li.post("/api/windows/1/park"), 403, "forbidden", "window")
        assert_error(await desk.post("/api/windows/1/park"), 403, "forbidden", "window")
        r = await wang.post("/api/windows/1/park", json={"note": "户口本原件", "ticket": "A001"})
        assert r.status_code == 200, r.text
        parked = r.json()
        assert (parked["status"], parked["status_label"], parked["park_note"]) == (
            "parked",
            "补材料",
            "户口本原件",
        )
        too_long = {"note": "x" * 201}
        assert_error(await wang.post("/api/windows/1/park", json=too_long), 422, "invalid_request")
        for who in (wang, li, desk):
            r = await who.get("/api/tickets", params={"status": "parked"})
            assert [t["number"] for t in r.json()] == ["A001"]
        r = await li.get("/api/tickets", params={"status": "parked", "window": 2})
        assert r.json() == []
        assert_error(
            await desk.get("/api/tickets", params={"status": "done"}), 422, "unsupported_filter"
        )
        # the clerk of another window may not un-park it, at its window or at this one
        r = await li.post("/api/windows/2/unpark", json={"ticket": "A001"})
        assert_error(r, 409, "not_your_ticket", "window")
        r = await li.post("/api/windows/1/unpark", json={"ticket": "A001"})
        assert_error(r, 403, "forbidden", "window")
        assert_error(await li.post("/api/tickets/A001/unpark"), 403, "forbidden")
        r = await wang.post("/api/windows/1/unpark", json={"ticket": "A001"})
        assert (r.json()["status"], r.json()["held_for"]) == ("waiting", 1)
        assert_error(await desk.post("/api/tickets/A001/unpark"), 409, "bad_status")
        r = await li.post("/api/windows/2/call-next")
        assert r.json()["ticket"]["number"] == "A002"  # A001 is window 1's
        r = await wang.post("/api/windows/1/call-next")
        assert r.json()["ticket"]["number"] == "A001"
        await wang.post("/api/windows/1/start")
        await wang.post("/api/windows/1/park", json={"note": "照片"})
        r = await desk.post("/api/tickets/A001/unpark")  # the desk: the citizen is back
        assert (r.status_code, r.json()["held_for"]) == (200, 1)
