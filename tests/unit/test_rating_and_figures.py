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
from queue_app.domain.rating import (
    RATING_LABELS,
    REASON_LABELS,
    REASON_WORDS,
    Channel,
    GivenRating,
    check_rating,
)
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


def refused(code: str, act) -> Refused:  # type: ignore[no-untyped-def]
    with pytest.raises(Refused) as e:
        act()
    assert e.value.code == code, e.value
    return e.value


def test_the_national_levels_and_the_reasons_of_the_two_lowest() -> None:
    """国办发〔2019〕51号's five levels; 不满意 and 非常不满意 need at least one reason of the
    national 差评 categories (kept in order, each once), the others none."""
    assert list(RATING_LABELS.values()) == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert list(REASON_LABELS.values()) == [
        "办事指南不清晰", "需要提交的材料过多/重复", "服务态度差",
        "办理时间长/多次跑", "窗口人员业务不熟", "其他",
    ]  # fmt: skip
    assert REASON_WORDS.keys() == REASON_LABELS.keys()
    done = _ticket(Status.DONE, 3)
    for poor in (1, 2):
        e = refused("reasons_required", lambda: check_rating(done, 3, poor, False))  # noqa: B023
        assert e.field == "reasons"
    picked = check_rating(done, 3, 1, False, ["other", "poor_attitude", "other"])
    assert picked == ("poor_attitude", "other")
    refused("unknown_reason", lambda: check_rating(done, 3, 2, False, ["rude"]))
    for fine in (3, 4, 5):
        assert check_rating(done, 3, fine, False) == ()
        refused(
            "reasons_not_for_level",
            lambda: check_rating(done, 3, fine, False, ["other"]),  # noqa: B023
        )


def test_one_rating_per_visit_and_the_status_page_only_after_it() -> None:
    done, serving = _ticket(Status.DONE, 3), _ticket(Status.SERVING, 3)
    refused("already_rated", lambda: check_rating(done, 3, 5, True))
    refused("already_rated", lambda: check_rating(done, None, 5, True))  # by the token
    refused("not_finished_yet", lambda: check_rating(serving, None, 5, False))
    assert check_rating(done, None, 4, False) == ()  # the status page: no window


def test_a_logged_rating_says_its_channel_and_one_before_channels_is_the_citizens() -> None:
    staff = GivenRating.of_detail({"level": 2, "channel": "staff", "reasons": ["too_slow"]}, "wang")
    assert staff == GivenRating(2, ("too_slow",), Channel.STAFF, "wang") and staff.by_staff
    old = GivenRating.of_detail({"level": 4}, "wang")  # logged before 0010
    assert old.channel is None and not old.by_staff and old.reasons == ()


def test_the_tally_counts_a_proxy_rating_apart_from_the_citizens_own() -> None:
    from queue_app.domain.rollup import PROXY_CHANNEL, By, DayEvent, DayRules, DayTicket, tally_day

    assert Channel.STAFF.value == PROXY_CHANNEL
    tickets = [
        DayTicket(id=i, prefix="A", bundle=None, matters=("M-SBK",), issued_at=0.0,
                  started_at=30.0, finished_at=60.0, outcomes={"M-SBK": "completed"})
        for i in (1, 2, 3)
    ]  # fmt: skip
    events = [DayEvent(10 + i, 60.0, "finished", i, 1, "wang", {}) for i in (1, 2, 3)]
    events += [
        DayEvent(20, 61.0, "rated", 1, 1, "pad1", {"level": 5, "channel": "device"}),
        DayEvent(21, 61.0, "rated", 2, 1, "wang", {"level": 1, "channel": "staff"}),
        DayEvent(22, 61.0, "rated", 3, 1, "citizen", {"level": 2, "channel": "status"}),
    ]
    rules = DayRules(wait_target_s=600.0, department_of={"M-SBK": "人社局"},
                     domain_of={"M-SBK": "社保"}, hour_of=lambda _: 9, end=100.0)  # fmt: skip
    groups = tally_day(tickets, events, rules).groups
    for key in ((By.HALL, ""), (By.WINDOW, "1"), (By.CLERK, "wang")):
        t = groups[key]
        assert (dict(t.ratings), dict(t.proxied), t.rated, t.proxy_rated) == (
            {5: 1, 2: 1}, {1: 1}, 2, 1,
        ), key  # fmt: skip
        assert (t.bad_rate, t.satisfied_rate) == (0.5, 0.5)  # the citizens' own only
        assert t.columns()["proxy_1"] == 1


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


def test_the_hall_file_says_which_windows_have_a_rater_with_clear_errors() -> None:
    import yaml

    from queue_app.domain.errors import InvalidData
    from queue_app.domain.hall import parse_hall
    from tests.conftest import FIXTURES

    data = yaml.safe_load((FIXTURES / "mini_hall.yaml").read_text(encoding="utf-8"))
    assert parse_hall(data).rater_windows == {1, 2, 3, 4}  # by default every window
    for said, found in (("none", set()), ("2-3", {2, 3}), (" ALL ", {1, 2, 3, 4})):
        data["ratings"] = {"devices": said}
        assert parse_hall(data).rater_windows == found
    for said, word in (("2-9", "no such window in this hall: 5-9"), ("two", "expected")):
        data["ratings"] = {"devices": said}
        with pytest.raises(InvalidData) as e:
            parse_hall(data)
        assert "ratings.devices" in str(e.value) and word in str(e.value), str(e.value)
