"""Running simulations: layouts from a hall and a demand profile, many days (in worker
processes if asked: the figures are the same, day by day, whatever the number of workers),
the comparison layouts, and the wait-estimate measurement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

from queue_app.domain.booked import NO_SHOW_SHARE, Booked
from queue_app.domain.catalog import Catalog
from queue_app.domain.demand import Demand
from queue_app.domain.dispatch import Policy, eligible
from queue_app.domain.errors import N_
from queue_app.domain.estimate import queue_length_wait
from queue_app.domain.forecast import (
    HandlingModel,
    OpenWindow,
    back_after_lunch,
    booked_candidates,
    busy_rate,
    estimate_wait,
    expected_remaining,
    lunch_away,
)
from queue_app.domain.hall import Hall
from queue_app.domain.layouts import department_layout, pooled_layout
from queue_app.sim.arrivals import DemandModel
from queue_app.sim.engine import Citizen, DaySim, Layout, collector_paused, run_day
from queue_app.sim.stats import DayFigures, Summary, reduce_day, summarize


def layout_for(
    hall: Hall,
    catalog: Catalog,
    demand: Demand,
    *,
    policy: Policy | None = None,
    schedule: Mapping[int, Sequence[tuple[float, float]]] | None = None,
    label: str | None = None,
) -> Layout:
    """``hall`` compiled for simulation with the demand's breaks, lunch duty and times."""
    h = demand.handling
    return Layout(
        hall,
        catalog,
        policy=policy,
        lunch_windows=demand.lunch_windows,
        schedule=schedule,
        breaks=(demand.breaks.per_half_day, demand.breaks.minutes),
        no_show_seconds=demand.no_show.minutes * 60.0,
        walk_seconds=h.walk_minutes * 60.0,
        bundle_factor=h.bundle_factor,
        label=label,
    )


def department_loads(model: DemandModel, days: int = 5) -> dict[str, float]:
    """Offered load (busy seconds) per department over ``days`` days of the demand: what the
    old hall's windows are apportioned by."""
    dept = {m.code: m.department for m in model.catalog.matters}
    loads: dict[str, float] = {}
    for d in range(days):
        for a in model.day(d):
            for c, s in zip(a.matters, a.seconds, strict=True):
                loads[dept[c]] = loads.get(dept[c], 0.0) + s
    return loads


def comparison_layouts(
    hall: Hall,
    catalog: Catalog,
    demand: Demand,
    model: DemandModel,
    *,
    policy: Policy | None = None,
) -> list[Layout]:
    """The old hall (per-department windows), the hall as given, and every window serving
    everything (the pooled bound): the same staff, the same hours."""
    old = department_layout(hall, catalog, department_loads(model))
    return [
        layout_for(old, catalog, demand, policy=policy, label=N_("per-department")),
        layout_for(hall, catalog, demand, policy=policy, label=hall.hall.code),
        layout_for(pooled_layout(hall), catalog, demand, policy=policy, label=N_("fully pooled")),
    ]


class EstimateProbe:
    """At each ticket's issue, the estimates a citizen could be shown, made from what the
    server would know then (never the drawn handling times):

    - ``queue_length``: the plain formula of the slip today (people ahead that compete for the
      same windows × mean catalog minutes of the waiting tickets ÷ open eligible windows);
    - ``last_wait``: the wait of the last ticket called among those like it;
    - ``forecast``: ``domain.forecast.estimate_wait`` (busy-time rates where windows are
      pooled, a forward simulation through ``choose_next`` where they are restricted), with
      handling times learned from the work finished so far (catalog minutes as the prior);
    - ``forecast_booked`` (on a day with bookings): the same, told the bookings not checked
      in yet (those that will never come among them) and the no-show share to expect.
    """

    def __init__(
        self, catalog: Catalog, prior_weight: float = 5.0, no_show: float = NO_SHOW_SHARE
    ) -> None:
        self.catalog_minutes = {m.code: m.minutes for m in catalog.matters}
        self.model = HandlingModel(self.catalog_minutes, prior_weight)
        self.no_show = no_show  # the share of bookings the server expects never to come
        self.bookings: Sequence[tuple[float, tuple[str, ...], float]] = ()

    def start_day(self, bookings: Sequence[tuple[float, tuple[str, ...], float]] = ()) -> None:
        """A new day, with its bookings: (slot start, matters, check-in or inf)."""
        self.busy: dict[int, float] = {}
        self.done: dict[int, int] = {}
        self.bookings = bookings

    def on_finish(self, number: int, matters: tuple[str, ...], busy_s: float) -> None:
        self.model.observe(frozenset(matters), busy_s / 60.0)
        self.busy[number] = self.busy.get(number, 0.0) + busy_s / 60.0
        self.done[number] = self.done.get(number, 0) + 1

    def __call__(self, sim: DaySim, citizen: Citizen, tid: int, now: float) -> None:
        lay = sim.layout
        line = sim.waiting_line()
        me = next(c for c in line if c.id == tid)
        views = sim.window_views()
        windows = [
            OpenWindow(
                dw,
                None
                if elapsed is None
                else expected_remaining(self.model.minutes(frozenset(m or ())), elapsed / 60.0),
                busy_rate(self.done.get(dw.number, 0), self.busy.get(dw.number, 0.0)),
            )
            for dw, elapsed, m in views
        ]
        if lay.lunch is not None:  # what the server knows: the hall's lunch duty
            windows = [
                w if w.window.number in lay.on_duty else replace(w, away=lunch_away(now, lay.lunch))
                for w in windows
            ]
            for dw, closed_at in sim.closed_views():
                away = back_after_lunch(closed_at, now, lay.lunch)
                if away is not None:
                    rate = busy_rate(self.done.get(dw.number, 0), self.busy.get(dw.number, 0.0))
                    windows.append(OpenWindow(dw, rate=rate, away=away))
        mine = [w.window for w in windows if eligible(me, w.window)]
        ahead = 0
        minutes = 0.0
        cat = self.catalog_minutes
        mkey = (0 if me.priority else 2, me.queue_key, me.id)
        for c in line:
            minutes += sum(cat[x] for x in sorted(c.matters))
            if (0 if c.priority else 2, c.queue_key, c.id) < mkey and any(
                eligible(c, w) for w in mine
            ):
                ahead += 1
        per_ticket = minutes / len(line)
        plain = queue_length_wait(ahead, per_ticket, len(mine))
        # those like it: the same first visit (the old hall splits a citizen into visits)
        key = lay.group_key(tuple(i.matter for i in sim.tickets[tid].items), me.priority)[0]
        forecast = estimate_wait(
            me, line, windows, self.model, now, policy=lay.policy, aging_seconds=lay.aging
        )
        citizen.estimates = {
            "queue_length": None if plain is None else plain * 60.0,
            "last_wait": sim.last_wait(key),
            "forecast": None if forecast is None else forecast * 60.0,
        }
        if self.bookings:  # what the server knows: the bookings not checked in yet
            due = [Booked(s, m) for s, m, at in self.bookings if at > now]
            dom = lay._domain_of
            booked = booked_candidates(due, now, lambda ms: frozenset(dom[c] for c in ms))
            with_booked = estimate_wait(
                me,
                line,
                windows,
                self.model,
                now,
                policy=lay.policy,
                aging_seconds=lay.aging,
                booked=booked,
                no_show=self.no_show,
            )
            citizen.estimates["forecast_booked"] = (
                None if with_booked is None else with_booked * 60.0
            )


@dataclass(frozen=True)
class Job:
    """Everything a worker needs to play some days of some layouts."""

    model: DemandModel
    layouts: tuple[Layout, ...]
    days: tuple[int, ...]
    estimate_days: int = 0


def play(job: Job) -> list[list[DayFigures]]:
    """Per layout, the figures of each day of ``job.days`` (in order)."""
    out: list[list[DayFigures]] = [[] for _ in job.layouts]
    probes = [EstimateProbe(job.model.catalog) for _ in job.layouts]
    no_show = job.model.demand.bookings.no_show
    with collector_paused():
        for d in job.days:
            arrivals = job.model.day(d)
            for k, lay in enumerate(job.layouts):
                probe = None
                if d < job.estimate_days:
                    probe = probes[k]
                    probe.no_show = no_show
                    probe.start_day(job.model.bookings.get(d, []))
                out[k].append(reduce_day(run_day(lay, arrivals, d, probe=probe)))
    return out


def run_days(
    model: DemandModel,
    layouts: Sequence[Layout],
    days: int,
    *,
    workers: int = 1,
    estimate_days: int = 0,
    first_day: int = 0,
) -> list[list[DayFigures]]:
    """``days`` days of every layout on the same arrivals; ``workers`` > 1 splits the days
    over processes (same results)."""
    all_days = list(range(first_day, first_day + days))
    if workers <= 1 or days < 2:
        return play(Job(model, tuple(layouts), tuple(all_days), estimate_days))
    chunks = [tuple(all_days[i::workers]) for i in range(workers)]
    jobs = [Job(model, tuple(layouts), c, estimate_days) for c in chunks if c]
    with ProcessPoolExecutor(max_workers=len(jobs)) as pool:
        parts = list(pool.map(play, jobs))
    out: list[list[DayFigures]] = [[] for _ in layouts]
    for part in parts:
        for k, figs in enumerate(part):
            out[k].extend(figs)
    for figs in out:
        figs.sort(key=lambda f: f.day)
    return out


def simulate(
    model: DemandModel,
    layouts: Sequence[Layout],
    days: int,
    *,
    workers: int = 1,
    estimate_days: int = 0,
) -> list[Summary]:
    """Summaries of every layout over the same ``days`` days."""
    figs = run_days(model, layouts, days, workers=workers, estimate_days=estimate_days)
    return [
        summarize(lay.label, f, lay.hall.targets.wait_minutes)
        for lay, f in zip(layouts, figs, strict=True)
    ]
