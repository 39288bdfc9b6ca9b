"""The simulator's fast path (``sim.fast_rules``) builds what the domain builds, ticket for
ticket and record for record, and refuses what the domain's rules refuse, the same way."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queue_app.domain import ticket as rules
from queue_app.domain.dispatch import Candidate
from queue_app.domain.errors import Refused
from queue_app.domain.ticket import Item, Outcome, Priority, Status, Ticket
from queue_app.sim import fast_rules

MATTERS = ["M1", "M2", "M3"]
maybe_instant = st.none() | st.floats(0, 1e9, allow_nan=False)
windows = st.integers(1, 3)  # few windows: a ticket's window matches often
FIELDS = {
    "id": st.integers(1, 10**6),
    "day": st.sampled_from(["2026-11-23", ""]),
    "number": st.from_regex(r"[A-Z]\d{3}", fullmatch=True),
    "status": st.sampled_from(Status),
    "items": st.lists(
        st.builds(Item, st.sampled_from(MATTERS), st.none() | st.sampled_from(Outcome)),
        max_size=3,
    ).map(tuple),
    "issued_at": st.floats(0, 1e9, allow_nan=False),
    "queue_key": st.floats(0, 1e9, allow_nan=False),
    "priority": st.none() | st.sampled_from(Priority),
    "appointment_at": maybe_instant,
    "bundle": st.none() | st.just("B1"),
    "window": st.none() | windows,
    "target_window": st.none() | windows,
    "target_domain": st.none() | st.just("社保"),
    "recalls": st.integers(0, 5),
    "called_at": maybe_instant,
    "started_at": maybe_instant,
    "finished_at": maybe_instant,
    "held_for": st.none() | windows,
    "parked_at": maybe_instant,
    "park_note": st.sampled_from(["", "户口本"]),
    "handled_before": st.sampled_from([0.0, 90.5]),
}
tickets = st.builds(Ticket, **FIELDS)
instants = st.floats(0, 1e9, allow_nan=False)
outcome_maps = st.dictionaries(st.sampled_from([*MATTERS, "M9"]), st.sampled_from(Outcome))


def same(fast: Callable[[], Ticket], domain: Callable[[], Ticket]) -> None:
    """Both give equal tickets, or both refuse the same way: kind, field and parameters."""
    try:
        want: Ticket | Refused = domain()
    except Refused as e:
        want = e
    try:
        got: Ticket | Refused = fast()
    except Refused as e:
        got = e
    if isinstance(want, Refused):
        assert isinstance(got, Refused), f"the domain refuses ({want.code}), the fast path not"
        assert (type(got), got.field, got.text) == (type(want), want.field, want.text)
    else:
        assert type(got) is Ticket and got == want
        assert dataclasses.astuple(got) == dataclasses.astuple(want)


def test_every_field_is_drawn() -> None:
    # a new field must be drawn here, or how the fast path copies or sets it goes untested
    assert list(FIELDS) == [f.name for f in dataclasses.fields(Ticket)]
    assert [f.name for f in dataclasses.fields(Item)] == ["matter", "outcome"]
    assert [f.name for f in dataclasses.fields(Candidate)] == [
        "id", "matters", "queue_key", "priority", "appointment_at", "target_window",
        "target_domain", "domains", "held_for",
    ]  # fmt: skip


@settings(deadline=None)  # the shared machine's load must not fail a test
@given(FIELDS["id"], FIELDS["number"], FIELDS["items"], instants, FIELDS["priority"])
def test_issued(id: int, number: str, items: tuple[Item, ...], now: float, priority) -> None:
    t = fast_rules.issued(id, number, items, now, priority)
    want = Ticket(id, "", number, Status.WAITING, items, now, now, priority)
    assert type(t) is Ticket and t == want and hash(t) == hash(want)
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.status = Status.DONE  # type: ignore[misc]


matter_sets = st.frozensets(st.sampled_from(MATTERS))


@settings(deadline=None)  # the shared machine's load must not fail a test
@given(st.integers(0, 10**6), matter_sets, instants, st.booleans(), matter_sets)
def test_waiting(
    id: int, matters: frozenset, key: float, priority: bool, domains: frozenset
) -> None:
    c = fast_rules.waiting(id, matters, key, priority, domains)
    want = Candidate(id, matters, key, priority, None, None, None, domains)
    assert type(c) is Candidate and c == want and hash(c) == hash(want)
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.id = 0  # type: ignore[misc]


@settings(deadline=None)  # the shared machine's load must not fail a test
@given(tickets, windows, instants)
def test_call(t: Ticket, window: int, now: float) -> None:
    same(lambda: fast_rules.call(t, window, now), lambda: rules.call(t, window, now).ticket)


@settings(deadline=None)  # the shared machine's load must not fail a test
@given(tickets, windows, instants, instants, outcome_maps)
def test_serve(t: Ticket, window: int, started: float, now: float, outcomes: dict) -> None:
    def domain() -> Ticket:
        s = rules.start(t, window, started).ticket
        return rules.finish(s, window, outcomes, now).ticket

    same(lambda: fast_rules.serve(t, window, started, outcomes, now), domain)


@settings(deadline=None)  # the shared machine's load must not fail a test
@given(tickets, windows, instants, instants)
def test_serve_with_the_outcome_of_every_matter(
    t: Ticket, window: int, started: float, now: float
) -> None:
    # outcome_maps rarely cover exactly the ticket's matters: the path the simulator takes
    t = dataclasses.replace(t, status=Status.CALLED, window=window)
    outcomes = {i.matter: Outcome.CORRECTION for i in t.items}
    done = fast_rules.serve(t, window, started, outcomes, now)
    start = rules.start(t, window, started).ticket
    assert done == rules.finish(start, window, outcomes, now).ticket
