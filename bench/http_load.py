"""HTTP load: ``queue-app serve`` side by side with a reference app, in one run.

    python bench/http_load.py [--lines 10,300,3000] [--requests 400] [--clients 32]
        [--times 10:30,14:30] [--date 2026-12-01] [--db URL] [--servers 2]

For each waiting line (pre-filled before timing) it runs the reference app
(bench/reference_app.py: FastAPI + SQLite, an atomic counter, an ``UPDATE ... RETURNING``
claim), then queue_app on the default hall and catalog with its clock (``serve
--clock-start``) at each hall time: 10:30 is before the lunch break, 14:30 after it, and
the slip's forecast depends on which. Both get the same load: ``--clients`` keep-alive
httpx clients issue ``--requests`` tickets (the line grows by as many), then one client
per window of the hall calls ``--requests`` times, each call followed by an untimed
no-show that frees the window (counted in the rate: both apps do it). Every POST carries a
fresh Idempotency-Key, as queue_app's client sends. Printed per (app, line, time): req/s,
p50 and p99 latency and the server's CPU ms per request (from /proc), then the ratios
queue_app ÷ reference and the goals of issue 11 (PASS/FAIL, not asserted). The ratios
are the figures to compare: machines are shared and absolute rates drift between runs.

queue_app runs on a temporary SQLite file, or on ``--db URL`` (its tables are dropped
first). ``--servers 2`` (PostgreSQL) runs queue_app also as two ``serve`` processes on the
one database, the clients split between them, and prints two servers ÷ one.

``--pace S``: each client sends one request every ``S`` seconds (their starts spread over
the first ``S``) instead of back to back. Closed-loop clients at full speed measure the
rate, but their latency is the queue they themselves make (32 requests in flight at any
rate R wait about 32/R), so the p99 goal is read at a paced load: 32 desks each acting
once a second is still far above a hall's busiest hour.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from _servers import Server, start_all

from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Coverage, Hall
from queue_app.loaders import default_catalog_path, default_hall_path, load_catalog, load_hall_for
from queue_app.store import Store, make_engine, schema
from queue_app.store.staff import Role, add_staff

HERE = Path(__file__).resolve().parent
USER, PW = "bench", "bench-password"
RETRIES = 3  # a POST whose connection fails is sent again this many times at most
WARM = 8  # untimed requests before each timed phase
PREFILL_LEAD_S = 600.0  # the pre-filled line was issued from this long before the hall time
GOAL_RATIO, GOAL_P99_MS, GOAL_TWO_SERVERS = 0.5, 50.0, 1.5


@dataclass
class Figures:
    rate: float  # requests per second
    p50: float  # ms
    p99: float  # ms
    cpu_ms: float  # server CPU per request (per call, its no-show included)
    client_ms: float  # this process's CPU per request: the load's own cost


@dataclass
class Setup:
    """What every run shares: the default hall and catalog, the matters issued (50 that
    every window of the hall accepts), the windows that call, the options."""

    catalog: Catalog
    hall: Hall
    codes: list[str]
    windows: list[int]
    args: argparse.Namespace

    @classmethod
    def load(cls, args: argparse.Namespace) -> Setup:
        catalog = load_catalog(default_catalog_path())
        hall = load_hall_for(default_hall_path(), catalog)
        cov, windows = Coverage(hall, catalog), [w.number for w in hall.windows]
        codes = [
            m.code
            for m in catalog.matters
            if m.undifferentiated and set(cov.windows_for({m.code})) == set(windows)
        ]
        return cls(catalog, hall, codes[:50], windows[: args.clients], args)


@dataclass
class Row:
    app: str
    line: int
    clock: str
    issue: Figures
    call: Figures
    retries: int = 0  # requests sent again after a connection failed


@dataclass
class Target:
    """An app under load: its servers and a keep-alive client for each."""

    servers: list[Server]
    https: list[httpx.AsyncClient]
    issue_path: str
    call_path: str  # with {w}
    release_path: str  # with {w}
    windows: list[int]
    retries: int = 0
    pace_for_timed: float = 0.0  # seconds between one client's timed requests; 0: at once
    pace: float = 0.0  # the pace of the phase running

    def cpu(self) -> float:
        return sum(s.cpu() for s in self.servers)


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] * 1e3


async def _post(target: Target, http: httpx.AsyncClient, path: str, **kw: Any) -> httpx.Response:
    """POST with a fresh Idempotency-Key, retried with the same key when the connection
    fails (a kept-alive connection the server closed as it was reused), as queue_app's
    client does; the retries are counted."""
    key = {"Idempotency-Key": str(uuid.uuid4())}
    for attempt in range(RETRIES + 1):
        try:
            r = await http.post(path, headers=key, **kw)
            break
        except httpx.TransportError as exc:
            if attempt == RETRIES:
                raise RuntimeError(f"POST {path}: {exc!r}") from exc
            target.retries += 1
    if r.status_code >= 300:
        raise RuntimeError(f"POST {path}: {r.status_code} {r.text[:300]}")
    return r


async def _phase(
    target: Target, jobs: int, workers: int, step: Callable[[int, int], Awaitable[float]]
) -> Figures:
    """``jobs`` steps by ``workers`` concurrent clients; a step returns its timed latency."""
    lat: list[float] = []
    todo = iter(range(jobs))

    pace = target.pace

    async def worker(k: int) -> None:
        due = time.perf_counter() + pace * k / workers
        for i in todo:
            if pace:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                due += pace
            lat.append(await step(k, i))

    cpu0, own0, t0 = target.cpu(), time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(workers)))
    wall, cpu = time.perf_counter() - t0, target.cpu() - cpu0
    own = time.process_time() - own0
    return Figures(jobs / wall, _pct(lat, 0.5), _pct(lat, 0.99), 1e3 * cpu / jobs, 1e3 * own / jobs)


async def _drive(target: Target, codes: list[str], requests: int, clients: int) -> Row:
    n = len(target.https)

    async def issue(k: int, i: int) -> float:
        body = {"matters": [codes[i % len(codes)]]}
        t0 = time.perf_counter()
        await _post(target, target.https[k % n], target.issue_path, json=body)
        return time.perf_counter() - t0

    async def call(k: int, _: int) -> float:
        http, w = target.https[k % n], target.windows[k]
        t0 = time.perf_counter()
        r = await _post(target, http, target.call_path.format(w=w))
        lat = time.perf_counter() - t0
        if r.json()["ticket"] is None:
            raise RuntimeError(f"window {w}: no ticket to call (the line ran out)")
        await _post(target, http, target.release_path.format(w=w))
        return lat

    callers = len(target.windows)
    pace = target.pace_for_timed
    await _phase(target, WARM, clients, issue)
    target.pace = pace
    issued = await _phase(target, requests, clients, issue)
    target.pace = 0.0
    await _phase(target, WARM, callers, call)
    target.pace = pace
    called = await _phase(target, requests, callers, call)
    return Row("", 0, "", issued, called, target.retries)


async def _run(target: Target, headers: list[dict[str, str]], setup: Setup) -> Row:
    """Keep-alive clients to each server (the clients split evenly), then the load."""
    per = -(-setup.args.clients // len(target.servers))
    limits = httpx.Limits(max_connections=per, max_keepalive_connections=per)
    target.https = [
        httpx.AsyncClient(base_url=s.url, headers=h, limits=limits, timeout=120)
        for s, h in zip(target.servers, headers, strict=True)
    ]
    target.pace_for_timed = setup.args.pace
    try:
        return await _drive(target, setup.codes, setup.args.requests, setup.args.clients)
    finally:
        for h in target.https:
            await h.aclose()


def run_reference(setup: Setup, line: int) -> Row:
    with tempfile.TemporaryDirectory() as tmp:
        argv = [sys.executable, str(HERE / "reference_app.py"), "--db", f"{tmp}/ref.db"]
        (server,) = start_all([[*argv, "--seed", str(line)]])
        try:
            paths = ("/issue", "/call-next/{w}", "/no-show/{w}")
            target = Target([server], [], *paths, setup.windows)
            return asyncio.run(_run(target, [{}], setup))
        finally:
            server.stop()


def _prefill(setup: Setup, url: str, line: int, at: dt.datetime) -> None:
    """A fresh database with the bench manager, every window open and ``line`` waiting
    tickets, made through the store in this process on a clock running up to ``at``."""
    if not url.startswith("sqlite"):
        engine = make_engine(url)
        schema.upgrade(engine)  # to a known revision, then down to nothing: a clean slate
        schema.downgrade(engine, "base")
        engine.dispose()
    real0, start = time.time(), at.timestamp() - PREFILL_LEAD_S
    store = Store(url, setup.catalog, setup.hall, clock=lambda: start + time.time() - real0)
    try:
        add_staff(store, USER, Role.MANAGER, PW)
        for w in setup.hall.windows:
            store.open_window(w.number)
        for i in range(line):
            store.issue([setup.codes[i % len(setup.codes)]], slip=False)
    finally:
        store.dispose()
    if time.time() - real0 > PREFILL_LEAD_S:
        raise RuntimeError("pre-filling took longer than its lead: raise PREFILL_LEAD_S")


def run_queue_app(setup: Setup, url: str, line: int, at: dt.datetime, servers: int) -> Row:
    _prefill(setup, url, line, at)
    argv = [sys.executable, "-m", "queue_app", "serve", "--db", url]
    procs = start_all([[*argv, "--clock-start", at.isoformat()]] * servers)
    try:
        headers = []
        for s in procs:
            r = httpx.post(f"{s.url}/api/auth/sign-in", json={"username": USER, "password": PW})
            r.raise_for_status()
            headers.append({"Authorization": f"Bearer {r.json()['token']}"})
        paths = ("/api/tickets", "/api/windows/{w}/call-next", "/api/windows/{w}/no-show")
        return asyncio.run(_run(Target(procs, [], *paths, setup.windows), headers, setup))
    finally:
        for s in procs:
            s.stop()


# ------------------------------------------------------------------ report
_COLS = "{:>7}{:>8}{:>8}{:>7}{:>7}"
HEAD = (
    f"{'app':<13}{'line':>5}{'clock':>6} | "
    + _COLS.format("issue/s", "p50 ms", "p99 ms", "cpu ms", "cli ms")
    + " | "
    + _COLS.format("call/s", "p50 ms", "p99 ms", "cpu ms", "cli ms")
)


def _fmt(r: Row) -> str:
    def f(x: Figures) -> str:
        return _COLS.format(
            f"{x.rate:.0f}", f"{x.p50:.1f}", f"{x.p99:.1f}", f"{x.cpu_ms:.2f}", f"{x.client_ms:.2f}"
        )

    retried = f"  ({r.retries} retried)" if r.retries else ""
    return f"{r.app:<13}{r.line:>5}{r.clock:>6} | {f(r.issue)} | {f(r.call)}{retried}"


def _ratios(title: str, pairs: list[tuple[Row, Row]], goal: float, of: str) -> list[str]:
    """The ratios of ``pairs`` (numerator, denominator) and the goal: the numerator's
    rates >= ``goal`` x ``of`` at every line."""
    out = [
        f"\n{title}: rates, and CPU per request (steadier on a busy machine: not a goal)",
        f"{'line':>6}{'clock':>7}{'issue/s':>9}{'call/s':>9} | {'issue cpu':>10}{'call cpu':>10}",
    ]
    worst: dict[str, tuple[float, Row]] = {}
    for num, den in pairs:
        ri, rc = num.issue.rate / den.issue.rate, num.call.rate / den.call.rate
        ci, cc = num.issue.cpu_ms / den.issue.cpu_ms, num.call.cpu_ms / den.call.cpu_ms
        out.append(f"{num.line:>6}{num.clock:>7}{ri:8.2f}x{rc:8.2f}x | {ci:9.1f}x{cc:9.1f}x")
        for what, v in (("issue", ri), ("call-next", rc)):
            if what not in worst or v < worst[what][0]:
                worst[what] = (v, num)
    for what, (v, r) in worst.items():
        verdict = "PASS" if v >= goal else "FAIL"
        out.append(
            f"GOAL {what} >= {goal}x {of} at every line: {verdict} (lowest {v:.2f}x: line "
            f"{r.line}, {r.clock})"
        )
    return out


def _p99_goal(rows: list[Row], clients: int, sqlite: bool, pace: float) -> str:
    if not pace:
        return f"GOAL p99 <= {GOAL_P99_MS:.0f} ms: read with --pace (back-to-back clients queue)"
    if not sqlite:
        return f"GOAL p99 <= {GOAL_P99_MS:.0f} ms on SQLite: not measured (queue_app on PostgreSQL)"
    p99s = [(r.issue.p99, "issue", r) for r in rows] + [(r.call.p99, "call-next", r) for r in rows]
    v, what, r = max(p99s, key=lambda t: t[0])
    verdict = "PASS" if v <= GOAL_P99_MS else "FAIL"
    return (
        f"GOAL p99 <= {GOAL_P99_MS:.0f} ms at {clients} clients, each a request every {pace:g} "
        f"s, on SQLite: {verdict} (worst "
        f"{v:.0f} ms: {what}, line {r.line}, {r.clock})"
    )


def _preamble(args: Any, sqlite: bool) -> list[str]:
    commit = subprocess.run(
        ["git", "-C", str(HERE), "log", "-1", "--format=%h %s"], capture_output=True, text=True
    ).stdout.strip()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"bench/http_load.py {' '.join(sys.argv[1:])}",
        f"run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} CPUs · load "
        f"{load} · Python {sys.version.split()[0]} · commit {commit[:70]}",
        f"queue_app: {'a temporary SQLite file' if sqlite else 'PostgreSQL (--db)'}, default "
        "hall and catalog, every window open; reference: bench/reference_app.py on SQLite; "
        "both under uvicorn as `queue-app serve` starts it",
        f"issue: {args.clients} clients; call-next: one client per window (each call then an "
        f"untimed no-show); {args.requests} timed requests per phase after {WARM} untimed; "
        "cpu ms: server CPU per request (per call with its no-show); cli ms: the bench "
        "client's own CPU per request",
        "pace: "
        + (f"each client one request every {args.pace:g} s" if args.pace else "back to back"),
    ]


def _args() -> tuple[argparse.Namespace, list[int], list[dt.time], dt.date]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--lines", default="10,300,3000", help="waiting lines, e.g. 10,300")
    ap.add_argument("--requests", type=int, default=400, help="timed requests per phase")
    ap.add_argument("--times", default="10:30,14:30", help="queue_app's hall times")
    ap.add_argument("--date", default="2026-12-01", help="queue_app's business day")
    ap.add_argument("--db", default=None, help="queue_app's database URL")
    ap.add_argument("--servers", type=int, choices=(1, 2), default=1)
    ap.add_argument("--pace", type=float, default=0.0, help="s between a client's requests")
    args = ap.parse_args()
    if args.servers == 2 and (args.db is None or args.db.startswith("sqlite")):
        ap.error("--servers 2 needs --db postgresql+psycopg://...")
    try:
        lines = [int(x) for x in args.lines.split(",")]
        clocks = [dt.time.fromisoformat(t) for t in args.times.split(",")]
        return args, lines, clocks, dt.date.fromisoformat(args.date)
    except ValueError as exc:
        ap.error(f"--lines, --times or --date: {exc}")


def main() -> None:
    args, lines, clocks, day = _args()
    sqlite = args.db is None or args.db.startswith("sqlite")
    setup = Setup.load(args)
    print("\n".join(_preamble(args, sqlite)))
    print(HEAD, flush=True)
    rows: list[Row] = []
    pairs: list[tuple[Row, Row]] = []  # (queue_app, reference)
    twos: list[tuple[Row, Row]] = []  # (two servers, one server)
    with tempfile.TemporaryDirectory() as tmp:
        for line in lines:
            ref = run_reference(setup, line)
            ref.app, ref.line, ref.clock = "reference", line, "-"
            print(_fmt(ref), flush=True)
            for clock in clocks:
                at = dt.datetime.combine(day, clock, setup.hall.zone)
                for servers in range(1, args.servers + 1):
                    url = args.db or f"sqlite:///{tmp}/{line}-{clock:%H%M}.db"
                    row = run_queue_app(setup, url, line, at, servers)
                    row.app = "queue_app" + (" x2" if servers == 2 else "")
                    row.line, row.clock = line, f"{clock:%H:%M}"
                    print(_fmt(row), flush=True)
                    if servers == 1:
                        pairs.append((row, ref))
                    else:
                        twos.append((row, rows[-1]))
                    rows.append(row)
    out = _ratios("queue_app ÷ reference (same line)", pairs, GOAL_RATIO, "the reference")
    if args.pace:  # the rates are the pace's: only the latencies tell
        out = [line for line in out if not line.startswith("GOAL")]
    out.append(_p99_goal([q for q, _ in pairs], args.clients, sqlite, args.pace))
    if twos:
        title = "two queue_app servers ÷ one (PostgreSQL)"
        out += _ratios(title, twos, GOAL_TWO_SERVERS, "one server")
    print("\n".join(out))
    print(f"load at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
