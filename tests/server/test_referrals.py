"""``GET /api/referrals``: what the hall does not handle and where each matter goes, as in
effect (a window's profile changed today moves it), public; and no ticket for a matter the
hall's ``handles`` leaves out."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import yaml

from queue_app.cli_hall import in_process, local_app
from queue_app.client import ApiError
from queue_app.domain.catalog import Catalog
from queue_app.domain.city import Elsewhere, Referral
from queue_app.domain.hall import Hall, Serves, parse_hall
from queue_app.server import HallServer, create_app
from queue_app.store import Store
from tests.conftest import FIXTURES, Clock

pytestmark = pytest.mark.anyio


def _estate_hall() -> Hall:
    data = yaml.safe_load((FIXTURES / "mini_hall.yaml").read_text(encoding="utf-8"))
    data["hall"] = {"code": "estate", "name": "不动产中心", "address": "北路 1 号", "phone": "110"}
    data["ticket_classes"] = [{"prefix": "A", "name": "综合业务"}]
    data["windows"] = [
        {"number": 1, "name": "不动产", "kind": "specialised", "serves": {"domains": ["不动产"]}}
    ]
    return parse_hall(data)


@pytest.fixture()
async def city_anon(store: Store, mini_catalog: Catalog) -> AsyncIterator[httpx.AsyncClient]:
    """The mini hall's server, in a city with an estate hall and a 社保 office."""
    social = Referral(name="社保局", hours="周一至周五", handles=Serves(departments=["RS"]))
    elsewhere = Elsewhere(mini_catalog, [store.hall, _estate_hall()], [social])
    app: HallServer = create_app(store, elsewhere=elsewhere)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hall") as client:
        yield client
    app.state.service.close()


async def test_without_a_city_the_hall_says_only_what_it_does_not_handle(
    anon: httpx.AsyncClient,
) -> None:
    r = await anon.get("/api/referrals")
    assert r.status_code == 200, r.text
    assert r.json() == {"hall": "mini-hall", "places": [], "not_handled": {"M-BDC": []}}


async def test_in_a_city_each_matter_not_handled_names_where_it_is(
    city_anon: httpx.AsyncClient,
) -> None:
    body = (await city_anon.get("/api/referrals")).json()
    assert body["not_handled"] == {"M-BDC": ["estate"]}
    assert body["places"] == [
        {
            "key": "estate",
            "name": "不动产中心",
            "address": "北路 1 号",
            "phone": "110",
            "hours": "周一至周五 09:00-17:30（12:00-13:30 午休）",
            "note": "",
            "hall": "estate",
        }
    ]


async def test_the_referrals_follow_the_hall_in_effect(
    api: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    """Window 4 (出入境, the only one) made an undifferentiated window for the day: 出入境
    is not handled here until it is given back."""
    plain = {
        "name": "无差别综合窗口",
        "kind": "undifferentiated",
        "serves": {"undifferentiated": True},
    }
    r = await api.post("/api/windows/4/profile", json={"profile": plain})
    assert r.status_code == 200, r.text
    assert set((await anon.get("/api/referrals")).json()["not_handled"]) == {"M-BDC", "M-HZ"}
    await api.post("/api/windows/4/profile", json={"profile": None})
    assert set((await anon.get("/api/referrals")).json()["not_handled"]) == {"M-BDC"}


async def test_no_ticket_for_a_matter_the_hall_does_not_handle(
    db_url: str, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    """A window that serves 企业开办 does not make the hall handle M-SP, its ``handles``
    leaving it out: the desk's client is refused, and told where it is not handled."""
    data = mini_hall.model_dump(mode="json")
    data["handles"] = {"except_matters": ["M-SP"]}
    hall = parse_hall(data)
    store = Store(db_url, mini_catalog, hall, clock=clock)
    try:
        for w in hall.windows:
            store.open_window(w.number, actor="setup")
        async with in_process(local_app(store, "tester")) as client:
            referrals = (await client.referrals()).referrals()
            assert not referrals.handled("M-SP") and referrals.where("M-SP") == []
            assert referrals.handled("M-GT")
            with pytest.raises(ApiError) as e:
                await client.issue(["M-SP"])
            assert e.value.code == "no_window"
            issued = await client.issue(["M-GT"])
            assert issued.ticket.number.startswith("B")
    finally:
        store.dispose()
