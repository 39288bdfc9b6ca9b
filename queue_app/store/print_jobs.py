"""The print jobs (the outbox of the slip printers) and the printers' states.

A job is written in the transaction that issues its ticket (or asks for a reprint), so a
slip is never lost to a crash and never queued twice. One server process at a time holds a
printer (a lease on its state row, taken ``FOR UPDATE SKIP LOCKED`` on PostgreSQL), and
prints its jobs one after another in the order they were queued: several processes never
print one job twice, nor a printer's slips out of order. A job is marked printed after the
printer took it; a process that dies between the two prints that slip again when the
lease passes to another (at least once, never lost).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy import bindparam as bp

from queue_app.domain.printer_device import PrinterStatus
from queue_app.domain.ticket import Ticket
from queue_app.store import events
from queue_app.store.hall_key import mine, of, params
from queue_app.store.tables import print_job_t, printer_state_t
from queue_app.store.uow import Tx

J = print_job_t.c
P = printer_state_t.c
# event kinds: a slip printed, a printer's state changed, a reprint asked for
PRINTED, PRINTER_STATE, QUEUED = "slip_printed", "printer_state", "slip_requested"
ERROR_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Job:
    ticket_id: int
    copy_no: int
    day: str
    number: str
    printer: str
    station: str | None
    queued_at: float
    attempts: int


@dataclass(frozen=True, slots=True)
class PrinterState:
    printer: str
    status: PrinterStatus
    detail: str
    changed_at: float | None
    waiting: int  # today's slips not yet printed
    last_printed_at: float | None


def _job(row: Any) -> Job:
    return Job(
        row.ticket_id,
        row.copy_no,
        row.day,
        row.number,
        row.printer,
        row.station,
        row.queued_at,
        row.attempts,
    )


_TOP_COPY = select(func.max(J.copy_no)).where(mine(print_job_t), J.ticket_id == bp("tid"))
_INSERT = insert(print_job_t)  # statements built once: an issue pays only their execution


def enqueue(
    tx: Tx, ticket: Ticket, printer: str, station: str | None, *, first: bool = False
) -> Job:
    """Queue a slip of ``ticket`` at ``printer``: its first (``first``: a ticket issued
    in this transaction), or the next copy (a reprint)."""
    top = 0 if first else tx.conn.execute(_TOP_COPY, params(tx.conn, tid=ticket.id)).scalar()
    job = Job(ticket.id, int(top or 0) + 1, ticket.day, ticket.number, printer, station, tx.now, 0)
    tx.conn.execute(
        _INSERT,
        {
            "hall": tx.hall,
            "ticket_id": job.ticket_id,
            "copy_no": job.copy_no,
            "day": job.day,
            "number": job.number,
            "printer": printer,
            "station": station,
            "queued_at": tx.now,
            "attempts": 0,
            "printed_at": None,
            "last_error": None,
        },
    )
    return job


def hold(tx: Tx, printer: str, owner: str, lease_s: float) -> bool:
    """Take or renew ``owner``'s lease on ``printer``; False while another process holds
    it. On PostgreSQL the state row is locked ``SKIP LOCKED``: a process renewing its lease
    at the same instant makes this one wait its turn, not block."""
    stmt = select(printer_state_t).where(P.hall == tx.hall, P.printer == printer)
    if tx.dialect != "sqlite":
        stmt = stmt.with_for_update(skip_locked=True)
    row = tx.conn.execute(stmt).one_or_none()
    if row is None:
        exists = tx.conn.execute(
            select(P.printer).where(P.hall == tx.hall, P.printer == printer)
        ).first()
        if exists is not None:  # locked by another process's worker
            return False
        tx.conn.execute(
            insert(printer_state_t).values(
                hall=tx.hall,
                printer=printer,
                state=PrinterStatus.UNKNOWN.value,
                detail="",
                changed_at=tx.now,
                owner=owner,
                lease_until=tx.now + lease_s,
            )
        )
        return True
    if row.owner not in (None, owner) and (row.lease_until or 0) > tx.now:
        return False
    tx.conn.execute(
        update(printer_state_t)
        .where(P.hall == tx.hall, P.printer == printer)
        .values(owner=owner, lease_until=tx.now + lease_s)
    )
    return True


def release(tx: Tx, printer: str, owner: str) -> None:
    """Give ``printer`` up (the process stops): another may take it at once."""
    tx.conn.execute(
        update(printer_state_t)
        .where(P.hall == tx.hall, P.printer == printer, P.owner == owner)
        .values(owner=None, lease_until=None)
    )


def next_job(conn: Connection, printer: str, day: str) -> Job | None:
    """The oldest of ``day``'s slips at ``printer`` not yet printed (an earlier day's are
    left: a slip of a day gone by is no use to anyone)."""
    row = conn.execute(
        select(print_job_t)
        .where(
            J.hall == of(conn),
            J.printer == printer,
            J.printed_at.is_(None),
            J.day == day,
        )
        .order_by(J.queued_at, J.ticket_id, J.copy_no)
        .limit(1)
    ).one_or_none()
    return None if row is None else _job(row)


def _where(tx: Tx, job: Job) -> Any:
    return (J.hall == tx.hall, J.ticket_id == job.ticket_id, J.copy_no == job.copy_no)


def printed(tx: Tx, job: Job, actor: str) -> None:
    """``job`` went to its printer: done, and its printer online."""
    tx.conn.execute(
        update(print_job_t)
        .where(*_where(tx, job))
        .values(printed_at=tx.now, attempts=job.attempts + 1, last_error=None)
    )
    events.append(
        tx,
        PRINTED,
        actor,
        job.day,
        detail={"printer": job.printer, "copy_no": job.copy_no, "number": job.number},
    )
    set_state(tx, job.printer, PrinterStatus.ONLINE, "", actor, job.day)


def dropped(tx: Tx, job: Job, detail: str, actor: str) -> None:
    """``job`` cannot be printed (its slip cannot be made): set aside, not to hold up the
    printer's queue."""
    tx.conn.execute(
        update(print_job_t)
        .where(*_where(tx, job))
        .values(printed_at=tx.now, attempts=job.attempts + 1, last_error=detail[:ERROR_LENGTH])
    )


def failed(tx: Tx, job: Job, status: PrinterStatus, detail: str, actor: str) -> None:
    """``job`` did not print: counted, and its printer's state recorded."""
    tx.conn.execute(
        update(print_job_t)
        .where(*_where(tx, job))
        .values(attempts=job.attempts + 1, last_error=detail[:ERROR_LENGTH])
    )
    set_state(tx, job.printer, status, detail, actor, job.day)


def set_state(
    tx: Tx, printer: str, status: PrinterStatus, detail: str, actor: str, day: str
) -> None:
    """Record ``printer``'s state; a change is logged (``printer_state``: terminals fetch
    the printers again)."""
    detail = detail[:ERROR_LENGTH]
    row = tx.conn.execute(
        select(P.state, P.detail).where(P.hall == tx.hall, P.printer == printer)
    ).one_or_none()
    if row is None:
        tx.conn.execute(
            insert(printer_state_t).values(
                hall=tx.hall, printer=printer, state=status.value, detail=detail, changed_at=tx.now
            )
        )
    elif row.state == status.value and row.detail == detail:
        return
    else:
        tx.conn.execute(
            update(printer_state_t)
            .where(P.hall == tx.hall, P.printer == printer)
            .values(state=status.value, detail=detail, changed_at=tx.now)
        )
    if row is None or row.state != status.value:
        events.append(
            tx,
            PRINTER_STATE,
            actor,
            day,
            detail={"printer": printer, "state": status.value, "detail": detail},
        )


def states(conn: Connection, printers: Sequence[str], day: str) -> list[PrinterState]:
    """Each of ``printers`` (the hall file's, in its order) as last found, with its slips
    of ``day`` waiting."""
    hall = of(conn)
    rows = {r.printer: r for r in conn.execute(select(printer_state_t).where(P.hall == hall)).all()}
    waiting: dict[str, int] = dict(
        conn.execute(
            select(J.printer, func.count())
            .where(J.hall == hall, J.day == day, J.printed_at.is_(None))
            .group_by(J.printer)
        ).all()
    )
    last = dict(
        conn.execute(
            select(J.printer, func.max(J.printed_at))
            .where(J.hall == hall, J.day == day)
            .group_by(J.printer)
        ).all()
    )
    out = []
    for name in printers:
        r = rows.get(name)
        out.append(
            PrinterState(
                name,
                PrinterStatus(r.state) if r is not None else PrinterStatus.UNKNOWN,
                r.detail if r is not None else "",
                r.changed_at if r is not None else None,
                int(waiting.get(name, 0)),
                last.get(name),
            )
        )
    return out


def jobs_of(conn: Connection, ticket_id: int) -> list[Job]:
    rows = conn.execute(
        select(print_job_t).where(J.hall == of(conn), J.ticket_id == ticket_id).order_by(J.copy_no)
    ).all()
    return [_job(r) for r in rows]


def purge_before(conn: Connection, day: str) -> int:
    """Delete the jobs of days before ``day`` (with their tickets' raw rows)."""
    done = conn.execute(delete(print_job_t).where(J.hall == of(conn), J.day < day))
    return int(done.rowcount or 0)
