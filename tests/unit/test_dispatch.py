"""Dispatch order: priority, appointments, original place, eligibility, policies."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from queue_app.domain.dispatch import (
    Candidate,
    DispatchWindow,
    Policy,
    choose_next,
    eligible,
    oldest_first,
    order_key,
)

ALL = frozenset({"SB", "GT", "SP", "HZ"})
UNDIFF = DispatchWindow(1, frozenset({"SB", "GT"}))
BIZ = DispatchWindow(3, frozenset({"GT", "SP"}), frozenset({"企业开办"}), restricted=True)
EXIT = DispatchWindow(4, frozenset({"HZ"}), frozenset({"出入境"}), restricted=True)


def c(id: int, key: float, matters: str = "SB", **kw: object) -> Candidate:
    return Candidate(id=id, matters=frozenset(matters.split()), queue_key=key, **kw)


def test_oldest_first_within_a_class() -> None:
    got = choose_next(UNDIFF, [c(2, 20), c(1, 10), c(3, 30)], now=100)
    assert got is not None and got.id == 1


def test_priority_beats_earlier_regular_tickets() -> None:
    got = choose_next(UNDIFF, [c(1, 10), c(2, 50, priority=True)], now=100)
    assert got is not None and got.id == 2


def test_appointment_after_its_slot_begins_before_regulars_not_before() -> None:
    cands = [c(1, 10), c(2, 60, appointment_at=60.0)]
    assert choose_next(UNDIFF, cands, now=50).id == 1  # slot not begun: its place is the slot
    assert choose_next(UNDIFF, cands, now=70).id == 2  # slot begun: before the regulars
    assert choose_next(UNDIFF, [*cands, c(3, 90, priority=True)], now=70).id == 3


def test_window_only_gets_tickets_it_covers_entirely() -> None:
    cands = [c(1, 10, "SB SP"), c(2, 20, "HZ"), c(3, 30, "GT")]
    assert choose_next(UNDIFF, cands, now=100).id == 3
    assert choose_next(EXIT, cands, now=100).id == 2
    assert choose_next(BIZ, cands, now=100).id == 3
    assert choose_next(EXIT, [c(1, 1, "SB")], now=5) is None


def test_transferred_ticket_keeps_its_place_and_target() -> None:
    moved = c(1, 5, "GT", target_window=3)
    later = c(2, 50, "GT")
    assert choose_next(UNDIFF, [moved, later], now=100).id == 2  # not for window 1
    assert choose_next(BIZ, [moved, later], now=100).id == 1  # ahead of later arrivals
    by_domain = c(3, 1, "GT", target_domain="企业开办")
    assert not eligible(by_domain, UNDIFF)
    assert eligible(by_domain, BIZ)


def test_priority_only_window() -> None:
    green = DispatchWindow(9, ALL, priority_only=True)
    assert choose_next(green, [c(1, 1)], now=5) is None
    assert choose_next(green, [c(1, 1), c(2, 3, priority=True)], now=5).id == 2


def test_scarce_policy_prefers_work_few_open_windows_can_do_with_aging() -> None:
    opened = [UNDIFF, BIZ]
    anyone = c(1, 10, "GT")  # windows 1 and 3 can do it
    scarce = c(2, 20, "SP")  # only window 3
    got = choose_next(
        BIZ, [anyone, scarce], now=30, policy=Policy.SCARCE, open_windows=opened, aging_seconds=600
    )
    assert got.id == 2
    # the oldest has waited past the aging bound: it is not passed over any more
    got = choose_next(
        BIZ,
        [anyone, scarce],
        now=10 + 601,
        policy=Policy.SCARCE,
        open_windows=opened,
        aging_seconds=600,
    )
    assert got.id == 1
    # an undifferentiated window never uses the preference
    assert (
        choose_next(
            UNDIFF, [anyone, c(3, 5, "SB")], now=30, policy=Policy.SCARCE, open_windows=opened
        ).id
        == 3
    )


def test_own_domain_policy() -> None:
    other = c(1, 10, "GT", domains=frozenset({"个体"}))
    own = c(2, 20, "SP", domains=frozenset({"企业开办"}))
    assert choose_next(BIZ, [other, own], now=30, policy=Policy.OWN_DOMAIN).id == 2
    assert choose_next(BIZ, [other, own], now=30).id == 1


candidates = st.lists(
    st.builds(
        Candidate,
        id=st.integers(1, 10_000),
        matters=st.frozensets(st.sampled_from(sorted(ALL)), min_size=1, max_size=2),
        queue_key=st.floats(0, 1000),
        priority=st.booleans(),
        appointment_at=st.none() | st.floats(0, 1000),
        target_window=st.none() | st.sampled_from([1, 3, 4]),
    ),
    max_size=40,
    unique_by=lambda x: x.id,
)


@settings(max_examples=300, deadline=None)
@given(candidates, st.sampled_from([UNDIFF, BIZ, EXIT]), st.floats(0, 1000))
def test_oldest_policy_is_the_minimum_order_key_among_eligible(cands, window, now) -> None:
    got = choose_next(window, cands, now)
    ok = [x for x in cands if eligible(x, window)]
    if not ok:
        assert got is None
    else:
        assert got == min(ok, key=lambda x: order_key(x, now))
        # order does not depend on how the candidates arrive
        assert choose_next(window, list(reversed(cands)), now) == got


PLAIN_BIZ = DispatchWindow(5, frozenset({"GT", "SP"}), frozenset({"企业开办"}))  # unrestricted


@settings(max_examples=300, deadline=None)
@given(
    candidates,
    st.sampled_from([UNDIFF, BIZ, EXIT, PLAIN_BIZ]),
    st.sampled_from(list(Policy)),
    st.floats(0, 2000),
)
def test_oldest_first_says_when_a_policy_is_just_the_oldest_eligible(
    cands, window, policy, now
) -> None:
    """The store reads the line in pages when ``oldest_first``: it must then agree with
    choose_next over the whole line, whatever the policy and the line."""
    got = choose_next(
        window, cands, now, policy=policy, open_windows=[UNDIFF, BIZ, EXIT], aging_seconds=600
    )
    if oldest_first(policy, window):
        assert got == choose_next(window, cands, now)
    assert oldest_first(Policy.OLDEST, BIZ) and not oldest_first(Policy.SCARCE, BIZ)
    assert oldest_first(Policy.SCARCE, PLAIN_BIZ) and not oldest_first(Policy.OWN_DOMAIN, BIZ)


def test_a_ticket_held_for_its_window_comes_first_there_and_nowhere_else() -> None:
    """Back with the missing material: first at its own window, above the green channel
    and whatever that window serves now; other windows pass it over (``domain.dispatch``);
    once the hold is lifted it is an ordinary ticket at its old place."""
    held = c(1, 500, "HZ", held_for=1)  # UNDIFF does not cover HZ: its service began there
    line = [c(2, 10, "SB"), c(3, 20, "SB", priority=True), held]
    for policy in Policy:
        assert choose_next(UNDIFF, line, now=600, policy=policy, open_windows=[UNDIFF]).id == 1
    assert choose_next(EXIT, line, now=600) is None  # covers HZ, but it is held for window 1
    assert not eligible(held, EXIT) and eligible(held, UNDIFF)
    lifted = c(1, 500, "HZ")
    assert choose_next(EXIT, [*line[:2], lifted], now=600).id == 1
    older = c(4, 100, "SB", held_for=1)
    assert choose_next(UNDIFF, [*line, older], now=600).id == 4  # two held: the older first
