"""Live events fanned out to many subscribers, and what that costs the hall server: its CPU
per operation with 200 subscribers reading every event, against none, in the same run
(issue 13: at most 1.3x); and the p50 of ``/api/health`` asked meanwhile.

    python bench/event_fanout.py [--subscribers 200] [--cycles 75] [--pace 0.1]

A real ``queue-app serve`` on a new SQLite file with the default hall. A manager issues
tickets and a clerk calls, starts and finishes them at window 1, one operation every
``--pace`` seconds (each logs one event); a busy hall makes a few a second. Phases without
and with subscribers alternate (quiet, fanned, fanned, quiet for 2 rounds). The
subscribers are anonymous streams, as display boards and status pages open them, held by a
process of their own over raw sockets; each must read every event of its phase (the
server's stream caps are raised for the bench through its settings). Meanwhile another
client asks ``/api/health`` at random moments. Server CPU comes from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _servers import Server

QUEUE_APP = [sys.executable, "-m", "queue_app"]
PW = "bench-pass-1"
LIMIT_RATIO = 1.3
# caps above the bench's subscribers (all from one address), through the server's settings
RAISED_CAPS = {
    "QUEUE_APP_EVENT_STREAMS": "5000",
    "QUEUE_APP_EVENT_STREAMS_PER_ADDRESS": "5000",
}
EVENT = b"\nevent: "  # every event of a stream, the snapshot included
OPEN_AT = "2026-12-01T10:00+08:00"  # a Tuesday morning: the hall is open at any real hour
DELIVERY_S = 60.0  # every subscriber has every event by then, or the phase failed


def cli(db: str, *args: str) -> None:
    subprocess.run([*QUEUE_APP, "--db", db, *args], check=True, capture_output=True)


# ------------------------------------------------------------ the subscribers' process
async def _hold(
    port: int, counts: list[int], i: int, refused: list[int], ready: asyncio.Event
) -> None:
    """One stream: count its events (the snapshot not counted) until the server ends it."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /api/events HTTP/1.1\r\nHost: hall\r\nAccept: text/event-stream\r\n\r\n")
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        if int(head.split()[1]) != 200:
            refused.append(i)
            return
        tail, seen = b"", -1
        while chunk := await reader.read(65536):
            data = tail + chunk
            seen += data.count(EVENT)
            tail = data[-(len(EVENT) - 1) :]
            counts[i] = max(seen, 0)
            if seen >= 0:
                ready.set()
    finally:
        writer.close()


async def _subscribers(port: int, n: int, conn: Connection) -> None:
    counts, refused = [0] * n, []
    readies = [asyncio.Event() for _ in range(n)]
    tasks = [asyncio.create_task(_hold(port, counts, i, refused, readies[i])) for i in range(n)]
    loop = asyncio.get_running_loop()
    await asyncio.wait([asyncio.create_task(r.wait()) for r in readies], timeout=DELIVERY_S)
    conn.send(("ready", sum(r.is_set() for r in readies), len(refused)))
    while (command := await loop.run_in_executor(None, conn.recv))[0] == "wait":
        target, deadline = command[1], time.monotonic() + DELIVERY_S
        while min(counts) < target and time.monotonic() < deadline:
            await asyncio.sleep(0.01)  # polling the counts of 200 streams
        conn.send(("got", min(counts), max(counts)))
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def subscribers_main(port: int, n: int, conn: Connection) -> None:
    asyncio.run(_subscribers(port, n, conn))


class Subscribers:
    """``n`` anonymous streams held by a process of their own."""

    def __init__(self, port: int, n: int) -> None:
        self.conn, child = mp.Pipe()
        self.proc = mp.get_context("spawn").Process(
            target=subscribers_main, args=(port, n, child), daemon=True
        )
        self.proc.start()
        _, self.connected, self.refused = self.conn.recv()

    def wait_for(self, events: int) -> tuple[int, int]:
        """Until every stream has read ``events`` events: the fewest and most read."""
        self.conn.send(("wait", events))
        _, least, most = self.conn.recv()
        return least, most

    def close(self) -> None:
        self.conn.send(("stop",))
        self.proc.join(timeout=30)
        if self.proc.is_alive():
            self.proc.kill()


# ------------------------------------------------------------ the hall's work
def signed_in(url: str, username: str, window: int | None = None) -> httpx.Client:
    c = httpx.Client(base_url=url, timeout=60)
    body = {"username": username, "password": PW, "window": window}
    r = c.post("/api/auth/sign-in", json=body).raise_for_status()
    c.headers["Authorization"] = f"Bearer {r.json()['token']}"
    return c


@dataclass
class Phase:
    subscribers: int
    ops: int = 0
    cpu_s: float = 0.0
    wall_s: float = 0.0
    health_s: list[float] = field(default_factory=list)
    least: int = 0  # events read by the slowest subscriber
    refused: int = 0


class Hall:
    def __init__(self, server: Server, matter: str) -> None:
        self.server, self.matter = server, matter
        self.boss = signed_in(server.url, "boss")
        self.clerk = signed_in(server.url, "clerk1", 1)

    def operations(self, cycles: int) -> list[tuple[httpx.Client, str, dict | None]]:
        issue = (self.boss, "/api/tickets", {"matters": [self.matter]})
        call = (self.clerk, "/api/windows/1/call-next", None)
        start = (self.clerk, "/api/windows/1/start", None)
        finish = (self.clerk, "/api/windows/1/finish", {"outcome": "completed"})
        return [issue, call, start, finish] * cycles

    def run(self, phase: Phase, cycles: int, pace: float) -> None:
        """The operations at ``pace``, with ``/api/health`` asked meanwhile; CPU counted
        until every subscriber has read every event."""
        ops = self.operations(cycles)
        stop = threading.Event()
        asker = threading.Thread(target=self._ask_health, args=(phase, pace, stop))
        cpu0, t0 = self.server.cpu(), time.perf_counter()
        asker.start()
        for k, (client, path, body) in enumerate(ops):
            time.sleep(max(0.0, t0 + k * pace - time.perf_counter()))
            client.post(path, json=body).raise_for_status()
        stop.set()
        asker.join()
        if phase.subscribers:
            phase.least, _ = self.subs.wait_for(len(ops))
        phase.cpu_s = self.server.cpu() - cpu0
        phase.wall_s = time.perf_counter() - t0
        phase.ops = len(ops)

    def _ask_health(self, phase: Phase, pace: float, stop: threading.Event) -> None:
        rng = random.Random(7)
        with httpx.Client(base_url=self.server.url, timeout=60) as c:
            while not stop.wait(rng.expovariate(2 / pace)):
                t = time.perf_counter()
                c.get("/api/health").raise_for_status()
                phase.health_s.append(time.perf_counter() - t)

    def phase(self, subscribers: int, cycles: int, pace: float) -> Phase:
        phase = Phase(subscribers)
        print(
            f"phase: {subscribers} subscribers (server pid {self.server.proc.pid})",
            file=sys.stderr,
            flush=True,
        )
        if subscribers:
            self.subs = Subscribers(self.server.port, subscribers)
            phase.refused = self.subs.refused
            try:
                self.run(phase, cycles, pace)
            finally:
                self.subs.close()
        else:
            self.run(phase, cycles, pace)
        return phase


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--subscribers", type=int, default=200)
    ap.add_argument("--cycles", type=int, default=75, help="issue+call+start+finish per phase")
    ap.add_argument("--pace", type=float, default=0.1, help="seconds between operations")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'hall.db'}"
        cli(db, "db", "upgrade")
        cli(db, "staff", "add", "boss", "--role", "manager", "--password", PW)
        cli(db, "staff", "add", "clerk1", "--role", "clerk", "--password", PW)
        server = Server(
            [*QUEUE_APP, "serve", "--db", db, "--clock-start", OPEN_AT], env=RAISED_CAPS
        ).wait_ready()
        try:
            with httpx.Client(base_url=server.url, timeout=60) as c:
                matter = c.get("/api/catalog").json()["matters"][0]["code"]
            hall = Hall(server, matter)
            hall.clerk.post("/api/windows/1/open").raise_for_status()
            hall.phase(0, 5, args.pace)  # warm-up (imports, caches), not counted
            phases = []
            for r in range(args.rounds):
                order = (0, args.subscribers) if r % 2 == 0 else (args.subscribers, 0)
                phases += [hall.phase(n, args.cycles, args.pace) for n in order]
        finally:
            server.stop()
    report(phases, args.subscribers)


def report(phases: list[Phase], n: int) -> None:
    print("subs   ops  wall s  cpu s  cpu ms/op  health p50 ms  p90 ms  slowest read")
    for p in phases:
        h = sorted(p.health_s)
        print(
            f"{p.subscribers:4d} {p.ops:5d} {p.wall_s:7.1f} {p.cpu_s:6.2f} "
            f"{1000 * p.cpu_s / p.ops:10.2f} {1000 * statistics.median(h):14.1f} "
            f"{1000 * h[int(0.9 * len(h))]:7.1f}  "
            + (f"{p.least}/{p.ops} events, {p.refused} refused" if p.subscribers else "-")
        )
    quiet = [p for p in phases if not p.subscribers]
    fanned = [p for p in phases if p.subscribers]

    def per_op(ps: list[Phase]) -> float:
        return sum(p.cpu_s for p in ps) / sum(p.ops for p in ps)

    def p50(ps: list[Phase]) -> float:
        return statistics.median([s for p in ps for s in p.health_s])

    ratio = per_op(fanned) / per_op(quiet)
    complete = all(p.least == p.ops and not p.refused for p in fanned)
    print(
        f"server CPU per operation: {1000 * per_op(quiet):.2f} ms with no subscriber, "
        f"{1000 * per_op(fanned):.2f} ms with {n}: {ratio:.2f}x (limit {LIMIT_RATIO}x)"
    )
    print(
        f"/api/health p50: {1000 * p50(quiet):.1f} ms with no subscriber, "
        f"{1000 * p50(fanned):.1f} ms with {n}"
    )
    print("every subscriber read every event:", "yes" if complete else "NO")
    print("verdict:", "ok" if ratio <= LIMIT_RATIO and complete else "NOT MET")


if __name__ == "__main__":
    main()
