"""The wait estimate: learned handling times, the pooled formula, the forward simulation."""

from __future__ import annotations

import pytest

from queue_app.domain.dispatch import Candidate, DispatchWindow, Policy
from queue_app.domain.forecast import (
    HandlingModel,
    OpenWindow,
    back_after_lunch,
    busy_rate,
    estimate_wait,
    expected_remaining,
    forward_minutes,
    lunch_away,
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


H = 3600.0
LUNCH = (12 * H, 13.5 * H)


def test_who_is_away_over_lunch() -> None:
    # a window off lunch duty: away from lunch (after its ticket in hand) until its end
    assert lunch_away(11 * H, LUNCH) == (60.0, 150.0)
    assert lunch_away(12.5 * H, LUNCH) == (0.0, 60.0)
    assert lunch_away(13.5 * H, LUNCH) is None
    # a window closed for lunch (a little early too) is back at its end
    assert back_after_lunch(12 * H, 12.5 * H, LUNCH) == (0.0, 60.0)
    assert back_after_lunch(11.75 * H, 12.5 * H, LUNCH) == (0.0, 60.0)
    # closed long before lunch, or after it, or lunch is over: nobody can say it will open
    assert back_after_lunch(10 * H, 12.5 * H, LUNCH) is None
    assert back_after_lunch(15 * H, 15.5 * H, LUNCH) is None
    assert back_after_lunch(12 * H, 14 * H, LUNCH) is None


def test_a_window_closed_for_lunch_is_waited_for() -> None:
    model = HandlingModel({"A": 10.0})
    duty = OpenWindow(DispatchWindow(1, ALL), 30.0)  # on duty, 30 minutes left on its ticket
    back = OpenWindow(DispatchWindow(2, ALL), away=(0.0, 15.0))  # closed, back in 15
    line = [cand(1, at=0), cand(2, at=1), cand(3, at=2)]
    # window 2 is back at 15 and takes ticket 1 (until 25), then 2 (until 35); window 1
    # frees at 30 and takes ticket 3
    assert forward_minutes(line[2], line, [duty, back], model, 0.0, runs=0) == pytest.approx(30)
    # the only window that may serve a ticket is away: an estimate all the same
    assert estimate_wait(line[0], line, [back], model, 0.0) == pytest.approx(15.0, rel=0.3)


def test_a_window_leaving_for_lunch_is_not_counted_on() -> None:
    model = HandlingModel({"A": 10.0})
    leaving = OpenWindow(DispatchWindow(1, ALL), 2.0, away=(5.0, 95.0))  # lunch in 5 minutes
    duty = OpenWindow(DispatchWindow(2, ALL), 30.0)
    line = [cand(1, at=0), cand(2, at=1), cand(3, at=2)]
    # window 1 frees at 2, takes ticket 1 (until 12) and leaves; window 2 takes 2 at 30 and
    # 3 at 40. Were nobody leaving, window 1 would take 2 at 12 and 3 at 22.
    got = forward_minutes(line[2], line, [leaving, duty], model, 0.0, runs=0)
    assert got == pytest.approx(40.0)
    staying = OpenWindow(DispatchWindow(1, ALL), 2.0)
    assert forward_minutes(line[2], line, [staying, duty], model, 0.0, runs=0) == 22.0
    # pooled windows, the line served long before anyone leaves: the formula, as without lunch
    rates = [OpenWindow(DispatchWindow(n, ALL), 5.0, 0.1, away=(120.0, 210.0)) for n in (1, 2)]
    assert estimate_wait(line[2], line, rates, model, 10.0) == pytest.approx(15)


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
