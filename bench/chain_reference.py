"""An independent cross-check of the chain scenario (ARCHITECTURE.md §9): a few lines of
plain event simulation, sharing no code with ``queue_app``.

N windows and N domains of equal demand; window i serves domains i .. i+width-1 (mod N);
Poisson arrivals, exponential handling, oldest eligible ticket first, an arriving ticket
taken by the eligible window idle longest. Width 1 is 20 dedicated windows, width N one
pooled line, width 2 the prototype's chain.

    python3 bench/chain_reference.py [--days 200]

Its figures agree with ``bench/sim_prototype.py`` (the production rules), not with the
prototype's 2.4 minutes for the chain.
"""

from __future__ import annotations

import argparse
import heapq
import random
from collections import deque

N, MEAN, RHO = 20, 12.0, 0.85
ARRIVE, FREE = 0, 1


def mean_wait(width: int, days: int, seed: int = 1) -> float:
    """Mean wait in minutes over ``days`` days of constant arrivals, the first day warm-up."""
    rng = random.Random(seed)
    lam = RHO * N / MEAN  # arrivals per minute
    end, warm = 24 * 60.0 * days, 24 * 60.0
    lines: list[deque[float]] = [deque() for _ in range(N)]  # arrival times per domain
    idle_since = dict.fromkeys(range(N), 0.0)
    events: list[tuple[float, int, int]] = [(rng.expovariate(lam), ARRIVE, -1)]
    total, n = 0.0, 0
    while events:
        t, kind, w = heapq.heappop(events)
        if t > end:
            break
        if kind == ARRIVE:
            d = rng.randrange(N)
            heapq.heappush(events, (t + rng.expovariate(lam), ARRIVE, -1))
            free = [x for x in ((d - k) % N for k in range(width)) if x in idle_since]
            if free:
                x = min(free, key=idle_since.__getitem__)
                del idle_since[x]
                n += t > warm
                heapq.heappush(events, (t + rng.expovariate(1 / MEAN), FREE, x))
            else:
                lines[d].append(t)
            continue
        heads = [(lines[d][0], d) for d in ((w + k) % N for k in range(width)) if lines[d]]
        if not heads:
            idle_since[w] = t
            continue
        arrived = lines[min(heads)[1]].popleft()
        if arrived > warm:
            total, n = total + t - arrived, n + 1
        heapq.heappush(events, (t + rng.expovariate(1 / MEAN), FREE, w))
    return total / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=200)
    args = ap.parse_args()
    print(f"{N} windows, {MEAN:g}-minute exponential handling, utilisation {RHO}, {args.days} days")
    print("| domains per window | mean wait (min) |\n|---|---|")
    for width in (1, 2, 3, 4, N):
        print(f"| {width} | {mean_wait(width, args.days):.2f} |", flush=True)


if __name__ == "__main__":
    main()
