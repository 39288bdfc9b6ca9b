"""Simulation speed: tickets per second over N days of the default hall and demand, every
ticket through the production ``choose_next`` and ticket state machine.

    PYTHONPATH=. python3 bench/sim_speed.py [--days 100] [--workers 1]

Reports wall time and CPU time (the machine is shared: CPU time is the single-core figure).
Arrivals are drawn outside the timed part (they are the same for every layout compared).
Figures to compare: ARCHITECTURE.md §9 (ciw 35,000/s; a heapq prototype without the
production rules 160,000-340,000/s); issue 5 asks 100,000/s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _sim_common import inputs

from queue_app.sim import DemandModel, layout_for, run_day, run_days


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=100)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    catalog, hall, demand = inputs()
    model = DemandModel(demand, catalog, hall, args.seed)
    lay = layout_for(hall, catalog, demand)
    t0 = time.perf_counter()
    days = [model.day(d) for d in range(args.days)]
    gen = time.perf_counter() - t0
    tickets = sum(len(a) for a in days)
    run_day(lay, days[0], 0)  # warm the layout's caches
    if args.workers <= 1:
        w0, c0 = time.perf_counter(), time.process_time()
        for d, arrivals in enumerate(days):
            run_day(lay, arrivals, d)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    else:
        w0, c0 = time.perf_counter(), time.process_time()
        run_days(model, [lay], args.days, workers=args.workers)  # draws arrivals in workers
        wall, cpu = time.perf_counter() - w0, float("nan")
    per_day = tickets / args.days
    print(f"{args.days} days of {hall.hall.code}, {tickets} tickets ({per_day:.0f}/day)")
    print(f"drawing the arrivals: {gen:.2f} s ({tickets / gen:,.0f} tickets/s)")
    print(
        f"simulating, {args.workers} process(es): wall {wall:.2f} s = {tickets / wall:,.0f} "
        f"tickets/s" + (f"; CPU {cpu:.2f} s = {tickets / cpu:,.0f} tickets/s" if cpu == cpu else "")
    )


if __name__ == "__main__":
    main()
