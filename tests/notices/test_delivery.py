"""Delivery of the notices to a real webhook receiver on 127.0.0.1 by a real hall server
(uvicorn in a thread, the hall's clock moved by hand for the back-off): failures, a
receiver that is down for a while, dead letters, a sender without its secret."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from queue_app.client import ApiError, HallClient
from queue_app.demo_live import EmbeddedServer
from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.notice_receiver import Receiver
from queue_app.server import HallServer
from queue_app.server.notifier import NoticeSettings
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from tests.conftest import Clock
from tests.notices.helpers import SECRET_ENV, outbox, with_senders
from tests.server.threaded import wait_until

SECRET = "s3cret-for-the-test"
FAST = NoticeSettings(poll_s=0.02, lease_s=300, retry_first_s=1, retry_max_s=60)
PASSWORD = "manager-pass-42"


class Gateway:
    """The receiver's answers: a status for the next ``fail`` deliveries (then 200)."""

    def __init__(self) -> None:
        self.fail, self.status, self.lock = 0, 500, threading.Lock()
        self.stalled = threading.Event()  # set: answers wait until ``released``
        self.released = threading.Event()

    def __call__(self, body: dict[str, Any]) -> int | None:
        if self.stalled.is_set():
            self.released.wait(30)  # bounded: a stuck test ends
        with self.lock:
            if self.fail > 0:
                self.fail -= 1
                return self.status
            return None


@dataclass
class Hall_:
    store: Store
    receiver: Receiver
    gateway: Gateway
    server: EmbeddedServer
    clock: Clock

    def rows(self) -> list[dict[str, Any]]:
        return outbox(self.store)

    def states(self) -> set[str]:
        return {r["state"] for r in self.rows()}

    def manager(self) -> HallClient:
        add_staff(self.store, "m1", Role.MANAGER, PASSWORD)
        c = HallClient(self.server.url)
        c.sign_in("m1", PASSWORD)
        return c


@contextmanager
def running(
    db_url: str,
    catalog: Catalog,
    hall: Hall,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    *,
    secret: bool = True,
    **sender: Any,
) -> Iterator[Hall_]:
    if secret:
        monkeypatch.setenv(SECRET_ENV, SECRET)
    else:
        monkeypatch.delenv(SECRET_ENV, raising=False)
    gateway = Gateway()
    receiver = Receiver(SECRET, answer=gateway).start()
    store = Store(db_url, catalog, with_senders(hall, receiver.url, **sender), clock=clock)
    for w in hall.windows:
        store.open_window(w.number, actor="setup")
    server = EmbeddedServer(HallServer(store, notices=FAST)).__enter__()
    try:
        yield Hall_(store, receiver, gateway, server, clock)
    finally:
        server.__exit__()
        receiver.stop()
        store.dispose()


@pytest.fixture()
def hall(
    db_url: str,
    mini_catalog: Catalog,
    mini_hall: Hall,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Hall_]:
    with running(db_url, mini_catalog, mini_hall, clock, monkeypatch, max_attempts=10) as h:
        yield h


def _attempted(h: Hall_, at_least: int) -> bool:
    return all(r["attempts"] >= at_least for r in h.rows() if r["state"] == "pending")


def test_every_notice_arrives_through_errors_and_a_receiver_that_was_down(hall: Hall_) -> None:
    h = hall
    h.gateway.fail = 2  # the gateway's first two answers: 500
    numbers = {}
    for i in range(4):
        mobile = f"1391234567{i}"
        numbers[h.store.issue(["M-SBK"], mobile=mobile, slip=False).ticket.number] = mobile
    h.store.issue(["M-SBK"], slip=False)  # no number: no notices, nothing else changes
    h.store.call_next(1)
    # called A001, and 前面还有 N 位 to A002..A004 (near turn at 2 ahead)
    wait_until(lambda: len(h.rows()) == 4 and all(r["attempts"] == 1 for r in h.rows()))
    # the two 500s: tried again 1 s later on the hall's clock (jitter-free)
    failed = [r for r in h.rows() if r["state"] == "pending"]
    assert len(failed) == 2 and all(r["next_try_at"] == r["created_at"] + 1 for r in failed)
    assert all(r["last_error"] == "HTTP 500" for r in failed)
    h.receiver.stop()  # the gateway goes down: connections are refused
    h.store.call_next(2)
    h.store.recall(1)
    wait_until(lambda: len(h.rows()) == 6 and _attempted(h, 1))
    for tries, seconds in ((2, 1), (3, 2), (4, 4)):  # tried again as the back-off doubles
        h.clock.advance(seconds)
        wait_until(lambda n=tries: _attempted(h, n))
    assert sorted(r["state"] for r in h.rows()) == ["done"] * 2 + ["pending"] * 4
    assert any("Connect" in (r["last_error"] or "") for r in h.rows())
    h.receiver.start()  # back on the same port
    h.clock.advance(120)  # beyond every back-off
    wait_until(lambda: h.states() == {"done"})
    rows = h.rows()
    got = h.receiver.got
    assert got.bad_signatures == 0 and got.duplicates == 0
    assert set(got.accepted) == {r["id"] for r in rows}  # each delivery id exactly once
    kinds = sorted((b["ref"], b["kind"]) for b in got.accepted.values())
    called = sorted(n for n, _ in kinds if _ == "called")
    assert called == ["A001", "A001", "A002"]  # called, recalled; the next one called
    assert {b["to"] for b in got.accepted.values()} <= set(numbers.values())
    for b in got.accepted.values():
        assert b["to"] == numbers[b["ref"]] and b["masked"] == b["to"][:3] + "****" + b["to"][-4:]
        assert b["hall"] == "mini-hall" and b["text"].startswith("【测试大厅】")
    a002 = next(b for b in got.accepted.values() if b["ref"] == "A002" and b["kind"] == "called")
    assert a002["text"] == "【测试大厅】请 A002 号到 2 号窗口办理。"
    assert max(b["attempt"] for b in got.accepted.values()) >= 3
    assert all(r["contact_sealed"] is None for r in rows)  # erased once delivered


def test_a_dead_letter_after_max_attempts_is_the_managers_to_send_again(
    db_url: str,
    mini_catalog: Catalog,
    mini_hall: Hall,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with running(db_url, mini_catalog, mini_hall, clock, monkeypatch, max_attempts=3) as h:
        h.gateway.fail = 3
        h.store.issue(["M-SBK"], mobile="13912345678")
        h.store.call_next(1)
        wait_until(lambda: h.rows()[0]["attempts"] == 1)
        for tries, seconds in ((2, 1), (3, 2)):
            h.clock.advance(seconds)
            wait_until(lambda n=tries: h.rows()[0]["attempts"] == n)
        assert h.states() == {"dead"}
        with h.manager() as m:
            dead = m.notices("dead")
            assert [(n.kind, n.ref, n.attempts, n.mobile) for n in dead] == [
                ("called", "A001", 3, "139****5678")
            ]
            assert dead[0].last_error == "HTTP 500"
            summary = m.notice_summary()
            assert (summary.pending, summary.dead, summary.last_error) == (0, 1, "HTTP 500")
            signed = httpx.post(
                f"{h.server.url}/api/auth/sign-in", json={"username": "m1", "password": PASSWORD}
            ).json()
            raw = httpx.get(
                f"{h.server.url}/api/notices",
                headers={"Authorization": f"Bearer {signed['token']}"},
            )
            assert raw.status_code == 200 and "139****5678" in raw.text
            assert "13912345678" not in raw.text  # the number itself never
            again = m.retry_notice(dead[0].id)
            assert (again.state, again.attempts) == ("pending", 0)
            wait_until(lambda: h.states() == {"done"})
            with pytest.raises(ApiError) as refused:
                m.retry_notice(dead[0].id)
            assert refused.value.code == "notice_not_dead"
        assert list(h.receiver.got.accepted) == [dead[0].id]


def test_a_refusal_4xx_is_dead_at_once_408_and_429_are_tried_again(
    db_url: str,
    mini_catalog: Catalog,
    mini_hall: Hall,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with running(db_url, mini_catalog, mini_hall, clock, monkeypatch, max_attempts=5) as h:
        h.gateway.fail, h.gateway.status = 1, 429
        h.store.issue(["M-SBK"], mobile="13912345678")
        h.store.call_next(1)
        wait_until(lambda: h.rows()[0]["attempts"] == 1)
        assert h.rows()[0]["state"] == "pending"
        h.gateway.fail, h.gateway.status = 1, 422
        h.clock.advance(1)
        wait_until(lambda: h.states() == {"dead"})
        assert h.rows()[0]["attempts"] == 2 and h.rows()[0]["last_error"] == "HTTP 422"


def test_a_sender_without_its_secret_keeps_its_notices_waiting_and_says_why(
    db_url: str,
    mini_catalog: Catalog,
    mini_hall: Hall,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with running(db_url, mini_catalog, mini_hall, clock, monkeypatch, secret=False) as h:
        h.store.issue(["M-SBK"], mobile="13912345678")
        h.store.call_next(1)
        with h.manager() as m:
            summary = m.notice_summary()
            assert (summary.pending, summary.dead) == (1, 0)
            assert [(s.name, s.secret_env, s.ready) for s in summary.senders] == [
                ("sms", SECRET_ENV, False)
            ]
        h.clock.advance(60)
        h.store.call_next(2)  # a change: the worker looks, and leaves it
        assert [(r["state"], r["attempts"]) for r in h.rows()] == [("pending", 0)]
        assert h.receiver.got.requests == 0


def test_a_walk_in_gives_a_number_over_http_and_the_public_hall_hides_the_senders(
    hall: Hall_,
) -> None:
    add_staff(hall.store, "d1", Role.DESK, PASSWORD)
    with HallClient(hall.server.url) as desk:
        desk.sign_in("d1", PASSWORD)
        with pytest.raises(ApiError) as refused:
            desk.issue(["M-SBK"], mobile="1381234")
        assert (refused.value.status, refused.value.code) == (422, "bad_mobile")
        issued = desk.issue(["M-SBK"], mobile="+86 138-1234-1234")
    hall.store.call_next(1)
    wait_until(lambda: hall.states() == {"done"})
    (got,) = hall.receiver.got.accepted.values()
    assert (got["ref"], got["to"], got["masked"]) == (
        issued.ticket.number,
        "13812341234",
        "138****1234",
    )
    public = httpx.get(f"{hall.server.url}/api/hall").json()
    assert public["notices"]["senders"]["sms"]["url"] == "http://hidden"
    assert str(hall.receiver.port) not in json.dumps(public)


def test_a_time_out_is_tried_again_and_the_receiver_dedups_the_late_first_try(
    db_url: str,
    mini_catalog: Catalog,
    mini_hall: Hall,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The gateway takes longer than the sender's time-out: the notice is tried again, and
    the first try, answered late, reaches the gateway too: at least once, and the
    receiver's dedup on the delivery id sends it once."""
    with running(db_url, mini_catalog, mini_hall, clock, monkeypatch, timeout_seconds=0.3) as h:
        h.gateway.stalled.set()
        h.store.issue(["M-SBK"], mobile="13912345678")
        h.store.call_next(1)
        wait_until(lambda: h.rows()[0]["attempts"] == 1)
        assert h.rows()[0]["state"] == "pending"
        assert h.rows()[0]["last_error"] == "timed out after 0.3 s"
        h.gateway.stalled.clear()
        h.gateway.released.set()  # the first try is taken, late
        assert h.receiver.wait(lambda g: len(g.accepted) == 1)
        h.clock.advance(1)
        wait_until(lambda: h.states() == {"done"})
        assert h.receiver.got.duplicates == 1  # the second try, deduplicated
        assert list(h.receiver.got.accepted) == [h.rows()[0]["id"]]
