"""The comparison of issue 5: the old hall (per-department windows), the hall as laid out
(windows/default.yaml) and every window serving everything (the pooled bound), same staff,
same hours, same arrivals and handling times; and the three dispatch policies on the hall.

    PYTHONPATH=. python3 bench/sim_compare.py [--days 100] [--workers 2] [--hall H --demand D]

Prints a markdown table and the goals: mean wait within 10% and p90 within 15% of the pooled
bound, and at least 5x lower than per-department windows.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _sim_common import inputs

from queue_app.domain.dispatch import Policy
from queue_app.sim import DemandModel, comparison_layouts, layout_for, simulate


def row(name: str, values: list[str]) -> str:
    return f"| {name} | " + " | ".join(values) + " |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hall")
    ap.add_argument("--demand")
    args = ap.parse_args()
    catalog, hall, demand = inputs(args.hall, args.demand)
    model = DemandModel(demand, catalog, hall, args.seed)
    t0 = time.perf_counter()
    layouts = comparison_layouts(hall, catalog, demand, model)
    layouts += [
        layout_for(hall, catalog, demand, policy=p, label=f"{hall.hall.code}, {p.value}")
        for p in (Policy.OWN_DOMAIN, Policy.SCARCE)
    ]
    sums = simulate(model, layouts, args.days, workers=args.workers)
    print(
        f"{demand.demand.name}, {args.days} days, seed {args.seed}, "
        f"{model.expected_arrivals():.0f} tickets/day expected, "
        f"{time.perf_counter() - t0:.1f} s\n"
    )
    print("| | " + " | ".join(s.label for s in sums) + " |")
    print("|---" * (len(sums) + 1) + "|")
    print(row("windows", [str(len(s.utilisation)) for s in sums]))
    print(row("mean wait (min)", [f"{s.wait.mean:.2f}" for s in sums]))
    print(row("p50", [f"{s.wait.p50:.1f}" for s in sums]))
    print(row("p90", [f"{s.wait.p90:.1f}" for s in sums]))
    print(row("p99", [f"{s.wait.p99:.1f}" for s in sums]))
    print(row("max", [f"{s.wait.max:.0f}" for s in sums]))
    print(
        row(
            f"waiting > {sums[0].target_minutes:g} min",
            [f"{100 * s.wait.over_target:.1f}%" for s in sums],
        )
    )
    print(row("utilisation", [f"{100 * s.utilisation_mean:.0f}%" for s in sums]))
    print(row("load balance (CV of busy time)", [f"{s.load_balance:.3f}" for s in sums]))
    print(row("bundles served in one visit", [f"{100 * s.bundles_one_visit:.0f}%" for s in sums]))
    print(row("called after close /day", [f"{s.after_close / s.days:.1f}" for s in sums]))
    print(row("overtime (min/day)", [f"{s.overtime_mean_min:.1f}" for s in sums]))
    old, mine, pooled = sums[0], sums[1], sums[2]
    print()
    m = mine.wait.mean / pooled.wait.mean - 1
    p = mine.wait.p90 / pooled.wait.p90 - 1
    x = old.wait.mean / mine.wait.mean
    for goal, got, ok in (
        ("mean within 10% of pooled", f"{100 * m:+.0f}%", m <= 0.10),
        ("p90 within 15% of pooled", f"{100 * p:+.0f}%", p <= 0.15),
        ("5x lower than per-department", f"{x:.1f}x", x >= 5),
    ):
        print(f"goal: {goal}: {got} -> {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
