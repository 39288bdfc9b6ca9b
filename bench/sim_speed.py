"""Simulation speed against the ciw library, in one run: the same M/M/c hall played by both.

    PYTHONPATH=. python3 bench/sim_speed.py [--days 50] [--rounds 3] [--hall-days 100]

The hall: 20 windows serving everything, Poisson arrivals from 00:00 to 23:00 at utilisation
0.85, exponential handling of 12 minutes, the line served to the end; each day starts empty
and its first 4 hours are left out of the waits (warm-up). Ours plays every ticket through
``choose_next`` and the ticket state machine and draws its arrivals inside the timed part, as
ciw does. The two take turns day by day, so the shared machine's load weighs on both alike,
with an untimed garbage collection between turns (ciw's days leave cycles behind, which a
collection during ours would clear on ours' time); the figure is CPU time (one core), the
verdict the median of the rounds' ratios. The floor: ours at least ciw's speed (ours/ciw
>= 1). Both are checked against Erlang C (mean wait and the share who wait, 99% intervals
over the days) so the two measure the same system. Last, ours alone on the default hall,
walk-ins only and with a share of the demand booked (``--booking-share``, 0 to leave out).
Needs the bench extra (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import ciw

sys.path.insert(0, str(Path(__file__).parent))

from _sim_common import inputs

from queue_app.domain import erlang
from queue_app.sim import DemandModel, layout_for, run_day
from queue_app.sim.mmc import mmc_hall

C, MEAN_MIN, RHO = 20, 12.0, 0.85
RATE_PER_MIN = RHO * C / MEAN_MIN
ISSUE_UNTIL_MIN, WARMUP_MIN = 23 * 60, 4 * 60
T99 = 2.576

Day = tuple[float, int, int]  # after the warm-up: sum of waits (minutes), tickets, who waited
Simulator = Callable[[int], tuple[int, Day]]  # day -> (tickets, its waits)


def waits_of(arrived_waited: Iterable[tuple[float, float]]) -> Day:
    """A day's waits from (arrival, wait) in minutes, the warm-up left out."""
    waits = [w for t, w in arrived_waited if t >= WARMUP_MIN]
    return sum(waits), len(waits), sum(w > 0 for w in waits)


def ours() -> Simulator:
    """Our simulator on the M/M/c hall: one day's arrivals drawn and played."""
    catalog, _, _ = inputs()
    hall, demand = mmc_hall(C, RATE_PER_MIN * 60, MEAN_MIN)
    model = DemandModel(demand, catalog, hall, seed=1)
    lay = layout_for(hall, catalog, demand)

    def day(d: int) -> tuple[int, Day]:
        citizens = run_day(lay, model.day(d), d).citizens
        return len(citizens), waits_of((c.arrival.t / 60, c.wait / 60) for c in citizens)

    return day


class ArrivalsUntil(ciw.dists.Distribution):
    """Exponential gaps between arrivals, none after ``until`` (the desk stops issuing)."""

    def __init__(self, rate: float, until: float) -> None:
        self.rate, self.until = rate, until

    def sample(self, t: float | None = None, ind: object = None) -> float:
        return math.inf if t is not None and t >= self.until else ciw.dists.expovariate(self.rate)


def theirs(d: int) -> tuple[int, Day]:
    """ciw on the same hall (minutes): one day played until its line is empty."""
    ciw.seed(d)
    network = ciw.create_network(
        arrival_distributions=[ArrivalsUntil(RATE_PER_MIN, ISSUE_UNTIL_MIN)],
        service_distributions=[ciw.dists.Exponential(1 / MEAN_MIN)],
        number_of_servers=[C],
    )
    q = ciw.Simulation(network)
    q.simulate_until_max_time(3 * 24 * 60)  # the line empties long before
    records = q.get_all_records()
    return len(records), waits_of((r.arrival_date, r.waiting_time) for r in records)


@dataclass
class Run:
    """One simulator's tickets, CPU seconds and days."""

    tickets: int = 0
    cpu: float = 0.0
    days: list[Day] = field(default_factory=list)


def play(sims: dict[str, Simulator], days: int) -> dict[str, Run]:
    """``days`` days of each simulator, taking turns day by day (so a change of the shared
    machine's load weighs on both alike)."""
    runs = {name: Run() for name in sims}
    for d in range(days):
        for name, sim in sims.items():
            gc.collect()  # untimed: ciw's days leave cycles a collection in ours would clear
            c0 = time.process_time()
            n, day = sim(d)
            run = runs[name]
            run.cpu += time.process_time() - c0
            run.tickets += n
            run.days.append(day)
    return runs


def ratio_ci(days: list[Day], part: int) -> tuple[float, float]:
    """Σ part ÷ Σ tickets over independent days (part 0: the mean wait, 2: the share who
    waited) and the half-width of its 99% interval (the ratio estimator's delta method)."""
    num, den = sum(d[part] for d in days), sum(d[1] for d in days)
    m = num / den
    resid = [d[part] - m * d[1] for d in days]
    return m, T99 * statistics.stdev(resid) / (den / len(days)) / math.sqrt(len(days))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--hall-days", type=int, default=100, help="days of the default hall")
    ap.add_argument(
        "--booking-share", type=float, default=0.3, help="the default hall's booked share too"
    )
    args = ap.parse_args()
    mine = ours()
    for d in range(args.days):  # untimed: the layout compiles each new set of matters once
        mine(d)
    print(
        f"M/M/{C}: {MEAN_MIN:g}-minute exponential handling, utilisation {RHO}, "
        f"{args.days} days of 23 hours each, {args.rounds} rounds (CPU time, one core)"
    )
    ratios: list[float] = []
    runs: dict[str, Run] = {}
    for r in range(args.rounds):
        runs = play({"ours": mine, "ciw": theirs}, args.days)
        speed = {name: run.tickets / run.cpu for name, run in runs.items()}
        ratios.append(speed["ours"] / speed["ciw"])
        print(
            f"round {r + 1}: "
            + "; ".join(
                f"{name} {run.tickets:,} tickets in {run.cpu:.2f} s = {speed[name]:,.0f}/s"
                for name, run in runs.items()
            )
            + f"; ours/ciw {ratios[-1]:.2f}",
            flush=True,
        )
    ratio = statistics.median(ratios)
    verdict = "met" if ratio >= 1 else "NOT met"
    print(f"\nours/ciw, median of the rounds: {ratio:.2f} -> the floor (>= 1) {verdict}")
    a = RHO * C
    print("\nafter the warm-up (each simulator's own days; Erlang C inside the 99% interval?):")
    for label, part, want in (
        ("mean wait (min)", 0, erlang.mean_wait(C, a, MEAN_MIN)),
        ("P(wait > 0)", 2, erlang.erlang_c(C, a)),
    ):
        line = []
        for name, run in runs.items():
            m, half = ratio_ci(run.days, part)
            line.append(
                f"{name} {m:.3f} ± {half:.3f} {'agrees' if abs(m - want) <= half else 'DISAGREES'}"
            )
        print(f"  {label}: Erlang C {want:.3f}; " + "; ".join(line))
    if args.hall_days > 0:
        default_hall(args.hall_days)
        if args.booking_share > 0:
            default_hall(args.hall_days, args.booking_share)


def default_hall(days: int, booking_share: float = 0.0) -> None:
    """Ours alone on the default hall and demand (restricted windows, lunch, breaks), a
    share of the demand booked if given."""
    catalog, hall, demand = inputs()
    if booking_share:
        demand = demand.with_booking_share(booking_share)
    model = DemandModel(demand, catalog, hall, seed=1)
    lay = layout_for(hall, catalog, demand)
    arrivals = [model.day(d) for d in range(days)]
    run_day(lay, arrivals[0], 0)  # warm the layout's caches
    c0 = time.process_time()
    for d, a in enumerate(arrivals):
        run_day(lay, a, d)
    cpu = time.process_time() - c0
    n = sum(len(a) for a in arrivals)
    print(
        f"\nthe default hall ({hall.hall.code}), {days} days, {n:,} tickets: {cpu:.2f} s = "
        f"{n / cpu:,.0f}/s (the arrivals drawn beforehand"
        + (f"; {booking_share:g} of the demand booked)" if booking_share else ")")
    )


if __name__ == "__main__":
    main()
