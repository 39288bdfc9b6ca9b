"""A small webhook receiver for the notices (``queue-app notices receive``): it checks each
delivery's signature, deduplicates on the delivery id and prints the message, as a hall's
SMS gateway or WeChat template-message service would before sending it on. The demo runs
one; the tests and the bench post to it.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from queue_app.domain.webhook_signature import DELIVERY, SIGNATURE, TIMESTAMP, verify


@dataclass
class Got:
    """What the receiver heard: every request, and each delivery id accepted once."""

    requests: int = 0
    bad_signatures: int = 0
    duplicates: int = 0  # deliveries of an id already accepted (answered 200, not acted on)
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)  # delivery id -> body
    accepted_at: dict[str, float] = field(default_factory=dict)  # time.time() when accepted
    changed: threading.Condition = field(default_factory=threading.Condition)


class Receiver:
    """A threaded HTTP server on ``host:port`` accepting signed notices at any path.
    ``answer``: a status to give a valid delivery instead of taking it (a test's failing
    gateway), or None to take it; ``show``: called with each new delivery's body."""

    def __init__(
        self,
        secret: str,
        port: int = 0,
        host: str = "127.0.0.1",
        *,
        answer: Callable[[dict[str, Any]], int | None] | None = None,
        show: Callable[[dict[str, Any]], None] | None = None,
        tolerance_s: float | None = None,
    ) -> None:
        self.secret, self.host, self.port = secret, host, port
        self.answer, self.show, self.tolerance_s = answer, show, tolerance_s
        self.got = Got()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._conns: set[socket.socket] = set()  # open connections (kept alive)
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/notices"

    def start(self) -> Receiver:
        """Listen (again, on the same port after a ``stop``)."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with receiver._lock:
                    receiver._conns.add(self.connection)

            def finish(self) -> None:
                with receiver._lock:
                    receiver._conns.discard(self.connection)
                super().finish()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status = receiver.take(dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:  # quiet: ``show`` prints
                pass

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and close the sockets, the connections kept alive too (a
        sender's next connection is refused)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._lock:
            conns, self._conns = self._conns, set()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def take(self, headers: dict[str, str], body: bytes) -> int:
        """Check and keep one delivery; the status to answer."""
        got = self.got
        h = {k.lower(): v for k, v in headers.items()}
        now = None if self.tolerance_s is None else time.time()
        ok = verify(
            self.secret,
            h.get(TIMESTAMP.lower(), ""),
            body,
            h.get(SIGNATURE.lower(), ""),
            now=now,
            tolerance_s=self.tolerance_s or 0,
        )
        with got.changed:
            got.requests += 1
            if not ok:
                got.bad_signatures += 1
                got.changed.notify_all()
                return 401
        try:
            data = json.loads(body)
        except ValueError:
            return 400
        delivery = h.get(DELIVERY.lower(), "")
        if delivery != data.get("delivery_id"):
            return 400
        status = self.answer(data) if self.answer is not None else None
        if status is not None:
            with got.changed:
                got.changed.notify_all()
            return status
        with got.changed:
            if delivery in got.accepted:  # at least once: the same delivery again
                got.duplicates += 1
            else:
                got.accepted[delivery] = data
                got.accepted_at[delivery] = time.time()
                if self.show is not None:
                    self.show(data)
            got.changed.notify_all()
        return 200

    def wait(self, check: Callable[[Got], bool], within_s: float = 30.0) -> bool:
        """Until ``check(got)`` holds (True) or ``within_s`` passed (False)."""
        deadline = time.monotonic() + within_s
        with self.got.changed:
            while not check(self.got):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.got.changed.wait(left)
        return True
