"""The 好差评 cases (``domain.cases``): the lists and the figures are a manager's reads (a
city account's too); each step is a manager's change, made once per Idempotency-Key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from queue_app.api_cases import (
    AppealIn,
    AssignIn,
    CaseFiguresOut,
    CaseOut,
    DecideIn,
    NoteIn,
    VisitIn,
)
from queue_app.domain.cases import Case, Show
from queue_app.server.auth import Manager
from queue_app.server.context import Svc
from queue_app.server.errors import ErrorResponse, known_query_only
from queue_app.server.idempotency import Key, Keyed
from queue_app.server.service import HallService
from queue_app.store import case_ops
from queue_app.store.staff import Session

router = APIRouter(
    prefix="/api",
    responses={s: {"model": ErrorResponse} for s in (400, 401, 403, 404, 409, 422)},
    dependencies=[Depends(known_query_only)],
)
CaseId = Annotated[int, Path(ge=1)]
Day = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")]


@router.get("/cases")
async def cases(
    svc: Svc,
    who: Manager,
    show: Annotated[Show, Query()] = Show.OPEN,
    first: Day = None,
    last: Day = None,
) -> list[CaseOut]:
    """The cases still open (``show=open``), open and past a deadline (``overdue``) or all,
    opened from ``first`` to ``last`` when given; oldest first."""
    today, found = await svc.read(case_ops.listed, svc.store, show, first, last)
    return [CaseOut.of(c, today) for c in found]


@router.get("/stats/cases")
async def case_figures(
    svc: Svc, who: Manager, first: Day = None, last: Day = None
) -> CaseFiguresOut:
    """The cases opened from ``first`` (default: the month's first day) to ``last``
    (default: today): visits and rectifications (on time), appeals, those overdue now;
    回访率 and 整改率."""
    today = svc.store.today()
    first = first or dt.date.fromisoformat(today).replace(day=1).isoformat()
    last = last or today
    figures = await svc.read(svc.store.case_figures, first, last)
    return CaseFiguresOut.of(figures, first, last)


@router.get("/cases/{case_id}")
async def case(svc: Svc, who: Manager, case_id: CaseId) -> CaseOut:
    return _out(svc)(await svc.read(case_ops.one, svc.store, case_id))


@router.post("/cases/{case_id}/assign")
async def assign_case(
    svc: Svc, who: Manager, case_id: CaseId, body: AssignIn, key: Keyed
) -> CaseOut:
    """Give the return visit (回访核实) to a manager account."""
    return await _step(svc, who, key, case_ops.assign, case_id, body.assignee)


@router.post("/cases/{case_id}/visit")
async def visit_case(svc: Svc, who: Manager, case_id: CaseId, body: VisitIn, key: Keyed) -> CaseOut:
    """The return visit's finding, and whether it calls for rectification (整改)."""
    return await _step(svc, who, key, case_ops.visit, case_id, body.result, body.rectify)


@router.post("/cases/{case_id}/rectify")
async def rectify_case(
    svc: Svc, who: Manager, case_id: CaseId, body: NoteIn, key: Keyed
) -> CaseOut:
    """What was done to put things right."""
    return await _step(svc, who, key, case_ops.rectify, case_id, body.note)


@router.post("/cases/{case_id}/feedback")
async def answer_case(svc: Svc, who: Manager, case_id: CaseId, body: NoteIn, key: Keyed) -> CaseOut:
    """What the citizen was told (反馈); the case closes."""
    return await _step(svc, who, key, case_ops.feedback, case_id, body.note)


@router.post("/cases/{case_id}/appeal")
async def appeal_case(
    svc: Svc, who: Manager, case_id: CaseId, body: AppealIn, key: Keyed
) -> CaseOut:
    """An appeal (申诉) against the rating, on the grounds given; once."""
    return await _step(svc, who, key, case_ops.appeal, case_id, body.reason)


@router.post("/cases/{case_id}/decide")
async def decide_case(
    svc: Svc, who: Manager, case_id: CaseId, body: DecideIn, key: Keyed
) -> CaseOut:
    """The review (复核) of the appeal: upheld sets the rating aside (kept in the log, out
    of the rates, a closed day's figures too) and closes the case."""
    return await _step(svc, who, key, case_ops.decide, case_id, body.upheld, body.note)


async def _step(
    svc: HallService,
    who: Session,
    key: Key | None,
    change: Callable[..., Case],
    case_id: int,
    *args: object,
) -> CaseOut:
    """One step of a case, by the signed-in manager, once per Idempotency-Key."""
    return await svc.act(key, 200, _out(svc), change, svc.store, case_id, *args, who.username)


def _out(svc: HallService) -> Callable[[Case], CaseOut]:
    def out(c: Case) -> CaseOut:
        return CaseOut.of(c, svc.store.today())

    return out
