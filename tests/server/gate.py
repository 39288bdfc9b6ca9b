"""A TCP front on 127.0.0.1 for a real server, failing the first connections on purpose.

Until ``open()`` it refuses connections (the port is bound, not listening: a server being
restarted). Then each connection, in order, does what the script says for the first ones:
``drop`` reads the request and closes without an answer (it never reached the server),
``lost`` passes it on and closes once the server begins to answer (the server acted, the
answer is lost), ``503`` answers as a proxy whose server is away; the rest are relayed.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterable

_KEY = re.compile(rb"^idempotency-key:\s*(\S+)\s*$", re.IGNORECASE | re.MULTILINE)
_LENGTH = re.compile(rb"^content-length:\s*(\d+)\s*$", re.IGNORECASE | re.MULTILINE)
_PROXY_503 = b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


def _read_request(conn: socket.socket) -> bytes:
    """One whole HTTP request (head and body), or what came before the peer closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = _LENGTH.search(head)
    while length and len(body) < int(length.group(1)):
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while chunk := src.recv(65536):
            dst.sendall(chunk)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            s.close()


class Gate:
    def __init__(self, upstream_port: int, script: Iterable[str] = ()) -> None:
        self.upstream_port = upstream_port
        self.script = list(script)
        # the Idempotency-Key (None: none) of the first request on each connection
        self.keys: list[str | None] = []
        self.changed = threading.Condition()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"

    def open(self) -> None:
        self.listener.listen(16)
        threading.Thread(target=self._accept, name="gate", daemon=True).start()

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        request = _read_request(conn)
        key = _KEY.search(request.split(b"\r\n\r\n", 1)[0])
        with self.changed:
            action = self.script.pop(0) if self.script else "relay"
            self.keys.append(key.group(1).decode() if key else None)
            self.changed.notify_all()
        if action == "drop":
            conn.close()
            return
        if action == "503":
            conn.sendall(_PROXY_503)
            conn.close()
            return
        up = socket.create_connection(("127.0.0.1", self.upstream_port))
        up.sendall(request)
        if action == "lost":
            up.recv(1)  # the server has acted and begun its answer: lose it
            up.close()
            conn.close()
            return
        threading.Thread(target=_pump, args=(up, conn), daemon=True).start()
        _pump(conn, up)
