"""What a window serves, changed by a manager during the day; the wait targets."""

from __future__ import annotations

import pytest

from queue_app.domain.catalog import Catalog
from queue_app.domain.errors import Refused
from queue_app.domain.hall import Hall, Serves, Targets, WindowKind
from queue_app.domain.profiles import WindowProfile, layout_profiles
from queue_app.domain.ticket import Outcome
from queue_app.i18n import message
from queue_app.store import Store
from tests.conftest import Clock
from tests.store.test_store_lifecycle import snapshot

ENTERPRISE = WindowProfile(
    name="企业开办综合窗口", kind=WindowKind.DOMAIN, serves=Serves(domains=["企业开办"])
)


def test_layout_profiles_are_the_distinct_ones_of_the_file(mini_hall: Hall) -> None:
    profiles = layout_profiles(mini_hall)
    assert [(p.name, ns) for p, ns in profiles] == [
        ("无差别综合窗口", [1, 2]),
        ("企业开办综合窗口", [3]),
        ("出入境窗口", [4]),
    ]
    assert profiles[1][0] == ENTERPRISE


def test_an_undifferentiated_window_turned_enterprise_calls_enterprise_work(store: Store) -> None:
    sp = store.issue(["M-SP"]).ticket  # 企业开办, not for undifferentiated windows
    assert store.issue(["M-SP"]).windows == (3,)
    assert store.call_next(1) is None  # window 1 may not serve it
    assert store.set_profile(1, ENTERPRISE, actor="boss") == ENTERPRISE
    ev = store.events()[-1]
    assert (ev.kind, ev.window, ev.actor, ev.detail["restored"]) == (
        "window_profiled",
        1,
        "boss",
        False,
    )
    called = store.call_next(1)
    assert called is not None and called.number == sp.number
    w1 = next(w for w in store.windows() if w.number == 1)
    assert (w1.name, w1.kind, w1.changed) == ("企业开办综合窗口", "domain", True)
    assert store.issue(["M-SP"]).windows == (1, 3)
    hall = store.hall_in_effect()
    assert hall.window_by_number[1].serves.domains == ["企业开办"]
    # and back: window 1 serves what the layout says again
    store.start(1)
    store.finish(1, Outcome.COMPLETED)
    restored = store.set_profile(1, None)
    assert restored.name == "无差别综合窗口" and restored.serves.undifferentiated
    assert not next(w for w in store.windows() if w.number == 1).changed
    assert store.events()[-1].detail["restored"] is True
    assert store.call_next(1) is None  # the second M-SP ticket is for window 3 again


def test_giving_a_window_its_layout_profile_is_a_restore(store: Store, mini_hall: Hall) -> None:
    store.set_profile(2, ENTERPRISE)
    store.set_profile(2, WindowProfile.of(mini_hall.window_by_number[2]))
    assert not any(w.changed for w in store.windows())


def test_a_change_that_would_strand_waiting_tickets_is_refused(store: Store) -> None:
    hz = store.issue(["M-HZ"]).ticket  # 出入境: only window 4
    before = snapshot(store)
    with pytest.raises(Refused) as exc:
        store.set_profile(4, ENTERPRISE)
    assert exc.value.code == "would_strand" and hz.number in message(exc.value, "zh")
    assert snapshot(store) == before
    assert not any(w.changed for w in store.windows())
    # once another window takes 出入境 work, window 4 may change
    store.set_profile(2, WindowProfile.of(store.hall.window_by_number[4]))
    store.set_profile(4, ENTERPRISE)
    assert store.call_next(2).number == hz.number


def test_a_profile_naming_what_the_catalog_lacks_is_refused(store: Store) -> None:
    before = snapshot(store)
    bad = [
        (
            WindowProfile(name="x", kind="domain", serves=Serves(domains=["火星"])),
            "serves.domains[0]",
        ),
        (
            WindowProfile(name="x", kind="domain", serves=Serves(matters=["NOPE"])),
            "serves.matters[0]",
        ),
        (WindowProfile(name="x", kind="domain", serves=Serves()), "serves"),
    ]
    for profile, field in bad:
        with pytest.raises(Refused) as exc:
            store.set_profile(1, profile)
        assert (exc.value.code, exc.value.field) == ("bad_profile", field)
    with pytest.raises(Refused) as exc:
        store.set_profile(99, ENTERPRISE)
    assert exc.value.code == "no_such_window"
    assert snapshot(store) == before


def test_every_process_on_the_database_dispatches_by_the_change(
    store: Store, db_url: str, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    other = Store(db_url, mini_catalog, mini_hall, clock=clock)
    try:
        sp = store.issue(["M-SP"]).ticket
        other.set_profile(2, ENTERPRISE)  # another server changes window 2
        assert store.call_next(2).number == sp.number
        restarted = Store(db_url, mini_catalog, mini_hall, clock=clock)  # survives a restart
        assert next(w for w in restarted.windows() if w.number == 2).changed
        restarted.dispose()
    finally:
        other.dispose()


def test_closing_the_day_restores_the_layout(store: Store, clock: Clock) -> None:
    store.set_profile(1, ENTERPRISE)
    store.close_day()
    assert not any(w.changed for w in store.windows())
    assert store.hall_in_effect().window_by_number[1].name == "无差别综合窗口"
    assert [e.window for e in store.events() if e.kind == "window_profiled"][-1] == 1


def test_wait_targets_change_and_restore(
    store: Store, db_url: str, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    assert store.hall_in_effect().targets == mini_hall.targets
    tight = Targets(wait_minutes=12, serve_minutes=30)
    assert store.set_targets(tight, actor="boss") == tight
    again = Store(db_url, mini_catalog, mini_hall, clock=clock)
    try:
        assert again.hall_in_effect().targets == tight
    finally:
        again.dispose()
    ev = store.events()[-1]
    assert (ev.kind, ev.actor, ev.detail) == (
        "targets_set",
        "boss",
        {"wait_minutes": 12, "serve_minutes": 30},
    )
    assert store.set_targets(None) == mini_hall.targets
    assert store.hall_in_effect().targets == mini_hall.targets
