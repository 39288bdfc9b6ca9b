"""Request and response bodies of the 好差评 cases' API (``/api/cases``), shared by the
server and the client. Instants are POSIX seconds (UTC); days are the hall's business days."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from queue_app.api_models import _In
from queue_app.domain.cases import NOTE_MOST, Case, CaseFigures, Stage, Step
from queue_app.domain.rating import RATING_LABELS

Note = Annotated[str, Field(min_length=1, max_length=NOTE_MOST)]
Decision = Literal["upheld", "rejected"]  # upheld: the rating is set aside


class AssignIn(_In):
    assignee: Annotated[str, Field(min_length=1, max_length=40)]  # a manager account


class VisitIn(_In):
    result: Note  # what the return visit found
    rectify: bool  # whether it calls for rectification


class NoteIn(_In):
    note: Note  # what was done (rectification) or said (feedback)


class AppealIn(_In):
    reason: Note


class DecideIn(_In):
    upheld: bool  # true: the rating is set aside (kept in the log, out of the rates)
    note: Note  # the review's grounds


class StepOut(BaseModel):
    note: str
    by: str
    at: float
    day: str

    @classmethod
    def of(cls, s: Step | None) -> StepOut | None:
        return cls(note=s.note, by=s.by, at=s.at, day=s.day) if s else None


class CaseOut(BaseModel):
    """A case of a poor rating, with where it stands on business day ``today``."""

    id: int
    day: str
    number: str
    window: int
    clerk: str
    level: int
    level_label: str
    opened_at: float
    stage: Stage
    visit_due: str
    fix_due: str
    assignee: str | None
    assigned: StepOut | None
    visit: StepOut | None
    fix_required: bool | None
    fix: StepOut | None
    feedback: StepOut | None
    appeal: StepOut | None
    decision: Decision | None
    decided: StepOut | None
    late: list[Stage]  # the steps past their deadline and not done, as of ``today``
    today: str
    channel: str  # how the rating came: device (评价器), status (the status page), staff (代评)
    reasons: list[str]  # the 差评 reasons picked (``domain.rating.REASON_LABELS``)

    @classmethod
    def of(cls, c: Case, today: str) -> CaseOut:
        decision: Decision | None = None
        if c.upheld is not None:
            decision = "upheld" if c.upheld else "rejected"
        return cls(
            id=c.id,
            day=c.day,
            number=c.number,
            window=c.window,
            clerk=c.clerk,
            level=c.level,
            level_label=RATING_LABELS[c.level],
            opened_at=c.opened_at,
            stage=c.stage,
            visit_due=c.visit_due,
            fix_due=c.fix_due,
            assignee=c.assignee,
            assigned=StepOut.of(c.assigned),
            visit=StepOut.of(c.visit),
            fix_required=c.fix_required,
            fix=StepOut.of(c.fix),
            feedback=StepOut.of(c.feedback),
            appeal=StepOut.of(c.appeal),
            decision=decision,
            decided=StepOut.of(c.decided),
            late=list(c.late(today)),
            today=today,
            channel=c.channel,
            reasons=list(c.reasons),
        )

    @property
    def overdue(self) -> bool:
        return bool(self.late)

    @property
    def appeal_pending(self) -> bool:
        return self.appeal is not None and self.decision is None


class CaseFiguresOut(BaseModel):
    """The cases opened from ``first`` to ``last``; the steps over those whose rating
    stands (an appeal upheld takes its case out, as it takes the rating out of 差评率)."""

    first: str
    last: str
    opened: int
    upheld: int
    appeals: int
    visited: int
    visited_on_time: int
    fix_required: int
    fixed: int
    fixed_on_time: int
    answered: int
    overdue: int  # open and past a deadline now
    visit_rate: float | None  # 回访率
    fix_rate: float | None  # 整改率

    @classmethod
    def of(cls, f: CaseFigures, first: str, last: str) -> CaseFiguresOut:
        rates: dict[str, Any] = {"visit_rate": f.visit_rate, "fix_rate": f.fix_rate}
        return cls(first=first, last=last, **asdict(f), **rates)
