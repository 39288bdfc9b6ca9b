"""The slip printers: their states (a desk's and a manager's read) and reprints."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from queue_app.api_printing import PrinterOut, PrintJobOut, ReprintIn
from queue_app.domain.refusals import NoPrinterHere
from queue_app.server.auth import Desk
from queue_app.server.context import Svc
from queue_app.server.errors import ErrorResponse, known_query_only
from queue_app.server.idempotency import Keyed
from queue_app.store.print_jobs import Job

router = APIRouter(
    prefix="/api",
    responses={s: {"model": ErrorResponse} for s in (400, 401, 403, 404, 409, 422)},
    dependencies=[Depends(known_query_only)],
)


@router.get("/printers")
async def printers(svc: Svc, who: Desk) -> list[PrinterOut]:
    """Each slip printer of the hall file as its worker last found it (online, offline,
    out of paper, unknown before its first slip), with today's slips waiting; a
    ``printer_changed`` event says when to fetch them again."""
    hall = svc.store.hall
    found = await svc.read(svc.store.printer_states)
    return [
        PrinterOut(
            name=p.printer,
            device=hall.printers[p.printer].device,
            paper=hall.printers[p.printer].paper,
            state=p.status.value,
            detail=p.detail,
            changed_at=p.changed_at,
            waiting=p.waiting,
            last_printed_at=p.last_printed_at,
            stations=[s.name for s in hall.stations if s.printer == p.printer],
        )
        for p in found
    ]


def _job_out(job: Job) -> PrintJobOut:
    return PrintJobOut(
        number=job.number, copy_no=job.copy_no, printer=job.printer, queued_at=job.queued_at
    )


@router.post("/tickets/{number}/print", status_code=201)
async def reprint(
    svc: Svc, who: Desk, number: str, key: Keyed, body: ReprintIn | None = None
) -> PrintJobOut:
    """Print today's ticket ``number``'s slip again: at the named printer, else at the
    printer of the session's station (409 if it has none). The slip is queued like a new
    one's (its figures as of when it prints)."""
    printer = body.printer if body is not None and body.printer else None
    printer = printer or svc.store.printer_of(who.station)
    if printer is None:
        raise NoPrinterHere()
    return await svc.act(
        key,
        201,
        _job_out,
        svc.store.reprint,
        number,
        printer,
        station=who.station,
        actor=who.username,
    )
