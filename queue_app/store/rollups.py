"""Day rollups: a closed day's figures by group, written when the day closes (by hand or
by the rollover) and read by reports; a day without them (today, or one closed before
rollups existed) is tallied from its raw tickets and events with the same arithmetic."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy import bindparam as bp

from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.domain.report import DayRow
from queue_app.domain.rollup import By, DayEvent, DayRules, DayTally, DayTicket, Tally, tally_day
from queue_app.store.hall_key import mine, of, params
from queue_app.store.tables import event_t, item_t, rollup_t, ticket_t

R, T, IT, E = rollup_t.c, ticket_t.c, item_t.c, event_t.c
_JSON = ("waits", "handling", "outcomes", "ratings", "excluded")
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
_INSERT = insert(rollup_t)


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
    """Keep the day's figures (replacing any kept before); how many rows."""
    hall = of(conn)
    conn.execute(_DROP, params(conn, day=day))
    rows = []
    for (by, name), t in sorted(figures.groups.items()):
        row: dict[str, Any] = {"hall": hall, "dim": by.value, "day": day, "name": name}
        row.update(t.to_row())
        for k in _JSON:
            row[k] = json.dumps(row[k], separators=(",", ":"))
        row["balance"] = figures.balance if by is By.HALL else None
        rows.append(row)
    if rows:
        conn.execute(_INSERT, rows)
    return len(rows)


def rerate(conn: Connection, day: str, figures: DayTally) -> int:
    """Put the ratings of ``figures`` (counted and set aside) into the day's kept rows,
    leaving every other figure as kept; how many rows."""
    changed = 0
    for (by, name), t in figures.groups.items():
        row = t.to_row()
        values = {k: json.dumps(row[k], separators=(",", ":")) for k in ("ratings", "excluded")}
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


def read(
    conn: Connection, dims: Iterable[By], first: str, last: str
) -> tuple[list[DayRow], dict[str, float | None]]:
    """The kept rows of groups ``dims`` from ``first`` to ``last``, and each day's balance."""
    wanted = sorted({d.value for d in dims} | {By.HALL.value})
    found = conn.execute(
        select(rollup_t).where(R.hall == of(conn), R.dim.in_(wanted), R.day >= first, R.day <= last)
    ).mappings()
    out: list[DayRow] = []
    balances: dict[str, float | None] = {}
    for r in found:
        by = By(r["dim"])
        if by is By.HALL:
            balances[r["day"]] = r["balance"]
        row = {k: (json.loads(r[k]) if k in _JSON else r[k]) for k in r}
        out.append(DayRow(r["day"], by, r["name"], Tally.from_row(row)))
    return out, balances


def live_rows(day: str, figures: DayTally, dims: Iterable[By]) -> list[DayRow]:
    """A day tallied from raw rows as report rows of groups ``dims`` (and the hall's)."""
    wanted = {*dims, By.HALL}
    return [DayRow(day, by, name, t) for (by, name), t in figures.groups.items() if by in wanted]


def raw_days(conn: Connection, first: str, last: str) -> list[str]:
    """The days from ``first`` to ``last`` that still have tickets or events."""
    tickets = select(T.day).where(T.hall == of(conn), T.day >= first, T.day <= last).distinct()
    events = select(E.day).where(E.hall == of(conn), E.day >= first, E.day <= last).distinct()
    return sorted(set(conn.execute(tickets).scalars()) | set(conn.execute(events).scalars()))


def purge_before(conn: Connection, day: str) -> dict[str, int]:
    """Delete the raw tickets, their items and the events of days before ``day``."""
    hall = of(conn)
    old = select(T.id).where(T.hall == hall, T.day < day)
    items = conn.execute(delete(item_t).where(IT.hall == hall, IT.ticket_id.in_(old))).rowcount
    tickets = conn.execute(delete(ticket_t).where(T.hall == hall, T.day < day)).rowcount
    events = conn.execute(delete(event_t).where(E.hall == hall, E.day < day)).rowcount
    return {"tickets": tickets, "items": items, "events": events}
