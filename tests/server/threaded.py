"""A real uvicorn hall server on 127.0.0.1 in a thread of the test process: real HTTP and
the real app (as ``queue-app demo`` serves it), without a process's start-up. Tests of the
``serve`` command itself, of several processes or of a kill use ``tests.server.live``."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from queue_app.demo_live import EmbeddedServer
from queue_app.domain.catalog import Catalog
from queue_app.loaders import load_hall_for
from queue_app.server import HallServer
from queue_app.server.service import HallService
from queue_app.server.stream_slots import StreamCaps
from queue_app.store import Store
from tests.server.live import free_port


class ThreadedServer:
    """Start, stop and start again on the same port and database, as an operator restarts
    a hall server; each start opens the store afresh."""

    def __init__(
        self, db: str, catalog: Catalog, hall_file: Path, streams: StreamCaps | None = None
    ) -> None:
        self.db = db
        self.streams = streams
        self.catalog = catalog
        self.hall_file = hall_file
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._running: tuple[Store, EmbeddedServer] | None = None

    def open_store(self) -> Store:
        """The same database as the server's (e.g. another server's clerks acting on it)."""
        return Store(self.db, self.catalog, load_hall_for(self.hall_file, self.catalog))

    @property
    def service(self) -> HallService:
        """The running app's service (its session cache, its event feed)."""
        assert self._running is not None, "not running"
        return self.app.state.service

    def start(self) -> ThreadedServer:
        """Serve; return once uvicorn listens (``EmbeddedServer`` fails if it cannot)."""
        assert self._running is None, "already running"
        store = self.open_store()
        try:
            server = EmbeddedServer(store, self.port, self.streams).__enter__()
        except BaseException:
            store.dispose()
            raise
        self._running = (store, server)
        return self

    @property
    def app(self) -> HallServer:
        """The running server's app (its ``state.service`` is the hall's)."""
        assert self._running is not None, "not running"
        return self._running[1].app

    def stop(self) -> None:
        """Shut down as on SIGTERM: open event streams are cut after uvicorn's grace."""
        if self._running is not None:
            store, server = self._running
            self._running = None
            try:
                server.__exit__()
                assert not server.thread.is_alive(), "the server thread did not end"
            finally:
                store.dispose()


def wait_until(check: Callable[[], object], within_s: float = 30.0) -> None:
    """Until ``check()`` is true (a server thread works meanwhile), failing after
    ``within_s`` seconds: a deadline for a stuck test, not a guess at how long work takes."""
    deadline = time.monotonic() + within_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {within_s:.0f} s: {check}")
        time.sleep(0.01)


def answer_without_body(port: int, path: str, length: int) -> tuple[int, Any]:
    """POST ``path`` over a raw socket announcing a ``length``-byte body and sending none
    of it: the answer's status and JSON (an answer at all proves nothing waited for the
    body)."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: hall\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\nConnection: close\r\n\r\n"
    )
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(head.encode())
        while chunk := conn.recv(65536):  # the server closes after its answer
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), json.loads(rest.split(b"\r\n\r\n", 1)[1])
