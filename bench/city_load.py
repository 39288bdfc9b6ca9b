"""City load (issue 14): 12 halls on 3 ``queue-app serve --city`` processes and one
PostgreSQL database, each hall at five times its simulated peak arrival rate, against one
hall on one server under the same per-hall load, in one run.

    python bench/city_load.py --db URL --ref-db URL [--seconds 120] [--factor 5]
        [--copies 3] [--servers 3] [--seed 1] [--at 2026-12-01T10:30+08:00]
        [--py-spy DIR]

The city: ``--copies`` copies of each of windows/default.yaml, property-centre.yaml,
township.yaml and township-east.yaml (3 x 4 = 12 halls, each copy with its own code and
name) and a city file listing them, written to a temporary folder; ``--servers`` processes
``queue-app serve --city`` on ``--db``, each serving every hall (stateless servers behind a
load balancer). The reference: one ``queue-app serve --hall windows/default.yaml`` on
``--ref-db``. Both databases are emptied first (their public schema dropped and the
tables made anew: give the bench databases of its own), and every clock starts at
``--at`` (a Tuesday, 10:30: every window of every hall open).

Each hall's load, the same in both:
- desks issue tickets at ``--factor`` x the hall's simulated peak arrival rate: the
  largest hourly rate of the demand profile the simulator uses for that kind of hall
  within its issuing hours (demand/township.yaml for the township centres, whose header
  names windows/township.yaml; the simulator's default, demand/default.yaml, for the
  district hall and the property centre), times its ``scale``. Arrivals are a Poisson
  process (seeded per hall), each issue sent when due whatever is in flight (open loop),
  by one desk session per server in turn (3 sessions on the reference's one server);
- one clerk per window (signed in at it; the hall's clerks spread over the servers)
  calls next, starts and finishes, continuously: a clerk calls when the bench knows a
  ticket it may serve is waiting (as a clerk's screen shows the line), so no call is a
  blind poll. The matters issued are ones every window of the hall accepts; where no
  matter is (the property centre's two lines), one matter set per line, each line's share
  of the tickets its windows' share;
- a staff event stream (``/halls/<code>/api/events``) per hall on every server (3 on the
  reference's server: each event is written 3 times in both), read for the whole run.

After ``--seconds`` the desks stop, the clerks empty the lines, and then each calls once
more (nothing must be left). Checks, PASS/FAIL, exit 1 when one fails: every ticket issued
at a hall called exactly once and none left waiting; no event crossed halls (each hall's
streams carry exactly its own events: one issued/called/started/finished event for each
of its tickets, the issued numbers its own, and no event id in two halls' streams); no
request refused or failed; no error in a server's log. Figures: per operation kind p50
and p99 latency; throughput; the servers' CPU per operation (from /proc: all processes,
from the first issue until the lines are empty), also net of their idle CPU (measured for
``IDLE_S`` before the load, with every stream open), and the ratio city / reference
(goal <= 1.2x, not asserted). ``--py-spy DIR`` records each server with py-spy during the
load, the samples of threads holding the GIL (about where the CPU goes), as collapsed
stacks in DIR/<run>-<server>.txt; it costs CPU itself: figures of such a run are not the
bench's.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from _servers import Server, ServerFailed

from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Coverage, Hall
from queue_app.loaders import default_catalog_path, load_catalog, load_demand_for, load_hall_for
from queue_app.sim.arrivals import hhmm_seconds
from queue_app.store import Store, make_engine
from queue_app.store.staff import Role, add_staff

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# the layouts of the city, each with the demand profile the simulator uses for it
KINDS = [
    ("default.yaml", "default"),
    ("property-centre.yaml", "default"),
    ("township.yaml", "township"),
    ("township-east.yaml", "township"),
]
PW = "bench-password"
MATTERS = 50  # matters issued per line of a hall, in turn
RETRIES = 3  # a request whose connection failed is sent again (same key) at most this often
IDLE_S = 10.0  # the servers' idle CPU is read over this long, streams open, before the load
EMPTY_PAUSE_S = 0.1  # a clerk whose call found nothing waits this long before the next
SETTLE_S = 30.0  # every stream has every event this long after the lines are empty
GOAL = 1.2
OPS = ("issue", "call-next", "start", "finish", "call-next (none)")


# ------------------------------------------------------------------ the halls
@dataclass
class Line:
    """Tickets that the same windows serve: the windows, the matters issued for it."""

    windows: frozenset[int]
    matters: list[str]


@dataclass
class HallPlan:
    code: str
    hall: Hall
    demand: str
    peak_per_hour: float  # the simulated peak arrival rate
    per_s: float  # the bench's issue rate: factor x peak
    lines: list[Line]

    @property
    def windows(self) -> list[int]:
        return [w.number for w in self.hall.windows]


def _lines(hall: Hall, catalog: Catalog) -> list[Line]:
    """The matters every window accepts; else the fewest window sets (largest first) that
    cover every window, each with the matters accepted by exactly those windows."""
    cov = Coverage(hall, catalog)
    every = frozenset(w.number for w in hall.windows)
    by_set: dict[frozenset[int], list[str]] = {}
    for m in catalog.matters:
        ws = frozenset(cov.windows_for({m.code}))
        if ws:
            by_set.setdefault(ws, []).append(m.code)
    if every in by_set:
        return [Line(every, by_set[every][:MATTERS])]
    lines: list[Line] = []
    covered: frozenset[int] = frozenset()
    for ws in sorted(by_set, key=lambda s: (-len(s), sorted(s))):
        if ws - covered:
            lines.append(Line(ws, by_set[ws][:MATTERS]))
            covered |= ws
    if covered != every:
        raise SystemExit(f"{hall.hall.code}: windows {sorted(every - covered)} accept no matter")
    return lines


def _peak(demand_name: str, hall: Hall, catalog: Catalog) -> float:
    """The largest hourly arrival rate of the demand profile within the hall's issuing
    hours (the simulator draws arrivals only then), scale included."""
    d = load_demand_for(REPO / "demand" / f"{demand_name}.yaml", catalog)
    lo = hhmm_seconds(hall.hours.open)
    hi = hhmm_seconds(hall.hours.issue_until or hall.hours.close)
    return max(r for s, e, r in d.rate_segments() if min(e, hi) > max(s, lo)) * 3600


def _plan(layout: Path, demand: str, catalog: Catalog, factor: float) -> HallPlan:
    hall = load_hall_for(layout, catalog)
    peak = _peak(demand, hall, catalog)
    return HallPlan(hall.hall.code, hall, demand, peak, factor * peak / 3600, _lines(hall, catalog))


def make_city(folder: Path, copies: int, catalog: Catalog, factor: float) -> list[HallPlan]:
    """``copies`` copies of each layout of KINDS (code ``<code>-<k>``, name ``<name> <k>``)
    and city.yaml listing them, in ``folder``."""
    plans, files = [], []
    for k in range(1, copies + 1):
        for name, demand in KINDS:
            text = (REPO / "windows" / name).read_text(encoding="utf-8")
            text = re.sub(r"(?m)^(  code: )(\S+)", rf"\g<1>\g<2>-{k}", text, count=1)
            text = re.sub(r"(?m)^(  name: )(.+)$", rf"\g<1>\g<2> {k}", text, count=1)
            out = folder / f"{Path(name).stem}-{k}.yaml"
            out.write_text(text, encoding="utf-8")
            files.append(out.name)
            plans.append(_plan(out, demand, catalog, factor))
    halls = "".join(f"  - file: {f}\n" for f in files)
    city = f"city:\n  code: bench-city\n  name: 压测城\nhalls:\n{halls}"
    (folder / "city.yaml").write_text(city, encoding="utf-8")
    return plans


def prepare_db(url: str, plans: list[HallPlan], catalog: Catalog) -> None:
    """Drop everything in the database (its public schema: the bench's own database) and
    make the schema anew, each hall's windows, and its staff: a desk and a clerk per
    window. (Migrations cannot go down from a database of several halls.)"""
    engine = make_engine(url)
    try:
        with engine.begin() as c:
            c.exec_driver_sql("DROP SCHEMA public CASCADE")
            c.exec_driver_sql("CREATE SCHEMA public")
        for p in plans:
            store = Store(engine, catalog, p.hall)
            add_staff(store, "desk", Role.DESK, PW)
            for w in p.windows:
                add_staff(store, f"clerk{w}", Role.CLERK, PW, windows=frozenset({w}))
    finally:
        engine.dispose()


def pg_connections(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            q = "select count(*) from pg_stat_activity where datname = current_database()"
            return int(c.exec_driver_sql(q).scalar_one()) - 1
    finally:
        engine.dispose()


# ------------------------------------------------------------------ the load
@dataclass
class Session:
    http: httpx.AsyncClient  # to the server it signed in at
    prefix: str  # /halls/<code>/api or /api
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class HallRun:
    """One hall under load: its sessions, what the bench knows of its lines, what it saw."""

    plan: HallPlan
    desks: list[Session] = field(default_factory=list)
    clerks: dict[int, Session] = field(default_factory=dict)
    cond: asyncio.Condition = field(default_factory=asyncio.Condition)
    issued_n: Counter[int] = field(default_factory=Counter)  # per line
    called_n: Counter[int] = field(default_factory=Counter)
    reserved: Counter[int] = field(default_factory=Counter)  # calls in flight, per line
    in_flight: int = 0  # issues sent, not answered
    closing: bool = False
    issued: list[str] = field(default_factory=list)  # numbers
    called: list[tuple[str, int]] = field(default_factory=list)  # (number, window)
    left: list[dict[str, Any]] = field(default_factory=list)  # waiting after the drain
    streams: list[Stream] = field(default_factory=list)

    def line_of(self, matter: str) -> int:
        return next(i for i, ln in enumerate(self.plan.lines) if matter in ln.matters)

    def free(self, i: int) -> int:
        return self.issued_n[i] - self.called_n[i] - self.reserved[i]


@dataclass
class Stream:
    server: int
    events: list[dict[str, Any]] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # resync or an ended stream
    ready: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Tally:
    lat: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in OPS})
    errors: list[str] = field(default_factory=list)
    retries: int = 0

    def ops(self) -> int:
        return sum(len(v) for v in self.lat.values())


async def _post(t: Tally, s: Session, path: str, op: str | None, **kw: Any) -> Any:
    """POST with a fresh Idempotency-Key (the same on a retry); the JSON answer, or None
    with the refusal or failure noted. ``op``: its latency is recorded as that kind."""
    headers = {**s.auth, "Idempotency-Key": str(uuid.uuid4())}
    t0 = time.perf_counter()
    for attempt in range(RETRIES + 1):
        try:
            r = await s.http.post(s.prefix + path, headers=headers, **kw)
            break
        except httpx.TransportError as exc:
            if attempt == RETRIES:
                t.errors.append(f"POST {s.prefix}{path}: {exc!r}")
                return None
            t.retries += 1
    lat = time.perf_counter() - t0
    if r.status_code >= 300:
        t.errors.append(f"POST {s.prefix}{path}: {r.status_code} {r.text[:200]}")
        return None
    body = r.json()
    if op is not None:
        t.lat["call-next (none)" if op == "call-next" and body["ticket"] is None else op].append(
            lat
        )
    return body


async def _issue(t: Tally, h: HallRun, k: int, due: float) -> None:
    await asyncio.sleep(max(0.0, due - time.perf_counter()))
    rng = random.Random(f"{h.plan.code}:{k}")
    weights = [len(ln.windows) for ln in h.plan.lines]
    i = rng.choices(range(len(h.plan.lines)), weights)[0]
    matter = h.plan.lines[i].matters[k % len(h.plan.lines[i].matters)]
    body = await _post(
        t, h.desks[k % len(h.desks)], "/tickets", "issue", json={"matters": [matter]}
    )
    async with h.cond:
        h.in_flight -= 1
        if body is not None:
            h.issued.append(body["ticket"]["number"])
            h.issued_n[i] += 1
        h.cond.notify_all()


async def _serve(t: Tally, h: HallRun, w: int, ticket: dict[str, Any]) -> None:
    s, number = h.clerks[w], ticket["number"]
    h.called.append((number, w))
    await _post(t, s, f"/windows/{w}/start", "start", json={"ticket": number})
    body = {"ticket": number, "outcome": "completed"}
    await _post(t, s, f"/windows/{w}/finish", "finish", json=body)


async def _clerk(t: Tally, h: HallRun, w: int) -> None:
    """Call whenever a ticket this window may serve is waiting, until the desks have
    stopped and nothing is left for it."""
    mine = [i for i, ln in enumerate(h.plan.lines) if w in ln.windows]

    def can() -> bool:
        return any(h.free(i) > 0 for i in mine) or (h.closing and h.in_flight == 0)

    while True:
        async with h.cond:
            await h.cond.wait_for(can)
            ready = [i for i in mine if h.free(i) > 0]
            if not ready:
                return
            i = max(ready, key=h.free)
            h.reserved[i] += 1
        body = await _post(t, h.clerks[w], f"/windows/{w}/call-next", "call-next")
        ticket = body and body["ticket"]
        async with h.cond:
            h.reserved[i] -= 1
            if ticket:
                h.called_n[h.line_of(ticket["items"][0]["matter"])] += 1
            h.cond.notify_all()
        if ticket:
            await _serve(t, h, w, ticket)
        else:  # called by another window meanwhile, its answer not yet here
            await asyncio.sleep(EMPTY_PAUSE_S)


async def _sweep(t: Tally, h: HallRun, w: int) -> None:
    """After the load: call until nothing is left (there should be nothing)."""
    while (body := await _post(t, h.clerks[w], f"/windows/{w}/call-next", None)) and (
        ticket := body["ticket"]
    ):
        h.left.append(ticket)
        await _serve(t, h, w, ticket)


async def _read_stream(http: httpx.AsyncClient, s: Session, st: Stream) -> None:
    try:
        async with http.stream("GET", s.prefix + "/events", headers=s.auth) as r:
            if r.status_code != 200:
                st.other.append(f"status {r.status_code}")
                st.ready.set()
                return
            event = ""
            async for line in r.aiter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    if event == "snapshot":
                        st.ready.set()
                    elif event == "resync":
                        st.other.append(f"resync: {line[6:]}")
                    else:
                        st.events.append(json.loads(line[6:]))
        st.other.append("the stream ended")
    except httpx.HTTPError as exc:
        st.other.append(f"stream failed: {exc!r}")
    finally:
        st.ready.set()


@dataclass
class Result:
    name: str
    halls: list[HallRun]
    tally: Tally
    wall: float  # from the first issue until the lines are empty
    cpu: float  # the servers', over ``wall``
    idle_cpu_per_s: float  # the servers', before the load
    client_cpu: float  # this process's, over ``wall``
    logs: list[str]
    threads: list[int]
    connections: int


async def _sign_in(
    http: httpx.AsyncClient, prefix: str, user: str, window: int | None = None
) -> Session:
    body: dict[str, Any] = {"username": user, "password": PW, "window": window}
    r = await http.post(prefix + "/auth/sign-in", json=body)
    if r.status_code != 200:
        raise SystemExit(f"sign-in of {user} at {prefix}: {r.status_code} {r.text[:200]}")
    return Session(http, prefix, r.json()["token"])


async def _load(
    name: str,
    servers: list[Server],
    plans: list[HallPlan],
    prefixes: list[str],
    args: argparse.Namespace,
    db: str,
) -> Result:
    n = len(servers)
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    https = [httpx.AsyncClient(base_url=s.url, limits=limits, timeout=60) for s in servers]
    streams_http = [httpx.AsyncClient(base_url=s.url, timeout=None) for s in servers]
    t = Tally()
    halls = [HallRun(p) for p in plans]
    spies: list[subprocess.Popen[bytes]] = []
    tasks: list[asyncio.Task[None]] = []
    gate = asyncio.Semaphore(8)

    async def signed(*a: Any) -> Session:
        async with gate:
            return await _sign_in(*a)

    try:
        # sessions: a desk on every server (3 on one), each clerk at its window on one of
        # them, the hall's windows spread over the servers; every window opened
        for hi, h in enumerate(halls):
            desk_on = range(n) if n > 1 else [0] * 3
            h.desks = list(
                await asyncio.gather(*(signed(https[j], prefixes[hi], "desk") for j in desk_on))
            )
            clerks = await asyncio.gather(
                *(
                    signed(https[(hi + k) % n], prefixes[hi], f"clerk{w}", w)
                    for k, w in enumerate(h.plan.windows)
                )
            )
            h.clerks = dict(zip(h.plan.windows, clerks, strict=True))
            for w, s in h.clerks.items():
                if await _post(t, s, f"/windows/{w}/open", None) is None:
                    raise SystemExit(f"{h.plan.code}: window {w} did not open: {t.errors[-1]}")
        for h in halls:
            for j, d in enumerate(h.desks):
                st = Stream(j if n > 1 else 0)
                h.streams.append(st)
                tasks.append(asyncio.create_task(_read_stream(streams_http[st.server], d, st)))
        await asyncio.wait_for(
            asyncio.gather(*(st.ready.wait() for h in halls for st in h.streams)), 30
        )
        await asyncio.sleep(1.0)  # the sign-ins' and openings' events have gone by
        for h in halls:
            for st in h.streams:
                st.events.clear()
        threads = [len(os.listdir(f"/proc/{s.proc.pid}/task")) for s in servers]
        connections = pg_connections(db)
        idle0 = sum(s.cpu() for s in servers)
        await asyncio.sleep(IDLE_S)
        idle = (sum(s.cpu() for s in servers) - idle0) / IDLE_S

        if args.py_spy:
            for i, server in enumerate(servers):
                out = Path(args.py_spy) / f"{name}-{i}.txt"
                argv = ["py-spy", "record", "--pid", str(server.proc.pid), "--format", "raw"]
                argv += ["--gil", "--nonblocking"]  # samples holding the GIL: CPU, roughly
                argv += ["--duration", str(int(args.seconds) + 5), "-o", str(out)]
                spies.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL))
        # the load
        t0 = time.perf_counter()
        cpu0, own0 = sum(s.cpu() for s in servers), time.process_time()
        issues = []
        for h in halls:
            rng = random.Random(f"{args.seed}:{h.plan.code}")
            at, k = rng.expovariate(h.plan.per_s), 0
            while at < args.seconds:
                issues.append(_issue(t, h, k, t0 + at))
                h.in_flight += 1
                at, k = at + rng.expovariate(h.plan.per_s), k + 1
        clerk_tasks = [asyncio.create_task(_clerk(t, h, w)) for h in halls for w in h.plan.windows]
        await asyncio.gather(*issues)
        for h in halls:
            async with h.cond:
                h.closing = True
                h.cond.notify_all()
        await asyncio.gather(*clerk_tasks)
        wall = time.perf_counter() - t0
        cpu = sum(s.cpu() for s in servers) - cpu0
        own = time.process_time() - own0
        # nothing left: every window calls once more, and every line reads empty
        await asyncio.gather(*(_sweep(t, h, w) for h in halls for w in h.plan.windows))
        for h in halls:
            r = await h.desks[0].http.get(h.desks[0].prefix + "/tickets", headers=h.desks[0].auth)
            h.left += r.json() if r.status_code == 200 else [{"error": r.status_code}]
        # every stream has every event of its hall, or SETTLE_S has passed
        deadline = time.monotonic() + SETTLE_S
        while time.monotonic() < deadline and any(
            sum(e["kind"] == "finished" for e in st.events) < len(h.issued) and not st.other
            for h in halls
            for st in h.streams
        ):
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)  # anything further (that should not come) comes now
    finally:
        for p in spies:
            p.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for c in https + streams_http:
            await c.aclose()
    return Result(name, halls, t, wall, cpu, idle, own, [], threads, connections)


def _log_problems(text: str) -> list[str]:
    bad = re.compile(r"Traceback|ERROR|Exception|exception| 50[0-9] ")
    return [ln for ln in text.splitlines() if bad.search(ln)]


def run(
    name: str,
    argvs: list[list[str]],
    plans: list[HallPlan],
    prefixes: list[str],
    args: argparse.Namespace,
    db: str,
) -> Result:
    """Start the servers (each clock at ``--at`` as it starts), load them, stop them."""
    at = dt.datetime.fromisoformat(args.at)
    t0, servers = time.time(), []
    try:
        for a in argvs:
            clock = (at + dt.timedelta(seconds=time.time() - t0)).isoformat()
            servers.append(Server([*a, "--clock-start", clock]))
        for s in servers:
            s.wait_ready()
        result = asyncio.run(_load(name, servers, plans, prefixes, args, db))
        for s in servers:
            s.log.seek(0)
            result.logs += _log_problems(s.log.read().decode(errors="replace"))
        return result
    except ServerFailed as exc:
        raise SystemExit(f"{name}: {exc}") from exc
    finally:
        for s in servers:
            s.stop()


# ------------------------------------------------------------------ checks and report
def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] * 1e3 if xs else float("nan")


def checks(r: Result) -> list[tuple[str, bool, str]]:
    out = []
    dup, lost, twice, left = [], [], [], 0
    for h in r.halls:
        calls = Counter(num for num, _ in h.called)
        twice += [f"{h.plan.code} {k} x{v}" for k, v in calls.items() if v > 1]
        lost += [f"{h.plan.code} {k}" for k in set(h.issued) - set(calls)]
        dup += [f"{h.plan.code} {k}" for k, v in Counter(h.issued).items() if v > 1]
        left += len(h.left)
    issued = sum(len(h.issued) for h in r.halls)
    ok = not (dup or lost or twice)
    said = f"{issued} tickets in {len(r.halls)} halls"
    bad = "; ".join([*twice, *lost, *dup][:5])
    out.append(("every ticket called exactly once", ok, said if ok else bad))
    out.append(("no ticket left after the drain", left == 0, f"{left} found by the sweep"))

    crossed: list[str] = []
    ids_of: dict[int, dict[int, str]] = {}  # server -> event id -> hall
    streams = 0
    for h in r.halls:
        want = Counter({"issued": len(h.issued), "called": len(h.issued)})
        want.update({"started": len(h.issued), "finished": len(h.issued)})
        for st in h.streams:
            streams += 1
            got = Counter(e["kind"] for e in st.events if e["ticket"] is not None)
            nums = sorted(e["ticket"] for e in st.events if e["kind"] == "issued")
            wins = {e["window"] for e in st.events if e["window"] is not None}
            where = f"{h.plan.code}@server{st.server}"
            if st.other:
                crossed.append(f"{where}: {st.other[0]}")
            if got != want:
                crossed.append(f"{where}: {dict(got)} != {dict(want)}")
            if nums != sorted(h.issued):
                crossed.append(f"{where}: issued numbers not the hall's")
            if not wins <= set(h.plan.windows):
                crossed.append(f"{where}: windows {sorted(wins - set(h.plan.windows))}")
            seen = ids_of.setdefault(st.server, {})
            for e in st.events:
                other = seen.setdefault(e["id"], h.plan.code)
                if other != h.plan.code:
                    crossed.append(f"{where}: event {e['id']} also in {other}'s stream")
    said = f"{streams} streams, each exactly its hall's events"
    out.append(
        ("no event crossed halls", not crossed, said if not crossed else "; ".join(crossed[:4]))
    )
    errs = r.tally.errors
    out.append(("no request refused or failed", not errs, f"{len(errs)}: {errs[:2]}"))
    out.append(("server logs clean", not r.logs, f"{len(r.logs)} lines: {r.logs[:2]}"))
    return out


def cpu_per_op(r: Result) -> tuple[float, float]:
    """Server CPU ms per operation: as measured, and net of the idle CPU over the run."""
    ops = r.tally.ops()
    return 1e3 * r.cpu / ops, 1e3 * (r.cpu - r.idle_cpu_per_s * r.wall) / ops


def report(r: Result) -> list[str]:
    t = r.tally
    tickets = sum(len(h.issued) for h in r.halls)
    gross, net = cpu_per_op(r)
    out = [
        f"\n== {r.name}: {len(r.halls)} halls, {len(r.threads)} server(s), "
        f"{sum(len(h.plan.windows) for h in r.halls)} clerks, "
        f"{sum(len(h.streams) for h in r.halls)} event streams",
        f"{tickets} tickets, {t.ops()} operations in {r.wall:.1f} s: "
        f"{t.ops() / r.wall:.1f} op/s ({tickets / r.wall:.2f} tickets/s); retried {t.retries}",
        f"server CPU {r.cpu:.2f} s: {gross:.2f} ms/op; idle {1e3 * r.idle_cpu_per_s:.1f} ms/s "
        f"-> net {net:.2f} ms/op; bench client {1e3 * r.client_cpu / max(1, t.ops()):.2f} ms/op",
        f"server threads {r.threads}; database connections (idle, streams open) {r.connections}",
        f"{'operation':<18}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}",
    ]
    for k in OPS:
        xs = t.lat[k]
        out.append(f"{k:<18}{len(xs):>7}{_pct(xs, 0.5):>9.1f}{_pct(xs, 0.99):>9.1f}")
    return out


def _args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="the city's PostgreSQL URL (emptied)")
    ap.add_argument("--ref-db", required=True, help="the reference's PostgreSQL URL (emptied)")
    ap.add_argument("--seconds", type=float, default=120.0, help="how long the desks issue")
    ap.add_argument("--factor", type=float, default=5.0, help="x the simulated peak rate")
    ap.add_argument("--copies", type=int, default=3, help="copies of each of the 4 layouts")
    ap.add_argument("--servers", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--at", default="2026-12-01T10:30+08:00", help="every server's clock start")
    ap.add_argument("--py-spy", default=None, help="record each server with py-spy into DIR")
    args = ap.parse_args()
    for url in (args.db, args.ref_db):
        if not url.startswith("postgresql"):
            ap.error("--db and --ref-db: PostgreSQL URLs")
    if args.db == args.ref_db:
        ap.error("--db and --ref-db: two databases")
    return args


def main() -> None:
    args = _args()
    catalog = load_catalog(default_catalog_path())
    serve = [sys.executable, "-m", "queue_app", "serve"]
    commit = subprocess.run(
        ["git", "-C", str(HERE), "log", "-1", "--format=%h %s"], capture_output=True, text=True
    ).stdout.strip()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        plans = make_city(Path(tmp), args.copies, catalog, args.factor)
        ref = [_plan(REPO / "windows" / "default.yaml", "default", catalog, args.factor)]
        print(f"bench/city_load.py {' '.join(sys.argv[1:])}")
        print(
            f"run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} CPUs · load "
            f"{load} · Python {sys.version.split()[0]} · commit {commit[:70]}"
        )
        print(
            f"city: {len(plans)} halls on {args.servers} `serve --city` processes, one "
            f"PostgreSQL database; reference: `serve --hall windows/default.yaml` alone on its "
            f"own database; clocks from {args.at}; desks issue for {args.seconds:g} s at "
            f"{args.factor:g}x each hall's simulated peak rate (Poisson), one clerk per window "
            "calls, starts and finishes each ticket as soon as one is waiting for it"
        )
        print(f"{'hall':<24}{'demand':<10}{'peak/h':>7}{'bench/h':>8}{'windows':>8}  lines")
        for p in [*plans[: len(KINDS)], *ref]:
            lines = " + ".join(f"{len(ln.windows)} win/{len(ln.matters)} matters" for ln in p.lines)
            print(
                f"{p.code:<24}{p.demand:<10}{p.peak_per_hour:>7.0f}{3600 * p.per_s:>8.0f}"
                f"{len(p.windows):>8}  {lines}"
            )
        print(f"(and {args.copies - 1} more copies of each of the first four)", flush=True)

        prepare_db(args.ref_db, ref, catalog)
        refr = run(
            "single hall (reference)",
            [[*serve, "--hall", str(REPO / "windows" / "default.yaml"), "--db", args.ref_db]],
            ref,
            ["/api"],
            args,
            args.ref_db,
        )
        print("\n".join(report(refr)), flush=True)
        prepare_db(args.db, plans, catalog)
        argv = [*serve, "--city", str(Path(tmp) / "city.yaml"), "--db", args.db]
        city = run(
            "city",
            [argv] * args.servers,
            plans,
            [f"/halls/{p.code}/api" for p in plans],
            args,
            args.db,
        )
        print("\n".join(report(city)))

    (cg, cn), (rg, rn) = cpu_per_op(city), cpu_per_op(refr)
    print("\n== city / single hall")
    print(f"server CPU per operation: {cg / rg:.2f}x as measured, {cn / rn:.2f}x net of idle")
    for k in OPS[:4]:
        a, b = city.tally.lat[k], refr.tally.lat[k]
        p50, p99 = _pct(a, 0.5) / _pct(b, 0.5), _pct(a, 0.99) / _pct(b, 0.99)
        print(f"  {k:<10} latency p50 {p50:.2f}x  p99 {p99:.2f}x")
    verdict = "PASS" if cg / rg <= GOAL else "FAIL"
    print(f"GOAL server CPU per operation, city <= {GOAL}x single hall: {verdict} ({cg / rg:.2f}x)")

    failed = False
    print("\n== checks")
    for r in (refr, city):
        for what, ok, said in checks(r):
            failed |= not ok
            print(f"{'PASS' if ok else 'FAIL'}  {r.name}: {what} ({said})")
    print(f"load at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
