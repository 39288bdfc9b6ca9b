"""The whole-line forecast: a ticket joining the end of the line is placed exactly where a
new forecast of the longer line places it, and waits agree with the one-ticket estimate."""

from __future__ import annotations

import random

import pytest

from queue_app.domain.dispatch import Candidate, DispatchWindow, Policy
from queue_app.domain.forecast import HandlingModel, OpenWindow, estimate_wait
from queue_app.domain.line_forecast import LATE_S, LineForecast

MODEL = HandlingModel({"A": 10.0, "B": 20.0, "C": 5.0})
WINDOWS = [
    DispatchWindow(1, frozenset({"A", "B", "C"})),
    DispatchWindow(2, frozenset({"A", "C"})),
    DispatchWindow(3, frozenset({"B"}), frozenset({"x"}), restricted=True),
]


def _line(rng: random.Random, n: int) -> list[Candidate]:
    return [
        Candidate(i, frozenset({rng.choice("ABC")}), float(i), priority=rng.random() < 0.05)
        for i in range(1, n + 1)
    ]


def _open(rng: random.Random, lunch: bool) -> list[OpenWindow]:
    return [
        OpenWindow(
            w,
            rng.choice([None, rng.uniform(1, 15)]),
            rng.choice([None, 0.1]),
            (20.0, 60.0) if lunch and w.number == 2 else None,
        )
        for w in WINDOWS
    ]


@pytest.mark.parametrize("seed", range(12))
def test_extending_equals_forecasting_the_longer_line(seed: int) -> None:
    rng = random.Random(seed)
    line = _line(rng, rng.randint(0, 60))
    windows = _open(rng, lunch=seed % 2 == 0)
    joiners = [Candidate(1000 + k, frozenset({rng.choice("ABC")}), 500.0 + k) for k in range(5)]
    grown = LineForecast.of(line, windows, MODEL, 100.0)
    for c in joiners:
        assert grown.can_extend(c)
        grown.extend(c)
    whole = LineForecast.of([*line, *joiners], windows, MODEL, 100.0)
    for c in [*line, *joiners]:
        assert grown.wait(c) == pytest.approx(whole.wait(c)), c
        assert grown.ahead_of(c) == whole.ahead_of(c)
    for a, b in zip(grown.free, whole.free, strict=True):
        assert a == pytest.approx(b)


def test_a_priority_ticket_or_an_appointment_is_not_appended() -> None:
    f = LineForecast.of(
        [Candidate(1, frozenset({"A"}), 1.0)], _open(random.Random(1), False), MODEL, 10.0
    )
    assert not f.can_extend(Candidate(2, frozenset({"A"}), 5.0, priority=True))
    assert not f.can_extend(Candidate(3, frozenset({"A"}), 50.0, appointment_at=50.0))
    # issued long before the newest ticket: not a late joiner but a line to play again
    assert not f.can_extend(Candidate(4, frozenset({"A"}), 1.0 - LATE_S - 0.5))
    assert f.can_extend(Candidate(5, frozenset({"A"}), 5.0))
    assert f.can_extend(Candidate(6, frozenset({"A"}), 0.5))  # committed late, issued close


def test_a_walk_in_committed_after_a_later_one_joins_with_its_people_ahead_exact() -> None:
    """Two desks commit in the other order: the earlier ticket joins after the later one.
    Its people ahead are counted in order; the plays may swap the two, so each wait is
    within one ticket's handling of a forecast made afresh."""
    rng = random.Random(5)
    windows = _open(rng, False)
    line = [Candidate(i, frozenset({"A"}), float(i)) for i in range(1, 30)]
    grown = LineForecast.of(line, windows, MODEL, 100.0)
    later, earlier = Candidate(31, frozenset({"A"}), 60.0), Candidate(30, frozenset({"A"}), 58.0)
    for c in (later, earlier):
        assert grown.can_extend(c)
        grown.extend(c)
    whole = LineForecast.of([*line, earlier, later], windows, MODEL, 100.0)
    one = MODEL.minutes(frozenset({"A"}))
    for c in (earlier, later):
        assert grown.ahead_of(c) == whole.ahead_of(c)
        assert grown.wait(c) == pytest.approx(whole.wait(c), abs=one)


@pytest.mark.parametrize("seed", range(8))
def test_waits_agree_with_the_one_ticket_estimate(seed: int) -> None:
    rng = random.Random(seed)
    line = _line(rng, 40)
    windows = _open(rng, lunch=False)
    whole = LineForecast.of(line, windows, MODEL, 100.0)
    for c in line[::7]:
        one = estimate_wait(c, line, windows, MODEL, 100.0, policy=Policy.OLDEST)
        if one is None:
            assert whole.wait(c) is None
        else:  # the same rules; plays with other draws of the same distribution
            assert whole.wait(c) == pytest.approx(one, rel=0.35, abs=3.0)
