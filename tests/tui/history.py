"""Past business days for the report screen's tests, played through the store: a morning
peak and a quieter afternoon, four clerks calling, serving and finishing, a 好差评 for most
visits, the windows closed at 17:30. The same seed gives the same days (and the same
figures), so the snapshots stay put."""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections.abc import Iterable

from queue_app.domain.ticket import Outcome, Priority, Ticket
from queue_app.store import Store
from tests.conftest import SHANGHAI, Clock, why

CLERKS = {1: "wang", 2: "li", 3: "zhao", 4: "qian"}
# (matters, weight): what citizens come for; 出入境 only at window 4, 食品经营 only at 3
VISITS = [
    (["M-SBK"], 30),
    (["M-YL"], 12),
    (["M-GT"], 18),
    (["M-SP"], 8),
    (["M-HZ"], 14),
    (["M-SBK", "M-YL"], 6),
]
MINUTES = {"M-SBK": 5, "M-YL": 15, "M-GT": 12, "M-SP": 20, "M-HZ": 10}


def at(day: dt.date, hour: int, minute: int = 0) -> float:
    return dt.datetime.combine(day, dt.time(hour, minute), SHANGHAI).timestamp()


def play_days(store: Store, clock: Clock, days: Iterable[dt.date], rng: random.Random) -> None:
    """Each of ``days`` played to its end (every ticket served or gone, windows closed)."""
    for day in days:
        morning = rng.randint(8, 12) + (3 if day.weekday() == 0 else 0)  # Mondays are busier
        arrivals = [at(day, 9) + 7200 * rng.betavariate(1.4, 2.8) for _ in range(morning)]
        arrivals += [at(day, 13, 30) + 10800 * rng.random() for _ in range(rng.randint(3, 6))]
        windows = [1, 2, 3, 4] if day.weekday() == 0 else [1, 3, 4]
        play(store, clock, day, sorted(arrivals), rng, windows)
        clock.now = max(clock.now, at(day, 17, 30))
        for w in windows:
            store.close_window(w, actor=CLERKS[w])


def play(
    store: Store,
    clock: Clock,
    day: dt.date,
    arrivals: list[float],
    rng: random.Random,
    windows: list[int],
    until: float | None = None,
) -> None:
    """``windows`` opened at 09:00, then citizens arriving at ``arrivals``, each window
    calling whom it may serve when free; with ``until`` the day stops there, mid-work."""
    clock.now = at(day, 9)
    for w in windows:
        store.open_window(w, actor=CLERKS[w])
    events = [(t, i, 0) for i, t in enumerate(arrivals)]  # window 0: an arrival
    heapq.heapify(events)
    seq, free = len(events), set(windows)
    serving: dict[int, Ticket] = {}

    def call(w: int) -> None:
        nonlocal seq
        t = store.call_next(w, actor=CLERKS[w])
        if t is None:
            free.add(w)
            return
        free.discard(w)
        seq += 1
        if rng.random() < 0.04:  # gone home: 过号
            store.recall(w, actor=CLERKS[w])
            store.no_show(w, actor=CLERKS[w])
            heapq.heappush(events, (clock.now + 120, seq, w))
            return
        serving[w] = store.start(w, actor=CLERKS[w])
        minutes = sum(MINUTES[i.matter] for i in t.items)
        heapq.heappush(events, (clock.now + 60 * minutes * rng.uniform(0.8, 2.2), seq, w))

    while events and (until is None or events[0][0] < until):
        clock.now, _, w = heapq.heappop(events)
        if w == 0:
            matters = rng.choices([v for v, _ in VISITS], [n for _, n in VISITS])[0]
            elderly = Priority.ELDERLY if rng.random() < 0.08 else None
            store.issue(matters, priority=elderly, slip=False)
            for idle in sorted(free):
                call(idle)
                if idle not in free:
                    break  # called: the rest stay free
            continue
        done = serving.pop(w, None)
        if done is not None:
            store.finish(w, {i.matter: _outcome(rng) for i in done.items}, actor=CLERKS[w])
            if rng.random() < 0.7:
                level = rng.choices([5, 4, 3, 2, 1], [55, 25, 10, 6, 4])[0]
                store.rate(w, done.number, level, actor=CLERKS[w], reasons=why(level))
        call(w)
    if until is not None:
        clock.now = until


def _outcome(rng: random.Random) -> Outcome:
    return rng.choices(list(Outcome), [75, 17, 6, 2])[0]
