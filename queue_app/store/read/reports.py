"""Reports over any period: the kept day rollups summed by the database, plus the days
still without them (today, or days closed before rollups existed) tallied live from
their raw rows with the same arithmetic."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping

from sqlalchemy import Connection, select

from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.domain.report import Parts, Period, Report, build
from queue_app.domain.rollup import By, DayRules
from queue_app.store import rollups
from queue_app.store.hall_key import of
from queue_app.store.tables import staff_t

RulesOf = Callable[[str], DayRules]  # a day's tally rules (its end: its close, or now)
Excluded = Callable[[Connection, str], frozenset[int]]  # tickets whose rating was set aside
RANKED = (By.WINDOW, By.CLERK)


def parts(conn: Connection, by: By, period: Period, rules_of: RulesOf, excluded: Excluded) -> Parts:
    """Everything the report of ``period`` by ``by`` needs, and of the period before."""
    before = period.previous()
    now, then = (period.first, period.last), (before.first, before.last)
    p = Parts(
        now=rollups.sums(conn, by, *now, steps=True),
        before=rollups.sums(conn, by, *then, steps=False),
        days=rollups.days(conn, *now),
        months=rollups.months(conn, RANKED, *now),
    )
    if by is By.HALL:  # the hall's one line is the total (read once; live days add to both)
        p.total_now = copy.deepcopy(p.now.get("", p.total_now))
    else:
        p.total_now = rollups.sums(conn, By.HALL, *now, steps=True).get("", p.total_now)
    p.total_before = rollups.sums(conn, By.HALL, *then, steps=True).get("", p.total_before)
    kept = set(p.days) | rollups.kept_days(conn, *then)
    every = [*before.each_day(), *period.each_day()]
    for day in rollups.raw_among(conn, (d for d in every if d not in kept)):
        figures = rollups.tally(conn, day, rules_of(day), excluded(conn, day))
        p.add_day(day, figures.groups, figures.balance, by, period)
    return p


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
    gathered = parts(conn, by, period, rules_of, excluded)
    return build(hall.hall.name, by, period, gathered, labels(conn, hall, catalog))
