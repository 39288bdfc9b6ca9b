"""Reports over any period, as figures or as the hall's workbook (a manager's, or a city
account's read)."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Response

from queue_app.domain.report import Period
from queue_app.domain.rollup import By
from queue_app.i18n import translations
from queue_app.report_models import ReportOut
from queue_app.report_workbook import MEDIA_TYPE, file_name, title, workbook
from queue_app.server.auth import Manager
from queue_app.server.context import Svc
from queue_app.server.errors import ErrorResponse, known_query_only

router = APIRouter(
    prefix="/api",
    responses={s: {"model": ErrorResponse} for s in (401, 403, 422)},
    dependencies=[Depends(known_query_only)],
)


@router.get(
    "/reports.xlsx",
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}}},
)
async def report_workbook(
    svc: Svc,
    who: Manager,
    first: Annotated[str, Query(alias="from", pattern=r"^\d{4}-\d{2}-\d{2}$")],
    last: Annotated[str, Query(alias="to", pattern=r"^\d{4}-\d{2}-\d{2}$")],
    lang: Literal["zh", "en"] = "zh",
) -> Response:
    """The period's 日报 (a day), 周报 (7 days), 月报 (a calendar month), 年报 or 报表 as
    an Excel workbook: an overview, a sheet per breakdown, the 好差评 and its rankings."""
    period = Period.of(first, last)

    def build() -> tuple[bytes, ReportOut]:
        reports = {by: ReportOut.of(svc.store.report(by, period)) for by in By}
        return workbook(reports, translations(lang).gettext), reports[By.HALL]

    data, hall = await svc.read(build)
    shown = quote(f"{title(hall, translations(lang).gettext)} {first} {last}.xlsx")
    disposition = f"attachment; filename=\"{file_name(hall)}\"; filename*=UTF-8''{shown}"
    return Response(data, media_type=MEDIA_TYPE, headers={"Content-Disposition": disposition})


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
