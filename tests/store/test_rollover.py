"""The business day rolls over by itself: a server running across midnight, on the hall's
injected clock, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import pytest

from queue_app.demo_live import EmbeddedServer
from queue_app.domain.errors import Refused
from queue_app.domain.ticket import Status
from queue_app.domain.window_state import WindowStatus
from queue_app.i18n import message
from queue_app.store import Store
from queue_app.store.idempotency import Once, Replay
from queue_app.store.staff import Role, add_staff, sign_in
from tests.conftest import SHANGHAI, Clock

PW = "rollover-pass-1"


@pytest.fixture()
def late_clock() -> Clock:
    return Clock(dt.datetime(2026, 11, 23, 16, 0, tzinfo=SHANGHAI))  # a Monday afternoon


@pytest.fixture()
def served(db_url: str, mini_catalog, mini_hall, late_clock: Clock) -> Iterator[Store]:
    store = Store(db_url, mini_catalog, mini_hall, clock=late_clock)
    for w in (1, 2):
        store.open_window(w)
    store.issue(["M-SBK"]), store.issue(["M-SBK"]), store.issue(["M-SBK"])
    store.call_next(1)
    store.start(1)  # A001 being served at window 1
    store.call_next(2)  # A002 called to window 2, A003 waiting
    add_staff(store, "mgr", Role.MANAGER, PW)
    yield store
    store.dispose()


def _sign_in(http: httpx.Client) -> None:
    r = http.post("/api/auth/sign-in", json={"username": "mgr", "password": PW})
    http.headers["Authorization"] = f"Bearer {r.json()['token']}"


def _get(http: httpx.Client, path: str) -> dict:
    r = http.get(path)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_running_server_rolls_the_day_over(served: Store, late_clock: Clock) -> None:
    with EmbeddedServer(served) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        _sign_in(http)
        board = _get(http, "/api/display")
        assert [c["ticket"] for c in board["current"]] == ["A002"]

        late_clock.advance(hours=16, minutes=50)  # 08:50 next day, before opening
        _sign_in(http)  # a session lasts a working day
        # reads never show yesterday's call as current, before any change
        assert _get(http, "/api/display")["current"] == []
        assert all(w["ticket"] is None for w in _get(http, "/api/windows"))
        early = http.post("/api/tickets", json={"matters": ["M-SBK"]})
        assert early.status_code == 409 and early.json()["error"]["code"] == "outside_hours"

        # the refused issue still ended yesterday: every open ticket expired (day_end)
        yesterday = served.events(day="2026-11-23")
        expired = [e for e in yesterday if e.kind == "expired"]
        assert sorted(e.ticket_number for e in expired) == ["A001", "A002", "A003"]
        assert all(e.detail["reason"] == "day_end" for e in expired)
        assert yesterday[-1].kind == "day_closed" and served.day_closed("2026-11-23")
        assert all(w.status is WindowStatus.CLOSED and w.ticket is None for w in served.windows())
        assert served.ticket("A002", day="2026-11-23").status is Status.EXPIRED

        late_clock.advance(minutes=40)  # 09:30: open
        r = http.post("/api/tickets", json={"matters": ["M-SBK"]})
        assert r.status_code == 201 and r.json()["ticket"]["number"] == "A001"
        assert r.json()["ticket"]["day"] == "2026-11-24"
        assert http.post("/api/windows/1/open").status_code == 200
        called = http.post("/api/windows/1/call-next").json()["ticket"]
        assert (called["number"], called["day"]) == ("A001", "2026-11-24")


def test_a_store_started_on_a_later_day_rolls_over_at_once(
    served: Store, late_clock: Clock
) -> None:
    late_clock.advance(hours=24 * 3)  # Thursday 16:00: nobody worked in between
    served.roll_over()
    assert served.counts(day="2026-11-23")["expired"] == 3
    assert served.waiting() == []


def test_issuing_outside_hours_is_refused_unless_a_manager_opens_late(
    served: Store, late_clock: Clock
) -> None:
    late_clock.advance(hours=1, minutes=45)  # 17:45, after closing
    with pytest.raises(Refused) as e:
        served.issue(["M-SBK"])
    assert e.value.code == "outside_hours" and "17:30" in message(e.value, "zh")
    until = late_clock.now + 3600
    assert served.open_late(until, actor="mgr") == until
    assert served.issue(["M-SBK"]).ticket.number == "A004"
    late_clock.advance(hours=1, minutes=1)  # past the late opening
    with pytest.raises(Refused):
        served.issue(["M-SBK"])
    with pytest.raises(Refused) as e:
        served.open_late(late_clock.now - 60)
    assert e.value.code == "bad_until"


def test_day_close_of_a_past_day(served: Store, late_clock: Clock) -> None:
    with pytest.raises(Refused) as e:
        served.close_day(day="2026-11-30")
    assert e.value.code == "future_day"
    late_clock.advance(hours=24)
    served.roll_over()
    with pytest.raises(Refused) as e:
        served.close_day(day="2026-11-23")  # the roll-over closed it already
    assert e.value.code == "day_closed"


def test_idempotency_keys_and_ended_sessions_are_purged_after_a_day(
    served: Store, late_clock: Clock
) -> None:
    once = Once("desk", "k-1", "digest", lambda issued: (201, issued.token))
    first = served.issue(["M-SBK"], once=once, slip=False)
    with pytest.raises(Replay) as replay:
        served.issue(["M-SBK"], once=once, slip=False)
    assert replay.value.stored.body == first.token
    sign_in(served, "mgr", PW, None)
    late_clock.advance(hours=23)  # 15:00 next day: the key is 23 h old, the session ended
    assert served.purge() == 1  # the session
    late_clock.advance(hours=2)
    assert served.purge() == 1  # the key, now older than a day
    late_clock.advance(hours=-25)  # as if the key had never been seen: it runs again
    assert served.issue(["M-SBK"], once=once, slip=False).ticket.number == "A005"
