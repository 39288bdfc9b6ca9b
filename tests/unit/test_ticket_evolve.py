"""The state machine's fast copy is ``dataclasses.replace`` exactly."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_app.domain import ticket as rules
from queue_app.domain.ticket import Item, Outcome, Priority, Status, Ticket

maybe_float = st.none() | st.floats(0, 1e9, allow_nan=False)
tickets = st.builds(
    Ticket,
    id=st.integers(1, 10**6),
    day=st.just("2026-11-23"),
    number=st.from_regex(r"[A-Z]\d{3}", fullmatch=True),
    status=st.sampled_from(Status),
    items=st.lists(
        st.builds(Item, st.sampled_from(["M1", "M2", "M3"])), min_size=1, max_size=3
    ).map(tuple),
    issued_at=st.floats(0, 1e9, allow_nan=False),
    queue_key=st.floats(0, 1e9, allow_nan=False),
    priority=st.none() | st.sampled_from(Priority),
    appointment_at=maybe_float,
    window=st.none() | st.integers(1, 30),
    recalls=st.integers(0, 5),
    called_at=maybe_float,
)
changes = st.dictionaries(
    st.sampled_from(["status", "window", "called_at", "started_at", "finished_at", "recalls"]),
    st.integers(0, 9),
)


@given(tickets, changes)
def test_evolve_equals_replace(t: Ticket, ch: dict) -> None:
    fast = rules._evolve(t, **ch)
    slow = dataclasses.replace(t, **ch)
    assert fast == slow and type(fast) is Ticket
    assert dataclasses.asdict(fast) == dataclasses.asdict(slow)
    assert t == dataclasses.replace(t)  # the original is untouched
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.status = Status.DONE  # type: ignore[misc]


def test_evolve_refuses_unknown_fields_like_replace() -> None:
    t = Ticket(1, "d", "A001", Status.WAITING, (Item("M1"),), 0.0, 0.0)
    with pytest.raises(TypeError):
        rules._evolve(t, colour="red")


def test_finish_builds_items_from_every_field_of_item() -> None:
    # finish() constructs Item(matter, outcome) directly: it must learn of any new field
    assert [f.name for f in dataclasses.fields(Item)] == ["matter", "outcome"]
    t = Ticket(1, "d", "A001", Status.SERVING, (Item("M1"), Item("M2")), 0.0, 0.0, window=2)
    done = rules.finish(t, 2, {"M1": Outcome.COMPLETED, "M2": Outcome.CORRECTION}, 5.0).ticket
    assert done.items == (Item("M1", Outcome.COMPLETED), Item("M2", Outcome.CORRECTION))


windows = st.integers(1, 30)
instants = st.floats(0, 1e9, allow_nan=False)


@given(tickets, windows, instants)
def test_hot_transitions_build_what_replace_would(t: Ticket, window: int, now: float) -> None:
    # call, start, finish and no-show change a copy of the ticket's fields in place
    waiting = dataclasses.replace(t, status=Status.WAITING, target_window=None)
    called = rules.call(waiting, window, now).ticket
    assert called == dataclasses.replace(
        waiting, status=Status.CALLED, window=window, called_at=now, recalls=0, started_at=None
    )
    started = rules.start(called, window, now + 1).ticket
    assert started == dataclasses.replace(called, status=Status.SERVING, started_at=now + 1)
    outcomes = dict.fromkeys((i.matter for i in t.items), Outcome.ACCEPTED)
    done = rules.finish(started, window, outcomes, now + 2).ticket
    items = tuple(Item(i.matter, Outcome.ACCEPTED) for i in t.items)
    assert done == dataclasses.replace(
        started, status=Status.DONE, items=items, finished_at=now + 2
    )
    gone = rules.no_show(called, window, now + 3).ticket
    assert gone == dataclasses.replace(called, status=Status.NO_SHOW, finished_at=now + 3)
    for x in (called, started, done, gone):
        assert type(x) is Ticket and dataclasses.asdict(x) == dataclasses.asdict(
            dataclasses.replace(x)
        )
