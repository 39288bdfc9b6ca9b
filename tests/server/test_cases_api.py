"""The 好差评 cases over HTTP: the loop through the client, the refusals in the one error
shape, a retried step answered once, a city account reading but changing nothing."""

from __future__ import annotations

import httpx
import pytest

from queue_app.cli_hall import in_process, local_app
from queue_app.client import ApiError
from queue_app.domain.ticket import Outcome
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from tests.conftest import Clock, why
from tests.server.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.anyio


def rated(store: Store, level: int, window: int = 1) -> str:
    store.issue(["M-SBK"])
    store.call_next(window, actor="wang")
    store.start(window, actor="wang")
    t = store.finish(window, Outcome.COMPLETED, actor="wang")
    store.rate(window, t.number, level, actor="wang", reasons=why(level))
    return t.number


async def test_the_loop_through_the_client(store: Store, clock: Clock) -> None:
    add_staff(store, "boss", Role.MANAGER, PASSWORD, "王经理")
    poor = rated(store, 1)
    rated(store, 4)
    async with in_process(local_app(store, "zhang")) as hall:
        [c] = await hall.cases()
        assert (c.number, c.level, c.level_label, c.clerk, c.stage) == (
            poor, 1, "非常不满意", "wang", "visit",
        )  # fmt: skip
        assert (c.visit_due, c.fix_due, c.late, c.today) == (
            "2026-11-24", "2026-12-14", [], "2026-11-23",
        )  # fmt: skip
        assert (await hall.assign_case(c.id, "boss")).assignee == "boss"
        clock.advance(hours=48)  # Wednesday: the visit is a day late
        [late] = await hall.cases("overdue")
        assert late.late == ["visit"] and late.overdue
        figures = await hall.case_figures("2026-11-23", "2026-11-23")
        assert (figures.opened, figures.overdue, figures.visit_rate) == (1, 1, 0.0)
        visited = await hall.visit_case(c.id, "等候过久，属实", True)
        assert visited.stage == "rectify" and visited.visit.by == "zhang"
        with pytest.raises(ApiError) as e:
            await hall.answer_case(c.id, "已告知")
        assert (e.value.status, e.value.code, e.value.field) == (409, "case_step_first", "case")
        assert "整改" in e.value.zh and "rectification" in e.value.en
        await hall.rectify_case(c.id, "午间增开窗口")
        closed = await hall.answer_case(c.id, "已电话告知")
        assert closed.stage == "closed" and (await hall.case(c.id)) == closed
        assert await hall.cases() == [] and len(await hall.cases("all")) == 1
        month = await hall.case_figures()  # this month so far
        assert (month.first, month.last) == ("2026-11-01", "2026-11-25")
        assert (month.visited, month.visited_on_time, month.fixed, month.fix_rate) == (
            1, 0, 1, 1.0,
        )  # fmt: skip
        with pytest.raises(ApiError) as e:
            await hall.case(99)
        assert (e.value.status, e.value.code) == (404, "no_such_case")
        with pytest.raises(ApiError) as e:
            await hall.cases("all", "2026-11-30", "2026-11-01")
        assert (e.value.status, e.value.code) == (422, "bad_period")
        with pytest.raises(ApiError) as e:
            await hall.cases("later")
        assert e.value.status == 422


async def test_a_retried_step_is_answered_once(api: httpx.AsyncClient, store: Store) -> None:
    rated(store, 2)
    [c] = (await api.get("/api/cases")).json()
    h = {"Idempotency-Key": "appeal-1"}
    body = {"reason": "群众误按"}
    first = await api.post(f"/api/cases/{c['id']}/appeal", json=body, headers=h)
    again = await api.post(f"/api/cases/{c['id']}/appeal", json=body, headers=h)
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()
    other = await api.post(f"/api/cases/{c['id']}/appeal", json=body)
    assert other.status_code == 409 and other.json()["error"]["code"] == "appeal_exists"
    decided = await api.post(
        f"/api/cases/{c['id']}/decide", json={"upheld": True, "note": "录像为证"}
    )
    out = decided.json()
    assert (out["decision"], out["decided"]["by"], out["stage"]) == ("upheld", "mgr", "closed")
    kinds = [e.kind for e in store.events() if e.kind.startswith("case_")]
    assert kinds == ["case_opened", "case_appealed", "case_decided"]
    bad = await api.post(f"/api/cases/{c['id']}/visit", json={"result": "", "rectify": False})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"


async def test_a_city_account_reads_the_cases_and_changes_none(
    anon: httpx.AsyncClient, store: Store
) -> None:
    rated(store, 1)
    add_staff(store, "mayor", Role.CITY, PASSWORD)
    h = {"Authorization": f"Bearer {await sign_in(anon, 'mayor')}"}
    [c] = (await anon.get("/api/cases", headers=h)).json()
    assert (await anon.get(f"/api/cases/{c['id']}", headers=h)).status_code == 200
    assert (await anon.get("/api/stats/cases", headers=h)).json()["opened"] == 1
    r = await anon.post(f"/api/cases/{c['id']}/appeal", json={"reason": "x"}, headers=h)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
