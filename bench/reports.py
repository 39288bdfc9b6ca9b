"""Reports over a year (issue 15): a busy hall's year on SQLite and on PostgreSQL, and
twelve halls' years on one PostgreSQL database.

    python bench/reports.py --sqlite DIR [--pg URL] [--days 250] [--halls 12]
        [--tickets 800] [--repeat 3]

The year: one busy day of the district hall (windows/default.yaml, ``--tickets`` citizens
over the day) is played through the real store by the demo's simulator and closed (its
rollups kept); its rollup rows are then copied to the ``--days`` - 1 business days before
it (the same figures each day: what a report reads is rows, whatever their values), and
the played day's rollups are dropped again, so that it stands for today: a day read from
its raw tickets and events, tallied live. On PostgreSQL the year is copied to ``--halls``
hall codes (h01 ...), the played day's raw rows staying with the first hall. ``--pg``'s
database is emptied first: give the bench a database of its own.

Figures, each the median of ``--repeat`` runs: a report over the whole year by each
breakdown (hall, window, clerk, department, matter, domain, class, hour) on SQLite and on
PostgreSQL, against the issue's goals (<= 1 s; twelve halls' reports in turn <= 3 s), and
the ratio of each to a reference measured in the same run: reading the rows it sums (its
groups', the hall's, the windows' and the clerks' over both periods) with plain SELECTs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from queue_app.demo import SimClock, simulate  # noqa: E402
from queue_app.domain.hall import Hall  # noqa: E402
from queue_app.domain.report import Period  # noqa: E402
from queue_app.domain.rollup import By  # noqa: E402
from queue_app.loaders import default_catalog_path, load_catalog, load_hall_for  # noqa: E402
from queue_app.store import Store, make_engine, schema  # noqa: E402
from queue_app.store.tables import month_step_t, rollup_step_t, rollup_t  # noqa: E402

PLAYED = dt.date(2026, 11, 24)  # a Tuesday: "today" of the bench


def _business_days(hall: Hall, last: dt.date, count: int) -> list[dt.date]:
    """``count`` opening days of ``hall`` up to ``last``, oldest first."""
    days, d = [], last
    while len(days) < count:
        if d.isoweekday() in hall.hours.weekdays:
            days.append(d)
        d -= dt.timedelta(days=1)
    return sorted(days)


def play_today(url: str, hall: Hall, tickets: int) -> tuple[Store, float]:
    """The busy day played through the store, closed; how long it took."""
    catalog = load_catalog(default_catalog_path())
    open_at = dt.datetime.combine(PLAYED, dt.time(9, 0), hall.zone).timestamp()
    clock = SimClock(open_at)
    store = Store(url, catalog, hall, clock=clock, keep_days=None)
    started = time.perf_counter()
    for w in hall.windows:
        store.open_window(w.number, actor=f"clerk{w.number}")
    simulate(store, catalog, hall, clock, random.Random(15), tickets=tickets)
    clock.now += 4 * 3600  # the lines emptied; the day closes in the evening
    store.close_day(force=True)
    return store, time.perf_counter() - started


def copy_year(engine: Engine, hall: Hall, codes: list[str], days: list[dt.date]) -> int:
    """The played day's rollups copied (by the database) to every day of ``days`` for
    every hall of ``codes``; the played day's own rollups dropped (it is read live). Rows
    written."""
    played, source = PLAYED.isoformat(), hall.hall.code
    written = 0
    pairs = [(code, d.isoformat()) for code in codes for d in days if d != PLAYED]
    targets = ", ".join(f"('{c}', '{d}')" for c, d in pairs)  # bench-made codes and dates
    with engine.begin() as conn:
        for table in (rollup_t, rollup_step_t):
            cols = [c.name for c in table.columns if c.name not in ("hall", "day")]
            listed = ", ".join(f's."{c}"' for c in cols)
            copy = text(
                f"INSERT INTO {table.name} (hall, day, {listed.replace('s.', '')}) "
                f"SELECT t.code, t.day, {listed} FROM {table.name} s "
                f"CROSS JOIN (VALUES {targets}) AS t(code, day) "
                "WHERE s.hall = :source AND s.day = :played"
            )
            written += conn.execute(copy, {"source": source, "played": played}).rowcount
            conn.execute(table.delete().where(table.c.hall == source, table.c.day == played))
        conn.execute(month_step_t.delete())  # each month's steps, added up from its days'
        month = "substr(day, 1, 7)"
        conn.execute(
            text(
                "INSERT INTO month_rollup_step (hall, dim, month, name, kind, step, tickets) "
                f"SELECT hall, dim, {month}, name, kind, step, sum(tickets) FROM day_rollup_step "
                f"GROUP BY hall, dim, {month}, name, kind, step"
            )
        )
    return written


def _median(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure(store: Store, period: Period, repeat: int) -> dict[str, dict[str, float]]:
    """Each breakdown's report over ``period``, and the plain read of its rows."""
    out: dict[str, dict[str, float]] = {}
    for by in By:
        dims = sorted({by.value, "hall", "window", "clerk"})
        plain = [
            select(table).where(
                table.c.hall == store.code,
                table.c.dim.in_(dims),
                table.c.day >= period.previous().first,
                table.c.day <= period.last,
            )
            for table in (rollup_t, rollup_step_t)
        ]

        def fetch(plain: list[object] = plain) -> None:
            with store.engine.connect() as conn:
                for query in plain:
                    conn.execute(query).all()  # type: ignore[call-overload]

        report_s = _median(lambda by=by: store.report(by, period), repeat)  # type: ignore[misc]
        fetch_s = _median(fetch, repeat)
        out[by.value] = {"report_s": report_s, "fetch_s": fetch_s, "ratio": report_s / fetch_s}
    return out


def _print(title: str, figures: dict[str, dict[str, float]], goal_s: float) -> bool:
    print(f"\n{title} (goal <= {goal_s:.0f} s each)")
    ok = True
    for by, f in figures.items():
        fine = f["report_s"] <= goal_s
        ok &= fine
        report_ms, fetch_ms = f["report_s"] * 1000, f["fetch_s"] * 1000
        print(
            f"  by {by:<10} {report_ms:8.1f} ms   rows read {fetch_ms:7.1f} ms"
            f"   {f['ratio']:5.1f}x   {'PASS' if fine else 'FAIL'}"
        )
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sqlite", type=Path, required=True, help="folder for the SQLite file")
    ap.add_argument("--pg", help="a PostgreSQL URL of the bench's own (emptied)")
    ap.add_argument("--days", type=int, default=250)
    ap.add_argument("--halls", type=int, default=12)
    ap.add_argument("--tickets", type=int, default=800)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--only", choices=("sqlite", "postgresql"), help="run one database's part")
    args = ap.parse_args()

    catalog = load_catalog(default_catalog_path())
    hall = load_hall_for(ROOT / "windows" / "default.yaml", catalog)
    days = _business_days(hall, PLAYED, args.days)
    year = Period(days[0], PLAYED)
    results: dict[str, object] = {"days": len(days), "tickets_per_day": args.tickets}
    ok = True

    if args.only != "postgresql":
        args.sqlite.mkdir(parents=True, exist_ok=True)
        db = args.sqlite / "reports-bench.db"
        db.unlink(missing_ok=True)
        store, played_s = play_today(f"sqlite:///{db}", hall, args.tickets)
        rows = copy_year(store.engine, hall, [hall.hall.code], days)
        print(
            f"SQLite: played {args.tickets} tickets in {played_s:.1f} s; {rows} rollup rows copied"
        )
        sqlite = measure(store, year, args.repeat)
        ok &= _print(f"SQLite, one hall, {len(days)} days", sqlite, 1.0)
        results["sqlite"] = sqlite
        store.dispose()

    if args.pg and args.only != "sqlite":
        engine = make_engine(args.pg)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        schema.upgrade(engine)
        store, played_s = play_today(args.pg, hall, args.tickets)
        codes = [hall.hall.code] + [f"h{i:02d}" for i in range(2, args.halls + 1)]
        rows = copy_year(store.engine, hall, codes, days)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))  # as autovacuum would after such a load
        print(f"\nPostgreSQL: played in {played_s:.1f} s; {rows} rollup rows ({len(codes)} halls)")
        pg = measure(store, year, args.repeat)
        ok &= _print(f"PostgreSQL, one hall of {len(codes)}, {len(days)} days", pg, 1.0)
        others = [
            Store(
                engine,
                catalog,
                hall.model_copy(update={"hall": hall.hall.model_copy(update={"code": c})}),
                keep_days=None,
            )
            for c in codes
        ]

        def all_halls() -> None:
            for s in others:
                s.report(By.HALL, year)

        every = _median(all_halls, args.repeat)
        fine = every <= 3.0
        ok &= fine
        print(f"  every hall's year report in turn: {every:.2f} s  {'PASS' if fine else 'FAIL'}")
        results["postgresql"] = pg
        results["postgresql_every_hall_s"] = every
        store.dispose()
        engine.dispose()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
