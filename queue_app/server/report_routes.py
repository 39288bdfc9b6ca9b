"""Reports over any period (a manager's, or a city account's read)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from queue_app.domain.report import Period
from queue_app.domain.rollup import By
from queue_app.report_models import ReportOut
from queue_app.server.auth import Manager
from queue_app.server.context import Svc
from queue_app.server.errors import ErrorResponse, known_query_only

router = APIRouter(
    prefix="/api",
    responses={s: {"model": ErrorResponse} for s in (401, 403, 422)},
    dependencies=[Depends(known_query_only)],
)


@router.get("/reports/{by}")
async def report(
    svc: Svc,
    who: Manager,
    by: By,
    first: Annotated[str, Query(alias="from", pattern=r"^\d{4}-\d{2}-\d{2}$")],
    last: Annotated[str, Query(alias="to", pattern=r"^\d{4}-\d{2}-\d{2}$")],
) -> ReportOut:
    """The period's figures by ``by`` (hall, window, clerk, department, matter, domain,
    class, hour), each against the period of as many days before it; the hall's trend day
    by day with its 忙闲均衡度; each month's ranking of windows and clerks by 满意率."""
    period = Period.of(first, last)
    return ReportOut.of(await svc.read(svc.store.report, by, period))
