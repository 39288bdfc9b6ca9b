"""好差评 cases (国办发〔2019〕51号): every 不满意 or 非常不满意 rating opens one. A manager is
assigned its 回访核实 (return visit), due within the hall's ``visit_days`` working days; the
visit says whether 整改 (rectification) is needed, due within ``fix_days`` working days of
the rating; 反馈 (the answer to the citizen) closes the case. The rated side may appeal
(申诉); a review (复核) that upholds the appeal sets the rating aside (kept in the log, left
out of the rates) and closes the case. Every step keeps what, who and when. Pure rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from queue_app.domain.errors import N_, Text
from queue_app.domain.hall import RatingRules
from queue_app.domain.refusals import (
    AppealDecided,
    AppealExists,
    CaseClosed,
    CaseStepDone,
    CaseStepFirst,
    NoAppeal,
    NoteRequired,
    NothingToRectify,
)
from queue_app.domain.rollup import BAD_LEVELS

NOTE_MOST = 500  # characters of a step's note


class Stage(StrEnum):
    """Where a case stands: the step it waits for, or closed."""

    VISIT = "visit"  # 待回访核实
    RECTIFY = "rectify"  # 待整改
    FEEDBACK = "feedback"  # 待反馈
    CLOSED = "closed"  # 已办结: the citizen answered, or the rating set aside


class Show(StrEnum):
    """Which cases a list holds."""

    OPEN = "open"
    OVERDUE = "overdue"  # open, and a step past its deadline
    ALL = "all"


VISIT, RECTIFY, FEEDBACK = Text(N_("return visit")), Text(N_("rectification")), Text(N_("feedback"))


@dataclass(frozen=True, slots=True)
class Step:
    """Something done on a case: what (a note), who, and when (instant and business day)."""

    note: str
    by: str
    at: float
    day: str


@dataclass(frozen=True, slots=True)
class Case:
    """The case of one poor rating (one per rated ticket: its id is the ticket's)."""

    id: int
    day: str  # the ticket's business day
    number: str
    window: int
    clerk: str  # who served the visit (finished the ticket)
    level: int
    opened_at: float
    visit_due: str  # the last business day for the return visit
    fix_due: str  # the last business day for the rectification, if one is needed
    assignee: str | None = None  # the manager who is to visit
    assigned: Step | None = None  # its note: the assignee
    visit: Step | None = None
    fix_required: bool | None = None  # what the visit found (None: no visit yet)
    fix: Step | None = None
    feedback: Step | None = None
    appeal: Step | None = None
    upheld: bool | None = None  # the review's decision (None: not decided)
    decided: Step | None = None
    channel: str = ""  # device, status, staff (代评); "" for a rating logged before 0010
    reasons: tuple[str, ...] = ()  # the 差评 reasons picked (``domain.rating``)

    @property
    def set_aside(self) -> bool:
        """The rating was shown mistaken: it stays in the log but leaves the rates."""
        return self.upheld is True

    @property
    def stage(self) -> Stage:
        if self.set_aside or self.feedback is not None:
            return Stage.CLOSED
        if self.visit is None:
            return Stage.VISIT
        if self.fix_required and self.fix is None:
            return Stage.RECTIFY
        return Stage.FEEDBACK

    @property
    def appeal_pending(self) -> bool:
        return self.appeal is not None and self.upheld is None

    def late(self, today: str) -> tuple[Stage, ...]:
        """The steps not done by their deadline, as of business day ``today``."""
        if self.stage is Stage.CLOSED:
            return ()
        out = []
        if self.visit is None and today > self.visit_due:
            out.append(Stage.VISIT)
        if self.fix_required and self.fix is None and today > self.fix_due:
            out.append(Stage.RECTIFY)
        return tuple(out)

    @property
    def visited_on_time(self) -> bool:
        return self.visit is not None and self.visit.day <= self.visit_due

    @property
    def fixed_on_time(self) -> bool:
        return self.fix is not None and self.fix.day <= self.fix_due


def opens_case(level: int) -> bool:
    """Whether a rating of ``level`` opens a case (不满意, 非常不满意)."""
    return level in BAD_LEVELS


def working_days_after(day: str, days: int, weekdays: Collection[int]) -> str:
    """The ``days``-th working day after ``day``; working days are the ``weekdays`` (ISO,
    Monday 1) the hall opens on."""
    if not weekdays:
        raise ValueError("a hall opens on at least one weekday")
    d = dt.date.fromisoformat(day)
    left = days
    while left > 0:
        d += dt.timedelta(days=1)
        if d.isoweekday() in weekdays:
            left -= 1
    return d.isoformat()


def open_case(
    id: int,
    day: str,
    number: str,
    window: int,
    clerk: str,
    level: int,
    now: float,
    rules: RatingRules,
    weekdays: Collection[int],
    channel: str = "",
    reasons: tuple[str, ...] = (),
) -> Case:
    """The case a poor rating of ticket ``number`` of ``day`` opens at ``now`` (given by
    ``channel``, for ``reasons``)."""
    return Case(
        id=id,
        day=day,
        number=number,
        window=window,
        clerk=clerk,
        level=level,
        opened_at=now,
        visit_due=working_days_after(day, rules.visit_days, weekdays),
        fix_due=working_days_after(day, rules.fix_days, weekdays),
        channel=channel,
        reasons=reasons,
    )


def _note(text: str, field: str) -> str:
    note = text.strip()
    if not 1 <= len(note) <= NOTE_MOST:
        raise NoteRequired(most=NOTE_MOST, field=field)
    return note


def _open(c: Case) -> None:
    if c.stage is Stage.CLOSED:
        raise CaseClosed(number=c.number, day=c.day)


def assign(c: Case, assignee: str, by: str, now: float, today: str) -> Case:
    """Give the return visit to the manager ``assignee`` (again: to another)."""
    _open(c)
    return replace(c, assignee=assignee, assigned=Step(assignee, by, now, today))


def record_visit(c: Case, result: str, rectify: bool, by: str, now: float, today: str) -> Case:
    """The return visit's finding, and whether it calls for rectification."""
    _open(c)
    if c.visit is not None:
        raise CaseStepDone(step=VISIT, number=c.number, day=c.day)
    return replace(c, visit=Step(_note(result, "result"), by, now, today), fix_required=rectify)


def record_fix(c: Case, done: str, by: str, now: float, today: str) -> Case:
    """What was done to put things right."""
    _open(c)
    if c.visit is None:
        raise CaseStepFirst(step=VISIT, number=c.number, day=c.day)
    if not c.fix_required:
        raise NothingToRectify(number=c.number, day=c.day)
    if c.fix is not None:
        raise CaseStepDone(step=RECTIFY, number=c.number, day=c.day)
    return replace(c, fix=Step(_note(done, "note"), by, now, today))


def record_feedback(c: Case, said: str, by: str, now: float, today: str) -> Case:
    """What the citizen was told; the case closes."""
    if c.feedback is not None:
        raise CaseStepDone(step=FEEDBACK, number=c.number, day=c.day)
    _open(c)
    if c.visit is None:
        raise CaseStepFirst(step=VISIT, number=c.number, day=c.day)
    if c.fix_required and c.fix is None:
        raise CaseStepFirst(step=RECTIFY, number=c.number, day=c.day)
    return replace(c, feedback=Step(_note(said, "note"), by, now, today))


def raise_appeal(c: Case, reason: str, by: str, now: float, today: str) -> Case:
    """An appeal against the rating (once), on the grounds given."""
    if c.appeal is not None:
        raise AppealExists(number=c.number, day=c.day)
    return replace(c, appeal=Step(_note(reason, "reason"), by, now, today))


def decide(c: Case, upheld: bool, grounds: str, by: str, now: float, today: str) -> Case:
    """The review of the appeal: upheld sets the rating aside and closes the case."""
    if c.appeal is None:
        raise NoAppeal(number=c.number, day=c.day)
    if c.upheld is not None:
        raise AppealDecided(number=c.number, day=c.day)
    return replace(c, upheld=upheld, decided=Step(_note(grounds, "note"), by, now, today))


@dataclass(frozen=True, slots=True)
class CaseFigures:
    """The cases opened in a period. The steps are counted over the cases whose rating
    stands (an appeal upheld takes its case out of the rates, as it takes the rating out of
    差评率); ``overdue``: open cases past a deadline now."""

    opened: int = 0
    upheld: int = 0
    appeals: int = 0
    visited: int = 0
    visited_on_time: int = 0
    fix_required: int = 0
    fixed: int = 0
    fixed_on_time: int = 0
    answered: int = 0  # 反馈 given
    overdue: int = 0

    @property
    def standing(self) -> int:
        return self.opened - self.upheld

    @property
    def visit_rate(self) -> float | None:
        """回访率: cases visited over the cases whose rating stands."""
        return self.visited / self.standing if self.standing else None

    @property
    def fix_rate(self) -> float | None:
        """整改率: cases rectified over those whose visit called for it."""
        return self.fixed / self.fix_required if self.fix_required else None


def case_figures(cases: Iterable[Case], today: str) -> CaseFigures:
    """The figures of ``cases`` as of business day ``today``."""
    n: dict[str, int] = dict.fromkeys(CaseFigures.__dataclass_fields__, 0)
    for c in cases:
        n["opened"] += 1
        n["appeals"] += c.appeal is not None
        n["overdue"] += bool(c.late(today))
        if c.set_aside:
            n["upheld"] += 1
            continue
        n["visited"] += c.visit is not None
        n["visited_on_time"] += c.visited_on_time
        n["fix_required"] += bool(c.fix_required)
        n["fixed"] += c.fix is not None
        n["fixed_on_time"] += c.fixed_on_time
        n["answered"] += c.feedback is not None
    return CaseFigures(**n)
