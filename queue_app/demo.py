"""A morning in a hall, run through the real store: citizens arriving over the morning
peak, clerks calling, serving and finishing. Time is simulated (a morning takes a second
or two); every operation is the store's real, atomic one. ``queue-app demo --plain``
prints its report; the live demo seeds its hall with the morning so far.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from queue_app.cli_words import OUTCOMES, WINDOW_STATES
from queue_app.domain.catalog import Catalog
from queue_app.domain.errors import LIST_SEPARATOR
from queue_app.domain.hall import Coverage, Hall
from queue_app.domain.ticket import Outcome, Priority, Ticket
from queue_app.domain.window_state import WindowStatus
from queue_app.store import Store


class SimClock:
    """Simulated time; ``live`` hands over to the real clock (the demo's server)."""

    def __init__(self, start: float) -> None:
        self.now = start
        self.live = False

    def __call__(self) -> float:
        return time.time() if self.live else self.now


def _morning_start(hall: Hall) -> float:
    today = dt.datetime.now(hall.zone).date()
    h, m = map(int, hall.hours.open.split(":"))
    return dt.datetime.combine(today, dt.time(h, m), tzinfo=hall.zone).timestamp()


def open_all_day(store: Store, hall: Hall) -> None:
    """A demo runs at any hour and on any day: issuing stays open until midnight, as a
    manager may open it late."""
    local = dt.datetime.fromtimestamp(store.clock(), hall.zone)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), hall.zone)
    store.open_late(midnight.timestamp() - 1, actor="demo")


@dataclass
class Morning:
    """What a simulated stretch of the day did."""

    served: Counter[int] = field(default_factory=Counter)
    outcomes: Counter[Outcome] = field(default_factory=Counter)
    waits: list[float] = field(default_factory=list)
    no_shows: int = 0


def simulate(
    store: Store,
    catalog: Catalog,
    hall: Hall,
    clock: SimClock,
    rng: random.Random,
    *,
    tickets: int,
    until: float | None = None,
    on_hour: Callable[[float], None] | None = None,
) -> Morning:
    """Citizens arriving over three hours from ``clock.now`` (denser in the first: the
    Monday-morning peak), every open window calling, serving and finishing through the
    store. With ``until`` the run stops there, leaving tickets waiting and windows busy."""
    cov = Coverage(hall, catalog)
    accepted = [m for m in catalog.matters if cov.windows_for({m.code})]
    common = [m for m in accepted if m.common] or accepted
    bundles = [b for b in catalog.bundles if cov.windows_for(set(b.matters))]
    arrivals = sorted(clock.now + 3 * 3600 * rng.betavariate(1.3, 2.2) for _ in range(tickets))
    events: list[tuple[float, int, str, int]] = [
        (t, i, "arrive", 0) for i, t in enumerate(arrivals)
    ]
    heapq.heapify(events)
    seq = len(events)
    idle = {w.number for w in store.windows() if w.status is WindowStatus.OPEN}
    morning = Morning()
    issued_at: dict[int, float] = {}
    current: dict[int, Ticket] = {}  # what each busy window is serving
    next_hour = clock.now + 3600

    def try_call(window: int) -> None:
        nonlocal seq
        t = store.call_next(window, actor=f"clerk{window}")
        if t is None:
            idle.add(window)
            return
        idle.discard(window)
        morning.waits.append(clock.now - issued_at[t.id])
        if rng.random() < 0.03:  # absent: two recalls, then 过号
            store.recall(window, actor=f"clerk{window}")
            store.recall(window, actor=f"clerk{window}")
            store.no_show(window, actor=f"clerk{window}")
            morning.no_shows += 1
            seq += 1
            heapq.heappush(events, (clock.now + 90, seq, "free", window))
            return
        current[window] = store.start(window, actor=f"clerk{window}")
        minutes = sum(catalog.matter(i.matter).minutes for i in t.items)
        seq += 1
        heapq.heappush(
            events,
            (clock.now + 60 * minutes * rng.lognormvariate(-0.08, 0.4), seq, "finish", window),
        )

    while events and (until is None or events[0][0] < until):
        at, _, kind, window = heapq.heappop(events)
        clock.now = at
        if on_hour is not None and clock.now >= next_hour:
            on_hour(clock.now)
            next_hour += 3600
        if kind == "arrive":
            r = rng.random()
            pri = rng.choice(list(Priority)) if r < 0.07 else None
            if r > 0.90 and bundles:
                issued = store.issue(bundle=rng.choice(bundles).code, priority=pri, actor="desk")
            else:
                picks = {rng.choice(common).code}
                if rng.random() < 0.15:
                    picks.add(rng.choice(common).code)
                if not cov.windows_for(picks):
                    picks = {next(iter(picks))}
                issued = store.issue(sorted(picks), priority=pri, actor="desk")
            issued_at[issued.ticket.id] = clock.now
            for w in sorted(idle):
                try_call(w)
                if w in idle:
                    continue
                break
        elif kind == "finish":
            t = current.pop(window)
            result = {
                i.matter: rng.choices(list(Outcome), weights=(70, 20, 8, 2))[0] for i in t.items
            }
            store.finish(window, result, actor=f"clerk{window}")
            morning.outcomes.update(result.values())
            morning.served[window] += 1
            try_call(window)
        else:
            try_call(window)
    if until is not None:
        clock.now = until
    return morning


def run_demo(
    catalog: Catalog,
    hall: Hall,
    *,
    tickets: int,
    seed: int,
    db: str | None,
    console: Console,
    lang: str = "zh",
) -> None:
    """Simulate a morning on ``db`` (default: a temporary SQLite file) and print its report
    to ``console`` in ``lang``."""
    from queue_app.i18n import translations

    _ = translations(lang).gettext
    rng = random.Random(seed)
    tmp = None
    if db is None:
        tmp = tempfile.TemporaryDirectory(prefix="queue-app-demo-")
        db = f"sqlite:///{Path(tmp.name) / 'demo.db'}"
    clock = SimClock(_morning_start(hall))
    store = Store(db, catalog, hall, clock=clock)
    console.print(
        f"[bold]{hall.hall.name}[/] · "
        + _("{windows} windows · {matters} matters · {bundles} bundles").format(
            windows=len(hall.windows), matters=len(catalog.matters), bundles=len(catalog.bundles)
        )
        + f" · {db}"
    )
    open_all_day(store, hall)
    for w in hall.windows:
        store.open_window(w.number, actor="manager")
    morning = simulate(
        store,
        catalog,
        hall,
        clock,
        rng,
        tickets=tickets,
        on_hour=lambda now: _report(console, store, now, hall, _),
    )
    _report(console, store, clock.now, hall, _)
    served, waits = morning.served, morning.waits
    table = Table(_("window"), _("name"), _("served"), title=_("served per window"))
    for w in hall.windows:
        table.add_row(str(w.number), w.name, str(served[w.number]))
    console.print(table)
    waits_min = sorted(x / 60 for x in waits)
    console.print(
        _(
            "tickets {tickets} · served {served} · no-show {no_show} · mean wait {mean} min · "
            "p90 {p90} min · max {max} min"
        ).format(
            tickets=tickets,
            served=sum(served.values()),
            no_show=morning.no_shows,
            mean=f"{sum(waits_min) / len(waits_min):.1f}",
            p90=f"{waits_min[int(0.9 * (len(waits_min) - 1))]:.1f}",
            max=f"{waits_min[-1]:.1f}",
        )
    )
    console.print(
        _("outcomes: {outcomes}").format(
            outcomes=_(LIST_SEPARATOR).join(
                _(OUTCOMES[o]) + f" {n}" for o, n in morning.outcomes.most_common()
            )
        )
    )
    console.print(
        _("events recorded: {n}").format(n=len(store.events(limit=100_000))), highlight=False
    )
    store.dispose()
    if tmp is not None:
        tmp.cleanup()


def _report(
    console: Console, store: Store, now: float, hall: Hall, _: Callable[[str], str]
) -> None:
    local = dt.datetime.fromtimestamp(now, hall.zone).strftime("%H:%M")
    views = Counter(w.state.value for w in store.windows())
    console.print(
        f"{local}  "
        + _("waiting {n}").format(n=len(store.waiting()))
        + "  "
        + "  ".join(_(WINDOW_STATES[k]) + f" {n}" for k, n in sorted(views.items()))
    )
