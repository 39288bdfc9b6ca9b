"""``queue-app demo``: the embedded hall. A hall server in this process on 127.0.0.1 over a
new SQLite file with the default hall, demo staff, the morning so far (tickets issued,
called and finished over the last two hours, some still waiting), and a role picker that
opens each terminal against it through HTTP, as a real hall's terminals would."""

from __future__ import annotations

import datetime as dt
import random
import socket
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn

from queue_app.demo import SimClock, open_all_day, simulate
from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.domain.window_state import WindowStatus
from queue_app.server import create_app
from queue_app.server.stream_slots import StreamCaps
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff

if TYPE_CHECKING:
    from queue_app.tui.picker import Account

PASSWORD = "demo-pass"


@dataclass  # not frozen: the picker's Account has settable attributes
class DemoAccount:
    role: str
    username: str
    window: int | None = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(store: Store, catalog: Catalog, hall: Hall, clock: SimClock, tickets: int) -> None:
    """Demo staff, and the day so far: two hours of a three-hour peak (less just after
    midnight: the business day starts then), the last two windows left closed and one
    paused, so every state shows."""
    add_staff(store, "desk", Role.DESK, PASSWORD, "导办台")
    add_staff(store, "manager", Role.MANAGER, PASSWORD, "大厅经理")
    add_staff(store, "display", Role.DISPLAY, PASSWORD)
    for w in hall.windows:
        add_staff(store, f"clerk{w.number}", Role.CLERK, PASSWORD)
    now = time.time()
    local = dt.datetime.fromtimestamp(now, hall.zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    clock.now = max(now - 2 * 3600, midnight)  # two hours ago, but today (the business day)
    open_all_day(store, hall)
    for w in hall.windows[:-2]:
        store.open_window(w.number, actor="manager")
    simulate(store, catalog, hall, clock, random.Random(7), tickets=tickets, until=now)
    clock.live = True
    idle = [w for w in store.windows() if w.status is WindowStatus.OPEN and w.ticket is None]
    if idle:
        store.pause(idle[-1].number, "休息", actor="manager")


class EmbeddedServer:
    """uvicorn on a thread of this process, on a loopback port (``port``, else a free one)."""

    def __init__(
        self, store: Store, port: int | None = None, streams: StreamCaps | None = None
    ) -> None:
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(store, streams=streams)
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="error",
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="hall-server", daemon=True)

    def __enter__(self) -> EmbeddedServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the embedded hall server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def accounts(hall: Hall) -> list[Account]:
    return [
        DemoAccount("desk", "desk"),
        *(DemoAccount("clerk", f"clerk{w.number}", w.number) for w in hall.windows),
        DemoAccount("manager", "manager"),
        DemoAccount("display", "display"),
    ]


def run(catalog: Catalog, hall: Hall, *, lang: str, tickets: int, port: int | None = None) -> None:
    """Seed, serve (on ``port``, else a free one), and let the user open one terminal after
    another until they quit."""
    from queue_app.client import AsyncHallClient
    from queue_app.tui.app import HallApp
    from queue_app.tui.picker import RolePicker

    with tempfile.TemporaryDirectory(prefix="queue-app-demo-") as tmp:
        clock = SimClock(time.time())
        store = Store(f"sqlite:///{Path(tmp) / 'demo.db'}", catalog, hall, clock=clock)
        try:
            seed(store, catalog, hall, clock, tickets)
            with EmbeddedServer(store, port) as server:
                choices = accounts(hall)
                while True:
                    picked = RolePicker(server.url, hall, choices, lang).run()
                    if picked is None:
                        break
                    HallApp(
                        AsyncHallClient(server.url),
                        picked.role,
                        public_url=server.url,
                        clock=clock,  # the hall's clock
                        window=picked.window,
                        lang=lang,
                        username=picked.username,
                        password=PASSWORD,
                    ).run()
        finally:
            store.dispose()
