"""Past days of a hall, played by the simulator through the real store: each business day
(the hall's opening weekdays) from its first operation to its close, which keeps its
figures (the day's rollups). The days' arrivals and handling times come from the demand
profile and the seed, drawn per calendar date: the same seed gives the same days, however
many are seeded at once."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from queue_app.domain import hours
from queue_app.domain.demand import Demand
from queue_app.domain.hall import Coverage, Hall
from queue_app.domain.refusals import DemandOverruns
from queue_app.history.play import Clock, Extras, Staff, StoreDay, day_end
from queue_app.loaders import default_demand_path
from queue_app.sim import DemandModel, Layout, layout_for
from queue_app.sim.engine import collector_paused, run_day
from queue_app.sim.stats import DayFigures, reduce_day
from queue_app.store import Store
from queue_app.store.history import make_room
from queue_app.store.staff import Role, list_staff

MAX_DAYS = 3700  # about ten years, as a report's longest period
BIG_HALL = 20  # windows: a district hall's demand; a smaller hall gets a township's
LAST_WORK_S = 23 * 3600.0  # a played day's work must end before this second of the day


def demand_path(hall: Hall) -> Path:
    """The packaged demand profile for a hall of its size."""
    return default_demand_path("default" if len(hall.windows) >= BIG_HALL else "township")


def _check_fits(layout: Layout, model: DemandModel, days: list[str]) -> None:
    """Refuse a demand that would keep windows busy into the next business day (the pure
    simulation of each day first: it costs a few per cent of playing them)."""
    with collector_paused():
        for day in days:
            ordinal = dt.date.fromisoformat(day).toordinal()
            if run_day(layout, model.day(ordinal), ordinal).last_finish >= LAST_WORK_S:
                raise DemandOverruns(day=day)


class SetClock:
    """A clock the player sets to each simulated instant."""

    def __init__(self, now: float | None = None) -> None:
        self.now = time.time() if now is None else now

    def __call__(self) -> float:
        return self.now


@dataclass
class Seeded:
    """What seeding did: the days, the tickets issued (with those cancelled), how long it
    took, and the simulator's own figures of each day."""

    days: list[str]
    tickets: int = 0
    seconds: float = 0.0
    figures: list[DayFigures] = field(default_factory=list)
    extras: Extras = field(default_factory=Extras)

    @property
    def rate(self) -> float:
        """Tickets a second."""
        return self.tickets / self.seconds if self.seconds > 0 else 0.0


def past_days(hall: Hall, days: int, until: dt.date) -> list[str]:
    """The last ``days`` business days of ``hall`` before ``until``, oldest first."""
    out: list[str] = []
    d = until
    while len(out) < days:
        d -= dt.timedelta(days=1)
        if d.isoweekday() in hall.hours.weekdays:
            out.append(d.isoformat())
    return out[::-1]


def _staff(store: Store) -> tuple[str, str, list[str]]:
    """The hall's desk and manager accounts and its clerks' (names, when it has none)."""
    accounts = [a for a in list_staff(store) if not a.disabled]

    def first(role: Role, default: str) -> str:
        return next((a.username for a in accounts if a.role is role), default)

    clerks = [a.username for a in accounts if a.role is Role.CLERK]
    numbers = [w.number for w in store.hall.windows]
    clerks += [f"clerk{n}" for n in numbers if f"clerk{n}" not in clerks][
        : max(0, len(numbers) - len(clerks))
    ]
    return first(Role.DESK, "desk"), first(Role.MANAGER, "manager"), clerks


def _rota(desk: str, manager: str, clerks: list[str], hall: Hall, day: dt.date) -> Staff:
    """Who sits where on ``day``: the clerks move one window along each day."""
    shift = day.toordinal() % len(clerks)
    at = {w.number: clerks[(i + shift) % len(clerks)] for i, w in enumerate(hall.windows)}
    return Staff(desk, manager, at)


def seed_history(
    store: Store,
    demand: Demand,
    days: list[str],
    *,
    seed: int,
    on_day: Callable[[str, int], None] | None = None,
) -> Seeded:
    """Play ``days`` (business days, oldest first) through ``store``, whose clock must be
    one the player sets (``SetClock``, or the demo's); ``on_day(day, tickets)`` after each.
    Refused, changing nothing, on a database that holds one of the days already or a hall
    in use later (``store.history.make_room``)."""
    clock = store.clock
    if not isinstance(clock, Clock):
        raise TypeError("the store's clock must be one the player sets (SetClock)")
    hall, catalog = store.hall, store.catalog
    started = time.perf_counter()
    model = DemandModel(demand, catalog, hall, seed)
    layout = layout_for(hall, catalog, demand)
    _check_fits(layout, model, days)
    make_room(store, days[0], days[-1])
    cov = Coverage(hall, catalog)
    matters = sorted(c for c in set().union(*cov.by_window.values()) if cov.windows_for({c}))
    desk, manager, clerks = _staff(store)
    done = Seeded(list(days))
    for day in days:
        date = dt.date.fromisoformat(day)
        sim = StoreDay(
            layout,
            model.day(date.toordinal()),
            date.toordinal(),
            store=store,
            clock=clock,
            midnight=hours.at(hall, day, "00:00"),
            rng=random.Random(f"history:{seed}:{day}"),
            staff=_rota(desk, manager, clerks, hall, date),
            matters=matters,
        )
        with store.uow.batch(), collector_paused():  # a day: one transaction
            result = sim.run()
            sim.ops.at(day_end(sim))
            store.close_day(actor=manager)
        done.figures.append(reduce_day(result))
        issued = len(sim.ids) + sim.extras.cancelled
        done.tickets += issued
        _add(done.extras, sim.extras)
        if on_day is not None:
            on_day(day, issued)
    done.seconds = time.perf_counter() - started
    return done


def _add(total: Extras, day: Extras) -> None:
    total.cancelled += day.cancelled
    total.rated += day.rated
    total.recalls += day.recalls
    for k, v in day.outcomes.items():
        total.outcomes[k] = total.outcomes.get(k, 0) + v
