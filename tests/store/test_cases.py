"""The 好差评 closed loop on a real database (SQLite and PostgreSQL): a poor rating opens its
case with the rating; the return visit, rectification and feedback follow with who and
when; deadlines in the hall's working days; an appeal upheld takes the rating out of the
rate (today, and a closed day's kept figures) and is refused once the day is purged."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from queue_app.domain.cases import Show, Stage
from queue_app.domain.catalog import Catalog
from queue_app.domain.errors import Refused
from queue_app.domain.hall import Hall
from queue_app.domain.report import Period
from queue_app.domain.rollup import By
from queue_app.domain.ticket import Outcome, Ticket
from queue_app.store import Store
from queue_app.store import case_ops as cases
from queue_app.store.staff import Role, add_staff
from tests.conftest import SHANGHAI, Clock

PW = "s3cret-pass"


def served(store: Store, window: int = 1, clerk: str = "wang") -> Ticket:
    """A visit issued, called, started and finished at ``window`` by ``clerk``."""
    store.issue(["M-SBK"])
    store.call_next(window, actor=clerk)
    store.start(window, actor=clerk)
    return store.finish(window, Outcome.COMPLETED, actor=clerk)


def refused(code: str, act) -> Refused:  # type: ignore[no-untyped-def]
    with pytest.raises(Refused) as e:
        act()
    assert e.value.code == code, e.value
    return e.value


def test_a_poor_rating_opens_its_case_with_the_rating(store: Store, clock: Clock) -> None:
    good = served(store)
    store.rate(1, good.number, 3, actor="wang")
    assert cases.listing(store, Show.ALL) == []  # 基本满意 and better open none
    poor = served(store, window=2, clerk="li")
    clock.advance(minutes=1)
    store.rate(2, poor.number, 2, actor="pad", reasons=["too_slow"])
    refused("already_rated", lambda: store.rate(2, poor.number, 1, reasons=["other"]))
    [case] = cases.listing(store, Show.ALL)
    assert (case.id, case.day, case.number, case.window, case.clerk, case.level) == (
        poor.id, "2026-11-23", poor.number, 2, "li", 2,
    )  # fmt: skip
    assert case.opened_at == clock() and case.stage is Stage.VISIT
    assert (case.visit_due, case.fix_due) == ("2026-11-24", "2026-12-14")  # Mon: +1, +15
    kinds = [e.kind for e in store.events()[-2:]]
    assert kinds == ["rated", "case_opened"]


def test_the_case_and_the_rating_are_one_transaction(store: Store) -> None:
    """A case that cannot be written (a row of its id is there already) takes the rating
    with it: nothing is logged."""
    from sqlalchemy.exc import IntegrityError

    from queue_app.store.tables import case_t

    t = served(store)
    row = {"hall": store.code, "id": t.id, "day": t.day, "number": "X", "window": 1}
    row |= {"clerk": "", "level": 1, "opened_at": 0.0, "stage": "closed"}
    with store.engine.begin() as conn:
        conn.execute(case_t.insert(), {**row, "visit_due": t.day, "fix_due": t.day})
    with pytest.raises(IntegrityError):
        store.rate(1, t.number, 1, reasons=["other"])
    assert [e.kind for e in store.events()][-1] == "finished"  # no rating either
    store.rate(1, t.number, 4)  # a good one opens no case: it goes through


def test_the_case_goes_visit_rectify_feedback_each_with_who_and_when(
    store: Store, clock: Clock
) -> None:
    add_staff(store, "boss", Role.MANAGER, PW)
    add_staff(store, "desk1", Role.DESK, PW)
    t = served(store)
    store.rate(1, t.number, 1, reasons=["other"])
    cid = cases.listing(store, Show.OPEN)[0].id
    refused("no_such_staff", lambda: cases.assign(store, cid, "nobody", "boss"))
    refused("not_a_manager", lambda: cases.assign(store, cid, "desk1", "boss"))
    assigned = cases.assign(store, cid, "boss", "zhang")
    assert assigned.assignee == "boss" and assigned.assigned.by == "zhang"
    refused("case_step_first", lambda: cases.feedback(store, cid, "已处理", "boss"))
    refused("case_step_first", lambda: cases.rectify(store, cid, "培训", "boss"))
    refused("note_required", lambda: cases.visit(store, cid, "  ", True, "boss"))
    clock.advance(hours=2)
    visited = cases.visit(store, cid, "群众反映等候过久，属实", True, "boss")
    assert (visited.visit.note, visited.visit.by, visited.visit.at) == (
        "群众反映等候过久，属实", "boss", clock(),
    )  # fmt: skip
    assert visited.stage is Stage.RECTIFY and visited.fix_required
    refused("case_step_done", lambda: cases.visit(store, cid, "again", False, "boss"))
    refused("case_step_first", lambda: cases.feedback(store, cid, "已处理", "boss"))
    clock.advance(hours=24)
    fixed = cases.rectify(store, cid, "午间增开两个窗口", "boss")
    assert fixed.stage is Stage.FEEDBACK and fixed.fix.day == "2026-11-24"
    answered = cases.feedback(store, cid, "已电话告知整改情况", "boss")
    assert answered.stage is Stage.CLOSED and answered.feedback.by == "boss"
    refused("case_step_done", lambda: cases.feedback(store, cid, "again", "boss"))
    refused("case_closed", lambda: cases.assign(store, cid, "boss", "boss"))
    assert cases.one(store, cid) == answered
    assert cases.listing(store, Show.OPEN) == [] and cases.listing(store, Show.ALL) == [answered]
    log = store.events(day="2026-11-23") + store.events()
    logged = [e.kind for e in log if e.kind.startswith("case_")]
    assert logged == [
        "case_opened", "case_assigned", "case_visited", "case_rectified", "case_answered"
    ]  # fmt: skip
    refused("no_such_case", lambda: cases.one(store, 999))


def test_a_visit_finding_nothing_wrong_goes_straight_to_feedback(store: Store) -> None:
    t = served(store)
    store.rate(1, t.number, 2, reasons=["other"])
    cid = cases.listing(store, Show.OPEN)[0].id
    cases.visit(store, cid, "误按评价器", False, "boss")
    refused("nothing_to_rectify", lambda: cases.rectify(store, cid, "x", "boss"))
    assert cases.feedback(store, cid, "已说明", "boss").stage is Stage.CLOSED


def test_deadlines_count_the_halls_working_days_and_late_steps_are_overdue(
    db_url: str, mini_catalog: Catalog, mini_hall: Hall
) -> None:
    rules = mini_hall.ratings.model_copy(update={"visit_days": 2, "fix_days": 3})
    hall = mini_hall.model_copy(update={"ratings": rules})
    friday = dt.datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)
    clock = Clock(friday)
    store = Store(db_url, mini_catalog, hall, clock=clock)
    try:
        store.open_window(1)
        t = served(store)
        store.rate(1, t.number, 1, reasons=["other"])
        [c] = cases.listing(store, Show.OPEN)
        assert (c.visit_due, c.fix_due) == ("2026-12-01", "2026-12-02")  # Tue, Wed: no weekend
        clock.now = dt.datetime(2026, 12, 1, 16, 0, tzinfo=SHANGHAI).timestamp()
        assert cases.listing(store, Show.OVERDUE) == []  # due today: not late yet
        clock.advance(hours=24)
        [late] = cases.listing(store, Show.OVERDUE)
        assert late.late(store.today()) == (Stage.VISIT,)
        figures = store.case_figures("2026-11-27", "2026-11-27")
        assert (figures.opened, figures.overdue, figures.visit_rate) == (1, 1, 0.0)
        cases.visit(store, c.id, "核实属实", True, "boss")  # a day late
        clock.advance(hours=24)  # Thursday: the rectification is late too
        assert cases.listing(store, Show.OVERDUE)[0].late(store.today()) == (Stage.RECTIFY,)
        cases.rectify(store, c.id, "调整叫号", "boss")
        f = store.case_figures("2026-11-27", "2026-11-27")
        assert (f.visited, f.visited_on_time, f.fix_required, f.fixed, f.fixed_on_time) == (
            1, 0, 1, 1, 0,
        )  # fmt: skip
        assert (f.visit_rate, f.fix_rate, f.overdue) == (1.0, 1.0, 0)
        shown = store.report(By.HALL, Period.of("2026-11-23", "2026-11-29")).cases
        assert (shown.visit_rate, shown.fix_rate) == (1.0, 1.0)  # the report's 回访率, 整改率
        assert store.case_figures("2026-11-28", "2026-12-31").opened == 0
        refused("bad_period", lambda: store.case_figures("2026-12-02", "2026-12-01"))
    finally:
        store.dispose()


def _ratings(store: Store, day: str) -> tuple[dict[int, int], dict[int, int], float | None]:
    line = next(x for x in store.report(By.WINDOW, Period.of(day, day)).lines if x.key == "1")
    return dict(line.now.ratings), dict(line.now.excluded), line.now.bad_rate


@pytest.mark.parametrize("closed", [False, True], ids=["today", "closed-day"])
def test_an_upheld_appeal_takes_the_rating_out_of_the_rate(
    store: Store, clock: Clock, closed: bool
) -> None:
    first = served(store)
    store.rate(1, first.number, 1, reasons=["other"])
    second = served(store)
    store.rate(1, second.number, 5)
    day = store.today()
    assert _ratings(store, day) == ({1: 1, 5: 1}, {}, 0.5)
    if closed:
        store.close_day(force=True)
        clock.advance(hours=24)  # the next day: the day's figures are read from its rollups
    cid = cases.listing(store, Show.OPEN)[0].id
    refused("no_appeal", lambda: cases.decide(store, cid, True, "x", "boss"))
    cases.appeal(store, cid, "群众误按，已当面确认", "wang")
    refused("appeal_exists", lambda: cases.appeal(store, cid, "again", "wang"))
    rejected_first = store.case_figures(day, day)
    assert (rejected_first.appeals, rejected_first.upheld) == (1, 0)
    decided = cases.decide(store, cid, True, "回放录像确认误评", "director")
    assert decided.set_aside and decided.stage is Stage.CLOSED
    assert decided.decided.by == "director" and decided.decided.note == "回放录像确认误评"
    refused("appeal_decided", lambda: cases.decide(store, cid, False, "x", "boss"))
    assert _ratings(store, day) == ({5: 1}, {1: 1}, 0.0)  # kept, and out of the rate
    assert [e.kind for e in store.events(day=day) if e.kind == "rated"] == ["rated"] * 2
    f = store.case_figures(day, day)
    assert (f.opened, f.appeals, f.upheld, f.standing, f.visit_rate) == (1, 1, 1, 0, None)
    assert store.report(By.HALL, Period.of(day, day)).cases == f


def test_a_rejected_appeal_leaves_the_rating_and_the_case_open(store: Store) -> None:
    t = served(store)
    store.rate(1, t.number, 2, reasons=["other"])
    cid = cases.listing(store, Show.OPEN)[0].id
    cases.appeal(store, cid, "评价与服务无关", "wang")
    c = cases.decide(store, cid, False, "评价针对等候时间，属实", "director")
    assert c.upheld is False and c.stage is Stage.VISIT and not c.appeal_pending
    assert _ratings(store, store.today()) == ({2: 1}, {}, 1.0)


def test_a_rating_of_a_purged_day_can_no_longer_be_appealed(
    db_url: str, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    store = Store(db_url, mini_catalog, mini_hall, clock=clock, keep_days=None)
    try:
        store.open_window(1)
        t = served(store)
        store.rate(1, t.number, 1, reasons=["other"])
        store.close_day(force=True)
        cid = cases.listing(store, Show.OPEN)[0].id
        clock.advance(hours=48)
        store.roll_over()
        assert store.purge_history(keep_days=0)["tickets"] == 1
        e = refused("day_purged", lambda: cases.appeal(store, cid, "误评", "wang"))
        assert e.params == {"day": "2026-11-23"}
        assert cases.one(store, cid).appeal is None  # the case itself is kept
        with store.engine.connect() as conn:  # nothing but the refusal: no event logged
            kinds = conn.execute(
                text("SELECT kind FROM event WHERE hall = :h"), {"h": store.code}
            ).scalars()
            assert "case_appealed" not in set(kinds)
    finally:
        store.dispose()
