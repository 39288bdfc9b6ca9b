"""Every endpoint with every role, and with no token."""

from __future__ import annotations

import httpx
import pytest

from queue_app.server import HallServer, create_app
from queue_app.server.city import CityServer
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from tests.conftest import Clock, hall_coded
from tests.server.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.anyio

PUBLIC = "public"
ANY = "any"  # any signed-in staff account (not a device's: a kiosk or a 评价器)
SESSION = "session"  # any signed-in account, a device's too (its own session)
DESK = {"desk", "manager"}
DESK_READ = {"desk", "manager", "city"}  # a desk's read (a city account reads as a manager)
ISSUER = {"desk", "manager", "kiosk"}  # the kiosk issues, and reads what issuing needs
MANAGER = {"manager"}
CITY = {"city"}  # a city account: every hall this server serves
OPERATOR = "operator"  # a manager, or the clerk signed in at that window
RATES = "rates"  # an operator, or the 评价器 signed in at that window
RATER = "rater"  # a manager, or the 评价器 signed in at that window

# (method, path) -> who may call it, and a request body that passes validation
POLICY: dict[tuple[str, str], tuple[object, dict | None]] = {
    ("GET", "/api/health"): (PUBLIC, None),
    ("GET", "/api/events"): (PUBLIC, None),  # endless: tested on uvicorn (test_events)
    ("GET", "/api/hall"): (PUBLIC, None),
    ("GET", "/api/hall/profiles"): (PUBLIC, None),
    ("POST", "/api/hall/targets"): (MANAGER, {"targets": {"wait_minutes": 15}}),
    ("PUT", "/api/hall/notice"): (MANAGER, {"text": "今天 16:00 起暂停办理不动产业务"}),
    ("POST", "/api/windows/{window}/profile"): (MANAGER, {"profile": None}),
    ("GET", "/api/city"): (CITY, None),
    ("GET", "/api/catalog"): (PUBLIC, None),
    ("GET", "/api/catalog/search"): (PUBLIC, None),
    ("GET", "/api/referrals"): (PUBLIC, None),  # where to go instead: anyone may be told
    ("POST", "/api/auth/sign-in"): (PUBLIC, None),  # tested in test_sign_in
    ("POST", "/api/auth/sign-out"): (SESSION, None),
    ("GET", "/api/auth/me"): (SESSION, None),
    ("GET", "/api/staff"): (MANAGER, None),
    ("GET", "/api/staff/locks"): (MANAGER, None),
    ("POST", "/api/staff/{username}/windows"): (MANAGER, {"windows": None}),
    ("PATCH", "/api/staff/{username}"): (MANAGER, {"staff_number": "1024"}),
    ("GET", "/api/seats"): (MANAGER, None),  # names the staff at each window
    ("POST", "/api/seats/{window}/release"): (MANAGER, None),
    ("GET", "/api/tickets"): (ANY, None),
    ("GET", "/api/tickets/{number}"): (ANY, None),
    ("GET", "/api/tickets/{number}/events"): (MANAGER, None),  # names the staff who acted
    ("GET", "/api/windows"): (ANY, None),
    ("GET", "/api/stats/today"): (ANY, None),
    ("GET", "/api/stats/windows"): (ANY, None),
    ("GET", "/api/stats/domains"): (ANY, None),
    ("GET", "/api/stats/queue"): (ANY, None),
    ("GET", "/api/stats/staffing"): (ANY, None),
    ("GET", "/api/reports/{by}"): (MANAGER, None),  # names the clerks; a city account reads
    ("GET", "/api/reports.xlsx"): (MANAGER, None),
    ("POST", "/api/windows/{window}/rating"): (RATES, {"ticket": "A001", "level": 5}),
    ("GET", "/api/windows/{window}/rater"): (RATER, None),
    ("POST", "/api/tickets"): (ISSUER, {"matters": ["M-SBK"]}),
    ("GET", "/api/kiosk/menu"): (ISSUER, None),
    ("GET", "/api/kiosk/guide"): (ISSUER, None),
    ("POST", "/api/tickets/{number}/cancel"): (DESK, {"reason": "测试"}),
    ("POST", "/api/tickets/{number}/print"): (DESK, {"printer": "front"}),
    ("GET", "/api/printers"): (DESK_READ, None),
    ("GET", "/api/notices"): (MANAGER, None),
    ("GET", "/api/notices/summary"): (MANAGER, None),
    ("POST", "/api/notices/{notice}/retry"): (MANAGER, None),
    ("POST", "/api/tickets/{number}/requeue"): (DESK, None),
    ("POST", "/api/tickets/{number}/unpark"): (DESK, None),  # 补材料: the citizen is back
    ("POST", "/api/windows/{window}/park"): (OPERATOR, {"note": "户口本"}),
    ("POST", "/api/windows/{window}/unpark"): (OPERATOR, {"ticket": "A001"}),
    ("POST", "/api/windows/{window}/call-next"): (OPERATOR, None),
    ("POST", "/api/windows/{window}/recall"): (OPERATOR, None),
    ("POST", "/api/windows/{window}/start"): (OPERATOR, None),
    ("POST", "/api/windows/{window}/finish"): (OPERATOR, {"outcome": "completed"}),
    ("POST", "/api/windows/{window}/transfer"): (OPERATOR, {"to_window": 3}),
    ("POST", "/api/windows/{window}/no-show"): (OPERATOR, None),
    ("POST", "/api/windows/{window}/open"): (OPERATOR, None),
    ("POST", "/api/windows/{window}/close"): (OPERATOR, None),
    ("POST", "/api/windows/{window}/pause"): (OPERATOR, {"reason": "休息"}),
    ("POST", "/api/windows/{window}/resume"): (OPERATOR, None),
    ("POST", "/api/day/close"): (MANAGER, {"force": False}),
    ("POST", "/api/day/open-late"): (MANAGER, {"until": None}),
    # 好差评 cases: a manager's reads and changes (a city account reads)
    ("GET", "/api/cases"): (MANAGER, None),
    ("GET", "/api/stats/cases"): (MANAGER, None),
    ("GET", "/api/cases/{case_id}"): (MANAGER, None),
    ("POST", "/api/cases/{case_id}/assign"): (MANAGER, {"assignee": "m1"}),
    ("POST", "/api/cases/{case_id}/visit"): (MANAGER, {"result": "属实", "rectify": True}),
    ("POST", "/api/cases/{case_id}/rectify"): (MANAGER, {"note": "增开窗口"}),
    ("POST", "/api/cases/{case_id}/feedback"): (MANAGER, {"note": "已告知"}),
    ("POST", "/api/cases/{case_id}/appeal"): (MANAGER, {"reason": "误按"}),
    ("POST", "/api/cases/{case_id}/decide"): (MANAGER, {"upheld": True, "note": "确认误评"}),
    # the web pages' reads (tests/web): numbers, matter names and windows, never a person
    ("GET", "/api/display"): (PUBLIC, None),
    ("GET", "/api/screen/{window}"): (PUBLIC, None),  # a window's screen: a masked name
    ("GET", "/api/dashboard"): (PUBLIC, None),  # the 大屏: counts, numbers, window names
    ("GET", "/api/status/{token}"): (PUBLIC, None),
    ("GET", "/api/status/{token}/qr.svg"): (PUBLIC, None),  # the slip's QR, as its page
    ("POST", "/api/status/{token}/rating"): (PUBLIC, {"level": 5}),  # the slip's token
    # bookings (预约): a citizen books, moves, cancels (proving the number) and checks in
    ("GET", "/api/book/slots"): (PUBLIC, None),
    ("POST", "/api/bookings"): (PUBLIC, {"matters": ["M-SBK"], "at": 0, "mobile": "13812341234"}),
    ("GET", "/api/bookings/{code}"): (PUBLIC, None),
    ("GET", "/api/bookings/{code}/qr.svg"): (PUBLIC, None),
    ("POST", "/api/bookings/{code}/cancel"): (PUBLIC, {"mobile": "13812341234"}),
    ("POST", "/api/bookings/{code}/move"): (PUBLIC, {"mobile": "13812341234", "at": 0}),
    ("POST", "/api/bookings/{code}/check-in"): (PUBLIC, None),  # a desk's with its station
    ("GET", "/api/bookings"): (DESK_READ, None),  # the day's bookings, numbers masked
    ("POST", "/api/book/closures"): (MANAGER, {"day": "2026-11-24", "reason": "停电"}),
    ("GET", "/api/book/closures"): (MANAGER, None),
    ("DELETE", "/api/book/closures/{closure_id}"): (MANAGER, None),
    ("GET", "/api/book/bans"): (MANAGER, None),  # masked numbers
    ("POST", "/api/book/bans/lift"): (MANAGER, {"mobile": "13812341234", "reason": "误判"}),
    ("GET", "/api/voice/{number}/{window}.wav"): (PUBLIC, None),
}

PARAMS = {
    "/api/catalog/search": {"q": "社保"},
    "/api/kiosk/guide": {"matter": "M-SBK"},
    "/api/book/slots": {"matters": "M-SBK"},
    "/api/bookings": {"day": "2026-11-23"},
}
BOOKING = {"code": "123456", "closure_id": "0123456789ab"}
ACCOUNTS = {
    "manager": ("m1", Role.MANAGER, None),
    "desk": ("d1", Role.DESK, None),
    "clerk": ("c1", Role.CLERK, 1),
    "display": ("s1", Role.DISPLAY, None),
    "city": ("k1", Role.CITY, None),
    "kiosk": ("q1", Role.KIOSK, None),
    "rater": ("r1", Role.RATER, 1),
}
ROLES = [None, "manager", "desk", "clerk", "display", "city", "kiosk", "rater"]


def api_routes(app: HallServer) -> set[tuple[str, str]]:
    """Every (method, path) the app serves under /api, from its own OpenAPI schema."""
    return {
        (method.upper(), path)
        for path, ops in app.openapi()["paths"].items()
        for method in ops
        if path.startswith("/api/")
    }


def test_the_policy_covers_every_endpoint(store: Store) -> None:
    from queue_app.server import create_app

    app = create_app(store)
    assert api_routes(app) == set(POLICY)
    app.state.service.close()


def allowed(rule: object, role: str | None, window: int, method: str) -> bool:
    if rule == PUBLIC:
        return True
    if role is None:
        return False
    if rule == SESSION:
        return True
    if role == "rater":  # the 评价器 of window 1: it rates there, and nothing else
        return rule in (RATES, RATER) and window == 1
    if rule == ANY:
        return role != "kiosk"  # a kiosk reads only what issuing needs
    if rule == RATER:
        return role == "manager"
    if rule == RATES:
        rule = OPERATOR
    if role == "city":  # reads what a manager reads; changes nothing (unless a manager)
        return rule == CITY or (isinstance(rule, set) and "manager" in rule and method == "GET")
    if rule == OPERATOR:
        return role == "manager" or (role == "clerk" and window == 1)
    return role in rule  # type: ignore[operator]


@pytest.mark.parametrize("role", ROLES)
async def test_every_endpoint_with_every_role(
    role: str | None, anon: httpx.AsyncClient, store: Store
) -> None:
    headers = {}
    if role is not None:
        username, r, window = ACCOUNTS[role]
        add_staff(store, username, r, PASSWORD)
        headers["Authorization"] = f"Bearer {await sign_in(anon, username, window)}"
    for (method, path), (rule, body) in POLICY.items():
        if path in ("/api/auth/sign-in", "/api/auth/sign-out", "/api/events"):
            continue
        for window in (1, 2) if "{window}" in path else (1,):
            url = path.format(
                window=window,
                number="A001",
                token="t" * 22,
                username="c1",
                by="hall",
                case_id=1,
                **BOOKING,
                notice="0" * 32,
            )
            params = PARAMS.get(path)
            r = await anon.request(method, url, json=body, params=params, headers=headers)
            if allowed(rule, role, window, method):
                assert r.status_code not in (401, 403), (role, method, url, r.text)
            elif role is None:
                assert r.status_code == 401, (role, method, url, r.text)
                assert r.json()["error"]["code"] == "not_signed_in"
            else:
                assert r.status_code == 403, (role, method, url, r.text)
                assert r.json()["error"]["code"] == "forbidden"


async def test_sign_in_rules(anon: httpx.AsyncClient, store: Store) -> None:
    add_staff(store, "c2", Role.CLERK, PASSWORD, "李四")
    r = await anon.post("/api/auth/sign-in", json={"username": "c2", "password": "wrong-pass"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad_credentials"
    r = await anon.post("/api/auth/sign-in", json={"username": "c2", "password": PASSWORD})
    assert r.status_code == 422 and r.json()["error"]["code"] == "window_required"
    r = await anon.post(
        "/api/auth/sign-in", json={"username": "c2", "password": PASSWORD, "window": 42}
    )
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_such_window"
    token = await sign_in(anon, "c2", 2)
    h = {"Authorization": f"Bearer {token}"}
    me = (await anon.get("/api/auth/me", headers=h)).json()
    assert (me["username"], me["role"], me["window"]) == ("c2", "clerk", 2)
    # the acting account is recorded in the event log
    r = await anon.post("/api/windows/2/pause", json={"reason": "休息"}, headers=h)
    assert r.status_code == 200, r.text
    assert store.events()[-1].actor == "c2"
    assert (await anon.post("/api/auth/sign-out", headers=h)).status_code == 204
    assert (await anon.get("/api/auth/me", headers=h)).status_code == 401


async def test_a_disabled_account_loses_its_sessions(
    app: HallServer, anon: httpx.AsyncClient, store: Store
) -> None:
    from queue_app.store.staff import disable_staff

    app.state.service.sessions.ttl_s = 3600.0  # remembered: only the event can end it
    add_staff(store, "d9", Role.DESK, PASSWORD)
    h = {"Authorization": f"Bearer {await sign_in(anon, 'd9')}"}
    assert (await anon.get("/api/auth/me", headers=h)).status_code == 200
    disable_staff(store, "d9")  # on the server's store, as the API would
    assert (await anon.get("/api/auth/me", headers=h)).status_code == 401  # at once
    r = await anon.post("/api/auth/sign-in", json={"username": "d9", "password": PASSWORD})
    assert r.status_code == 401


def test_passwords_are_hashed_with_argon2id(store: Store) -> None:
    from sqlalchemy import select

    from queue_app.store.passwords import verify_password
    from queue_app.store.tables import staff_t

    add_staff(store, "hx", Role.DISPLAY, PASSWORD)
    with store.engine.connect() as conn:
        stored = conn.execute(
            select(staff_t.c.password_hash).where(staff_t.c.hall == store.code)
        ).scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert verify_password(PASSWORD, stored) and not verify_password("nope-nope", stored)


@pytest.mark.parametrize("role", ROLES)
async def test_every_endpoint_with_every_role_of_another_hall(
    role: str | None, store: Store, clock: Clock
) -> None:
    """An account of hall "other" on the same database, at every endpoint of this hall
    (at /halls/<code>): refused, except what the public and a city account may read;
    nothing here changes."""
    other = Store(
        store.engine, store.catalog, hall_coded(store.hall, "other", "别的大厅"), clock=clock
    )
    servers = [create_app(store), create_app(other)]
    here = f"/halls/{store.code}"
    headers = {}
    windows_before, events_before = store.windows(), store.events()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=CityServer(servers)), base_url="http://hall"
    ) as http:
        add_staff(store, "c1", Role.CLERK, PASSWORD)  # the account named in the paths
        if role is not None:
            username, r, window = ACCOUNTS[role]
            add_staff(other, username, r, PASSWORD)
            body: dict = {"username": username, "password": PASSWORD}
            if window is not None:
                body["window"] = window
            signed = await http.post("/halls/other/api/auth/sign-in", json=body)
            headers["Authorization"] = f"Bearer {signed.json()['token']}"
        for (method, path), (rule, body) in POLICY.items():
            if path in ("/api/auth/sign-in", "/api/auth/sign-out", "/api/events"):
                continue
            for window in (1, 2) if "{window}" in path else (1,):
                url = here + path.format(
                    window=window,
                    number="A001",
                    token="t" * 22,
                    username="c1",
                    by="hall",
                    case_id=1,
                    **BOOKING,
                    notice="0" * 32,
                )
                params = PARAMS.get(path)
                r = await http.request(method, url, json=body, params=params, headers=headers)
                said = (role, method, url, r.text)
                if rule == PUBLIC or (role == "city" and allowed(rule, role, window, method)):
                    assert r.status_code not in (401, 403), said
                elif role is None:
                    assert r.status_code == 401 and r.json()["error"]["code"] == "not_signed_in", (
                        said
                    )
                elif role == "city":
                    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", said
                else:
                    assert r.status_code == 403, said
                    assert r.json()["error"]["code"] == "not_your_hall", said
    for server in servers:
        server.state.service.close()
    assert sum(store.counts().values()) == 0
    assert store.windows() == windows_before
    assert store.events() == events_before and store.hall_in_effect() == store.hall
    other.dispose()
