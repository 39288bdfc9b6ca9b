"""Erlang C against known values and an independent exact computation with fractions."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from queue_app.domain import erlang


def exact_c(c: int, a: Fraction) -> Fraction:
    """The textbook closed form, in exact arithmetic (factorials and powers)."""
    top = a**c / math.factorial(c) * Fraction(c) / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def test_known_values() -> None:
    assert erlang.erlang_c(2, 1.0) == pytest.approx(1 / 3, rel=1e-12)
    assert erlang.erlang_c(1, 0.5) == pytest.approx(0.5, rel=1e-12)  # M/M/1: C = ρ
    assert erlang.erlang_b(1, 1.0) == pytest.approx(0.5, rel=1e-12)
    assert erlang.erlang_b(2, 1.0) == pytest.approx(0.2, rel=1e-12)
    # M/M/2 with a=1, mean service 1: Wq = C / (c - a) = 1/3
    assert erlang.mean_wait(2, 1.0, 1.0) == pytest.approx(1 / 3, rel=1e-12)


@pytest.mark.parametrize(
    ("c", "a"),
    [
        (2, Fraction(3, 2)),
        (5, Fraction(4)),
        (10, Fraction(17, 2)),
        (20, Fraction(17)),
        (37, Fraction(63, 2)),
        (60, Fraction(59)),
    ],
)
def test_against_exact_fractions(c: int, a: Fraction) -> None:
    want = exact_c(c, a)
    assert erlang.erlang_c(c, float(a)) == pytest.approx(float(want), rel=1e-9)
    wq = want / (c - a) * 12
    assert erlang.mean_wait(c, float(a), 12.0) == pytest.approx(float(wq), rel=1e-9)
    p20 = float(want) * math.exp(-float(c - a) * 20 / 12)
    assert erlang.wait_exceeds(c, float(a), 12.0, 20.0) == pytest.approx(p20, rel=1e-9)


def test_stable_for_hundreds_of_servers() -> None:
    for c in (100, 300, 800):
        v = erlang.erlang_c(c, 0.95 * c)
        assert 0 < v < 1 and math.isfinite(v)
    # the exact form agrees at 300 servers too
    assert erlang.erlang_c(300, 285.0) == pytest.approx(
        float(exact_c(300, Fraction(285))), rel=1e-9
    )


def test_unstable_and_edge_cases() -> None:
    assert erlang.erlang_c(3, 3.0) == 1.0
    assert erlang.mean_wait(3, 3.5, 10.0) == math.inf
    assert erlang.erlang_c(4, 0.0) == 0.0
    with pytest.raises(ValueError):
        erlang.erlang_c(0, 1.0)


def test_quantile_inverts_the_tail_and_staffing_is_minimal() -> None:
    c, a, s = 20, 17.0, 12.0
    t = erlang.wait_quantile(c, a, s, 0.9)
    assert erlang.wait_exceeds(c, a, s, t) == pytest.approx(0.1, rel=1e-9)
    assert erlang.wait_quantile(20, 5.0, s, 0.9) == 0.0  # C < 0.1: p90 is no wait at all
    n = erlang.servers_needed(a, s, 15.0)
    assert erlang.wait_quantile(n, a, s, 0.9) <= 15.0 < erlang.wait_quantile(n - 1, a, s, 0.9)
    assert erlang.servers_needed(0.0, s, 15.0) == 0
