"""Server processes for the HTTP benchmarks: started on a free loopback port, waited on
until ``/api/health`` answers, their CPU time read from /proc, stopped by their id."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence

import httpx

START_S = 60.0  # a server that has not answered by then has failed
_TICK = os.sysconf("SC_CLK_TCK")


class ServerFailed(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (all its threads), from /proc."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime: fields 14 and 15


class Server:
    """One server process; ``argv`` gets ``--port N`` appended. Its environment is this
    process's without ``QUEUE_APP_*`` variables, plus ``env`` (the bench's own settings)."""

    def __init__(self, argv: Sequence[str], env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [*argv, "--port", str(self.port)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={
                **{k: v for k, v in os.environ.items() if not k.startswith("QUEUE_APP_")},
                **(env or {}),
            },
        )

    def wait_ready(self) -> Server:
        """Poll ``/api/health`` until it answers 200 (bounded by ``START_S``)."""
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerFailed(f"server exited ({self.proc.returncode}): {self.output()}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.05)  # poll interval while the port is not yet listening
        raise ServerFailed(f"server did not answer in {START_S:.0f} s: {self.output()}")

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-2000:]

    def stop(self) -> None:
        """SIGTERM, and SIGKILL if it has not exited 15 s later."""
        self.proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=15)
        self.proc.kill()  # nothing if it has exited
        self.proc.wait()
        self.log.close()


def start_all(argvs: Sequence[Sequence[str]]) -> list[Server]:
    """Start every server, then wait for each (they start in parallel)."""
    servers = [Server(a) for a in argvs]
    try:
        for s in servers:
            s.wait_ready()
    except BaseException:
        for s in servers:
            s.stop()
        raise
    return servers
