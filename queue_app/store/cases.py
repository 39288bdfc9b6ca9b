"""The 好差评 case repository: rows of ``rating_case`` in, ``domain.cases.Case`` out, and
the reads on them (the lists, the figures, the ratings set aside on a day)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, RowMapping, insert, select, update
from sqlalchemy import bindparam as bp

from queue_app.domain.cases import Case, CaseFigures, Show, Stage, Step, case_figures, open_case
from queue_app.domain.hall import RatingRules
from queue_app.domain.refusals import NoSuchCase
from queue_app.domain.ticket import Ticket
from queue_app.store import events
from queue_app.store.hall_key import mine, of, params
from queue_app.store.tables import case_t, event_t
from queue_app.store.uow import Tx

C, E = case_t.c, event_t.c
STEPS = ("visit", "fix", "feedback", "appeal", "decided")
_ONE = select(case_t).where(mine(case_t), C.id == bp("id"))
_SET_ASIDE = select(C.id).where(mine(case_t), C.day == bp("day"), C.upheld.is_(True))
_FINISHER = (
    select(E.actor)
    .where(mine(event_t), E.ticket_id == bp("id"), E.kind == "finished")
    .order_by(E.id.desc())
    .limit(1)
)


def _step(r: RowMapping, name: str, note: str | None = None) -> Step | None:
    if r[f"{name}_at"] is None:
        return None
    said = r[f"{name}_note"] if note is None else note
    return Step(said, r[f"{name}_by"], r[f"{name}_at"], r[f"{name}_day"])


def _case(r: RowMapping) -> Case:
    return Case(
        id=r["id"],
        day=r["day"],
        number=r["number"],
        window=r["window"],
        clerk=r["clerk"],
        level=r["level"],
        opened_at=r["opened_at"],
        visit_due=r["visit_due"],
        fix_due=r["fix_due"],
        assignee=r["assignee"],
        assigned=_step(r, "assigned", r["assignee"]),
        visit=_step(r, "visit"),
        fix_required=r["fix_required"],
        fix=_step(r, "fix"),
        feedback=_step(r, "feedback"),
        appeal=_step(r, "appeal"),
        upheld=r["upheld"],
        decided=_step(r, "decided"),
        channel=r["channel"] or "",
        reasons=tuple(r["reasons"].split()) if r["reasons"] else (),
    )


def _columns(c: Case) -> dict[str, Any]:
    """A case's mutable columns."""
    out: dict[str, Any] = {
        "stage": c.stage.value,
        "assignee": c.assignee,
        "fix_required": c.fix_required,
        "upheld": c.upheld,
    }
    steps: dict[str, Step | None] = {n: getattr(c, n) for n in STEPS}
    steps["assigned"] = c.assigned
    for name, s in steps.items():
        if name != "assigned":
            out[f"{name}_note"] = s.note if s else None
        out[f"{name}_by"] = s.by if s else None
        out[f"{name}_at"] = s.at if s else None
        out[f"{name}_day"] = s.day if s else None
    return out


def open_for(
    tx: Tx,
    t: Ticket,
    window: int,
    level: int,
    actor: str,
    rules: RatingRules,
    weekdays: Collection[int],
    channel: str,
    reasons: tuple[str, ...],
) -> Case:
    """Open the case of ticket ``t``'s rating of ``level`` (given by ``channel``, for
    ``reasons``), in the rating's transaction."""
    clerk = clerk_of(tx.conn, t.id)
    c = open_case(
        t.id, t.day, t.number, window, clerk, level, tx.now, rules, weekdays, channel, reasons
    )
    insert_case(tx.conn, c)
    log(tx, "case_opened", actor, t.day, c)
    return c


def log(tx: Tx, kind: str, actor: str, today: str, c: Case) -> None:
    """Log a change of case ``c`` (made on business day ``today``)."""
    detail = {"case": c.id, "day": c.day, "number": c.number, "stage": c.stage.value}
    events.append(tx, kind, actor, today, detail=detail)


def clerk_of(conn: Connection, ticket_id: int) -> str:
    """Who finished the ticket (served the visit rated)."""
    return str(conn.execute(_FINISHER, params(conn, id=ticket_id)).scalar() or "")


def insert_case(conn: Connection, c: Case) -> None:
    row = {
        "hall": of(conn),
        "id": c.id,
        "day": c.day,
        "number": c.number,
        "window": c.window,
        "clerk": c.clerk,
        "level": c.level,
        "opened_at": c.opened_at,
        "visit_due": c.visit_due,
        "fix_due": c.fix_due,
        "channel": c.channel,
        "reasons": " ".join(c.reasons),
        **_columns(c),
    }
    conn.execute(insert(case_t), row)


def load(conn: Connection, case_id: int, *, lock: bool = False) -> Case:
    """A case; ``lock``: its row held for this transaction (a second change waits)."""
    stmt = _ONE.with_for_update() if lock else _ONE
    row = conn.execute(stmt, params(conn, id=case_id)).mappings().first()
    if row is None:
        raise NoSuchCase(case=case_id)
    return _case(row)


def save(conn: Connection, c: Case) -> None:
    conn.execute(update(case_t).where(C.hall == of(conn), C.id == c.id).values(**_columns(c)))


def listing(
    conn: Connection, show: Show, today: str, first: str | None = None, last: str | None = None
) -> list[Case]:
    """The cases ``show`` picks (opened from ``first`` to ``last``, when given), oldest
    first; the overdue ones as of business day ``today``."""
    stmt = select(case_t).where(C.hall == of(conn))
    if show is not Show.ALL:
        stmt = stmt.where(C.stage != Stage.CLOSED.value)
    if first is not None:
        stmt = stmt.where(C.day >= first)
    if last is not None:
        stmt = stmt.where(C.day <= last)
    found = [_case(r) for r in conn.execute(stmt.order_by(C.opened_at, C.id)).mappings()]
    return [c for c in found if c.late(today)] if show is Show.OVERDUE else found


def figures(conn: Connection, first: str, last: str, today: str) -> CaseFigures:
    """The figures of the cases opened from ``first`` to ``last``, as of ``today``."""
    return case_figures(listing(conn, Show.ALL, today, first, last), today)


def set_aside(conn: Connection, day: str) -> frozenset[int]:
    """The tickets of ``day`` whose rating was set aside on appeal."""
    return frozenset(conn.execute(_SET_ASIDE, params(conn, day=day)).scalars())
