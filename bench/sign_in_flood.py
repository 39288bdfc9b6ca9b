"""Password guessing against a running hall server, and what it does to the hall's work:
the median call-next while 16 guessers try passwords at full speed, against the median
with no guessing, in the same run (issue 13: at most 2x).

    python bench/sign_in_flood.py [--guessers 16] [--calls 150]

A real ``queue-app serve`` on a new SQLite file with the default hall; a clerk calls,
starts and finishes tickets at window 1 (only the call-next is timed); the guessers post
wrong passwords for the manager's account. Printed: both medians and their ratio, the
guesses answered 401 (checked) and 429 (refused before any hashing), and the server's CPU.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _servers import Server

QUEUE_APP = [sys.executable, "-m", "queue_app"]
PW = "bench-pass-1"
LIMIT_RATIO = 2.0


def cli(db: str, *args: str) -> None:
    subprocess.run([*QUEUE_APP, "--db", db, *args], check=True, capture_output=True)


def timed_calls(c: httpx.Client, calls: int) -> list[float]:
    """``calls`` call-next at window 1 (each then started and finished), their seconds."""
    took = []
    for _ in range(calls):
        start = time.perf_counter()
        r = c.post("/api/windows/1/call-next")
        took.append(time.perf_counter() - start)
        r.raise_for_status()
        c.post("/api/windows/1/start").raise_for_status()
        c.post("/api/windows/1/finish", json={"outcome": "completed"}).raise_for_status()
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--guessers", type=int, default=16)
    ap.add_argument("--calls", type=int, default=150)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'hall.db'}"
        cli(db, "db", "upgrade")  # serve and the commands open only a hall made first
        cli(db, "staff", "add", "boss", "--role", "manager", "--password", PW)
        cli(db, "staff", "add", "clerk1", "--role", "clerk", "--password", PW)
        server = Server([*QUEUE_APP, "serve", "--db", db]).wait_ready()
        try:
            run(server, args.guessers, args.calls)
        finally:
            server.stop()


def run(server: Server, guessers: int, calls: int) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        r = c.post("/api/auth/sign-in", json={"username": "clerk1", "password": PW, "window": 1})
        c.headers["Authorization"] = f"Bearer {r.raise_for_status().json()['token']}"
        c.post("/api/windows/1/open").raise_for_status()
        matter = c.get("/api/catalog").json()["matters"][0]["code"]
        with httpx.Client(base_url=server.url, timeout=60) as boss:
            r = boss.post("/api/auth/sign-in", json={"username": "boss", "password": PW})
            boss.headers["Authorization"] = f"Bearer {r.raise_for_status().json()['token']}"
            for _ in range(2 * calls + 10):  # the line, before the clock starts
                boss.post("/api/tickets", json={"matters": [matter]}).raise_for_status()
        quiet = timed_calls(c, calls)
        answers: dict[int, int] = {}
        stop = threading.Event()
        lock = threading.Lock()

        def guess() -> None:
            with httpx.Client(base_url=server.url, timeout=60) as g:
                n = 0
                while not stop.is_set():
                    n += 1
                    body = {"username": "boss", "password": f"guess-{n:08d}"}
                    code = g.post("/api/auth/sign-in", json=body).status_code
                    with lock:
                        answers[code] = answers.get(code, 0) + 1

        threads = [threading.Thread(target=guess, daemon=True) for _ in range(guessers)]
        cpu0, t0 = server.cpu(), time.perf_counter()
        for t in threads:
            t.start()
        flooded = timed_calls(c, calls)
        stop.set()
        for t in threads:
            t.join()
        elapsed, cpu = time.perf_counter() - t0, server.cpu() - cpu0
    p50_quiet, p50_flood = statistics.median(quiet), statistics.median(flooded)
    ratio = p50_flood / p50_quiet
    print(
        f"call-next p50: {p50_quiet * 1000:.1f} ms quiet, {p50_flood * 1000:.1f} ms with "
        f"{guessers} guessers: {ratio:.2f}x (limit {LIMIT_RATIO:.0f}x)"
    )
    total = sum(answers.values())
    print(
        f"guesses: {total} in {elapsed:.1f} s ({total / elapsed:.0f}/s): "
        + ", ".join(f"{n} x {code}" for code, n in sorted(answers.items()))
        + f"; server CPU {cpu:.1f} s"
    )
    print("verdict:", "ok" if ratio <= LIMIT_RATIO and answers.get(429) else "NOT MET")


if __name__ == "__main__":
    main()
