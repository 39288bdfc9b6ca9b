"""The 好差评 cases' changes: each one domain rule (``domain.cases``) and its row's write in
one transaction, logged in the event log (kind ``case_…``, the case's id, day and number in
its detail), made once per Idempotency-Key. A case opens with its rating (``Store.rate``,
``cases.open_for``)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from queue_app.domain import cases as rules
from queue_app.domain.cases import Case, Show
from queue_app.domain.refusals import DayPurged, NoSuchStaff, NotAManager, PeriodReversed
from queue_app.store import cases, idempotency, rollups
from queue_app.store.idempotency import Once
from queue_app.store.store import Store
from queue_app.store.tables import staff_t
from queue_app.store.uow import Tx

Apply = Callable[[Case, Tx, str], Case]  # the case, the transaction, today


def _change(
    store: Store,
    case_id: int,
    kind: str,
    actor: str,
    apply: Apply,
    once: Once | None,
    then: Callable[[Tx, Case], None] | None = None,
) -> Case:
    """Load the case (its row locked), ``apply`` the rule, save and log it, ``then`` what
    follows from it, in one transaction."""

    def op(tx: Tx) -> Case:
        c = cases.load(tx.conn, case_id, lock=True)
        today = store.day_of(tx.now)
        new = apply(c, tx, today)
        cases.save(tx.conn, new)
        cases.log(tx, kind, actor, today, new)
        if then is not None:
            then(tx, new)
        return new

    return store.uow.run(idempotency.with_once(op, once)).result


def _still_raw(tx: Tx, c: Case) -> None:
    """Refuse to appeal a rating whose day's raw rows are gone (its figures could not be
    tallied again without it)."""
    if not rollups.raw_days(tx.conn, c.day, c.day):
        raise DayPurged(day=c.day)


def assign(store: Store, case_id: int, assignee: str, actor: str, once: Once | None = None) -> Case:
    """Give the case's return visit to the manager account ``assignee``."""

    def apply(c: Case, tx: Tx, today: str) -> Case:
        found = tx.conn.execute(
            select(staff_t.c.role, staff_t.c.disabled).where(
                staff_t.c.hall == tx.hall, staff_t.c.username == assignee
            )
        ).first()
        if found is None:
            raise NoSuchStaff(username=assignee, field="assignee")
        if found.role != "manager" or found.disabled:
            raise NotAManager(username=assignee)
        return rules.assign(c, assignee, actor, tx.now, today)

    return _change(store, case_id, "case_assigned", actor, apply, once)


def visit(
    store: Store,
    case_id: int,
    result: str,
    rectify: bool,
    actor: str,
    once: Once | None = None,
) -> Case:
    """The return visit's finding, and whether it calls for rectification."""

    def apply(c: Case, tx: Tx, today: str) -> Case:
        return rules.record_visit(c, result, rectify, actor, tx.now, today)

    return _change(store, case_id, "case_visited", actor, apply, once)


def rectify(store: Store, case_id: int, done: str, actor: str, once: Once | None = None) -> Case:
    def apply(c: Case, tx: Tx, today: str) -> Case:
        return rules.record_fix(c, done, actor, tx.now, today)

    return _change(store, case_id, "case_rectified", actor, apply, once)


def feedback(store: Store, case_id: int, said: str, actor: str, once: Once | None = None) -> Case:
    def apply(c: Case, tx: Tx, today: str) -> Case:
        return rules.record_feedback(c, said, actor, tx.now, today)

    return _change(store, case_id, "case_answered", actor, apply, once)


def appeal(store: Store, case_id: int, reason: str, actor: str, once: Once | None = None) -> Case:
    def apply(c: Case, tx: Tx, today: str) -> Case:
        new = rules.raise_appeal(c, reason, actor, tx.now, today)
        _still_raw(tx, c)
        return new

    return _change(store, case_id, "case_appealed", actor, apply, once)


def decide(
    store: Store,
    case_id: int,
    upheld: bool,
    grounds: str,
    actor: str,
    once: Once | None = None,
) -> Case:
    """The review's decision; an appeal upheld sets the rating aside, and a closed day's
    kept figures take it out of the rates in the same transaction."""

    def apply(c: Case, tx: Tx, today: str) -> Case:
        new = rules.decide(c, upheld, grounds, actor, tx.now, today)
        if upheld:
            _still_raw(tx, c)
        return new

    def then(tx: Tx, c: Case) -> None:
        if c.set_aside:  # saved: the day's tally leaves it out
            store.rerate_day(tx, c.day)

    return _change(store, case_id, "case_decided", actor, apply, once, then)


def listing(
    store: Store, show: Show, first: str | None = None, last: str | None = None
) -> list[Case]:
    """The cases ``show`` picks, opened from ``first`` to ``last`` when given."""
    return listed(store, show, first, last)[1]


def listed(
    store: Store, show: Show, first: str | None = None, last: str | None = None
) -> tuple[str, list[Case]]:
    """The business day now, and the cases ``show`` picks on it (opened from ``first`` to
    ``last`` when given), oldest first."""
    if first is not None and last is not None and first > last:
        raise PeriodReversed(first=first, last=last)
    with store.uow.read() as tx:
        today = store.day_of(tx.now)
        return today, cases.listing(tx.conn, show, today, first, last)


def one(store: Store, case_id: int) -> Case:
    with store.uow.read() as tx:
        return cases.load(tx.conn, case_id)
