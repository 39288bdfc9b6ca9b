"""A slip printer on 127.0.0.1 for tests: a real TCP listener that reads each connection's
ESC/POS stream as a printer does (``queue_app.printing.decode``), answers its status
queries (DLE EOT n: paper present, or out while ``paper_out``), and keeps the slips it cut.
It stops (the port refuses connections) and starts again on the same port."""

from __future__ import annotations

import socket
import threading

from queue_app.printing.decode import Decoder, Printed, slips

PAPER_OK, PAPER_END = 0x12, 0x72  # DLE EOT 4's answers (bits 5, 6: the paper ran out)
ONLINE = 0x12  # DLE EOT 1's answer


class EscposListener:
    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.slips: list[list[Printed]] = []
        self.paper_out = False
        self.connections = 0
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._server: socket.socket | None = None
        self._threads: list[threading.Thread] = []

    @property
    def device(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def start(self) -> EscposListener:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(16)
        self.port = server.getsockname()[1]
        self._server = server
        t = threading.Thread(target=self._accept, args=(server,), daemon=True)
        t.start()
        self._threads = [t]
        return self

    def stop(self) -> None:
        """Stop listening once every connection taken has been read to its end."""
        server, self._server = self._server, None
        if server is not None:
            # wakes the thread blocked in accept() (a close alone would leave the port
            # listening until then)
            server.shutdown(socket.SHUT_RDWR)
            server.close()
        for t in self._threads:
            t.join(timeout=10)

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:  # closed: stopped
                return
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()
            self._threads.append(t)

    def _serve(self, conn: socket.socket) -> None:
        decoder = Decoder()
        with conn:
            conn.settimeout(10)
            with self._lock:
                self.connections += 1
            try:
                while chunk := conn.recv(4096):
                    for query in decoder.feed(chunk):
                        answer = PAPER_END if self.paper_out and query == 4 else PAPER_OK
                        conn.sendall(bytes([answer if query == 4 else ONLINE]))
                cut = slips(decoder.finish())
            except Exception as exc:  # a stream this printer could not read: the test fails
                with self._changed:
                    self.errors.append(repr(exc))
                    self._changed.notify_all()
                return
        with self._changed:
            self.slips += cut
            self._changed.notify_all()

    def wait_for(self, count: int, within_s: float = 30.0) -> list[list[Printed]]:
        """Until ``count`` slips have arrived (fails on a deadline or a stream it could not
        read)."""
        with self._changed:
            ok = self._changed.wait_for(
                lambda: len(self.slips) >= count or bool(self.errors), timeout=within_s
            )
            assert not self.errors, self.errors
            assert ok, f"{len(self.slips)} slips of {count} within {within_s} s"
            return list(self.slips)


def text_of(slip: list[Printed]) -> list[str]:
    return [p.text for p in slip if p.kind == "text"]


def qr_of(slip: list[Printed]) -> list[str]:
    return [p.text for p in slip if p.kind == "qr"]


def number_of(slip: list[Printed]) -> str:
    """The slip's ticket number: its one big line."""
    (big,) = [p.text for p in slip if p.kind == "text" and p.big]
    return big
