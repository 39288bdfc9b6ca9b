"""Two hall servers on one database, reached over HTTP by many clerks at once.

PostgreSQL: 8 clerks call next over 160 tickets issued meanwhile through both servers;
every ticket is called exactly once, and the live-event subscribers of both servers see
every event the database logged (LISTEN/NOTIFY). SQLite: a change made by another process
on the same file reaches a server's subscribers too.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from queue_app.client import ApiError, HallClient
from queue_app.loaders import load_catalog, load_hall_for
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from tests.conftest import FIXTURES, undifferentiated_hall
from tests.server.live import LiveServer, queue_app

pytestmark = pytest.mark.slow
PW = "s3cret-pass"
CLERKS, TICKETS, DESKS = 8, 96, 4  # 12 tickets a clerk: every clerk races for most calls


class Subscriber(threading.Thread):
    """Collects the ids of every event one server streams."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.ids: list[int] = []
        self.other: list[str] = []
        self.version = 0
        self.ready = threading.Event()

    def run(self) -> None:
        with HallClient(self.url) as c, contextlib.suppress(ApiError):  # ends at shutdown
            for ev in c.events():
                if ev.event == "snapshot":
                    self.version = int(ev.data["version"])
                    self.ready.set()
                elif "id" in ev.data and ev.data.get("kind"):
                    self.ids.append(int(ev.data["id"]))
                else:
                    self.other.append(ev.event)  # a resync would fail the test below


def _prepare(db_url: str, hall: Path) -> Store:
    catalog = load_catalog(FIXTURES / "mini_catalog.yaml")
    store = Store(db_url, catalog, load_hall_for(hall, catalog))
    for n in range(1, CLERKS + 1):
        store.open_window(n, actor="setup")
        add_staff(store, f"c{n}", Role.CLERK, PW)
    for n in range(DESKS):
        add_staff(store, f"desk{n}", Role.DESK, PW)
    return store


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_servers_many_clerks_many_tickets(db_url: str, tmp_path: Path) -> None:
    hall = undifferentiated_hall(tmp_path, CLERKS)
    store = _prepare(db_url, hall)
    servers = [LiveServer(db_url, hall=hall).launch() for _ in range(2)]  # side by side
    try:
        for s in servers:
            s.ready()
        subs = [Subscriber(s.url) for s in servers]
        for sub in subs:
            sub.start()
            assert sub.ready.wait(10), "no snapshot"

        issued: list[str] = []
        called: dict[int, list[str]] = {}
        errors: list[BaseException] = []
        desks_done = threading.Event()

        more = threading.Condition()  # a ticket was issued, or the desks are done

        def desk(n: int) -> None:
            with HallClient(servers[n % 2].url) as c:
                c.sign_in(f"desk{n}", PW)
                for _ in range(TICKETS // DESKS):
                    number = c.issue(["M-SBK"]).ticket.number
                    with more:
                        issued.append(number)
                        more.notify_all()

        def clerk(window: int) -> None:
            got: list[str] = []
            with HallClient(servers[window % 2].url) as c:
                c.sign_in(f"c{window}", PW, window=window)
                while True:
                    with more:  # read before the call: none may be left after them
                        done, seen = desks_done.is_set(), len(issued)
                    t = c.call_next(window)
                    if t is None:
                        if done:
                            break
                        with more:  # no one waiting: until a desk issues again
                            more.wait_for(
                                lambda seen=seen: len(issued) > seen or desks_done.is_set()
                            )
                        continue
                    got.append(t.number)
                    c.start(window)
                    c.finish(window, "completed")
            called[window] = got

        def guarded(fn, *args) -> None:  # type: ignore[no-untyped-def]
            try:
                fn(*args)
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)

        started = time.monotonic()
        desks = [threading.Thread(target=guarded, args=(desk, n)) for n in range(DESKS)]
        clerks = [threading.Thread(target=guarded, args=(clerk, w)) for w in range(1, CLERKS + 1)]
        for t in desks + clerks:
            t.start()
        for t in desks:
            t.join(300)
        with more:
            desks_done.set()
            more.notify_all()
        for t in clerks:
            t.join(300)
        elapsed = time.monotonic() - started
        assert not errors, errors[:3]

        # every ticket called exactly once, by one of the clerks
        calls = Counter(n for got in called.values() for n in got)
        assert len(issued) == len(set(issued)) == TICKETS
        assert set(calls) == set(issued) and max(calls.values()) == 1
        assert store.counts()["done"] == TICKETS
        assert sum(1 for got in called.values() if got) > CLERKS // 2, "work was not shared"

        # every logged event reached the subscribers of both servers, each once
        first = min(s.version for s in subs)
        logged = [e.id for e in store.events(limit=100_000) if e.id > first]
        assert len(logged) >= TICKETS * 4  # issued, called, started, finished
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(len(s.ids) < len(logged) for s in subs):
            time.sleep(0.05)
        for s in subs:
            assert not s.other, s.other
            assert len(s.ids) == len(set(s.ids)), "an event was streamed twice"
            assert set(s.ids) == set(logged)
        print(f"\n{TICKETS} tickets through 2 servers and {CLERKS} clerks in {elapsed:.1f} s")
    finally:
        for s in servers:
            s.stop()
        store.dispose()


def test_a_change_by_another_process_reaches_sqlite_subscribers(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'hall.db'}"
    server = LiveServer(db).start()
    try:
        sub = Subscriber(server.url)
        sub.start()
        assert sub.ready.wait(10)
        r = queue_app("--db", db, "ticket", "issue", "M-SBK")  # straight to the file
        assert r.returncode == 0, r.stderr
        deadline = time.monotonic() + 3
        while not sub.ids and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(sub.ids) == 1 and sub.ids[0] > sub.version
    finally:
        server.stop()
