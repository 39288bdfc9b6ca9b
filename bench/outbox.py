"""The notices' outbox under load: calls of tickets whose citizens left a number (each call
writes 请到 X 号窗口, and 前面还有 N 位 for the one come near), delivered by the hall
server's worker to a local webhook receiver (signatures checked, delivery ids deduplicated).
Measured: notices delivered per second and the delay from the change (the notice's
``created_at``) to its arrival at the receiver, p50/p99, at a steady rate of calls, with
calls flat out, and for a backlog written while no server ran (delay from the server's
start); against the reference of a bare signed httpx POST round trip to the same receiver,
one after another. The receiver runs in the bench's process (one GIL with the server).

    PYTHONPATH=. python bench/outbox.py [--calls 400] [--rate 20] [--db URL]

A hall's real peak is far below the default rate (the demo's morning peak: about two
tickets a minute per hall; a large hall: a few a minute per window); ``--rate 0`` calls as
fast as the store takes them. The default hall and catalog, the store and server in
process, a new SQLite file unless ``--db`` names a (PostgreSQL) database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

import httpx

from queue_app.domain.hall import Coverage, Hall
from queue_app.domain.notice_rules import NoticeRules, WebhookSender
from queue_app.domain.webhook_signature import DELIVERY, SIGNATURE, TIMESTAMP, signature
from queue_app.loaders import default_catalog_path, default_hall_path, load_catalog, load_hall_for
from queue_app.notice_receiver import Receiver
from queue_app.server import create_app
from queue_app.server.notifier import NoticeSettings
from queue_app.store import Store
from queue_app.store.notices import listing

SECRET_ENV, SECRET = "QUEUE_APP_BENCH_NOTICE_SECRET", "bench-secret"


def q(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1] if len(values) > 1 else values[0]


def row(name: str, per_s: float, delays: list[float]) -> str:
    return f"{name:<34} {per_s:>9.0f} {q(delays, 50) * 1e3:>9.1f} {q(delays, 99) * 1e3:>9.1f}"


def reference(url: str, n: int) -> tuple[float, list[float]]:
    """Bare signed POSTs to the receiver, one after another: per second, round trips."""
    took = []
    with httpx.Client() as c:
        t_all = time.perf_counter()
        for i in range(n):
            body = json.dumps(
                {"delivery_id": f"ref{i}", "text": "请 A001 号到 3 号窗口办理。"},
                ensure_ascii=False,
            ).encode()
            stamp = str(int(time.time()))
            headers = {
                DELIVERY: f"ref{i}",
                TIMESTAMP: stamp,
                SIGNATURE: signature(SECRET, stamp, body),
            }
            t0 = time.perf_counter()
            assert c.post(url, content=body, headers=headers).status_code == 200
            took.append(time.perf_counter() - t0)
        return n / (time.perf_counter() - t_all), took


async def outbox(
    db: str, hall: Hall, calls: int, rate: float | None, url: str, receiver: Receiver
) -> tuple[float, list[float], int]:
    catalog = load_catalog(default_catalog_path())
    rules = NoticeRules(near_turn=3, senders={"sms": WebhookSender(url=url, secret_env=SECRET_ENV)})
    hall = hall.model_copy(update={"notices": rules})
    store = Store(db, catalog, hall)  # the real clock (the hall open all day, every day)
    code = next(m.code for m in catalog.matters if m.undifferentiated)
    windows = sorted(Coverage(hall, catalog).windows_for({code}))[:20]
    for n in windows:
        store.open_window(n)
    for i in range(calls):
        store.issue([code], slip=False, mobile=f"139{i:08d}")
    app = create_app(store, notices=NoticeSettings(poll_s=1.0))
    before = len(receiver.got.accepted)

    async def call(i: int) -> None:
        w = windows[i % len(windows)]
        await app.state.service.write(store.call_next, w)
        await app.state.service.write(store.no_show, w)

    if rate is None:  # a backlog: the calls made while no server delivered
        for i in range(calls):
            store.call_next(windows[i % len(windows)])
            store.no_show(windows[i % len(windows)])
    async with app.running():
        t0, started = time.perf_counter(), time.time()
        for i in range(calls if rate is not None else 0):
            if rate:
                wait = t0 + i / rate - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
            await call(i)
        with store.uow.read() as tx:
            total = len(listing(tx.conn, "pending", 100000)) + len(listing(tx.conn, "done", 100000))
        want = before + total
        await asyncio.to_thread(receiver.wait, lambda g: len(g.accepted) >= want, 300)
        took = time.perf_counter() - t0
    with store.uow.read() as tx:
        rows = listing(tx.conn, "done", 100000)
    # from the change, or (a backlog) from the server's start
    delays = [receiver.got.accepted_at[r.id] - max(r.created_at, started) for r in rows]
    store.dispose()
    return len(rows) / took, delays, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--rate", type=float, default=20.0, help="calls per second (0: flat out)")
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    os.environ[SECRET_ENV] = SECRET
    catalog = load_catalog(default_catalog_path())
    hall = load_hall_for(default_hall_path(), catalog)
    hall = hall.model_copy(
        update={
            "hours": hall.hours.model_copy(
                update={
                    "open": "00:00",
                    "close": "23:59",
                    "lunch": None,
                    "weekdays": [1, 2, 3, 4, 5, 6, 7],
                }
            )
        }
    )
    receiver = Receiver(SECRET).start()
    try:
        lines, total = [], 0
        with tempfile.TemporaryDirectory() as tmp:
            ref_rate, ref = reference(receiver.url, 500)
            for k, rate in enumerate((args.rate, 0.0, None)):
                db = args.db or f"sqlite:///{tmp}/outbox-{k}.db"
                if args.db and k:
                    break  # one run on a database given
                per_s, delays, n = asyncio.run(
                    outbox(db, hall, args.calls, rate, receiver.url, receiver)
                )
                total += n
                dialect = db.split(":", 1)[0].split("+")[0]
                said = (
                    "a backlog drained"
                    if rate is None
                    else f"{rate:g} calls/s"
                    if rate
                    else "calls flat out"
                )
                lines.append(row(f"outbox, {dialect}, {said}", per_s, delays))
        print(f"{'':<34} {'per s':>9} {'p50 ms':>9} {'p99 ms':>9}")
        print(row("bare signed POST (reference)", ref_rate, ref))
        print("\n".join(lines))
        print(
            f"{total} notices delivered, duplicates at the receiver: {receiver.got.duplicates}, "
            f"bad signatures: {receiver.got.bad_signatures}"
        )
    finally:
        receiver.stop()


if __name__ == "__main__":
    main()
