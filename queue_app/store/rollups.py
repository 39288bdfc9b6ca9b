"""Day rollups: a closed day's figures by group, written when the day closes (by hand or
by the rollover) and read by reports; a day without them (today, or one closed before
rollups existed) is tallied from its raw tickets and events with the same arithmetic."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from sqlalchemy import ColumnElement, Connection, Table, and_, delete, func, insert, select
from sqlalchemy import bindparam as bp

from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.domain.rollup import (
    COUNTS,
    LEVELS,
    OUTCOMES,
    By,
    DayEvent,
    DayRules,
    DayTally,
    DayTicket,
    Tally,
    tally_day,
)
from queue_app.store.hall_key import mine, of, params
from queue_app.store.tables import event_t, item_t, rollup_step_t, rollup_t, ticket_t

R, T, IT, E = rollup_t.c, ticket_t.c, item_t.c, event_t.c
_TICKETS = (
    select(T.id, T.prefix, T.bundle, T.matters, T.issued_at, T.started_at, T.finished_at)
    .where(mine(ticket_t), T.day == bp("day"))
    .order_by(T.id)
)
_ITEMS = (
    select(IT.ticket_id, IT.position, IT.matter, IT.outcome)
    .join(ticket_t, (T.hall == IT.hall) & (T.id == IT.ticket_id))
    .where(mine(item_t), T.day == bp("day"))
    .order_by(IT.ticket_id, IT.position)
)
_EVENTS = (
    select(E.id, E.at, E.kind, E.ticket_id, E.window, E.actor, E.detail)
    .where(mine(event_t), E.day == bp("day"))
    .order_by(E.id)
)
_DROP = delete(rollup_t).where(mine(rollup_t), R.day == bp("day"))
_DROP_STEPS = delete(rollup_step_t).where(mine(rollup_step_t), rollup_step_t.c.day == bp("day"))
_INSERT = insert(rollup_t)
_INSERT_STEPS = insert(rollup_step_t)


def rules(hall: Hall, catalog: Catalog, wait_minutes: float, end: float) -> DayRules:
    """What tallying a day of ``hall`` needs, the day ending at ``end``."""
    zone = hall.zone
    return DayRules(
        wait_target_s=wait_minutes * 60.0,
        department_of={m.code: m.department for m in catalog.matters},
        domain_of={m.code: m.domain for m in catalog.matters},
        hour_of=lambda at: dt.datetime.fromtimestamp(at, tz=zone).hour,
        end=end,
    )


def tally(conn: Connection, day: str, how: DayRules, excluded: frozenset[int]) -> DayTally:
    """The day's figures from its raw tickets and events."""
    outcomes: dict[int, dict[str, str | None]] = {}
    for r in conn.execute(_ITEMS, params(conn, day=day)):
        outcomes.setdefault(r.ticket_id, {})[r.matter] = r.outcome
    tickets = [
        DayTicket(
            id=r.id,
            prefix=r.prefix,
            bundle=r.bundle,
            matters=tuple(r.matters.split()),
            issued_at=r.issued_at,
            started_at=r.started_at,
            finished_at=r.finished_at,
            outcomes=outcomes.get(r.id, {}),
        )
        for r in conn.execute(_TICKETS, params(conn, day=day))
    ]
    events = [
        DayEvent(r.id, r.at, r.kind, r.ticket_id, r.window, r.actor, json.loads(r.detail))
        for r in conn.execute(_EVENTS, params(conn, day=day))
    ]
    return tally_day(tickets, events, how, excluded)


def write(conn: Connection, day: str, figures: DayTally) -> int:
    """Keep the day's figures (replacing any kept before); how many groups."""
    hall = of(conn)
    conn.execute(_DROP, params(conn, day=day))
    conn.execute(_DROP_STEPS, params(conn, day=day))
    rows, steps = [], []
    for (by, name), t in sorted(figures.groups.items()):
        key = {"hall": hall, "dim": by.value, "day": day, "name": name}
        rows.append({**key, **t.columns(), "balance": figures.balance if by is By.HALL else None})
        for kind, hist in t.histograms().items():
            steps += [{**key, "kind": kind, "step": s, "tickets": n} for s, n in hist.items() if n]
    if rows:
        conn.execute(_INSERT, rows)
    if steps:
        conn.execute(_INSERT_STEPS, steps)
    return len(rows)


def kept_days(conn: Connection, first: str, last: str) -> set[str]:
    """The days from ``first`` to ``last`` that have rollups."""
    found = select(R.day).where(
        R.hall == of(conn), R.dim == By.HALL.value, R.day >= first, R.day <= last
    )
    return set(conn.execute(found).scalars())


_SUMMED = [*COUNTS, *(f"{x}_{lv}" for x in ("rating", "excluded") for lv in LEVELS),
           *(f"outcome_{o}" for o in OUTCOMES), "busy_s", "open_s"]  # fmt: skip


def _in(table: Table, conn: Connection, dim: By, first: str, last: str) -> ColumnElement[bool]:
    c = table.c
    return and_(c.hall == of(conn), c.dim == dim.value, c.day >= first, c.day <= last)


def sums(conn: Connection, dim: By, first: str, last: str, steps: bool) -> dict[str, Tally]:
    """Each group of ``dim``'s kept figures summed over ``first`` to ``last`` (with their
    wait and handling histograms when ``steps``), added up by the database."""
    summed = [func.sum(R[c]).label(c) for c in _SUMMED]
    found = conn.execute(
        select(R.name, *summed).where(_in(rollup_t, conn, dim, first, last)).group_by(R.name)
    ).mappings()
    out = {r["name"]: Tally.of_columns(dict(r)) for r in found}
    if steps:
        S = rollup_step_t.c
        for name, kind, step, n in conn.execute(
            select(S.name, S.kind, S.step, func.sum(S.tickets))
            .where(_in(rollup_step_t, conn, dim, first, last))
            .group_by(S.name, S.kind, S.step)
        ):
            out.setdefault(name, Tally()).add_histogram(kind, int(step), int(n))
    return out


def days(conn: Connection, first: str, last: str) -> dict[str, tuple[Tally, float | None]]:
    """The hall's kept figures day by day (each with its own median and p90 wait)."""
    found = conn.execute(
        select(rollup_t).where(_in(rollup_t, conn, By.HALL, first, last)).order_by(R.day)
    ).mappings()
    return {r["day"]: (Tally.of_columns(dict(r)), r["balance"]) for r in found}


def months(
    conn: Connection, dims: Iterable[By], first: str, last: str
) -> dict[tuple[By, str], dict[str, Tally]]:
    """Each month's kept figures of every group of ``dims`` (the rankings)."""
    month = func.substr(R.day, 1, 7).label("month")
    summed = [func.sum(R[c]).label(c) for c in _SUMMED]
    found = conn.execute(
        select(R.dim, R.name, month, *summed)
        .where(
            R.hall == of(conn),
            R.dim.in_([d.value for d in dims]),
            R.day >= first,
            R.day <= last,
        )
        .group_by(R.dim, R.name, month)
    ).mappings()
    out: dict[tuple[By, str], dict[str, Tally]] = {}
    for r in found:
        out.setdefault((By(r["dim"]), r["month"]), {})[r["name"]] = Tally.of_columns(dict(r))
    return out


def raw_days(conn: Connection, first: str, last: str) -> list[str]:
    """The days from ``first`` to ``last`` that still have tickets or events."""
    tickets = select(T.day).where(T.hall == of(conn), T.day >= first, T.day <= last).distinct()
    events = select(E.day).where(E.hall == of(conn), E.day >= first, E.day <= last).distinct()
    return sorted(set(conn.execute(tickets).scalars()) | set(conn.execute(events).scalars()))


def raw_among(conn: Connection, candidates: Iterable[str]) -> list[str]:
    """Those of the ``candidates`` days that have tickets or events."""
    wanted = sorted(set(candidates))
    if not wanted:
        return []
    found: set[str] = set()
    for table in (ticket_t, event_t):
        c = table.c
        query = select(c.day).where(c.hall == of(conn), c.day.in_(wanted)).distinct()
        found.update(conn.execute(query).scalars())
    return sorted(found)


def purge_before(conn: Connection, day: str) -> dict[str, int]:
    """Delete the raw tickets, their items and the events of days before ``day``."""
    hall = of(conn)
    old = select(T.id).where(T.hall == hall, T.day < day)
    items = conn.execute(delete(item_t).where(IT.hall == hall, IT.ticket_id.in_(old))).rowcount
    tickets = conn.execute(delete(ticket_t).where(T.hall == hall, T.day < day)).rowcount
    events = conn.execute(delete(event_t).where(E.hall == hall, E.day < day)).rowcount
    return {"tickets": tickets, "items": items, "events": events}
