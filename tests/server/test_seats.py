"""Seats (issue 13, item 2): a clerk signs in at a window and sits there alone until they
sign out or a manager releases the seat; the windows an account may sit at; who sits where
for the manager; a session that ends (sign-out, release, disabled account, new password)
ends at once on every server sharing the database, through an event, not a cache timeout.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from queue_app.domain.catalog import Catalog
from queue_app.domain.refusals import SeatTaken
from queue_app.server import HallServer
from queue_app.store import Store
from queue_app.store.staff import (
    Role,
    add_staff,
    check_password,
    credentials,
    disable_staff,
    seats,
    set_password,
    sign_in,
    start_session,
)
from tests.conftest import midday_hall
from tests.server.conftest import PASSWORD
from tests.server.conftest import sign_in as api_sign_in
from tests.server.threaded import ThreadedServer, wait_until


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def refused(client: httpx.AsyncClient, body: dict) -> tuple[int, dict]:
    r = await client.post("/api/auth/sign-in", json={"password": PASSWORD, **body})
    return r.status_code, r.json()["error"]


@pytest.mark.anyio
async def test_two_clerks_on_one_seat(anon: httpx.AsyncClient, store: Store) -> None:
    add_staff(store, "zhang", Role.CLERK, PASSWORD, "张三")
    add_staff(store, "li", Role.CLERK, PASSWORD, "李四")
    zhang = bearer(await api_sign_in(anon, "zhang", 1))
    status, error = await refused(anon, {"username": "li", "window": 1})
    assert status == 409 and error["code"] == "seat_taken"
    assert "zhang" in error["message_en"] and "window 1" in error["message_en"]
    assert "zhang" in error["message_zh"]
    li = bearer(await api_sign_in(anon, "li", 2))  # another window is free
    assert (
        await anon.post("/api/windows/1/pause", json={"reason": "休息"}, headers=li)
    ).status_code == 403
    assert (await anon.post("/api/auth/sign-out", headers=zhang)).status_code == 204
    li_at_1 = bearer(await api_sign_in(anon, "li", 1))  # the seat is free: li moves there
    assert (await anon.get("/api/auth/me", headers=li)).status_code == 401  # left window 2
    assert (await anon.get("/api/auth/me", headers=li_at_1)).json()["window"] == 1
    assert [(s.window, s.username) for s in seats(store)] == [(1, "li")]
    status, error = await refused(anon, {"username": "zhang", "window": 1})
    assert status == 409 and error["code"] == "seat_taken"


@pytest.mark.anyio
async def test_a_manager_at_a_seated_window_takes_no_seat(
    anon: httpx.AsyncClient, store: Store
) -> None:
    """A manager operates any window: a one-shot command signed in at one is not refused,
    and the clerk sitting there stays."""
    add_staff(store, "zhang", Role.CLERK, PASSWORD)
    add_staff(store, "boss", Role.MANAGER, PASSWORD)
    zhang = bearer(await api_sign_in(anon, "zhang", 1))
    boss = bearer(await api_sign_in(anon, "boss", 1))
    assert (
        await anon.post("/api/windows/1/pause", json={"reason": "会议"}, headers=boss)
    ).status_code == 200
    assert (await anon.get("/api/auth/me", headers=zhang)).status_code == 200
    assert [(s.window, s.username) for s in seats(store)] == [(1, "zhang")]


@pytest.mark.anyio
async def test_a_clerk_signing_in_again_at_their_seat_replaces_their_session(
    anon: httpx.AsyncClient, store: Store
) -> None:
    """A terminal that crashed does not lock its own clerk out."""
    add_staff(store, "zhang", Role.CLERK, PASSWORD)
    first = bearer(await api_sign_in(anon, "zhang", 1))
    second = bearer(await api_sign_in(anon, "zhang", 1))
    assert (await anon.get("/api/auth/me", headers=first)).status_code == 401
    assert (await anon.get("/api/auth/me", headers=second)).status_code == 200
    assert [(s.window, s.username) for s in seats(store)] == [(1, "zhang")]


@pytest.mark.anyio
async def test_a_manager_sees_who_sits_where_and_releases_a_seat(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, store: Store, app: HallServer
) -> None:
    app.state.service.sessions.ttl_s = 3600.0  # only the event can end a remembered session
    add_staff(store, "zhang", Role.CLERK, PASSWORD, "张三")
    add_staff(store, "d1", Role.DESK, PASSWORD)
    zhang = bearer(await api_sign_in(anon, "zhang", 2))
    await api_sign_in(anon, "d1")  # a desk sits nowhere
    assert (await anon.get("/api/auth/me", headers=zhang)).status_code == 200  # remembered
    listed = (await api.get("/api/seats")).json()
    assert [(s["window"], s["username"], s["full_name"]) for s in listed] == [(2, "zhang", "张三")]
    r = await api.post("/api/seats/2/release")
    assert r.status_code == 200 and r.json()["username"] == "zhang"
    assert (await anon.get("/api/auth/me", headers=zhang)).status_code == 401  # at once
    assert (await api.get("/api/seats")).json() == []
    r = await api.post("/api/seats/2/release")
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_one_seated"
    r = await api.post("/api/seats/99/release")
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_such_window"
    kinds = [(e.kind, e.window, e.actor) for e in store.events() if "signed" in e.kind]
    assert kinds == [("signed_in", 2, "zhang"), ("signed_out", 2, "mgr")]


@pytest.mark.anyio
async def test_the_windows_an_account_may_sit_at(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, store: Store
) -> None:
    add_staff(store, "zhang", Role.CLERK, PASSWORD, windows=frozenset({1}))
    status, error = await refused(anon, {"username": "zhang", "window": 2})
    assert status == 403 and error["code"] == "window_not_allowed"
    assert "1" in error["message_en"] and "2" in error["message_en"]
    r = await api.post("/api/staff/zhang/windows", json={"windows": [2, 3]})
    assert r.status_code == 200 and r.json()["windows"] == [2, 3]
    status, error = await refused(anon, {"username": "zhang", "window": 1})
    assert error["code"] == "window_not_allowed"
    await api_sign_in(anon, "zhang", 2)
    r = await api.post("/api/staff/zhang/windows", json={"windows": [2, 42]})
    assert r.status_code == 404 and r.json()["error"]["field"] == "windows"
    r = await api.post("/api/staff/nobody/windows", json={"windows": None})
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_such_staff"
    r = await api.post("/api/staff/zhang/windows", json={"windows": []})
    assert r.status_code == 422
    listed = {s["username"]: s["windows"] for s in (await api.get("/api/staff")).json()}
    assert listed["zhang"] == [2, 3]
    r = await api.post("/api/staff/zhang/windows", json={"windows": None})
    assert r.json()["windows"] is None
    await api_sign_in(anon, "zhang", 1)  # any window again


def test_many_clerks_racing_for_one_seat_leave_one_seated(store: Store) -> None:
    """Sign-ins at the same instant on PostgreSQL's concurrent writers: one wins."""
    names = [f"c{i}" for i in range(6)]
    checked = {}
    for n in names:
        add_staff(store, n, Role.CLERK, PASSWORD)
        found = credentials(store, n)
        assert found is not None
        checked[n] = (found, check_password(PASSWORD, found))
    barrier = threading.Barrier(len(names))
    won: list[str] = []
    lost: list[str] = []

    def sit(name: str) -> None:
        found, check = checked[name]
        barrier.wait()
        try:
            start_session(store, found, check, 3, None)
            won.append(name)
        except SeatTaken as exc:
            lost.append(str(exc.params["username"]))

    threads = [threading.Thread(target=sit, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and len(lost) == len(names) - 1
    assert [(s.window, s.username) for s in seats(store)] == [(3, won[0])]


def test_a_new_password_and_disabling_end_the_seat(store: Store) -> None:
    add_staff(store, "zhang", Role.CLERK, PASSWORD)
    sign_in(store, "zhang", PASSWORD, 1)
    set_password(store, "zhang", "another-pass-2", actor="mgr")
    assert seats(store) == []
    sign_in(store, "zhang", "another-pass-2", 1)
    disable_staff(store, "zhang", actor="mgr")
    assert seats(store) == []


@pytest.fixture()
def two_servers(
    db_url: str, tmp_path: Path, mini_catalog: Catalog
) -> Iterator[list[ThreadedServer]]:
    """Two real servers on one database (each its own store, cache and event feed)."""
    hall = midday_hall(tmp_path)
    servers = [ThreadedServer(db_url, mini_catalog, hall).start() for _ in range(2)]
    yield servers
    for s in servers:
        s.stop()


def heard(server: ThreadedServer, event_id: int) -> bool:
    return server.service.events.version >= event_id


def test_disable_and_sign_out_end_sessions_on_every_server_at_once(
    two_servers: list[ThreadedServer],
) -> None:
    a, b = two_servers
    for s in (a, b):
        s.service.sessions.ttl_s = 3600.0  # a remembered session ends only by the event
    admin = a.open_store()  # beside the servers, as a `queue-app staff` command
    try:
        add_staff(admin, "zhang", Role.CLERK, PASSWORD)
        add_staff(admin, "d1", Role.DESK, PASSWORD)
        with httpx.Client(base_url=a.url) as on_a, httpx.Client(base_url=b.url) as on_b:

            def token(name: str, window: int | None = None) -> dict[str, str]:
                body = {"username": name, "password": PASSWORD, "window": window}
                return bearer(on_a.post("/api/auth/sign-in", json=body).json()["token"])

            zhang, desk = token("zhang", 1), token("d1")
            for h in (zhang, desk):
                assert on_b.get("/api/auth/me", headers=h).status_code == 200  # B remembers
            assert on_a.post("/api/auth/sign-out", headers=zhang).status_code == 204
            disable_staff(admin, "d1", actor="mgr")  # as `queue-app staff disable` does
            last = admin.last_event_id()
            wait_until(lambda: heard(b, last))
            assert on_b.get("/api/auth/me", headers=zhang).status_code == 401
            assert on_b.get("/api/auth/me", headers=desk).status_code == 401
    finally:
        admin.dispose()
