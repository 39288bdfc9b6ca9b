"""The board's new parts and the window screen's JSON, in process: the windows' strip,
today's 过号 numbers, the manager's notice (set, cleared, refused when too long), the
window screen (what it serves now, paused and why, who sits there as the hall shows them:
a masked name or the hall's display name, and the staff number; never a phone or an ID)."""

from __future__ import annotations

import httpx
import pytest

from queue_app.domain.hall import Display, Hall
from queue_app.domain.public_text import NOTICE_MOST, masked_name, public_name
from queue_app.server import create_app
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from tests.conftest import Clock
from tests.server.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.anyio


def test_names_on_public_screens_hide_the_given_name() -> None:
    assert masked_name("张伟") == "张*"
    assert masked_name("欧阳娜娜") == "欧阳**"  # a two-character surname
    assert masked_name("王小明") == "王**"
    assert masked_name("Li Wei") == "Li *"
    assert masked_name("  ") == ""
    assert public_name("张伟", None, full_names=False) == "张*"
    assert public_name("张伟", "", full_names=False) == "张*"
    assert public_name("张伟", None, full_names=True) == "张伟"  # the hall's file says so
    assert public_name("张伟", "张女士", full_names=False) == "张女士"  # the hall chose it


async def test_the_board_lists_no_shows_until_requeued_and_carries_the_notice(
    api: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    for _ in range(3):
        assert (await api.post("/api/tickets", json={"matters": ["M-SBK"]})).status_code == 201
    for w in (1, 2):
        await api.post(f"/api/windows/{w}/call-next")
        assert (await api.post(f"/api/windows/{w}/no-show")).status_code == 200
    await api.post("/api/windows/1/call-next")  # A003
    await api.post("/api/windows/2/pause", json={"reason": "午休"})
    d = (await anon.get("/api/display")).json()
    assert [n["ticket"] for n in d["no_shows"]] == ["A002", "A001"]  # newest first
    assert d["no_show_count"] == 2
    assert [(w["window"], w["state"], w["ticket"]) for w in d["strip"]][:2] == [
        (1, "calling", "A003"),
        (2, "paused", None),
    ]
    assert (await api.post("/api/tickets/A001/requeue")).status_code == 200
    d = (await anon.get("/api/display")).json()
    assert [n["ticket"] for n in d["no_shows"]] == ["A002"] and d["no_show_count"] == 1

    r = await api.put("/api/hall/notice", json={"text": "  今日下午 16:00 起暂停办理不动产业务  "})
    assert r.status_code == 200, r.text
    assert r.json()["text"] == "今日下午 16:00 起暂停办理不动产业务"
    assert r.json()["set_by"] == "mgr"
    assert (await anon.get("/api/display")).json()[
        "notice"
    ] == "今日下午 16:00 起暂停办理不动产业务"
    for text, code in (
        ("长" * (NOTICE_MOST + 1), "notice_too_long"),
        ("一行\n两行", "notice_not_one_line"),
    ):
        r = await api.put("/api/hall/notice", json={"text": text})
        assert r.status_code == 422 and r.json()["error"]["code"] == code, r.text
    long = (await api.put("/api/hall/notice", json={"text": "长" * 61})).json()["error"]
    assert long["message_zh"] == "公告最多 60 个字（这条有 61 个字）" and long["field"] == "text"
    assert (await anon.put("/api/hall/notice", json={"text": "x"})).status_code == 401
    r = await api.put("/api/hall/notice", json={"text": None})
    assert r.status_code == 200 and r.json() == {"text": None, "set_at": None, "set_by": None}
    assert (await anon.get("/api/display")).json()["notice"] is None


async def test_the_window_screen_shows_the_window_its_work_and_its_clerk_masked(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, store: Store
) -> None:
    add_staff(store, "zhang", Role.CLERK, PASSWORD, "张伟")
    r = await api.patch("/api/staff/zhang", json={"staff_number": "1024"})
    assert r.status_code == 200 and r.json()["staff_number"] == "1024", r.text
    token = await sign_in(anon, "zhang", window=3)
    clerk = {"Authorization": f"Bearer {token}"}
    await api.post("/api/tickets", json={"matters": ["M-GT"]})  # 企业开办: B001
    await anon.post("/api/windows/3/call-next", headers=clerk)

    r = await anon.get("/api/screen/3")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    d = r.json()
    assert (d["window"], d["name"], d["kind"], d["state"], d["ticket"]) == (
        3,
        "企业开办综合窗口",
        "domain",
        "calling",
        "B001",
    )
    assert d["serves"] == {
        "all": False,
        "undifferentiated": False,
        "domains": ["企业开办"],
        "departments": [],
        "matters": [],
    }
    assert d["clerk"] == {"name": "张*", "staff_number": "1024"}
    assert "张伟" not in r.text and "zhang" not in r.text  # neither the full name nor the account

    # re-profiled: the screen says what it serves now
    profile = {
        "name": "企业开办与不动产窗口",
        "kind": "domain",
        "serves": {"domains": ["企业开办", "不动产"]},
    }
    r = await api.post("/api/windows/3/profile", json={"profile": profile})
    assert r.status_code == 200, r.text
    d = (await anon.get("/api/screen/3")).json()
    assert d["name"] == "企业开办与不动产窗口" and d["serves"]["domains"] == ["企业开办", "不动产"]
    assert d["changed"] is True

    # the hall's display name instead; cleared, the masked name again
    r = await api.patch("/api/staff/zhang", json={"display_name": "张女士"})
    assert r.json()["display_name"] == "张女士"
    assert (await anon.get("/api/screen/3")).json()["clerk"]["name"] == "张女士"
    await api.patch("/api/staff/zhang", json={"display_name": None})
    assert (await anon.get("/api/screen/3")).json()["clerk"]["name"] == "张*"

    # served, finished, paused with a reason
    await anon.post("/api/windows/3/start", headers=clerk)
    assert (await anon.get("/api/screen/3")).json()["state"] == "serving"
    await anon.post("/api/windows/3/finish", json={"outcome": "completed"}, headers=clerk)
    await anon.post("/api/windows/3/pause", json={"reason": "系统维护"}, headers=clerk)
    d = (await anon.get("/api/screen/3")).json()
    assert (d["state"], d["reason"], d["ticket"]) == ("paused", "系统维护", None)

    # a window no one sits at
    assert (await anon.get("/api/screen/4")).json()["clerk"] is None


async def test_staff_numbers_and_unknown_windows_are_refused_clearly(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, store: Store
) -> None:
    add_staff(store, "li", Role.CLERK, PASSWORD, "李四")
    r = await api.patch("/api/staff/li", json={"staff_number": "10 24"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_staff_number"
    r = await api.patch("/api/staff/nobody", json={"staff_number": "1"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_such_staff"
    r = await api.patch("/api/staff/li", json={"full_name": "李思", "staff_number": ""})
    assert r.status_code == 200 and (r.json()["full_name"], r.json()["staff_number"]) == (
        "李思",
        None,
    )
    r = await anon.get("/api/screen/99")
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_such_window"
    page = await anon.get("/window/99")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "没有这个窗口" in page.text
    assert (await anon.get("/window/1")).status_code == 200
    assert (await anon.get("/window/abc")).status_code == 404


async def test_a_hall_that_shows_full_names_shows_them(
    store: Store, mini_hall: Hall, clock: Clock
) -> None:
    add_staff(store, "wang", Role.CLERK, PASSWORD, "王小明")
    full = mini_hall.model_copy(update={"display": Display(staff_names="full")})
    same_db = Store(store.engine, store.catalog, full, clock=clock, create=False)
    app = create_app(same_db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hall"
    ) as c:
        await sign_in(c, "wang", window=1)
        d = (await c.get("/api/screen/1")).json()
    app.state.service.close()
    assert d["clerk"] == {"name": "王小明", "staff_number": None}
