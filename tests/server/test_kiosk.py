"""The self-service kiosk's API: its menu ranks what this hall issued lately and offers
only what it handles; the guide before issuing; the slip's QR; a kiosk account issues
once per Idempotency-Key and does nothing else."""

from __future__ import annotations

import httpx
import pytest

from queue_app.domain.catalog import Audience
from queue_app.domain.kiosk import audiences
from queue_app.server import HallServer
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from tests.conftest import Clock
from tests.server.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.anyio


async def kiosk(anon: httpx.AsyncClient, store: Store) -> dict[str, str]:
    add_staff(store, "kiosk1", Role.KIOSK, PASSWORD, "一楼取号机")
    return {"Authorization": f"Bearer {await sign_in(anon, 'kiosk1')}"}


async def test_the_menu_ranks_by_recent_tickets_and_offers_only_what_is_handled(
    anon: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    h = await kiosk(anon, store)
    fresh = (await anon.get("/api/kiosk/menu", headers=h)).json()
    person = [c["code"] for c in fresh["person"]]
    assert person[0] == "M-SBK"  # no tickets yet: the catalog's common matter first
    assert set(person) == {"M-SBK", "M-YL", "M-HZ"}  # 不动产 (M-BDC) has no window here
    assert [c["code"] for c in fresh["enterprise"]] == ["M-GT", "M-SP"]
    assert {c["code"] for c in fresh["bundle"]} == {"QY-KBCYD", "GR-TX"}
    for _ in range(2):
        store.issue(["M-HZ"])
    clock.advance(86400)  # yesterday's tickets count too (the last 14 days)
    store.issue(["M-YL"])
    store.issue(bundle="QY-KBCYD")
    h = {"Authorization": f"Bearer {await sign_in(anon, 'kiosk1')}"}  # a session a day long
    menu = (await anon.get("/api/kiosk/menu", headers=h)).json()
    assert [(c["code"], c["issued"]) for c in menu["person"]] == [
        ("M-HZ", 2),
        ("M-YL", 1),
        ("M-SBK", 0),
    ]
    assert [(c["code"], c["issued"]) for c in menu["enterprise"]] == [("M-GT", 1), ("M-SP", 1)]
    assert menu["bundle"][0] == {
        "kind": "bundle",
        "code": "QY-KBCYD",
        "name": "开办餐饮店",
        "audience": "enterprise",
        "domain": "",
        "issued": 1,
    }
    clock.advance(15 * 86400)  # older than the menu's days: forgotten
    h = {"Authorization": f"Bearer {await sign_in(anon, 'kiosk1')}"}
    later = (await anon.get("/api/kiosk/menu", headers=h)).json()
    assert [c["issued"] for c in later["person"]] == [0, 0, 0]


async def test_the_guide_says_what_to_bring_where_and_how_many_wait(
    anon: httpx.AsyncClient, store: Store
) -> None:
    h = await kiosk(anon, store)
    store.issue(["M-SBK"])
    store.issue(["M-GT"])  # a 企业开办 ticket: class B, not A
    store.close_window(2, actor="setup")
    g = (await anon.get("/api/kiosk/guide", params={"matter": "M-SBK"}, headers=h)).json()
    assert g["handled"] and g["name"] == "社会保障卡申领" and g["places"] == []
    assert g["matters"] == [
        {
            "code": "M-SBK",
            "name": "社会保障卡申领",
            "department": "人社局",
            "immediate": True,
            "promised_days": 0,
            "materials": [
                {
                    "name": "居民身份证",
                    "form": "原件",
                    "copies": 1,
                    "required": True,
                    "note": "",
                }
            ],
            "handled": True,
        }
    ]
    assert [(w["number"], w["open"]) for w in g["windows"]] == [(1, True), (2, False)]
    assert (g["class_prefix"], g["class_name"], g["waiting"]) == ("A", "综合业务", 1)
    b = (await anon.get("/api/kiosk/guide", params={"bundle": "GR-TX"}, headers=h)).json()
    assert [m["code"] for m in b["matters"]] == ["M-YL", "M-SBK"]
    assert b["matters"][0]["immediate"] is False and b["matters"][0]["promised_days"] == 5
    no = (await anon.get("/api/kiosk/guide", params={"matter": "M-BDC"}, headers=h)).json()
    assert not no["handled"] and no["windows"] == []


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "matter_or_bundle"),
        ({"matter": "M-SBK", "bundle": "GR-TX"}, "matter_or_bundle"),
        ({"matter": "NOPE"}, "unknown_matter"),
        ({"bundle": "NOPE"}, "unknown_bundle"),
    ],
)
async def test_a_wrong_guide_request_is_refused_clearly(
    anon: httpx.AsyncClient, store: Store, params: dict[str, str], code: str
) -> None:
    h = await kiosk(anon, store)
    r = await anon.get("/api/kiosk/guide", params=params, headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == code


async def test_a_kiosk_issues_once_per_key_and_shows_the_slip_qr(
    app: HallServer, anon: httpx.AsyncClient, store: Store
) -> None:
    h = await kiosk(anon, store)
    keyed = {**h, "Idempotency-Key": "kiosk-attempt-1"}
    first = await anon.post("/api/tickets", json={"matters": ["M-SBK"]}, headers=keyed)
    again = await anon.post("/api/tickets", json={"matters": ["M-SBK"]}, headers=keyed)
    assert first.status_code == again.status_code == 201
    assert again.json()["ticket"]["number"] == first.json()["ticket"]["number"] == "A001"
    assert len(store.waiting()) == 1
    token = first.json()["token"]
    qr = await anon.get(f"/api/status/{token}/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"] == "image/svg+xml"
    assert qr.text.startswith("<svg") and "<path" in qr.text
    gone = await anon.get(f"/api/status/{'x' * 22}/qr.svg")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "no_such_ticket"
    # the kiosk may not cancel, nor read the line
    r = await anon.post("/api/tickets/A001/cancel", headers=keyed | {"Idempotency-Key": "k2"})
    assert r.status_code == 403 and "kiosk" in r.json()["error"]["message_en"]
    assert (await anon.get("/api/tickets", headers=h)).status_code == 403


def test_a_matter_is_a_person_s_or_a_business_s(store: Store) -> None:
    of = audiences(store.catalog)
    assert of["M-GT"] is Audience.ENTERPRISE  # 企业开办
    assert of["M-YL"] is Audience.PERSON  # 企业职工…退休: a person's
    assert of["M-HZ"] is Audience.PERSON
