"""Reports over any period: the kept day rollups, plus the days still without them
(today, or days closed before rollups existed) tallied live from their raw rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import Connection, select

from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.domain.report import DayRow, Period, Report, build
from queue_app.domain.rollup import By, DayRules
from queue_app.store import rollups
from queue_app.store.hall_key import of
from queue_app.store.tables import staff_t

RulesOf = Callable[[str], DayRules]  # a day's tally rules (its end: its close, or now)
Excluded = Callable[[Connection, str], frozenset[int]]  # tickets whose rating was set aside


def rows_of(
    conn: Connection,
    dims: set[By],
    first: str,
    last: str,
    rules_of: RulesOf,
    excluded: Excluded,
) -> tuple[list[DayRow], dict[str, float | None]]:
    """Every day's rows of groups ``dims`` (and the hall's) from ``first`` to ``last``."""
    rows, balances = rollups.read(conn, dims, first, last)
    kept = set(balances)
    for day in rollups.raw_days(conn, first, last):
        if day in kept:
            continue
        figures = rollups.tally(conn, day, rules_of(day), excluded(conn, day))
        rows += rollups.live_rows(day, figures, dims)
        balances[day] = figures.balance
    return rows, balances


def labels(conn: Connection, hall: Hall, catalog: Catalog) -> dict[By, Mapping[str, str]]:
    """What each group is called on a report."""
    clerks = conn.execute(
        select(staff_t.c.username, staff_t.c.full_name).where(staff_t.c.hall == of(conn))
    ).all()
    return {
        By.HALL: {"": hall.hall.name},
        By.WINDOW: {str(w.number): f"{w.number} {w.name}" for w in hall.windows},
        By.CLERK: {u: (f"{n}（{u}）" if n else u) for u, n in clerks},
        By.DEPARTMENT: {d.code: d.name for d in catalog.departments},
        By.MATTER: {m.code: m.name for m in catalog.matters},
        By.CLASS: {c.prefix: f"{c.prefix} {c.name}" for c in hall.ticket_classes},
        By.HOUR: {f"{h:02d}": f"{h:02d}:00" for h in range(24)},
    }


def report(
    conn: Connection,
    hall: Hall,
    catalog: Catalog,
    by: By,
    period: Period,
    rules_of: RulesOf,
    excluded: Excluded,
) -> Report:
    """The report of ``period`` by ``by``, with the period before it."""
    before = period.previous()
    rows, balances = rows_of(
        conn, {by, By.WINDOW, By.CLERK}, before.first, period.last, rules_of, excluded
    )
    return build(hall.hall.name, by, period, rows, balances, labels(conn, hall, catalog))
