"""Day rollups: a closed day's figures by group, written when the day closes (by hand or
by the rollover) and read by reports; a day without them (today, or one closed before
rollups existed) is tallied from its raw tickets and events with the same arithmetic."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Table,
    and_,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy import bindparam as bp
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

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
from queue_app.store.tables import (
    event_t,
    item_t,
    month_step_t,
    rollup_step_t,
    rollup_t,
    ticket_t,
)

R, T, IT, E = rollup_t.c, ticket_t.c, item_t.c, event_t.c
_TICKETS = (
    select(
        T.id,
        T.prefix,
        T.bundle,
        T.matters,
        T.issued_at,
        T.started_at,
        T.finished_at,
        T.handled_before,
    )
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
            handled_before=r.handled_before,
        )
        for r in conn.execute(_TICKETS, params(conn, day=day))
    ]
    events = [
        DayEvent(r.id, r.at, r.kind, r.ticket_id, r.window, r.actor, _detail(r.kind, r.detail))
        for r in conn.execute(_EVENTS, params(conn, day=day))
    ]
    return tally_day(tickets, events, how, excluded)


def _detail(kind: str, detail: str) -> dict[str, Any]:
    """An event's detail as the tally reads it: a rating's level, nothing of the others."""
    return json.loads(detail) if kind == "rated" else {}


def write(conn: Connection, day: str, figures: DayTally) -> int:
    """Keep the day's figures (replacing any kept before); how many groups."""
    hall = of(conn)
    conn.execute(_DROP, params(conn, day=day))
    replaced = conn.execute(_DROP_STEPS, params(conn, day=day)).rowcount
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
    if replaced:
        _month_again(conn, day[:7])
    elif steps:
        _add_to_month(conn, day[:7], steps)
    return len(rows)


_MONTH_KEY = ("hall", "dim", "month", "name", "kind", "step")


def _add_to_month(conn: Connection, month: str, steps: list[dict[str, Any]]) -> None:
    """Add a newly kept day's histogram steps to its month's."""
    made = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(month_step_t)
    upsert = made.on_conflict_do_update(
        index_elements=list(_MONTH_KEY),
        set_={"tickets": month_step_t.c.tickets + made.excluded.tickets},
    )
    rows = [{**{k: s[k] for k in s if k != "day"}, "month": month} for s in steps]
    conn.execute(upsert, rows)


def _month_again(conn: Connection, month: str) -> None:
    """A month's steps added up anew from its days' (after a day was kept again)."""
    M, S = month_step_t.c, rollup_step_t.c
    conn.execute(delete(month_step_t).where(M.hall == of(conn), M.month == month))
    in_month = func.substr(S.day, 1, 7)
    summed = (
        select(S.hall, S.dim, in_month, S.name, S.kind, S.step, func.sum(S.tickets))
        .where(S.hall == of(conn), in_month == month)
        .group_by(S.hall, S.dim, in_month, S.name, S.kind, S.step)
    )
    conn.execute(insert(month_step_t).from_select([*_MONTH_KEY, "tickets"], summed))


def rerate(conn: Connection, day: str, figures: DayTally) -> int:
    """Put the ratings of ``figures`` (counted and set aside) into the day's kept rows,
    leaving every other figure as kept; how many rows."""
    changed = 0
    rated = [f"{x}_{lv}" for x in ("rating", "excluded", "proxy") for lv in LEVELS]
    for (by, name), t in figures.groups.items():
        columns = t.columns()
        values = {k: columns[k] for k in rated}
        changed += conn.execute(
            update(rollup_t)
            .where(R.hall == of(conn), R.dim == by.value, R.day == day, R.name == name)
            .values(**values)
        ).rowcount
    return changed


def kept_days(conn: Connection, first: str, last: str) -> set[str]:
    """The days from ``first`` to ``last`` that have rollups."""
    found = select(R.day).where(
        R.hall == of(conn), R.dim == By.HALL.value, R.day >= first, R.day <= last
    )
    return set(conn.execute(found).scalars())


_SUMMED = [*COUNTS, *(f"{x}_{lv}" for x in ("rating", "excluded", "proxy") for lv in LEVELS),
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
        for name, kind, step, n in _steps(conn, dim, first, last):
            out.setdefault(name, Tally()).add_histogram(kind, int(step), int(n))
    return out


def _steps(conn: Connection, dim: By, first: str, last: str) -> list[Row[Any, Any, Any, Any]]:
    """The histogram steps of ``dim``'s groups from ``first`` to ``last``, summed: whole
    months from their month rows, the days at either end from the days' own."""
    whole, ends = split_months(first, last)
    found: list[Row[Any, Any, Any, Any]] = []
    if whole:
        M = month_step_t.c
        found += conn.execute(
            select(M.name, M.kind, M.step, func.sum(M.tickets))
            .where(M.hall == of(conn), M.dim == dim.value, M.month.in_(whole))
            .group_by(M.name, M.kind, M.step)
        ).all()
    S = rollup_step_t.c
    for a, b in ends:
        found += conn.execute(
            select(S.name, S.kind, S.step, func.sum(S.tickets))
            .where(_in(rollup_step_t, conn, dim, a, b))
            .group_by(S.name, S.kind, S.step)
        ).all()
    return found


def split_months(first: str, last: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Days ``first`` to ``last`` as the whole months within them (``YYYY-MM``) and the
    day ranges left at either end."""
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    whole: list[str] = []
    m = start if start.day == 1 else _next_month(start)
    while _next_month(m) - dt.timedelta(days=1) <= end:
        whole.append(m.isoformat()[:7])
        m = _next_month(m)
    if not whole:
        return [], [(first, last)]
    ends = []
    head_end = dt.date.fromisoformat(whole[0] + "-01") - dt.timedelta(days=1)
    if start <= head_end:
        ends.append((first, head_end.isoformat()))
    tail_start = _next_month(dt.date.fromisoformat(whole[-1] + "-01"))
    if tail_start <= end:
        ends.append((tail_start.isoformat(), last))
    return whole, ends


def _next_month(d: dt.date) -> dt.date:
    return (d.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


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
