"""In-process store throughput: issue and call-next per second on a real SQLite file
(and on PostgreSQL when a URL is given).

    python bench/store_ops.py [--tickets 3000] [--db URL]

Issue: tickets issued one after another (each its own transaction, with the slip's
position and estimated wait). Call next: 8 open windows take turns calling over the
waiting line; each call is one atomic claim. Figures to compare: ARCHITECTURE.md §9
(a minimal raw-SQL prototype: 6,200 issue/s, 16,900 call-next/s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from queue_app.domain import hours
from queue_app.loaders import default_catalog_path, default_hall_path, load_catalog, load_hall_for
from queue_app.store import Store, make_engine, schema


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=3000)
    ap.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    ap.add_argument("--at", default="10:30", help="the hall's clock starts at this time today")
    args = ap.parse_args()
    catalog = load_catalog(default_catalog_path())
    hall = load_hall_for(default_hall_path(), catalog)
    today = dt.date(2026, 12, 1).isoformat()  # a Tuesday: the hall issues tickets
    offset = hours.at(hall, today, args.at) - time.time()
    tmp = tempfile.TemporaryDirectory()
    url = args.db or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    if args.db:
        engine = make_engine(url)
        schema.upgrade(engine)  # to a known revision, then down to nothing: a clean slate
        schema.downgrade(engine, "base")
        engine.dispose()
    store = Store(url, catalog, hall, clock=lambda: time.time() + offset)
    undiff = [w.number for w in hall.windows if w.kind.value == "undifferentiated"][:8]
    for w in undiff:
        store.open_window(w)
    common = [
        m.code
        for m in catalog.matters
        if m.undifferentiated and store.layouts.plain.coverage.windows_for({m.code})
    ][:50]

    t_write, t_slip = 0.0, 0.0  # the issue's transaction; the slip's reads after it
    for i in range(args.tickets):
        a = time.perf_counter()
        issued = store.issue([common[i % len(common)]], slip=False)
        b = time.perf_counter()
        store.with_slip(issued)
        t_write += b - a
        t_slip += time.perf_counter() - b
    t_issue = t_write + t_slip

    calls, t_call, t_free = 0, 0.0, 0.0
    while True:
        progressed = False
        for w in undiff:
            a = time.perf_counter()
            t = store.call_next(w)
            b = time.perf_counter()
            t_call += b - a
            if t is not None:
                calls += 1
                progressed = True
                store.no_show(w)  # frees the window for its next call; timed apart
                t_free += time.perf_counter() - b
        if not progressed:
            break
    kind = url.split(":", 1)[0]
    print(f"backend: {kind}  tickets: {args.tickets}  windows calling: {len(undiff)}")
    print(
        f"issue:               {args.tickets / t_issue:8.0f} ops/s "
        f"({1e3 * t_issue / args.tickets:.2f} ms each, slip position included)"
    )
    print(
        f"  its write alone:   {args.tickets / t_write:8.0f} ops/s "
        f"({1e3 * t_write / args.tickets:.2f} ms: number, ticket, items, event in one transaction)"
    )
    print(
        f"  its slip alone:    {args.tickets / t_slip:8.0f} ops/s "
        f"({1e3 * t_slip / args.tickets:.2f} ms: people ahead and the forecast wait)"
    )
    print(
        f"call-next:           {calls / t_call:8.0f} ops/s "
        f"({1e3 * t_call / calls:.2f} ms each; {calls} claims over a line of "
        f"{args.tickets}, including the empty calls at the end)"
    )
    print(f"no-show (frees):     {calls / t_free:8.0f} ops/s")
    store.dispose()
    tmp.cleanup()


if __name__ == "__main__":
    main()
