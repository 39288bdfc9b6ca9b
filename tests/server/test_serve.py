"""The hall server over real HTTP on 127.0.0.1, reached with the client and the command
line: ``queue-app serve`` as a process where the process matters (a restart, the live
events' delay), else uvicorn in a thread of the test process (``ThreadedServer``)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from queue_app.client import ApiError, AsyncHallClient, HallClient, ServerEvent
from queue_app.loaders import load_catalog
from queue_app.store.staff import Role, add_staff
from tests.cli.test_cli import run
from tests.conftest import REPO
from tests.server.live import ENV, LiveServer, queue_app, sqlite_url
from tests.server.threaded import ThreadedServer

PW = "s3cret-pass"


@pytest.fixture()
def live(tmp_path: Path) -> Iterator[LiveServer]:
    """``queue-app serve`` in its own process."""
    server = LiveServer(sqlite_url(tmp_path))
    server.add_accounts([("boss", "manager"), ("c1", "clerk")], PW)
    yield server.start()
    server.stop()


@pytest.fixture()
def threaded(tmp_path: Path) -> Iterator[ThreadedServer]:
    """The same server in a thread of this process, on the same catalog and hall."""
    catalog = load_catalog(Path(ENV["QUEUE_APP_CATALOG"]))
    server = ThreadedServer(sqlite_url(tmp_path), catalog, Path(ENV["QUEUE_APP_HALL"]))
    store = server.open_store()
    try:
        for username, role in (("boss", Role.MANAGER), ("c1", Role.CLERK), ("d1", Role.DESK)):
            add_staff(store, username, role, PW)
    finally:
        store.dispose()
    yield server.start()
    server.stop()


def test_state_survives_a_server_restart(live: LiveServer) -> None:
    with HallClient(live.url) as c:
        c.sign_in("boss", PW)
        c.open_window(1)
        assert c.issue(["M-SBK"]).ticket.number == "A001"
    live.stop()
    live.start()
    with HallClient(live.url) as c:
        c.sign_in("boss", PW)
        assert c.call_next(1).number == "A001"


def test_a_call_reaches_event_subscribers_in_order(live: LiveServer) -> None:
    """The call's event is pushed to a subscriber of another process, after the snapshot and
    the events before it. How soon is measured by ``bench/event_latency.py`` (a wall-clock bound
    here failed on a loaded 2-core machine)."""
    seen: list[tuple[float, ServerEvent]] = []  # (when read, event)
    ready = threading.Event()

    def listen() -> None:
        with HallClient(live.url) as sub:
            for ev in sub.events():
                seen.append((time.monotonic(), ev))
                ready.set()
                if ev.event == "ticket_called":
                    return

    t = threading.Thread(target=listen, daemon=True)
    t.start()
    assert ready.wait(10), "no snapshot"
    assert seen[0][1].event == "snapshot" and "version" in seen[0][1].data
    with HallClient(live.url) as clerk:
        clerk.sign_in("c1", PW, window=1)
        clerk.open_window(1)
        with HallClient(live.url) as boss:
            boss.sign_in("boss", PW)
            boss.issue(["M-SBK"])
        called = clerk.call_next(1)
    t.join(5)
    kinds = [ev.event for _, ev in seen]
    assert kinds[0] == "snapshot" and kinds[-1] == "ticket_called", kinds
    assert "ticket_issued" in kinds and "window_changed" in kinds
    last = seen[-1][1]
    assert last.data["ticket"] == called.number == "A001" and last.data["window"] == 1
    assert "actor" not in last.data  # the public stream names no staff


def test_client_errors_and_retry_safety(threaded: ThreadedServer) -> None:
    with HallClient(threaded.url) as c:
        with pytest.raises(ApiError) as e:
            c.windows()
        assert e.value.status == 401 and e.value.code == "not_signed_in"
        c.sign_in("c1", PW, window=1)
        with pytest.raises(ApiError) as e:
            c.open_window(2)
        assert e.value.status == 403 and e.value.code == "forbidden"
        c.open_window(1)
        with pytest.raises(ApiError) as e:
            c.start(1)
        assert (e.value.status, e.value.code, e.value.field) == (409, "no_current_ticket", "window")
        assert "没有号" in e.value.zh
        boss = HallClient(threaded.url)
        boss.sign_in("boss", PW)
        auth = {"Authorization": f"Bearer {boss.core.token}", "Idempotency-Key": "k-1"}
        with httpx.Client(base_url=threaded.url, headers=auth) as raw:  # a retry with the same key
            first, again = [raw.post("/api/tickets", json={"matters": ["M-SBK"]}) for _ in "12"]
            assert first.json()["ticket"]["number"] == again.json()["ticket"]["number"] == "A001"
        assert [t.number for t in boss.tickets()] == ["A001"]
        boss.close()
    with HallClient("http://127.0.0.1:9", retry_for=0.3) as nowhere, pytest.raises(ApiError) as e:
        nowhere.health()
    assert e.value.code == "unreachable"


def test_cli_commands_act_on_a_running_server(threaded: ThreadedServer) -> None:
    def cli(user: str, *args: str, password: str = PW) -> subprocess.CompletedProcess[str]:
        """The command in this process (the first call below is a real process)."""
        env = {k: ENV[k] for k in ("QUEUE_APP_CATALOG", "QUEUE_APP_HALL")}
        env |= {"QUEUE_APP_USER": user, "QUEUE_APP_PASSWORD": password}
        return run("--server", threaded.url, *args, env=env)

    r = subprocess.run(
        [
            *(sys.executable, "-m", "queue_app", "--server", threaded.url, "--json"),
            *("ticket", "issue", "M-SBK", "--priority", "老年人"),
        ],
        cwd=REPO,
        env={**ENV, "QUEUE_APP_USER": "d1", "QUEUE_APP_PASSWORD": PW},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    slip = json.loads(r.stdout)
    assert slip["ticket"]["number"] == "V001" and slip["token"]
    assert cli("c1", "window", "open", "1").returncode == 0
    r = cli("c1", "window", "call-next", "1")
    assert r.returncode == 0 and "V001" in r.stdout and "1 号窗口" in r.stdout
    assert cli("c1", "window", "start", "1").returncode == 0
    r = cli("c1", "window", "finish", "1", "--outcome", "办结")
    assert r.returncode == 0 and "已办结" in r.stdout, r.stderr
    # a window command signs the clerk in at the window it names
    assert cli("c1", "window", "open", "2").returncode == 0
    r = cli("d1", "window", "call-next", "2")  # a desk may not call
    assert r.returncode == 1 and "forbidden" in r.stderr
    r = cli("c1", "window", "open", "1", password="wrong-password")
    assert r.returncode == 1 and "bad_credentials" in r.stderr
    r = cli("boss", "--json", "day", "status")
    assert r.returncode == 0 and json.loads(r.stdout)["done"] == 1
    # the server logged the signed-in accounts as the actors
    local = queue_app("--db", threaded.db, "--json", "ticket", "show", "V001")
    actors = [(e["kind"], e["actor"]) for e in json.loads(local.stdout)["events"]]
    assert actors == [("issued", "d1"), ("called", "c1"), ("started", "c1"), ("finished", "c1")]
    r = cli("d1", "ticket", "list")
    assert r.returncode == 0 and "0 人等候" in r.stdout
    # a manager changes what a window serves, and the targets; a clerk may not
    r = cli("boss", "--json", "window", "serve", "2", "--like", "3")
    assert r.returncode == 0 and json.loads(r.stdout)["name"] == "企业开办综合窗口", r.stderr
    assert "forbidden" in cli("c1", "window", "serve", "2", "--restore").stderr
    r = cli("boss", "window", "serve", "2", "--like", "99")
    assert r.returncode == 1 and "no_such_window" in r.stderr
    assert "等候目标 12 分钟" in cli("boss", "hall", "targets", "--wait", "12").stdout
    with HallClient(threaded.url) as c:
        hall = c.hall()
    assert hall.targets.wait_minutes == 12 and hall.window_by_number[2].serves.domains
    for r in (
        cli("", "window", "list"),
        cli("d1", "--server", "http://127.0.0.1:9", "--retry-for", "0.3", "day", "status"),
    ):
        assert r.returncode != 0 and "Traceback" not in r.stderr + r.stdout
    assert "needs --user" in cli("", "--lang", "en", "window", "list").stderr
    nowhere = ("--server", "http://127.0.0.1:9", "--retry-for", "0.3")
    assert "unreachable" in cli("d1", *nowhere, "--lang", "en", "day", "status").stderr


def test_the_async_client_offers_what_the_sync_client_offers() -> None:
    def public(cls: type) -> set[str]:
        return {n for n in vars(cls) if not n.startswith("_")} - {"close", "aclose"}

    assert public(AsyncHallClient) == public(HallClient)


def test_async_client_lifecycle_on_a_live_server(threaded: ThreadedServer) -> None:
    async def run() -> list[str]:
        c = AsyncHallClient(threaded.url)
        try:
            await c.sign_in("c1", PW, window=1)
            assert (await c.me()).window == 1
            hall, catalog = await c.hall(), await c.catalog()
            assert hall.windows and catalog.matter("M-SBK").name
            await c.open_window(1)
            boss = AsyncHallClient(threaded.url)
            await boss.sign_in("boss", PW)
            issued = await boss.issue(["M-SBK"], priority="elderly")
            assert issued.ticket.priority_label == "老年人"
            assert [t.number for t in await c.tickets(window=1)] == [issued.ticket.number]
            seen = [(await c.call_next(1)).number]  # type: ignore[union-attr]
            seen.append((await c.recall(1)).status)
            await c.start(1)
            seen.append((await c.finish(1, outcome="completed")).status)
            await c.pause(1, "休息")
            assert [w.state for w in await c.windows() if w.number == 1] == ["paused"]
            await c.resume(1)
            assert (await c.stats()).counts["done"] == 1
            await boss.aclose()
            await c.sign_out()
            with pytest.raises(ApiError) as e:
                await c.me()
            assert e.value.code == "not_signed_in"
            return seen
        finally:
            await c.aclose()

    assert asyncio.run(run()) == ["V001", "called", "done"]
