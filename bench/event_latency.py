"""How soon a call reaches a subscriber of the live events: the delay from a clerk's
``call-next`` being sent to its ``ticket_called`` event being read off a stream, against the
round trip of ``/api/health`` in the same run (the reference: a request that does nothing).

    python bench/event_latency.py [--calls 200]

A real ``queue-app serve`` on a new SQLite file with the default hall; one anonymous stream,
as a board opens it, read in a thread of this process. Such streams get their events in
batches: an event after a quiet spell goes out at once, the ones in the half second after it
(``BATCH_S``) together at its end. Each call here follows its ticket's issue at once, so it
waits for its batch: the goal is a p99 under the batch time plus 0.1 s.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _servers import Server
from event_fanout import OPEN_AT, PW, QUEUE_APP, cli, signed_in

from queue_app.server.events import BATCH_S

READ_S = 30.0  # an event not read by then is lost: the bench fails


def listen(url: str, called: list[float], got: threading.Semaphore, ready: threading.Event) -> None:
    """Read the public stream; note the moment each ``ticket_called`` arrives."""
    with (
        contextlib.suppress(httpx.TransportError),
        httpx.stream("GET", f"{url}/api/events", timeout=None) as r,
    ):  # the server's stop ends it
        kind = ""
        for line in r.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
                if kind == "snapshot":
                    ready.set()
                elif kind == "ticket_called":
                    called.append(time.monotonic())
                    got.release()


def percentile(xs: list[float], p: float) -> float:
    return statistics.quantiles(xs, n=100)[int(p) - 1] if len(xs) > 1 else xs[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'hall.db'}"
        cli(db, "db", "upgrade")
        cli(db, "staff", "add", "boss", "--role", "manager", "--password", PW)
        cli(db, "staff", "add", "clerk1", "--role", "clerk", "--password", PW)
        server = Server([*QUEUE_APP, "serve", "--db", db, "--clock-start", OPEN_AT]).wait_ready()
        try:
            delays, health = run(server.url, args.calls)
        finally:
            server.stop()
    d50, d99 = statistics.median(delays), percentile(delays, 99)
    h50 = statistics.median(health)
    print(f"calls {len(delays)}: call→event p50 {d50 * 1000:.1f} ms, p99 {d99 * 1000:.1f} ms")
    print(f"/api/health round trip p50 {h50 * 1000:.1f} ms; p50 ratio {d50 / h50:.1f}x")
    goal = BATCH_S + 0.1
    print(f"verdict: {'ok' if d99 < goal else f'over {goal:.1f} s at p99'} (goal {goal:.1f} s)")


def run(url: str, calls: int) -> tuple[list[float], list[float]]:
    boss, clerk = signed_in(url, "boss"), signed_in(url, "clerk1", 1)
    matter = boss.get("/api/catalog").json()["matters"][0]["code"]
    clerk.post("/api/windows/1/open").raise_for_status()
    called: list[float] = []
    got, ready = threading.Semaphore(0), threading.Event()
    threading.Thread(target=listen, args=(url, called, got, ready), daemon=True).start()
    if not ready.wait(READ_S):
        raise SystemExit("the stream sent no snapshot")
    delays, health = [], []
    for _ in range(calls):
        boss.post("/api/tickets", json={"matters": [matter]}).raise_for_status()
        t0 = time.monotonic()
        boss.get("/api/health").raise_for_status()
        health.append(time.monotonic() - t0)
        sent = time.monotonic()
        clerk.post("/api/windows/1/call-next").raise_for_status()
        if not got.acquire(timeout=READ_S):
            raise SystemExit("a call's event never arrived")
        delays.append(called[-1] - sent)
        clerk.post("/api/windows/1/start").raise_for_status()
        clerk.post("/api/windows/1/finish", json={"outcome": "completed"}).raise_for_status()
    return delays, health


if __name__ == "__main__":
    main()
