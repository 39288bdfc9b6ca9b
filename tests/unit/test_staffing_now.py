"""The manager's live staffing figure: Erlang C on each hour's arrivals so far."""

from __future__ import annotations

import math

import pytest

from queue_app.domain import erlang
from queue_app.domain.staffing_now import SETTLED_MINUTES, hourly_needs, p90_with

H = 3600.0


def test_each_hour_needs_the_fewest_windows_within_the_target() -> None:
    issued = [i * 60.0 for i in range(60)] + [H + i * 120.0 for i in range(30)]
    hours = hourly_needs(issued, [0.0, H, 2 * H], now=2 * H, hold_minutes=10, target_minutes=20)
    assert [(h.start, h.arrivals, h.rate_per_hour) for h in hours] == [(0.0, 60, 60), (H, 30, 30)]
    first, second = hours
    assert first.load == pytest.approx(10.0) and second.load == pytest.approx(5.0)
    assert first.needed == erlang.servers_needed(10.0, 10, 20)
    assert erlang.wait_quantile(first.needed, 10.0, 10, 0.9) <= 20
    assert erlang.wait_quantile(first.needed - 1, 10.0, 10, 0.9) > 20
    assert second.needed < first.needed


def test_the_current_hour_is_scaled_once_seen_long_enough() -> None:
    issued = [i * 60.0 for i in range(30)]  # one a minute for the first half hour
    (h,) = hourly_needs(issued, [0.0], now=30 * 60.0, hold_minutes=12, target_minutes=20)
    assert h.arrivals == 30 and h.rate_per_hour == pytest.approx(60)
    early = SETTLED_MINUTES * 60 - 1
    assert hourly_needs(issued, [0.0], now=early, hold_minutes=12, target_minutes=20) == []


def test_p90_with_the_windows_open() -> None:
    assert p90_with(3, 4.0, 10) == math.inf  # cannot keep up
    assert p90_with(0, 0.0, 10) == 0.0
    assert p90_with(8, 4.0, 10) == erlang.wait_quantile(8, 4.0, 10, 0.9)
