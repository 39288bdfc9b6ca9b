"""The 好差评 case rules (pure): deadlines in working days, the order of the steps, what is
late, the figures; the hall file's deadlines validated with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from queue_app.domain import cases as rules
from queue_app.domain.cases import Case, Stage, case_figures, working_days_after
from queue_app.domain.errors import Refused
from queue_app.domain.hall import RatingRules
from queue_app.loaders import LoadError, load_hall
from tests.conftest import FIXTURES

WEEKDAYS = (1, 2, 3, 4, 5)
MON = "2026-11-23"


def test_working_days_skip_the_days_the_hall_is_shut() -> None:
    assert working_days_after(MON, 1, WEEKDAYS) == "2026-11-24"
    assert working_days_after("2026-11-27", 1, WEEKDAYS) == "2026-11-30"  # Fri → Mon
    assert working_days_after(MON, 15, WEEKDAYS) == "2026-12-14"  # three weeks less a day
    assert working_days_after("2026-11-28", 1, WEEKDAYS) == "2026-11-30"  # a Saturday rating
    assert working_days_after("2026-11-27", 1, (1, 2, 3, 4, 5, 6)) == "2026-11-28"
    with pytest.raises(ValueError):
        working_days_after(MON, 1, ())


def opened(level: int = 1) -> Case:
    return rules.open_case(7, MON, "A007", 3, "wang", level, 100.0, RatingRules(), WEEKDAYS)


def code(act) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(Refused) as e:
        act()
    return e.value.code


def test_only_a_poor_rating_opens_a_case() -> None:
    assert [lv for lv in range(1, 6) if rules.opens_case(lv)] == [1, 2]
    c = opened()
    assert (c.stage, c.visit_due, c.fix_due, c.assignee) == (
        Stage.VISIT, "2026-11-24", "2026-12-14", None,
    )  # fmt: skip


def test_the_steps_come_in_order_each_once() -> None:
    c = opened()
    assert code(lambda: rules.record_fix(c, "x", "m", 1.0, MON)) == "case_step_first"
    assert code(lambda: rules.record_feedback(c, "x", "m", 1.0, MON)) == "case_step_first"
    assert code(lambda: rules.record_visit(c, " ", True, "m", 1.0, MON)) == "note_required"
    assert code(lambda: rules.record_visit(c, "x" * 501, True, "m", 1.0, MON)) == "note_required"
    c = rules.assign(c, "boss", "zhang", 1.0, MON)
    c = rules.record_visit(c, " 属实 ", True, "boss", 2.0, MON)
    assert c.visit is not None and c.visit.note == "属实" and c.stage is Stage.RECTIFY
    assert code(lambda: rules.record_visit(c, "x", True, "m", 1.0, MON)) == "case_step_done"
    assert code(lambda: rules.record_feedback(c, "x", "m", 1.0, MON)) == "case_step_first"
    c = rules.record_fix(c, "增开窗口", "boss", 3.0, "2026-11-25")
    assert c.stage is Stage.FEEDBACK and c.fixed_on_time and c.visited_on_time
    assert code(lambda: rules.record_fix(c, "x", "m", 1.0, MON)) == "case_step_done"
    c = rules.record_feedback(c, "已告知", "boss", 4.0, "2026-11-25")
    assert c.stage is Stage.CLOSED
    assert code(lambda: rules.assign(c, "b", "m", 1.0, MON)) == "case_closed"
    assert code(lambda: rules.record_feedback(c, "x", "m", 1.0, MON)) == "case_step_done"


def test_an_appeal_is_raised_once_and_decided_once() -> None:
    c = opened()
    assert code(lambda: rules.decide(c, True, "x", "d", 1.0, MON)) == "no_appeal"
    c = rules.raise_appeal(c, "误按", "wang", 1.0, MON)
    assert c.appeal_pending and c.stage is Stage.VISIT
    assert code(lambda: rules.raise_appeal(c, "again", "wang", 1.0, MON)) == "appeal_exists"
    assert code(lambda: rules.decide(c, True, "", "d", 1.0, MON)) == "note_required"
    upheld = rules.decide(c, True, "录像为证", "director", 2.0, MON)
    assert upheld.set_aside and upheld.stage is Stage.CLOSED and not upheld.appeal_pending
    assert code(lambda: rules.decide(upheld, False, "x", "d", 1.0, MON)) == "appeal_decided"
    assert code(lambda: rules.record_visit(upheld, "x", False, "m", 1.0, MON)) == "case_closed"
    rejected = rules.decide(c, False, "属实", "director", 2.0, MON)
    assert not rejected.set_aside and rejected.stage is Stage.VISIT


def test_what_is_late_and_the_figures() -> None:
    fresh = opened()
    assert fresh.late("2026-11-24") == () and fresh.late("2026-11-25") == (Stage.VISIT,)
    late_visit = rules.record_visit(fresh, "属实", True, "m", 1.0, "2026-11-25")
    assert not late_visit.visited_on_time and late_visit.late("2026-12-14") == ()
    assert late_visit.late("2026-12-15") == (Stage.RECTIFY,)
    no_fix = rules.record_visit(fresh, "误会", False, "m", 1.0, MON)
    answered = rules.record_feedback(no_fix, "已说明", "m", 1.0, MON)
    assert answered.late("2027-01-01") == ()
    upheld = rules.decide(rules.raise_appeal(fresh, "误按", "w", 1.0, MON), True, "是", "d", 1, MON)
    f = case_figures([fresh, late_visit, answered, upheld], "2026-11-25")
    assert (f.opened, f.upheld, f.appeals, f.standing, f.overdue) == (4, 1, 1, 3, 1)
    assert (f.visited, f.visited_on_time, f.fix_required, f.fixed, f.answered) == (2, 1, 1, 0, 1)
    assert f.visit_rate == pytest.approx(2 / 3) and f.fix_rate == 0.0
    empty = case_figures([], MON)
    assert (empty.opened, empty.visit_rate, empty.fix_rate) == (0, None, None)


@pytest.mark.parametrize(
    ("ratings", "message"),
    [
        ("{visit_days: 0}", "ratings.visit_days: expected greater than or equal to 1; got 0"),
        ("{fix_days: 200}", "ratings.fix_days: expected less than or equal to 90; got 200"),
        ("{visit_days: 3, fix_days: 2}", "ratings.fix_days: expected at least visit_days (3)"),
        ("{visit_day: 2}", "ratings.visit_day: unknown field"),
    ],
)
def test_the_hall_file_sets_the_deadlines_with_clear_errors(
    tmp_path: Path, ratings: str, message: str
) -> None:
    text = (FIXTURES / "mini_hall.yaml").read_text(encoding="utf-8")
    good = tmp_path / "good.yaml"
    good.write_text(text + "ratings: {visit_days: 2, fix_days: 10}\n", encoding="utf-8")
    assert load_hall(good).ratings == RatingRules(visit_days=2, fix_days=10)
    assert load_hall(FIXTURES / "mini_hall.yaml").ratings == RatingRules(visit_days=1, fix_days=15)
    broken = tmp_path / "hall.yaml"
    broken.write_text(text + f"ratings: {ratings}\n", encoding="utf-8")
    with pytest.raises(LoadError) as e:
        load_hall(broken)
    assert message in str(e.value), str(e.value)
    assert str(e.value).startswith(f"{broken}:{len(text.splitlines()) + 1}:"), str(e.value)
