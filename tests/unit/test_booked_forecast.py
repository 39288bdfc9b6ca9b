"""Bookings still to check in lengthen a walk-in's wait when their slots begin before it is
called (they are served first, as appointments); a share of them never comes."""

from __future__ import annotations

import random

import pytest

from queue_app.domain.booked import CHECK_IN_LATE_S, Booked
from queue_app.domain.dispatch import Candidate, DispatchWindow
from queue_app.domain.forecast import (
    HandlingModel,
    OpenWindow,
    booked_candidates,
    estimate_wait,
    forward_minutes,
)
from queue_app.domain.line_forecast import LineForecast

NOW = 9 * 3600 + 25 * 60.0  # 09:25
SLOT = 9 * 3600 + 30 * 60.0  # 09:30
MODEL = HandlingModel({"A": 10.0, "B": 10.0})
POOLED = [DispatchWindow(n, frozenset({"A", "B"})) for n in (1, 2)]
SPLIT = [DispatchWindow(1, frozenset({"A"})), DispatchWindow(2, frozenset({"B"}))]


def walk_ins(n: int, matters: str = "A") -> list[Candidate]:
    return [Candidate(k, frozenset({matters}), NOW - 60.0 * (n - k)) for k in range(1, n + 1)]


def test_pooled_windows_bookings_of_a_slot_before_the_call_go_ahead() -> None:
    # two busy windows at 0.1 tickets a minute each: three ahead, the walk-in called in 20 min
    windows = [OpenWindow(w, 5.0, 0.1) for w in POOLED]
    line = walk_ins(4)
    me = line[-1]
    assert estimate_wait(me, line, windows, MODEL, NOW) == pytest.approx(20.0)
    six = booked_candidates([Booked(SLOT, ("A",))] * 6, NOW)
    # six bookings for 09:30 come before then: (3 + 6 + 1) / 0.2, less one in ten not coming
    assert estimate_wait(me, line, windows, MODEL, NOW, booked=six, no_show=0.0) == 50.0
    assert estimate_wait(me, line, windows, MODEL, NOW, booked=six) == pytest.approx(47.0)
    # a slot beginning after the walk-in is called changes nothing
    late = booked_candidates([Booked(NOW + 30 * 60, ("A",))] * 6, NOW)
    assert estimate_wait(me, line, windows, MODEL, NOW, booked=late) == pytest.approx(20.0)
    # a green-channel ticket is not passed by bookings
    green = Candidate(99, frozenset({"A"}), NOW, priority=True)
    assert estimate_wait(green, line, windows, MODEL, NOW, booked=six) == pytest.approx(5.0)


def test_restricted_windows_the_plays_serve_bookings_once_their_slot_begins() -> None:
    # window 1 (A only) has 5 minutes left, one A ticket of 10 minutes before the walk-in
    windows = [OpenWindow(SPLIT[0], 5.0), OpenWindow(SPLIT[1])]
    line = walk_ins(2)
    me = line[-1]

    def called(booked: list[Booked]) -> float | None:
        cands = booked_candidates(booked, NOW)
        return forward_minutes(me, line, windows, MODEL, NOW, runs=0, booked=cands)

    assert called([]) == pytest.approx(15.0)
    # two A bookings for 09:30 are there when window 1 is free at 09:40: they go first
    assert called([Booked(SLOT, ("A",))] * 2) == pytest.approx(35.0)
    assert called([Booked(SLOT, ("B",))] * 2) == pytest.approx(15.0)  # another window's
    assert called([Booked(NOW + 20 * 60, ("A",))] * 2) == pytest.approx(15.0)  # after its call
    # a slot begun 10 minutes ago may still check in (now on); 20 minutes ago: no longer
    assert called([Booked(NOW - 10 * 60, ("A",))]) == pytest.approx(25.0)
    assert called([Booked(NOW - CHECK_IN_LATE_S - 60, ("A",))]) == pytest.approx(15.0)


def test_no_show_share_of_bookings_stays_away_in_that_share_of_the_plays() -> None:
    windows = [OpenWindow(SPLIT[0], 5.0), OpenWindow(SPLIT[1])]
    line = walk_ins(2)
    cands = booked_candidates([Booked(SLOT, ("A",))] * 4, NOW)
    f = LineForecast.of(line, windows, MODEL, NOW, booked=cands, no_show=0.25)
    per_booking = [sum(f._present(k, p) for p in range(f.runs)) for k in range(4)]
    assert per_booking == [6] * 4  # each away in a quarter of the plays
    per_play = [sum(f._present(k, p) for k in range(4)) for p in range(f.runs)]
    assert all(2 <= n <= 4 for n in per_play)
    none = LineForecast.of(line, windows, MODEL, NOW)
    assert f.called_in(line[-1]) > none.called_in(line[-1])  # type: ignore[operator]


@pytest.mark.parametrize("seed", range(10))
def test_extending_with_bookings_equals_forecasting_the_longer_line(seed: int) -> None:
    rng = random.Random(seed)
    windows = [
        OpenWindow(w, rng.choice([None, rng.uniform(1, 15)]), rng.choice([None, 0.1]))
        for w in [*SPLIT, DispatchWindow(3, frozenset({"A", "B"}))]
    ]
    line = [
        Candidate(i, frozenset({rng.choice("AB")}), NOW - 600 + i)
        for i in range(1, rng.randint(0, 6) + 1)
    ]
    booked = booked_candidates(
        [Booked(NOW + rng.uniform(-5, 90) * 60, (rng.choice("AB"),)) for _ in range(8)], NOW
    )
    grown = LineForecast.of(line, windows, MODEL, NOW, booked=booked, no_show=0.1)
    joined = []
    for k in range(6):
        c = Candidate(1000 + k, frozenset({rng.choice("AB")}), NOW + k)
        assert grown.can_extend(c)
        before = ([list(x) for x in grown.free], dict(grown.calls))
        if not grown.extend(c):  # would delay a booking: unchanged, the line is played again
            assert ([list(x) for x in grown.free], dict(grown.calls)) == before
            break
        joined.append(c)
    whole = LineForecast.of([*line, *joined], windows, MODEL, NOW, booked=booked, no_show=0.1)
    for c in [*line, *joined]:
        assert grown.called_in(c) == pytest.approx(whole.called_in(c)), c
    for a, b in zip(grown.free, whole.free, strict=True):
        assert a == pytest.approx(b)
