"""The Excel 月报 of a busy hall: the workbook of a month's reports by every breakdown,
built from their figures, against a bare XlsxWriter dump of the same numbers (one sheet a
report, no formats, no charts) timed in the same run.

    python3 bench/report_workbook.py [--tickets 800] [--runs 5]

The figures are made, not played: November 2026 and the month before, every weekday
``--tickets`` tickets of the default hall (23 windows, 46 clerks) over the real catalog's
matters, each with a wait, a handling time and (six in ten) a rating, added into day
tallies and reported through ``domain.report.build`` as the store would. Goal (issue 15):
the xlsx for a month within 2 s; the seconds are the median of the runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import statistics
import time
from collections.abc import Callable

import xlsxwriter

from queue_app.domain.report import DayRow, Period, build
from queue_app.domain.rollup import By, Tally
from queue_app.i18n import translations
from queue_app.loaders import default_catalog_path, default_hall_path, load_catalog, load_hall_for
from queue_app.report_models import FiguresOut, ReportOut
from queue_app.report_workbook import workbook

MONTH = Period.of("2026-11-01", "2026-11-30")
GOAL_S = 2.0


def _days(tickets: int, rng: random.Random) -> tuple[list[DayRow], dict[str, float | None]]:
    """The day rows of the month and the month before: every group's tally, each day."""
    catalog = load_catalog(default_catalog_path())
    hall = load_hall_for(default_hall_path(), catalog)
    matters = rng.sample(list(catalog.matters), 300)  # what a busy hall sees in a month
    windows = [w.number for w in hall.windows]
    prefixes = [c.prefix for c in hall.ticket_classes]
    rows: list[DayRow] = []
    balances: dict[str, float | None] = {}
    for day in (*MONTH.previous().each_day(), *MONTH.each_day()):
        if dt.date.fromisoformat(day).weekday() >= 5:
            continue
        tallies: dict[tuple[By, str], Tally] = {}
        for _ in range(tickets):
            m, w = rng.choice(matters), rng.choice(windows)
            groups = [
                (By.HALL, ""),
                (By.WINDOW, str(w)),
                (By.CLERK, f"c{w:02d}{rng.choice('ab')}"),
                (By.DEPARTMENT, m.department),
                (By.MATTER, m.code),
                (By.DOMAIN, m.domain),
                (By.CLASS, rng.choice(prefixes)),
                (By.HOUR, f"{rng.randint(9, 16):02d}"),
            ]
            wait, handling = int(rng.expovariate(1 / 600)), int(rng.expovariate(1 / 480))
            rating = rng.randint(1, 5) if rng.random() < 0.6 else None
            for g in groups:
                t = tallies.setdefault(g, Tally())
                t.issued += 1
                t.served += 1
                t.waits[wait] += 1
                t.within_target += wait <= 900
                t.handling[handling] += 1
                t.outcomes["completed"] += 1
                if rating:
                    t.ratings[rating] += 1
                if g[0] in (By.WINDOW, By.CLERK):
                    t.busy_s += handling + 60
                    t.open_s += 480 * 60 / tickets * len(windows)
        rows += [DayRow(day, by, key, t) for (by, key), t in tallies.items()]
        balances[day] = rng.uniform(0.05, 0.6)
    return rows, balances


def _bare(reports: dict[By, ReportOut]) -> bytes:
    """The same numbers as plain cells: the reference."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    dicts = ("outcomes", "ratings", "excluded_ratings", "proxy_ratings")
    fields = [k for k in FiguresOut.model_fields if k not in dicts]
    for by, r in reports.items():
        ws = wb.add_worksheet(by.value)
        for i, line in enumerate([*r.lines, r.total]):
            ws.write_string(i, 0, line.label)
            for j, k in enumerate(fields):
                ws.write(i, j + 1, getattr(line.now, k))
    wb.close()
    return out.getvalue()


def _median_s(fn: Callable[[], bytes], runs: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(runs):
        a = time.perf_counter()
        size = len(fn())
        times.append(time.perf_counter() - a)
    return statistics.median(times), size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=800, help="tickets a weekday")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    rows, balances = _days(args.tickets, random.Random(15))
    labels: dict[By, dict[str, str]] = {}
    reports = {
        by: ReportOut.of(build("综合政务服务大厅", by, MONTH, rows, balances, labels)) for by in By
    }
    say = translations("zh").gettext
    workbook(reports, say)  # warm-up: imports, the catalog's first read
    built, size = _median_s(lambda: workbook(reports, say), args.runs)
    bare, bare_size = _median_s(lambda: _bare(reports), args.runs)
    groups = {by.value: len(r.lines) for by, r in reports.items()}
    print(f"a month of {args.tickets} tickets a weekday; groups: {groups}")
    print(f"bare dump (reference): {bare:6.3f} s  {bare_size / 1024:6.0f} KiB")
    print(f"月报 workbook:         {built:6.3f} s  {size / 1024:6.0f} KiB  ({built / bare:.1f}x)")
    print(f"goal {GOAL_S:.0f} s: {'met' if built <= GOAL_S else 'MISSED'}")


if __name__ == "__main__":
    main()
