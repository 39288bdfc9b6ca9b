"""Wait estimates against the actual wait, on the same tickets, in simulation: the forecast of
``queue_app.domain.forecast`` (busy-time rates where windows are pooled, a forward simulation
through ``choose_next`` where they are restricted, handling times learned from finished work)
beside the plain queue-length formula of today's slip and "the last ticket's wait". And the
forecast's cost per ticket with 100 waiting at the 23 windows of the default hall.

    PYTHONPATH=. python3 bench/estimates.py [--days 20] [--workers 2]

Goals (issue 5): MAE at most 0.45 of the mean wait, bias within 10%, lower than the
queue-length formula's where windows are restricted.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _sim_common import inputs

from queue_app.domain.booked import Booked
from queue_app.domain.dispatch import Candidate
from queue_app.domain.forecast import HandlingModel, OpenWindow, booked_candidates, estimate_wait
from queue_app.domain.hall import Coverage
from queue_app.domain.layouts import dispatch_windows, pooled_layout
from queue_app.sim import DemandModel, layout_for, simulate


def speed(catalog, hall, model: DemandModel) -> None:
    dws = list(dispatch_windows(hall, Coverage(hall, catalog)).values())
    rng = random.Random(1)
    arrivals = model.day(0)[:100]
    domain_of = {m.code: m.domain for m in catalog.matters}
    line = [
        Candidate(
            i,
            frozenset(a.matters),
            float(i),
            a.priority is not None,
            domains=frozenset(domain_of[c] for c in a.matters),
        )
        for i, a in enumerate(arrivals)
    ]
    windows = [OpenWindow(w, rng.uniform(0, 10)) for w in dws]
    hm = HandlingModel({m.code: m.minutes for m in catalog.matters})
    # a day's bookings still to come (three in ten of the demand book: about 200 a day)
    booked = booked_candidates(
        [Booked(1800.0 * (k % 16), a.matters) for k, a in enumerate(model.day(1)[:200])],
        0.0,
        lambda ms: frozenset(domain_of[c] for c in ms),
    )
    for bookings in ((), booked):
        for target in (line[-1], line[50]):
            n = 200
            t0 = time.perf_counter()
            for _ in range(n):
                estimate_wait(target, line, windows, hm, 0.0, booked=bookings)
            ms = (time.perf_counter() - t0) / n * 1000
            print(
                f"forecast cost, {len(line)} waiting, {len(bookings)} bookings to come, "
                f"23 windows, target at place {line.index(target) + 1}: {ms:.2f} ms per estimate"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    catalog, hall, demand = inputs()
    model = DemandModel(demand, catalog, hall, args.seed)
    layouts = [
        layout_for(hall, catalog, demand, label=f"{hall.hall.code} (restricted windows)"),
        layout_for(pooled_layout(hall), catalog, demand, label="pooled (all undifferentiated)"),
    ]
    sums = simulate(model, layouts, args.days, workers=args.workers, estimate_days=args.days)
    print(f"{demand.demand.name}, {args.days} days, every ticket estimated at issue\n")
    print(
        "| layout | estimate | tickets | MAE (min) | MAE / mean wait | bias (min) | bias / mean "
        "| within 5 min |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for s in sums:
        for k, e in s.estimates.items():
            print(
                f"| {s.label} | {k} | {e.n} | {e.mae:.2f} | {e.mae_ratio:.2f} | {e.bias:+.2f} "
                f"| {100 * e.bias / e.mean_actual:+.0f}% | {100 * e.within_5:.0f}% |"
            )
        print(
            f"| {s.label} | (mean actual wait) | | {s.estimates['forecast'].mean_actual:.2f} "
            "| | | | |"
        )
    print()
    speed(catalog, hall, model)


if __name__ == "__main__":
    main()
