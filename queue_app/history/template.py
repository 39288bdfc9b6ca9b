"""The demo's past days, kept between runs: a SQLite file in the user's cache directory,
named by what its days depend on (the release and this module's layout of them, the seed,
the scale, the catalog, each hall's layout and demand profile, the schema). A demo start
copies it and plays only the business days since it was made (then keeps the longer copy);
without one, it plays them all once. The demo's days are lighter than the halls' demand
(``DEMO_SCALE``): playing 60 full days through the store takes minutes, the copy a blink."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from queue_app import __version__
from queue_app.domain import hours
from queue_app.domain.catalog import Catalog
from queue_app.domain.demand import Demand
from queue_app.domain.hall import Hall
from queue_app.history.seed import SetClock, demand_path, past_days, seed_history
from queue_app.loaders import load_demand_for
from queue_app.store import Store, make_engine
from queue_app.store.engine import checkpoint
from queue_app.store.history import last_closed
from queue_app.store.schema import head

KEPT_AS = 1  # this module's way of making the days: a change makes new files
DEMO_DAYS = 60
DEMO_SCALE = 0.1  # of each hall's demand profile
DEMO_SEED = 7


def demo_demand(hall: Hall, catalog: Catalog, scale: float) -> Demand:
    """The hall's demand profile (by its size) at ``scale``, without the clerks' breaks:
    a light day's cost is mostly its windows' changes."""
    full = load_demand_for(demand_path(hall), catalog)
    arrivals = full.arrivals.model_copy(update={"scale": full.arrivals.scale * scale})
    breaks = full.breaks.model_copy(update={"per_half_day": 0})
    return full.model_copy(update={"arrivals": arrivals, "breaks": breaks})


def _key(catalog: Catalog, halls: Sequence[Hall], demands: Sequence[Demand], *extra: object) -> str:
    h = hashlib.sha256()
    for part in (__version__, KEPT_AS, head(), *extra, catalog.model_dump_json()):
        h.update(f"{part}\0".encode())
    for hall, demand in zip(halls, demands, strict=True):
        h.update(hall.model_dump_json().encode())
        h.update(demand.model_dump_json().encode())
    return h.hexdigest()[:24]


def _play(
    file: Path,
    catalog: Catalog,
    halls: Sequence[Hall],
    demands: Sequence[Demand],
    days: int,
    seed: int,
    today: dt.date,
) -> int:
    """Play into ``file`` each hall's last ``days`` business days before ``today`` that it
    lacks (those after the hall's business day); the tickets issued."""
    clock = SetClock()
    engine = make_engine(f"sqlite:///{file}")
    tickets = 0
    try:
        for hall, demand in zip(halls, demands, strict=True):
            store = Store(engine, catalog, hall, clock=clock)
            last = last_closed(store)
            missing = [d for d in past_days(hall, days, today) if last is None or d > last]
            if missing:
                tickets += seed_history(store, demand, missing, seed=seed).tickets
    finally:
        checkpoint(engine)  # the file alone holds it all
        engine.dispose()
    return tickets


def demo_database(
    target: Path,
    catalog: Catalog,
    halls: Sequence[Hall],
    cache: Path,
    *,
    days: int = DEMO_DAYS,
    scale: float = DEMO_SCALE,
    seed: int = DEMO_SEED,
    first_time: Callable[[], None] | None = None,
) -> int:
    """Make ``target`` (a new SQLite file) hold every hall's last ``days`` business days,
    from the copy kept in ``cache`` (made there first if there is none: ``first_time()`` is
    told before); the tickets played now."""
    demands = [demo_demand(h, catalog, scale) for h in halls]
    kept = cache / "history" / f"demo-{_key(catalog, halls, demands, days, scale, seed)}.db"
    today = dt.date.fromisoformat(hours.business_day(halls[0], time.time()))
    if kept.exists():
        shutil.copyfile(kept, target)
    elif first_time is not None:
        first_time()
    played = _play(target, catalog, halls, demands, days, seed, today)
    if played or not kept.exists():
        _keep(target, kept)
    return played


def _keep(made: Path, kept: Path) -> None:
    """Keep a copy of ``made`` as ``kept`` (whole, or not at all); a cache that cannot be
    written is simply not kept."""
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        part = kept.with_suffix(f".{os.getpid()}.part")
        shutil.copyfile(made, part)
        os.replace(part, kept)
    except OSError:
        return
