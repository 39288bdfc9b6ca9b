"""The big screen's read agrees with the store's other reads (the line, the windows, the
day's figures, the report's trend), on SQLite and PostgreSQL, today and after the close."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.domain.report import Period
from queue_app.domain.rollup import By
from queue_app.store.store import Store
from tests.conftest import SHANGHAI, Clock
from tests.store.test_reports import play_day


def _trend(store: Store, period: Period) -> list[tuple[str, dict[str, object], float | None]]:
    return [(p.day, p.tally.columns(), p.balance) for p in store.report(By.HALL, period).trend]


def test_the_dashboard_agrees_with_the_line_the_windows_and_the_report(
    db_url: str, mini_catalog: Catalog, mini_hall: Hall
) -> None:
    days = [dt.date(2026, 11, 16) + dt.timedelta(days=i) for i in range(4)]
    clock = Clock(dt.datetime.combine(days[0], dt.time(8), SHANGHAI))
    store = Store(db_url, mini_catalog, mini_hall, clock=clock)
    try:
        rng = random.Random(15)
        for d in days:
            play_day(store, clock, d, rng, steps=110)
        for _ in range(3):  # a line at the end of the last day, which stays open: today
            store.issue(["M-SBK", "M-GT"])
        board = store.dashboard()

        period = Period(days[-1] - dt.timedelta(days=29), days[-1])
        assert board.day == days[-1].isoformat() and board.now == clock.now
        got = [(p.day, p.tally.columns(), p.balance) for p in board.trend]
        assert got == _trend(store, period)
        assert all(p.tally.issued > 0 for p in board.trend[-4:])
        assert all(p.tally.issued == 0 for p in board.trend[:-4])

        line = store.waiting()
        domains = Counter(
            d for t in line for d in {mini_catalog.matter(i.matter).domain for i in t.items}
        )
        assert board.waiting == len(line) >= 3
        assert {d.domain: d.waiting for d in board.domains} == dict(domains)
        assert [d.waiting for d in board.domains] == sorted(domains.values(), reverse=True)
        oldest = min(t.issued_at for t in line)
        assert board.longest_wait_s == clock.now - oldest
        assert max(d.longest_wait_s for d in board.domains) == clock.now - oldest

        assert [(w.number, w.state, w.ticket) for w in board.windows] == [
            (w.number, w.state, w.ticket) for w in store.windows()
        ]
        assert board.window_figures == store.window_stats().windows
        assert sum(f.served for f in board.window_figures) == board.trend[-1].tally.served > 0
        assert board.target_wait_minutes == mini_hall.targets.wait_minutes

        # the next morning: the earlier days read from their rollups give the same figures;
        # yesterday's are those of its close (the line left then expired)
        morning = dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time(9), SHANGHAI)
        clock.now = morning.timestamp()
        store.roll_over()
        after = store.dashboard()
        moved = [(p.day, p.tally.columns(), p.balance) for p in after.trend]
        assert moved == _trend(store, Period(period.start + dt.timedelta(days=1), morning.date()))
        assert moved[:-2] == got[1:-1]
        assert after.trend[-2].tally.expired >= 3
        assert after.trend[-1].tally.issued == 0 and after.waiting == 0 and after.domains == []
        assert after.longest_wait_s is None
    finally:
        store.dispose()
