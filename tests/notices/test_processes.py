"""Notices delivered by real ``queue-app serve`` processes: two servers on one PostgreSQL
database never deliver one notice twice (claims ``FOR UPDATE SKIP LOCKED``), and a server
killed (SIGKILL) with notices undelivered leaves none behind once it is restarted."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from queue_app.client import HallClient
from queue_app.loaders import load_catalog, load_hall_for
from queue_app.notice_receiver import Receiver
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from tests.conftest import FIXTURES, undifferentiated_hall
from tests.notices.helpers import SECRET_ENV, outbox
from tests.server.live import LiveServer, free_port
from tests.server.threaded import wait_until

pytestmark = pytest.mark.slow
PW = "s3cret-pass"
SECRET = "webhook-secret-for-processes"
WINDOWS, TICKETS = 4, 40


def hall_with_sender(tmp_path: Path, url: str) -> Path:
    """The undifferentiated test hall (real clock, about noon) with a webhook sender."""
    path = undifferentiated_hall(tmp_path, WINDOWS)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["notices"] = {
        "near_turn": 2,
        "senders": {
            "sms": {"url": url, "secret_env": SECRET_ENV, "max_attempts": 50, "timeout_seconds": 1}
        },
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def server(db: str, hall: Path, port: int | None = None, **env: str) -> LiveServer:
    s = LiveServer(db, port=port, hall=hall)
    s.env = {**s.env, SECRET_ENV: SECRET, "QUEUE_APP_NOTICE_POLL_S": "0.2", **env}
    return s


def prepare(db: str, hall: Path) -> Store:
    catalog = load_catalog(FIXTURES / "mini_catalog.yaml")
    store = Store(db, catalog, load_hall_for(hall, catalog))
    for n in range(1, WINDOWS + 1):
        store.open_window(n, actor="setup")
        add_staff(store, f"c{n}", Role.CLERK, PW)
    add_staff(store, "desk", Role.DESK, PW)
    return store


def issue_and_call(urls: list[str], tickets: int, calls: int) -> None:
    """Tickets with numbers issued through the servers in turn, then ``calls`` calls
    made by the clerks of every window at once, through the servers in turn."""
    for i in range(tickets):
        with HallClient(urls[i % len(urls)]) as c:
            c.sign_in("desk", PW)
            c.issue(["M-SBK"], mobile=f"139{i:08d}")
    errors: list[BaseException] = []
    left = [calls]
    lock = threading.Lock()

    def clerk(window: int) -> None:
        try:
            with HallClient(urls[window % len(urls)]) as c:
                c.sign_in(f"c{window}", PW, window=window)
                while True:
                    with lock:
                        if left[0] <= 0:
                            return
                        left[0] -= 1
                    c.call_next(window)
                    c.no_show(window)
        except BaseException as exc:  # reported below
            errors.append(exc)

    clerks = [threading.Thread(target=clerk, args=(w,)) for w in range(1, WINDOWS + 1)]
    for t in clerks:
        t.start()
    for t in clerks:
        t.join(300)
    assert not errors, errors[:3]


def delivered_once(store: Store, receiver: Receiver) -> list[dict[str, Any]]:
    rows = outbox(store)
    got = receiver.got
    assert got.bad_signatures == 0
    assert got.duplicates == 0  # no notice delivered twice
    assert set(got.accepted) == {r["id"] for r in rows}
    assert {r["state"] for r in rows} == {"done"}
    return rows


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_servers_never_deliver_one_notice_twice(db_url: str, tmp_path: Path) -> None:
    receiver = Receiver(SECRET).start()
    hall = hall_with_sender(tmp_path, receiver.url)
    store = prepare(db_url, hall)
    servers = [server(db_url, hall).launch() for _ in range(2)]
    try:
        for s in servers:
            s.ready()
        issue_and_call([s.url for s in servers], TICKETS, TICKETS)
        kinds = {"called", "no_show", "near_turn"}
        wait_until(lambda: {r["state"] for r in outbox(store)} == {"done"}, 120)
        rows = delivered_once(store, receiver)
        assert {r["kind"] for r in rows} == kinds
        assert sum(r["kind"] == "called" for r in rows) == TICKETS
        near = Counter(r["ref"] for r in rows if r["kind"] == "near_turn")
        # once per ticket at most: those called before a call found them near are not told
        assert max(near.values()) == 1 and len(near) >= TICKETS - WINDOWS
    finally:
        for s in servers:
            s.stop()
        receiver.stop()
        store.dispose()


def test_a_killed_server_leaves_no_notice_undelivered_once_restarted(
    tmp_path: Path,
) -> None:
    """The receiver is down while the server fails its notices; the server is killed
    (SIGKILL) with every notice pending, some leased to it; the receiver comes up, the
    server is restarted on the same database: every notice arrives once."""
    db = f"sqlite:///{tmp_path / 'hall.db'}"
    port = free_port()
    receiver = Receiver(SECRET, port)
    hall = hall_with_sender(tmp_path, receiver.url)
    live = server(db, hall, QUEUE_APP_NOTICE_LEASE_S="2", QUEUE_APP_NOTICE_RETRY_MAX_S="1")
    live.start()
    store = prepare(db, hall)
    try:
        issue_and_call([live.url], 12, 8)
        wait_until(lambda: len(outbox(store)) > 0 and all(r["attempts"] > 0 for r in outbox(store)))
        assert {r["state"] for r in outbox(store)} == {"pending"}
        live.kill()
        receiver.start()
        live.start()
        wait_until(lambda: {r["state"] for r in outbox(store)} == {"done"}, 120)
        rows = delivered_once(store, receiver)
        assert sum(r["kind"] == "called" for r in rows) == 8
    finally:
        live.stop()
        receiver.stop()
        store.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_change_in_one_server_wakes_the_other_servers_worker(db_url: str, tmp_path: Path) -> None:
    """Server A lacks the sender's secret (it sends nothing); server B polls only every
    10 minutes, but hears A's changes through the database's feed and delivers at once."""
    receiver = Receiver(SECRET).start()
    hall = hall_with_sender(tmp_path, receiver.url)
    store = prepare(db_url, hall)
    a = server(db_url, hall, **{SECRET_ENV: ""})
    b = server(db_url, hall, QUEUE_APP_NOTICE_POLL_S="600")
    try:
        for s in (a.launch(), b.launch()):
            s.ready()
        issue_and_call([a.url], 3, 2)
        # within a minute: B's own polling would take ten
        wait_until(lambda: {r["state"] for r in outbox(store)} == {"done"}, 60)
        assert len(delivered_once(store, receiver)) >= 2
    finally:
        for s in (a, b):
            s.stop()
        receiver.stop()
        store.dispose()
