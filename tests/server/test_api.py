"""The HTTP API in-process: every operation, one error shape, no 500 for bad input."""

from __future__ import annotations

import httpx
import pytest

from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from tests.conftest import Clock
from tests.server.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.anyio


def assert_error(r: httpx.Response, status: int, code: str, field: str | None = None) -> None:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] == code
    assert err["message_zh"] and err["message_en"]
    if field is not None:
        assert err["field"] == field


async def test_a_ticket_through_its_whole_life(api: httpx.AsyncClient) -> None:
    r = await api.post("/api/tickets", json={"bundle": "GR-TX", "priority": "elderly"})
    assert r.status_code == 201, r.text
    slip = r.json()
    assert slip["ticket"]["number"] == "V001" and slip["class_name"] == "绿色通道"
    assert slip["ahead"] == 0 and slip["windows"] == [1, 2] and len(slip["token"]) >= 16
    assert [i["name"] for i in slip["ticket"]["items"]] == [
        "企业职工基本养老保险正常退休申请",
        "社会保障卡申领",
    ]
    r = await api.get("/api/tickets", params={"window": 1})
    assert [t["number"] for t in r.json()] == ["V001"]
    r = await api.post("/api/windows/1/call-next")
    assert r.json()["ticket"]["status"] == "called"
    r = await api.post("/api/windows/1/recall", json={"ticket": "V001"})
    assert r.json()["recalls"] == 1
    r = await api.post("/api/windows/1/start")
    assert r.json()["status_label"] == "办理中"
    w = {x["number"]: x for x in (await api.get("/api/windows")).json()}
    assert w[1]["state"] == "serving" and w[1]["ticket"]["number"] == "V001"
    r = await api.post(
        "/api/windows/1/finish", json={"outcomes": {"M-YL": "accepted", "M-SBK": "completed"}}
    )
    assert r.status_code == 200, r.text
    assert [i["outcome_label"] for i in r.json()["items"]] == ["受理", "办结"]
    r = await api.get("/api/tickets/V001")
    assert r.json()["status"] == "done"
    counts = (await api.get("/api/stats/today")).json()["counts"]
    assert counts["done"] == 1


async def test_transfer_no_show_requeue_cancel_pause(api: httpx.AsyncClient) -> None:
    await api.post("/api/tickets", json={"matters": ["M-GT"]})
    await api.post("/api/tickets", json={"matters": ["M-SBK"]})
    assert (await api.post("/api/windows/1/call-next")).json()["ticket"]["number"] == "B001"
    r = await api.post("/api/windows/1/transfer", json={"to_window": 3, "reason": "食品许可"})
    assert r.json()["target_window"] == 3
    assert (await api.post("/api/windows/3/call-next")).json()["ticket"]["number"] == "B001"
    assert (await api.post("/api/windows/1/call-next")).json()["ticket"]["number"] == "A001"
    assert (await api.post("/api/windows/1/no-show")).json()["status"] == "no_show"
    assert (await api.post("/api/tickets/A001/requeue")).json()["status"] == "waiting"
    r = await api.post("/api/tickets/A001/cancel", json={"reason": "不办了"})
    assert r.json()["status"] == "cancelled"
    r = await api.post("/api/windows/2/pause", json={"reason": "休息"})
    assert r.json() == {"number": 2, "status": "paused", "reason": "休息"}
    assert_error(await api.post("/api/windows/2/call-next"), 409, "window_paused", "window")
    assert (await api.post("/api/windows/2/resume")).json()["status"] == "open"
    assert (await api.post("/api/windows/2/close")).json()["status"] == "closed"
    assert (await api.post("/api/windows/2/open")).json()["status"] == "open"
    assert (await api.post("/api/windows/2/call-next")).json() == {"ticket": None}


async def test_refusals_have_one_shape_and_the_right_status(api: httpx.AsyncClient) -> None:
    assert_error(
        await api.post("/api/tickets", json={"matters": ["NOPE"]}), 422, "unknown_matter", "matters"
    )
    assert_error(await api.post("/api/tickets", json={}), 422, "no_matters", "matters")
    assert_error(
        await api.post("/api/tickets", json={"matters": "M-SBK"}), 422, "invalid_request", "matters"
    )
    assert_error(
        await api.post("/api/tickets", json={"matters": ["M-SBK"], "vip": True}),
        422,
        "invalid_request",
        "vip",
    )
    assert_error(
        await api.post("/api/tickets", json={"matters": ["M-SBK"], "priority": "vip"}),
        422,
        "invalid_request",
        "priority",
    )
    assert_error(
        await api.post(
            "/api/tickets", content=b"{not json", headers={"content-type": "application/json"}
        ),
        422,
        "invalid_request",
    )
    assert_error(await api.post("/api/windows/1/start"), 409, "no_current_ticket", "window")
    assert_error(await api.post("/api/windows/99/call-next"), 404, "no_such_window")
    assert_error(await api.post("/api/windows/x/call-next"), 422, "invalid_request", "window")
    assert_error(await api.get("/api/tickets/Z999"), 404, "no_such_ticket")
    assert_error(await api.get("/api/nothing-here"), 404, "http_404")
    assert_error(await api.post("/api/windows/1/finish", json={}), 422, "bad_outcome")
    assert_error(
        await api.get("/api/tickets", params={"windw": 1}), 422, "unknown_parameter", "windw"
    )
    # no silent coercion (found by fuzzing): 0 is not false, "1" is not a window
    assert_error(
        await api.post("/api/day/close", json={"force": 0}), 422, "invalid_request", "force"
    )
    assert_error(
        await api.post("/api/windows/1/transfer", json={"to_window": "2"}),
        422,
        "invalid_request",
        "to_window",
    )
    assert_error(await api.post("/api/windows/1/pause", json={}), 422, "invalid_request", "reason")
    await api.post("/api/tickets", json={"matters": ["M-SBK"]})
    await api.post("/api/windows/1/call-next")
    assert_error(
        await api.post("/api/windows/1/finish", json={"outcome": "completed"}),
        409,
        "bad_status",
        "ticket",
    )
    assert_error(
        await api.post("/api/windows/1/start", json={"ticket": "A009"}),
        409,
        "not_your_ticket",
        "ticket",
    )
    # nothing changed by any of the refusals
    w = {x["number"]: x for x in (await api.get("/api/windows")).json()}
    assert w[1]["state"] == "calling" and w[1]["ticket"]["recalls"] == 0


async def test_catalog_and_hall_reads(api: httpx.AsyncClient) -> None:
    hits = (await api.get("/api/catalog/search", params={"q": "hz"})).json()
    assert hits[0]["name"] == "普通护照签发"
    cat = (await api.get("/api/catalog")).json()
    assert len(cat["matters"]) == 6 and cat["bundles"][0]["code"] == "QY-KBCYD"
    hall = (await api.get("/api/hall")).json()
    assert [w["number"] for w in hall["windows"]] == [1, 2, 3, 4]
    assert (await api.get("/api/health")).json()["status"] == "ok"
    assert (await api.get("/openapi.json")).status_code == 200


async def test_rating_and_window_figures(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    assert (await api.post("/api/windows/4/close")).status_code == 200
    number = (await api.post("/api/tickets", json={"bundle": "GR-TX"})).json()["ticket"]["number"]
    await api.post("/api/windows/1/call-next")
    clock.advance(minutes=3)
    await api.post("/api/windows/1/start")
    clock.advance(minutes=5)
    await api.post("/api/windows/1/finish", json={"outcome": "completed"})
    # window 1 has a 评价器 (every window, by default): staff may not rate there
    r = await api.post("/api/windows/1/rating", json={"ticket": number, "level": 5})
    assert r.status_code == 409 and r.json()["error"]["code"] == "rater_here"
    add_staff(store, "pad1", Role.RATER, PASSWORD, "1号窗口评价器")
    pad = {"Authorization": f"Bearer {await sign_in(anon, 'pad1', 1)}"}
    r = await anon.post("/api/windows/1/rating", json={"ticket": number, "level": 5}, headers=pad)
    assert r.status_code == 200 and r.json()["number"] == number
    r = await anon.post("/api/windows/1/rating", json={"ticket": number, "level": 4}, headers=pad)
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_rated"
    r = await anon.post("/api/windows/1/rating", json={"ticket": number, "level": 9}, headers=pad)
    assert r.status_code == 422 and r.json()["error"]["field"] == "level"
    r = await anon.get("/api/windows/1/rater", headers=pad)
    assert r.json()["visit"]["number"] == number and r.json()["visit"]["rating"]["level"] == 5
    r = await anon.get("/api/tickets", headers=pad)  # a 评价器 rates, and nothing else
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    stats = (await api.get("/api/stats/windows")).json()
    one = next(w for w in stats["windows"] if w["window"] == 1)
    assert (one["served"], one["bundles"], one["ratings"], one["mean_rating"]) == (1, 1, 1, 5)
    assert one["mean_handling_minutes"] == 5 and one["busy_minutes"] == 8
    assert one["utilisation"] == 1.0  # busy the whole 8 minutes it was open
    # windows 1, 2 and 3 open for 8 minutes: too short a time to say how even the work is
    assert stats["bundles_served"] == 1 and stats["load_balance"] is None
    clock.advance(minutes=22)  # half an hour open; only 1 worked (8 of 30 minutes)
    stats = (await api.get("/api/stats/windows")).json()
    assert abs(stats["load_balance"] - 2**0.5) < 1e-9
    closed = next(w for w in stats["windows"] if w["window"] == 4)
    assert closed["utilisation"] is None and closed["served"] == 0


async def test_the_queue_over_the_day(api: httpx.AsyncClient, clock: Clock) -> None:
    r = await api.get("/api/stats/queue")
    assert r.status_code == 200 and r.json()["waiting"] == []
    for _ in range(3):
        await api.post("/api/tickets", json={"matters": ["M-SBK"]})
    clock.advance(minutes=10)
    await api.post("/api/windows/1/call-next")
    clock.advance(minutes=10)
    body = (await api.get("/api/stats/queue", params={"bucket_minutes": 10})).json()
    assert body["bucket_minutes"] == 10 and body["waiting"][:2] == [3, 2]
    r = await api.get("/api/stats/queue", params={"bucket_minutes": 0})
    assert r.status_code == 422


async def test_the_mean_wait_per_domain_today(api: httpx.AsyncClient, clock: Clock) -> None:
    assert (await api.get("/api/stats/domains")).json()["domains"] == []
    await api.post("/api/tickets", json={"matters": ["M-SBK"]})
    await api.post("/api/tickets", json={"matters": ["M-GT"]})
    clock.advance(minutes=6)
    await api.post("/api/windows/1/call-next")
    clock.advance(minutes=3)
    await api.post("/api/windows/2/call-next")
    body = (await api.get("/api/stats/domains")).json()
    assert body["domains"] == [
        {"domain": "企业开办", "called": 1, "mean_wait_minutes": 9.0},
        {"domain": "社保", "called": 1, "mean_wait_minutes": 6.0},
    ]


async def test_a_manager_changes_what_a_window_serves_and_the_targets(
    api: httpx.AsyncClient,
) -> None:
    choices = (await api.get("/api/hall/profiles")).json()
    assert [(c["profile"]["name"], c["windows"]) for c in choices] == [
        ("无差别综合窗口", [1, 2]),
        ("企业开办综合窗口", [3]),
        ("出入境窗口", [4]),
    ]
    enterprise = choices[1]["profile"]
    await api.post("/api/tickets", json={"matters": ["M-SP"]})  # window 3 only
    r = await api.post("/api/windows/2/profile", json={"profile": enterprise})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "企业开办综合窗口"
    hall = (await api.get("/api/hall")).json()
    assert hall["windows"][1]["serves"]["domains"] == ["企业开办"]
    assert (await api.post("/api/windows/2/call-next")).json()["ticket"]["number"] == "B001"
    windows = {w["number"]: w for w in (await api.get("/api/windows")).json()}
    assert windows[2]["changed"] and windows[2]["kind"] == "domain" and not windows[1]["changed"]
    r = await api.post("/api/windows/2/profile", json={"profile": None})
    assert r.json()["name"] == "无差别综合窗口"

    r = await api.post("/api/hall/targets", json={"targets": {"wait_minutes": 15}})
    assert r.json() == {"wait_minutes": 15, "serve_minutes": 40}
    assert (await api.get("/api/hall")).json()["targets"]["wait_minutes"] == 15

    # bad input: a precise refusal, nothing changed
    bad = {**enterprise, "serves": {"domains": ["火星"]}}
    assert_error(
        await api.post("/api/windows/2/profile", json={"profile": bad}),
        422,
        "bad_profile",
        "serves.domains[0]",
    )
    r = await api.post("/api/hall/targets", json={"targets": {"wait_minutes": 0}})
    assert r.status_code == 422, r.text
    r = await api.post("/api/windows/2/profile", json={"profile": {**enterprise, "kind": "x"}})
    assert r.status_code == 422, r.text
    assert (await api.get("/api/hall")).json()["targets"]["wait_minutes"] == 15
    assert not any(w["changed"] for w in (await api.get("/api/windows")).json())


async def test_staffing_for_the_manager(api: httpx.AsyncClient) -> None:
    for _ in range(3):
        await api.post("/api/tickets", json={"matters": ["M-SBK"]})
    s = (await api.get("/api/stats/staffing")).json()
    assert s["open_windows"] == 4 and s["target_minutes"] == 20
    assert s["hold_minutes"] == pytest.approx(5.0)
    assert s["hours"] == []  # the clock stands at 09:00: no hour seen ten minutes yet
