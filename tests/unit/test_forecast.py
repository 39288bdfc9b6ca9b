"""The wait estimate: learned handling times, the pooled formula, the forward simulation."""

from __future__ import annotations

import pytest

from queue_app.domain.dispatch import Candidate, DispatchWindow, Policy
from queue_app.domain.forecast import (
    HandlingModel,
    OpenWindow,
    busy_rate,
    estimate_wait,
    expected_remaining,
    forward_minutes,
)

ALL = frozenset({"A", "B"})


def cand(i: int, matters: str = "A", at: float = 0.0, pri: bool = False) -> Candidate:
    return Candidate(i, frozenset(matters), at, pri, domains=frozenset({"d" + matters}))


def test_handling_model_shrinks_from_the_catalog_toward_what_it_sees() -> None:
    m = HandlingModel({"A": 10.0, "B": 20.0}, prior_weight=5)
    assert m.minutes({"A"}) == 10.0
    assert m.minutes({"A", "B"}) == pytest.approx(30.0)
    for _ in range(5):
        m.observe({"A"}, 6.0)
    # the hall-wide ratio fell below 1: B's prior follows though B was never seen
    assert m.ratio < 1 and m.minutes({"B"}) < 20.0
    a = m.minutes({"A"})
    assert 6.0 < a < 10.0 * m.ratio
    for _ in range(200):
        m.observe({"A"}, 6.0)
    assert m.minutes({"A"}) == pytest.approx(6.0, rel=0.05)
    assert busy_rate(0, 10.0) is None and busy_rate(3, 30.0) == 0.1
    assert expected_remaining(12.0, 3.0) == 9.0 and expected_remaining(12.0, 30.0) == 4.0


def test_pooled_windows_use_the_queue_length_formula() -> None:
    w = [OpenWindow(DispatchWindow(n, ALL), 5.0, 0.1) for n in (1, 2)]
    line = [cand(1, at=0), cand(2, at=1), cand(3, at=2)]
    # two ahead, both windows busy at 0.1 ticket/min each: (2 + 1) / 0.2 = 15 minutes
    assert estimate_wait(line[2], line, w, HandlingModel({"A": 10.0}), 10.0) == pytest.approx(15)
    idle = [OpenWindow(DispatchWindow(1, ALL)), w[1]]
    assert estimate_wait(line[0], line, idle, HandlingModel({"A": 10.0}), 10.0) == 0.0


def test_forward_simulation_follows_choose_next_through_restricted_windows() -> None:
    model = HandlingModel({"A": 10.0, "B": 20.0})
    wa = DispatchWindow(1, frozenset({"A"}), restricted=True)
    wab = DispatchWindow(2, ALL)
    windows = [OpenWindow(wa, 4.0), OpenWindow(wab, 1.0)]
    line = [cand(1, "B", 0), cand(2, "A", 1), cand(3, "A", 2)]
    # with mean times: window 2 frees at 1 and takes B (20 min); window 1 frees at 4, takes
    # the first A (busy until 14); ticket 3 goes to window 1 at 14
    got = forward_minutes(line[2], line, windows, model, 0.0, runs=0)
    assert got == pytest.approx(14.0)
    assert estimate_wait(line[2], line, windows, model, 0.0) is not None
    # nobody open may serve B alone at window 1: if window 2 closes, B is never called
    assert estimate_wait(line[0], line, windows[:1], model, 0.0) is None
    # priority jumps the line
    pri = cand(9, "A", 3, pri=True)
    # (window 2, free first at 1, calls it before B)
    assert forward_minutes(pri, [*line, pri], windows, model, 0.0, runs=0) == pytest.approx(1.0)
    # the drawn plays average out near the mean play and are reproducible
    a = forward_minutes(line[2], line, windows, model, 0.0, runs=50)
    assert a == forward_minutes(line[2], line, windows, model, 0.0, runs=50)
    assert 8.0 < a < 16.0  # type: ignore[operator]


@pytest.mark.parametrize("policy", list(Policy))
def test_every_policy_runs(policy: Policy) -> None:
    model = HandlingModel({"A": 10.0, "B": 20.0})
    ws = [
        OpenWindow(DispatchWindow(1, frozenset({"A"}), frozenset({"dA"}), restricted=True), 2.0),
        OpenWindow(DispatchWindow(2, ALL), None),
    ]
    line = [cand(i, "AB"[i % 2], float(i)) for i in range(1, 30)]
    got = estimate_wait(line[-1], line, ws, model, 100.0, policy=policy)
    assert got is not None and got > 0
