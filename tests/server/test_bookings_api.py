"""The bookings API through a real app on a real SQLite file: a citizen books, reads,
moves, cancels (proving the number) and checks in without an account; a desk checks in
at its station (the slip queued at its printer); the refusals' codes and statuses; a
manager's closures and lifting a bar, logged with the manager and the reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall, parse_hall
from queue_app.server import HallServer, create_app
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from queue_app.store.tables import print_job_t
from tests.bookings import with_bookings
from tests.conftest import SHANGHAI, Clock, hall_file
from tests.server.conftest import PASSWORD

pytestmark = pytest.mark.anyio
MOBILE = "13812341234"


def at(day: int, hhmm: str) -> float:
    h, m = hhmm.split(":")
    return dt.datetime(2026, 11, day, int(h), int(m), tzinfo=SHANGHAI).timestamp()


@pytest.fixture()
def store(tmp_path: Path, mini_catalog: Catalog, mini_hall: Hall, clock: Clock) -> Iterator[Store]:
    data = with_bookings(mini_hall).model_dump(mode="json")
    data["printers"] = {"front": {"device": f"file://{tmp_path / 'slips.bin'}"}}
    data["stations"] = [{"name": "desk-1", "kind": "desk", "printer": "front"}]
    s = Store(hall_file(tmp_path / "hall.db"), mini_catalog, parse_hall(data), clock=clock)
    yield s
    s.dispose()


@pytest.fixture()
async def http(store: Store) -> AsyncIterator[tuple[HallServer, httpx.AsyncClient]]:
    app = create_app(store)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hall") as client:
        yield app, client
    app.state.service.close()


async def signed(
    client: httpx.AsyncClient, store: Store, who: str, role: Role, **more: str
) -> dict:
    add_staff(store, who, role, PASSWORD)
    r = await client.post("/api/auth/sign-in", json={"username": who, "password": PASSWORD, **more})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def code_of(r: httpx.Response) -> str:
    return str(r.json()["error"]["code"])


async def test_a_citizen_books_reads_moves_and_cancels_without_an_account(
    http: tuple[HallServer, httpx.AsyncClient],
) -> None:
    _, c = http
    r = await c.get("/api/book/slots", params={"matters": "M-SBK"})
    assert r.status_code == 200, r.text
    offer = r.json()
    assert offer["matters"] == [{"code": "M-SBK", "name": offer["matters"][0]["name"]}]
    tuesday = offer["days"][1]
    assert (tuesday["day"], tuesday["weekday"], len(tuesday["slots"])) == ("2026-11-24", 2, 6)
    slot = tuesday["slots"][1]
    assert slot == {
        "start": "09:30",
        "end": "10:00",
        "at": at(24, "09:30"),
        "capacity": 2,
        "free": 2,
        "closed": False,
    }
    r = await c.post(
        "/api/bookings", json={"matters": ["M-SBK"], "at": slot["at"], "mobile": MOBILE}
    )
    assert r.status_code == 201, r.text
    b = r.json()
    code = b["code"]
    assert (b["status"], b["day"], b["start"], b["mobile"]) == (
        "booked",
        "2026-11-24",
        "09:30",
        "138****1234",
    )
    assert (b["page"], b["qr"], b["ticket"]) == (
        f"/book/{code}",
        f"/api/bookings/{code}/qr.svg",
        None,
    )
    assert (await c.get(f"/api/bookings/{code}")).json() == b
    qr = await c.get(f"/api/bookings/{code}/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"] == "image/svg+xml"
    assert qr.text.lstrip().startswith("<svg")
    r = await c.post(
        f"/api/bookings/{code}/move", json={"mobile": "13900001111", "at": at(26, "10:00")}
    )
    assert (r.status_code, code_of(r)) == (403, "not_your_booking")
    r = await c.post(f"/api/bookings/{code}/move", json={"mobile": MOBILE, "at": at(26, "10:00")})
    assert r.status_code == 200 and (r.json()["code"], r.json()["day"]) == (code, "2026-11-26")
    r = await c.post(f"/api/bookings/{code}/cancel", json={"mobile": MOBILE})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = await c.post(f"/api/bookings/{code}/check-in")
    assert (r.status_code, code_of(r)) == (409, "booking_not_active")


async def test_refusals_answer_with_their_codes(
    http: tuple[HallServer, httpx.AsyncClient], store: Store
) -> None:
    _, c = http
    r = await c.get("/api/book/slots", params={"matters": "M-HZ"})
    assert (r.status_code, code_of(r)) == (422, "not_bookable")
    cases = [
        ({"at": at(24, "09:30"), "mobile": "12345"}, 422, "bad_mobile"),
        ({"at": at(23, "09:00"), "mobile": MOBILE}, 422, "slot_past"),
        ({"at": at(27, "09:00"), "mobile": MOBILE}, 422, "beyond_horizon"),
        ({"at": at(24, "09:31"), "mobile": MOBILE}, 422, "no_such_slot"),
        ({"at": at(24, "10:00"), "mobile": MOBILE}, 201, None),
        ({"at": at(24, "11:00"), "mobile": MOBILE}, 409, "too_many_bookings"),
        ({"at": at(24, "10:00"), "mobile": "13900001111"}, 201, None),
        ({"at": at(24, "10:00"), "mobile": "13700001111"}, 409, "slot_full"),
    ]
    for body, status, code in cases:
        r = await c.post("/api/bookings", json={"matters": ["M-SBK"], **body})
        assert r.status_code == status, (body, r.text)
        if code is not None:
            assert code_of(r) == code and r.json()["error"]["message_zh"]
    r = await c.get("/api/bookings/123")
    assert r.status_code == 422  # not a code
    r = await c.post("/api/bookings", json={"matters": ["M-SBK"], "at": "soon", "mobile": MOBILE})
    assert r.status_code == 422 and r.json()["error"]["field"] == "at"


async def test_check_in_at_the_desk_prints_at_its_station_and_on_the_page_without(
    http: tuple[HallServer, httpx.AsyncClient], store: Store, clock: Clock
) -> None:
    _, c = http
    made = []
    for mobile in (MOBILE, "13900001111"):
        body = {"matters": ["M-SBK"], "at": at(23, "10:00"), "mobile": mobile}
        made.append((await c.post("/api/bookings", json=body)).json()["code"])
    r = await c.post(f"/api/bookings/{made[0]}/check-in")
    assert (r.status_code, code_of(r)) == (409, "booking_early")
    clock.advance(minutes=40)  # 09:40
    desk = await signed(c, store, "d1", Role.DESK, station="desk-1")
    r = await c.post(f"/api/bookings/{made[0]}/check-in", headers=desk)
    assert r.status_code == 201, r.text
    issued = r.json()
    assert issued["ticket"]["number"] == "Y001" and issued["token"]
    with store.engine.connect() as conn:
        jobs = conn.execute(select(print_job_t.c.printer, print_job_t.c.station)).all()
    assert [tuple(j) for j in jobs] == [("front", "desk-1")]
    b = (await c.get(f"/api/bookings/{made[0]}")).json()
    assert (b["status"], b["ticket"], b["ticket_token"]) == ("checked_in", "Y001", issued["token"])
    r = await c.post(f"/api/bookings/{made[1]}/check-in")  # the citizen's phone: no slip
    assert r.status_code == 201 and r.json()["ticket"]["number"] == "Y002"
    assert [e.actor for e in store.events() if e.kind == "checked_in"] == ["d1", "citizen"]
    r = await c.get("/api/bookings", params={"day": "2026-11-23"}, headers=desk)
    assert [(x["code"], x["mobile"]) for x in r.json()] == [
        (made[0], "138****1234"),
        (made[1], "139****1111"),
    ]
    clock.advance(minutes=40)  # 10:20: past the window
    body = {"matters": ["M-SBK"], "at": at(23, "10:30"), "mobile": "13700001111"}
    late = (await c.post("/api/bookings", json=body)).json()["code"]
    clock.advance(minutes=30)
    r = await c.post(f"/api/bookings/{late}/check-in")
    assert (r.status_code, code_of(r), r.json()["error"]["field"]) == (
        409,
        "booking_late",
        "walk_in",
    )


async def test_a_manager_closes_slots_and_lifts_a_bar_with_a_reason(
    http: tuple[HallServer, httpx.AsyncClient], store: Store, clock: Clock
) -> None:
    _, c = http
    boss = await signed(c, store, "boss", Role.MANAGER)
    body = {"day": "2026-11-24", "start": "10:00", "scope": "social", "reason": "系统升级"}
    r = await c.post("/api/book/closures", json=body, headers=boss)
    assert r.status_code == 201, r.text
    closure = r.json()
    assert (closure["closed_by"], closure["reason"]) == ("boss", "系统升级")
    r = await c.post(
        "/api/bookings", json={"matters": ["M-SBK"], "at": at(24, "10:00"), "mobile": MOBILE}
    )
    assert (r.status_code, code_of(r)) == (409, "slot_closed")
    r = await c.get("/api/book/closures", params={"day": "2026-11-24"}, headers=boss)
    assert [x["id"] for x in r.json()] == [closure["id"]]
    r = await c.delete(f"/api/book/closures/{closure['id']}", headers=boss)
    assert r.status_code == 200
    r = await c.delete(f"/api/book/closures/{closure['id']}", headers=boss)
    assert (r.status_code, code_of(r)) == (404, "no_such_closure")
    for day in (23, 24, 26):  # three no-shows bar the number
        body = {"matters": ["M-SBK"], "at": at(day, "11:00"), "mobile": MOBILE}
        assert (await c.post("/api/bookings", json=body)).status_code == 201
    clock.now = at(26, "12:00")
    store.sweep_bookings()
    r = await c.post("/api/auth/sign-in", json={"username": "boss", "password": PASSWORD})
    boss = {"Authorization": f"Bearer {r.json()['token']}"}  # days later: signed in again
    body = {"matters": ["M-SBK"], "at": at(27, "10:00"), "mobile": MOBILE}
    r = await c.post("/api/bookings", json=body)
    assert (r.status_code, code_of(r)) == (403, "booking_banned")
    r = await c.get("/api/book/bans", headers=boss)
    assert r.json() == [{"mobile": "138****1234", "no_shows": 3, "until": "2027-02-24"}]
    lift = {"mobile": MOBILE, "reason": "短信未送达"}
    r = await c.post("/api/book/bans/lift", json=lift, headers=boss)
    assert r.status_code == 200 and r.json()["until"] == "2027-02-24"
    (event,) = [e for e in store.events() if e.kind == "ban_lifted"]
    assert (event.actor, event.detail["reason"]) == ("boss", "短信未送达")
    assert (await c.post("/api/bookings", json=body)).status_code == 201
    r = await c.post("/api/book/bans/lift", json=lift, headers=boss)
    assert (r.status_code, code_of(r)) == (404, "no_ban")
