"""``queue-app demo``: a morning in the default hall, run through the real store.

Until the terminal UI lands this is the embedded main job: a temporary SQLite database,
every window open, citizens arriving over the morning peak, clerks calling, serving and
finishing. Time is simulated (a morning takes a second or two); every operation is the
store's real, atomic one.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
import tempfile
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Coverage, Hall
from queue_app.domain.ticket import OUTCOME_LABELS, Outcome, Priority, Ticket
from queue_app.store import Store


class _Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def _morning_start(hall: Hall) -> float:
    today = dt.datetime.now(hall.zone).date()
    h, m = map(int, hall.hours.open.split(":"))
    return dt.datetime.combine(today, dt.time(h, m), tzinfo=hall.zone).timestamp()


def run_demo(
    catalog: Catalog, hall: Hall, *, tickets: int, seed: int, db: str | None, console: Console
) -> None:
    rng = random.Random(seed)
    tmp = None
    if db is None:
        tmp = tempfile.TemporaryDirectory(prefix="queue-app-demo-")
        db = f"sqlite:///{Path(tmp.name) / 'demo.db'}"
    clock = _Clock(_morning_start(hall))
    store = Store(db, catalog, hall, clock=clock)
    cov = Coverage(hall, catalog)
    accepted = [m for m in catalog.matters if cov.windows_for({m.code})]
    common = [m for m in accepted if m.common] or accepted
    bundles = [b for b in catalog.bundles if cov.windows_for(set(b.matters))]
    console.print(
        f"[bold]{hall.hall.name}[/] · {len(hall.windows)} windows · "
        f"{len(catalog.matters)} matters · {len(catalog.bundles)} bundles · {db}"
    )
    for w in hall.windows:
        store.open_window(w.number, actor="manager")

    # arrivals over three hours, denser in the first (the Monday-morning peak)
    arrivals = sorted(clock.now + 3 * 3600 * rng.betavariate(1.3, 2.2) for _ in range(tickets))
    events: list[tuple[float, int, str, int]] = [
        (t, i, "arrive", 0) for i, t in enumerate(arrivals)
    ]
    heapq.heapify(events)
    seq = len(events)
    idle = {w.number for w in hall.windows}
    served, no_shows, waits = Counter(), 0, []
    outcomes: Counter[Outcome] = Counter()
    issued_at: dict[int, float] = {}
    current: dict[int, Ticket] = {}  # what each busy window is serving
    next_report = clock.now + 3600

    def try_call(window: int) -> None:
        nonlocal seq, no_shows
        t = store.call_next(window, actor=f"clerk{window}")
        if t is None:
            idle.add(window)
            return
        idle.discard(window)
        waits.append(clock.now - issued_at[t.id])
        if rng.random() < 0.03:  # absent: two recalls, then 过号
            store.recall(window, actor=f"clerk{window}")
            store.recall(window, actor=f"clerk{window}")
            store.no_show(window, actor=f"clerk{window}")
            no_shows += 1
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

    while events:
        at, _, kind, window = heapq.heappop(events)
        clock.now = at
        if clock.now >= next_report:
            _report(console, store, clock.now, hall)
            next_report += 3600
        if kind == "arrive":
            r = rng.random()
            pri = rng.choice(list(Priority)) if r < 0.07 else None
            if r > 0.90 and bundles:
                issued = store.issue(bundle=rng.choice(bundles).code, priority=pri)
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
            outcomes.update(result.values())
            served[window] += 1
            try_call(window)
        else:
            try_call(window)
    _report(console, store, clock.now, hall)
    table = Table("window", "name", "served", title="served per window")
    for w in hall.windows:
        table.add_row(str(w.number), w.name, str(served[w.number]))
    console.print(table)
    waits_min = sorted(x / 60 for x in waits)
    console.print(
        f"tickets {tickets} · served {sum(served.values())} · no-show {no_shows} · "
        f"mean wait {sum(waits_min) / len(waits_min):.1f} min · "
        f"p90 {waits_min[int(0.9 * (len(waits_min) - 1))]:.1f} min · "
        f"max {waits_min[-1]:.1f} min"
    )
    console.print(
        "outcomes: " + ", ".join(f"{OUTCOME_LABELS[o]} {n}" for o, n in outcomes.most_common())
    )
    console.print(f"events recorded: {len(store.events(limit=100_000))}")
    store.dispose()
    if tmp is not None:
        tmp.cleanup()


def _report(console: Console, store: Store, now: float, hall: Hall) -> None:
    local = dt.datetime.fromtimestamp(now, hall.zone).strftime("%H:%M")
    views = Counter(w.view.value for w in store.windows())
    console.print(
        f"{local}  waiting {len(store.waiting())}  "
        + "  ".join(f"{k} {n}" for k, n in sorted(views.items()))
    )
