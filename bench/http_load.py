"""HTTP load on a real hall server: issue and call-next requests/s with p50/p99 latency.

    python bench/http_load.py [--clients 32] [--tickets 3000] [--db URL]

Starts ``queue-app serve`` on a free loopback port (default hall and catalog, a temporary
SQLite file unless --db is given), signs in a manager, then drives it with keep-alive
async clients. Call-next is measured on 20 windows; each claim is followed by a no-show to
free the window (not timed). Figures to compare: ARCHITECTURE.md §9.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

PW = "bench-password"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] * 1e3


async def _drive(base: str, token: str, clients: int, tickets: int) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as http:
        hall = (await http.get("/api/hall")).json()
        windows = [w["number"] for w in hall["windows"]][:20]
        for w in windows:
            await http.post(f"/api/windows/{w}/open")
        catalog = (await http.get("/api/catalog")).json()
        codes = [m["code"] for m in catalog["matters"] if m["undifferentiated"]][:40]

        lat: list[float] = []
        counter = iter(range(tickets))

        async def issuer() -> None:
            for i in counter:
                t0 = time.perf_counter()
                r = await http.post("/api/tickets", json={"matters": [codes[i % len(codes)]]})
                lat.append(time.perf_counter() - t0)
                assert r.status_code == 201, r.text

        t0 = time.perf_counter()
        await asyncio.gather(*[issuer() for _ in range(clients)])
        wall = time.perf_counter() - t0
        print(
            f"issue:     {tickets / wall:7.0f} req/s  p50 {_pct(lat, 0.5):5.1f} ms  "
            f"p99 {_pct(lat, 0.99):6.1f} ms  ({clients} clients, {tickets} tickets)"
        )

        lat = []
        claimed = 0

        async def clerk(w: int) -> None:
            nonlocal claimed
            while True:
                t0 = time.perf_counter()
                r = await http.post(f"/api/windows/{w}/call-next")
                lat.append(time.perf_counter() - t0)
                if r.json()["ticket"] is None:
                    return
                claimed += 1
                await http.post(f"/api/windows/{w}/no-show")

        t0 = time.perf_counter()
        await asyncio.gather(*[clerk(w) for w in windows])
        wall = time.perf_counter() - t0
        print(
            f"call-next: {len(lat) / wall:7.0f} req/s  p50 {_pct(lat, 0.5):5.1f} ms  "
            f"p99 {_pct(lat, 0.99):6.1f} ms  ({len(windows)} windows, {claimed} claimed; "
            f"no-show requests in between not timed)"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--tickets", type=int, default=3000)
    ap.add_argument("--db", default=None)
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    db = args.db or f"sqlite:///{Path(tmp.name) / 'load.db'}"
    env = {**os.environ}
    qa = [sys.executable, "-m", "queue_app", "--db", db]
    subprocess.run(
        [*qa, "staff", "add", "bench", "--role", "manager", "--password", PW],
        env=env,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    server = subprocess.Popen(
        [*qa, "serve", "--port", str(port), "--db", db],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/api/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        token = httpx.post(
            f"{base}/api/auth/sign-in", json={"username": "bench", "password": PW}
        ).json()["token"]
        print(f"backend: {db.split(':', 1)[0]}  server: queue-app serve (uvicorn, 1 process)")
        asyncio.run(_drive(base, token, args.clients, args.tickets))
    finally:
        server.terminate()
        server.wait(timeout=15)
        tmp.cleanup()


if __name__ == "__main__":
    main()
