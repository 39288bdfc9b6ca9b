"""好差评 rules, the load-balance figure and the mean wait per domain."""

from __future__ import annotations

import pytest

from queue_app.domain.errors import Refused
from queue_app.domain.figures import (
    DomainWait,
    load_balance,
    open_load_balance,
    queue_series,
    waits_by_domain,
)
from queue_app.domain.rating import check_rating
from queue_app.domain.ticket import Item, Status, Ticket


def _ticket(status: Status, window: int | None) -> Ticket:
    return Ticket(
        id=1,
        day="2026-11-23",
        number="A001",
        status=status,
        items=(Item("M-SBK"),),
        issued_at=0.0,
        queue_key=0.0,
        window=window,
    )


def test_a_rating_is_five_levels_once_for_a_visit_finished_here() -> None:
    done = _ticket(Status.DONE, 3)
    check_rating(done, 3, 5, already_rated=False)
    for level, code in ((0, "bad_rating"), (6, "bad_rating")):
        with pytest.raises(Refused) as e:
            check_rating(done, 3, level, already_rated=False)
        assert e.value.code == code and e.value.field == "level"
    with pytest.raises(Refused) as e:
        check_rating(done, 4, 5, already_rated=False)
    assert e.value.code == "not_finished_here"
    with pytest.raises(Refused) as e:
        check_rating(_ticket(Status.SERVING, 3), 3, 5, already_rated=False)
    assert e.value.code == "not_finished_here"
    with pytest.raises(Refused) as e:
        check_rating(done, 3, 4, already_rated=True)
    assert e.value.code == "already_rated"


def test_load_balance_is_the_spread_of_busy_time_over_its_mean() -> None:
    assert load_balance([600, 600, 600]) == 0.0
    assert load_balance([1200, 0]) == pytest.approx(1.0)
    assert load_balance([900, 300]) == pytest.approx(0.5)
    assert load_balance([600]) is None and load_balance([0, 0]) is None


def test_the_hall_balance_counts_windows_open_half_an_hour_by_their_utilisation() -> None:
    hour = 3600.0
    two = [(0.5 * hour, hour), (0.52 * hour, hour)]  # two windows at work since nine
    before = open_load_balance(two)
    assert before == pytest.approx(0.0196, abs=1e-3)
    # two more just opened, idle: not yet a sign of imbalance
    assert open_load_balance([*two, (0.0, 600.0), (0.0, 1200.0)]) == before
    # opened at eleven, as busy for their hour as the others for their two: even
    assert open_load_balance([(hour, 2 * hour), (0.5 * hour, hour)]) == pytest.approx(0.0)
    # half an hour open and idle: now it counts
    assert open_load_balance([*two, (0.0, 1800.0)]) == pytest.approx(0.7, abs=0.01)
    assert open_load_balance([(0.0, hour), (600.0, 1799.0)]) is None  # one settled window


def test_the_queue_over_the_day_is_replayed_from_the_log() -> None:
    log = [
        (10.0, "issued"),
        (20.0, "issued"),
        (30.0, "window_opened"),
        (70.0, "called"),
        (80.0, "no_show"),
        (90.0, "requeued"),
        (130.0, "called"),
        (140.0, "cancelled"),
    ]
    assert queue_series(log, 0.0, 180.0, 60.0) == [2, 2, 0]
    assert queue_series(log, 0.0, 200.0, 60.0) == [2, 2, 0, 0]  # the last bucket runs to now
    assert queue_series([], 0.0, 0.0, 60.0) == []


def test_waits_by_domain_count_a_ticket_in_each_of_its_domains() -> None:
    waits = waits_by_domain(
        [(60.0, ["社保"]), (180.0, ["社保", "企业开办", "社保"]), (0.0, ["户籍"])]
    )
    assert waits == [
        DomainWait("企业开办", 1, 180.0),
        DomainWait("社保", 2, 120.0),
        DomainWait("户籍", 1, 0.0),
    ]
    assert waits_by_domain([]) == []
