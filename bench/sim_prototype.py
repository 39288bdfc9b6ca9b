"""The prototype's 20-window scenarios (ARCHITECTURE.md §9): 20 windows, 12-minute mean
exponential handling, utilisation 0.85, 20 domains of equal demand; one fully pooled line,
20 dedicated windows, 5 domain pools of 4 windows, and a chain where every window also serves
the next domain, with "oldest eligible first" and "own domain first". Run through the
production dispatch and ticket rules, with Erlang C beside the pooled and pool figures.

    PYTHONPATH=. python3 bench/sim_prototype.py [--days 40] [--workers 2]

Stationary days: arrivals from 00:00 to 23:00 at a constant rate, the first 4 hours discarded
(warm-up); "dedicated, one 8-hour day" opens empty at 09:00 and stops issuing at 17:00.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _sim_common import inputs

from queue_app.domain import erlang
from queue_app.domain.demand import parse_demand
from queue_app.domain.dispatch import Policy
from queue_app.domain.hall import parse_hall
from queue_app.sim import DemandModel, layout_for, run_days, summarize

N, MEAN, RHO = 20, 12.0, 0.85
RATE = RHO * N / MEAN * 60  # citizens per hour


def hall(windows: list[dict], hours: dict) -> object:
    return parse_hall(
        {
            "hall": {"code": "proto-20", "name": "20 windows"},
            "hours": hours,
            "ticket_classes": [{"prefix": "A", "name": "综合"}],
            "windows": [
                {"number": i + 1, "name": "窗口", "kind": "domain", **w}
                for i, w in enumerate(windows)
            ],
        }
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=40)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    catalog, _, _ = inputs()
    counts = {d: sum(m.domain == d for m in catalog.matters) for d in catalog.domains}
    domains = sorted(counts, key=lambda d: (-counts[d], d))[:N]
    codes = {d: [m.code for m in catalog.matters if m.domain == d] for d in domains}
    day = {"open": "00:00", "close": "23:59", "issue_until": "23:00"}
    office = {"open": "09:00", "close": "23:59", "issue_until": "17:00"}
    layouts = {
        "pooled": [{"serves": {"all": True}} for _ in range(N)],
        "20 dedicated": [{"serves": {"domains": [d]}} for d in domains],
        "5 pools of 4": [
            {"serves": {"domains": domains[i // 4 * 4 : i // 4 * 4 + 4]}} for i in range(N)
        ],
        "chain": [
            {"serves": {"domains": [d], "matters": codes[domains[(i + 1) % N]]}}
            for i, d in enumerate(domains)
        ],
    }
    demand = parse_demand(
        {
            "demand": {"name": "prototype"},
            "arrivals": {"per_hour": {"00:00": RATE}},
            "mix": dict.fromkeys(domains, 1.0),
            "handling": {"distribution": "exponential", "mean_minutes": MEAN},
        }
    )
    a = RHO * N
    theory = {
        "pooled": erlang.mean_wait(N, a, MEAN),
        "5 pools of 4": erlang.mean_wait(4, a / 5, MEAN),
        "20 dedicated": erlang.mean_wait(1, a / N, MEAN),
    }
    runs = [(name, w, Policy.OLDEST, day) for name, w in layouts.items()]
    runs.insert(4, ("chain", layouts["chain"], Policy.OWN_DOMAIN, day))
    runs.append(("20 dedicated, one 8-hour day", layouts["20 dedicated"], Policy.OLDEST, office))
    print(
        f"20 windows, {MEAN:g}-minute exponential handling, utilisation {RHO}, "
        f"{args.days} days each\n"
    )
    print("| scenario | policy | mean wait (min) | p90 | p99 | Erlang C mean |")
    print("|---|---|---|---|---|---|")
    for name, ws, pol, hours in runs:
        t0 = time.perf_counter()
        h = hall(ws, hours)
        model = DemandModel(demand, catalog, h, seed=5)
        lay = layout_for(h, catalog, demand, policy=pol)
        figs = run_days(model, [lay], args.days, workers=args.workers)[0]
        warm = 4 * 3600 if hours is day else 0
        s = summarize(name, figs, 20, warmup_s=warm).wait
        th = theory.get(name) if hours is day else None
        print(
            f"| {name} | {pol.value} | {s.mean:.2f} | {s.p90:.1f} | {s.p99:.1f} | "
            f"{'-' if th is None else f'{th:.2f}'} |",
            flush=True,
        )
        del t0


if __name__ == "__main__":
    main()
