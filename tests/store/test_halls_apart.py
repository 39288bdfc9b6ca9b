"""Two halls in one database keep everything apart: numbering, the business day and its
close, run-time settings (targets, what a window serves), windows, staff, sessions, the
event log and the sign-in limits. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall, Targets
from queue_app.domain.refusals import BadCredentials, DayClosedNoTickets, SignInLocked
from queue_app.store import Store, make_engine
from queue_app.store.sign_in_limits import LIMIT
from queue_app.store.staff import Role, add_staff, list_staff, session_for, sign_in
from tests.conftest import Clock, hall_coded
from tests.store.test_profiles import ENTERPRISE


@pytest.fixture()
def engine(db_url: str) -> Iterator[Engine]:
    e = make_engine(db_url)
    yield e
    e.dispose()


@pytest.fixture()
def two(engine: Engine, mini_catalog: Catalog, mini_hall: Hall, clock: Clock) -> list[Store]:
    return [Store(engine, mini_catalog, hall_coded(mini_hall, c), clock=clock) for c in ("a", "b")]


def test_numbering_day_and_settings_are_each_halls_own(two: list[Store], mini_hall: Hall) -> None:
    a, b = two
    a.open_window(1)
    a.issue(["M-SBK"])
    a.issue(["M-SBK"])
    assert b.issue(["M-SBK"]).ticket.number == "A001"
    a.set_targets(Targets(wait_minutes=5, serve_minutes=10))
    a.set_profile(1, ENTERPRISE)
    assert b.hall_in_effect() == b.hall  # b's layout as its file says
    assert a.hall_in_effect().targets.wait_minutes == 5
    assert [w.status.value for w in b.windows()] == ["closed"] * len(mini_hall.windows)
    a.close_day(force=True)
    with pytest.raises(DayClosedNoTickets):
        a.issue(["M-SBK"])
    assert not b.day_closed(b.today()) and b.issue(["M-SBK"]).ticket.number == "A002"
    assert [e.kind for e in b.events()] == ["issued", "issued"]  # none of a's
    assert a.counts()["expired"] == 2 and b.counts()["waiting"] == 2


def test_staff_sessions_and_sign_in_limits_are_each_halls_own(two: list[Store]) -> None:
    a, b = two
    add_staff(a, "lee", Role.MANAGER, "manager-password")
    add_staff(b, "lee", Role.DESK, "desk-password")  # the same name, another hall's account
    assert [s.role for s in list_staff(a)] == [Role.MANAGER]
    assert [s.role for s in list_staff(b)] == [Role.DESK]
    session = sign_in(a, "lee", "manager-password", None)
    assert session_for(a, session.token) is not None
    assert session_for(b, session.token) is None  # a's session is not b's
    with pytest.raises(BadCredentials):
        sign_in(b, "lee", "manager-password", None)  # a's password is not b's
    for _ in range(LIMIT - 1):
        with pytest.raises(BadCredentials):
            sign_in(b, "lee", "wrong-password", None, "10.0.0.9")
    with pytest.raises(SignInLocked):
        sign_in(b, "lee", "wrong-password", None, "10.0.0.9")
    assert sign_in(a, "lee", "manager-password", None, "10.0.0.9").role is Role.MANAGER
