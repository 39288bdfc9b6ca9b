"""The ticket state machine: every transition, every refusal."""

from __future__ import annotations

import pytest

from queue_app.domain import ticket as rules
from queue_app.domain.errors import Refused
from queue_app.domain.ticket import Item, Outcome, Status, Ticket, parse_outcome, parse_priority
from queue_app.i18n import message


def make(status: Status = Status.WAITING, **kw: object) -> Ticket:
    base: dict = dict(
        id=1,
        day="2026-11-23",
        number="A001",
        status=status,
        items=(Item("M1"), Item("M2")),
        issued_at=100.0,
        queue_key=100.0,
    )
    base.update(kw)
    return Ticket(**base)


def test_happy_path_waiting_called_serving_done() -> None:
    t = make()
    c = rules.call(t, 3, 200.0)
    assert (c.ticket.status, c.ticket.window, c.ticket.called_at, c.event) == (
        Status.CALLED,
        3,
        200.0,
        "called",
    )
    s = rules.start(c.ticket, 3, 210.0)
    assert s.ticket.status is Status.SERVING and s.ticket.started_at == 210.0
    f = rules.finish(s.ticket, 3, {"M1": Outcome.COMPLETED, "M2": Outcome.ACCEPTED}, 400.0)
    assert f.ticket.status is Status.DONE
    assert [i.outcome for i in f.ticket.items] == [Outcome.COMPLETED, Outcome.ACCEPTED]
    assert f.ticket.finished_at == 400.0
    assert f.detail["outcomes"] == {"M1": Outcome.COMPLETED, "M2": Outcome.ACCEPTED}


def test_recall_counts_up_to_the_limit_then_refuses() -> None:
    t = rules.call(make(), 1, 0).ticket
    for n in range(1, 6):
        t = rules.recall(t, 1, n, limit=5).ticket
        assert t.recalls == n
    with pytest.raises(Refused) as e:
        rules.recall(t, 1, 9, limit=5)
    assert e.value.code == "recall_limit"
    assert rules.no_show(t, 1, 10).ticket.status is Status.NO_SHOW


def test_transfer_keeps_place_and_sets_target() -> None:
    t = rules.start(rules.call(make(queue_key=42.0), 1, 50).ticket, 1, 60).ticket
    c = rules.transfer(t, 1, 70, to_window=4, reason="需出入境窗口")
    assert c.ticket.status is Status.WAITING
    assert c.ticket.queue_key == 42.0 and c.ticket.issued_at == 100.0
    assert (c.ticket.target_window, c.ticket.window, c.ticket.called_at) == (4, None, None)
    assert c.detail["reason"] == "需出入境窗口"
    d = rules.transfer(rules.call(make(), 1, 5).ticket, 1, 6, to_domain="出入境")
    assert d.ticket.target_domain == "出入境" and d.ticket.target_window is None


def test_called_ticket_with_target_window_only_goes_there() -> None:
    t = make(target_window=4)
    with pytest.raises(Refused) as e:
        rules.call(t, 2, 0)
    assert e.value.code == "not_for_this_window"
    assert rules.call(t, 4, 0).ticket.window == 4


def test_requeue_puts_a_latecomer_at_the_back() -> None:
    gone = rules.no_show(rules.call(make(), 1, 10).ticket, 1, 20).ticket
    back = rules.requeue(gone, 500.0).ticket
    assert back.status is Status.WAITING and back.queue_key == 500.0 and back.window is None


def test_cancel_and_expire() -> None:
    assert rules.cancel(make(), 5, "不办了").ticket.status is Status.CANCELLED
    assert rules.expire(make(), 5).ticket.status is Status.EXPIRED
    called = rules.call(make(), 1, 1).ticket
    assert rules.expire(called, 5).ticket.status is Status.EXPIRED
    serving = rules.start(called, 1, 2).ticket
    with pytest.raises(Refused):
        rules.expire(serving, 5)
    assert rules.expire(serving, 5, force=True).ticket.status is Status.EXPIRED


REFUSALS = [
    # (status, action, expected code)
    (Status.CALLED, lambda t: rules.call(t, 1, 0), "bad_status"),
    (Status.SERVING, lambda t: rules.call(t, 1, 0), "bad_status"),
    (Status.DONE, lambda t: rules.call(t, 1, 0), "bad_status"),
    (Status.WAITING, lambda t: rules.recall(t, 1, 0, 5), "bad_status"),
    (Status.SERVING, lambda t: rules.recall(t, 1, 0, 5), "bad_status"),
    (Status.WAITING, lambda t: rules.start(t, 1, 0), "bad_status"),
    (Status.SERVING, lambda t: rules.start(t, 1, 0), "bad_status"),
    (Status.WAITING, lambda t: rules.finish(t, 1, {}, 0), "bad_status"),
    (Status.CALLED, lambda t: rules.finish(t, 1, {}, 0), "bad_status"),
    (Status.WAITING, lambda t: rules.transfer(t, 1, 0, to_window=2), "bad_status"),
    (Status.DONE, lambda t: rules.transfer(t, 1, 0, to_window=2), "bad_status"),
    (Status.WAITING, lambda t: rules.no_show(t, 1, 0), "bad_status"),
    (Status.SERVING, lambda t: rules.no_show(t, 1, 0), "bad_status"),
    (Status.WAITING, lambda t: rules.requeue(t, 0), "bad_status"),
    (Status.DONE, lambda t: rules.requeue(t, 0), "bad_status"),
    (Status.CALLED, lambda t: rules.cancel(t, 0), "bad_status"),
    (Status.DONE, lambda t: rules.cancel(t, 0), "bad_status"),
    (Status.CANCELLED, lambda t: rules.cancel(t, 0), "bad_status"),
    (Status.DONE, lambda t: rules.expire(t, 0), "bad_status"),
    (Status.NO_SHOW, lambda t: rules.expire(t, 0), "bad_status"),
    (Status.EXPIRED, lambda t: rules.call(t, 1, 0), "bad_status"),
]


@pytest.mark.parametrize(("status", "action", "code"), REFUSALS)
def test_refused_transitions(status: Status, action, code: str) -> None:
    t = make(status, window=1)
    with pytest.raises(Refused) as e:
        action(t)
    assert e.value.code == code
    assert message(e.value, "zh") and message(e.value, "en") and e.value.field


@pytest.mark.parametrize(
    "action",
    [
        lambda t: rules.recall(t, 2, 0, 5),
        lambda t: rules.start(t, 2, 0),
        lambda t: rules.no_show(t, 2, 0),
        lambda t: rules.transfer(t, 2, 0, to_window=3),
    ],
)
def test_another_windows_ticket_is_refused(action) -> None:
    t = rules.call(make(), 1, 0).ticket
    with pytest.raises(Refused) as e:
        action(t)
    assert e.value.code == "not_your_ticket"


def test_finish_needs_one_outcome_per_matter() -> None:
    t = rules.start(rules.call(make(), 1, 0).ticket, 1, 1).ticket
    with pytest.raises(Refused) as e:
        rules.finish(t, 1, {"M1": Outcome.COMPLETED}, 2)
    assert e.value.code == "outcome_missing" and "M2" in message(e.value, "en")
    with pytest.raises(Refused) as e:
        rules.finish(
            t, 1, {"M1": Outcome.COMPLETED, "M2": Outcome.COMPLETED, "M9": Outcome.REJECTED}, 2
        )
    assert e.value.code == "unknown_matter"
    with pytest.raises(Refused):
        rules.finish(t, 2, {"M1": Outcome.COMPLETED, "M2": Outcome.COMPLETED}, 2)


def test_transfer_needs_exactly_one_other_target() -> None:
    t = rules.call(make(), 1, 0).ticket
    for kw in ({}, {"to_window": 2, "to_domain": "社保"}, {"to_window": 1}):
        with pytest.raises(Refused) as e:
            rules.transfer(t, 1, 0, **kw)
        assert e.value.code == "transfer_target"


def test_labels_parse_in_both_languages() -> None:
    assert parse_outcome("办结") is Outcome.COMPLETED
    assert parse_outcome("rejected") is Outcome.REJECTED
    assert parse_outcome("补正") is Outcome.CORRECTION
    assert parse_priority("老年人").value == "elderly"
    assert parse_priority("military").value == "military"
    with pytest.raises(Refused) as e:
        parse_outcome("done-ish")
    assert "completed (办结)" in message(e.value, "en")


def serving(window: int = 3, **kw: object) -> Ticket:
    return rules.start(rules.call(make(**kw), window, 200.0).ticket, window, 260.0).ticket


def test_park_unpark_call_again_at_the_same_window_and_the_time_served_adds_up() -> None:
    parked = rules.park(serving(), 3, 500.0, "  户口本原件 ")
    t = parked.ticket
    assert (t.status, t.window, t.parked_at, t.park_note) == (Status.PARKED, 3, 500.0, "户口本原件")
    assert (t.handled_before, t.started_at, parked.event) == (240.0, None, "parked")
    back = rules.unpark(t, 1400.0)
    assert (back.ticket.status, back.ticket.held_for, back.ticket.window) == (
        Status.WAITING,
        3,
        None,
    )
    assert back.event == "unparked" and back.detail["parked_s"] == 900.0
    assert back.ticket.queue_key == 100.0  # its place in line is kept
    with pytest.raises(Refused) as e:
        rules.call(back.ticket, 2, 1500.0)
    assert e.value.code == "held_for_window"
    again = rules.start(rules.call(back.ticket, 3, 1500.0).ticket, 3, 1510.0).ticket
    assert again.held_for is None
    done = rules.finish(again, 3, {"M1": Outcome.COMPLETED, "M2": Outcome.COMPLETED}, 1600.0)
    t = done.ticket
    assert t.handled_before + t.finished_at - t.started_at == 240.0 + 90.0  # not the 900 away


def test_unpark_when_the_window_is_closed_goes_to_the_line_at_its_place() -> None:
    t = rules.park(serving(), 3, 500.0).ticket
    back = rules.unpark(t, 900.0, hold=False).ticket
    assert (back.status, back.held_for, back.queue_key) == (Status.WAITING, None, 100.0)
    assert rules.call(back, 5, 950.0).ticket.window == 5
    held = rules.unpark(t, 900.0).ticket
    lifted = rules.release(held, 950.0)
    assert (lifted.event, lifted.ticket.held_for, lifted.detail) == (
        "hold_released",
        None,
        {"window": 3},
    )


def test_park_and_unpark_refusals() -> None:
    t = rules.park(serving(), 3, 500.0).ticket
    refused = [
        (lambda: rules.park(make(), 3, 1), "bad_status"),  # waiting
        (lambda: rules.park(rules.call(make(), 3, 1).ticket, 3, 2), "bad_status"),  # called
        (lambda: rules.park(serving(), 4, 1), "not_your_ticket"),  # another window's
        (lambda: rules.park(t, 3, 600), "bad_status"),  # parked already
        (lambda: rules.unpark(make(), 1), "bad_status"),
        (lambda: rules.unpark(t, 600, window=4), "not_your_ticket"),
        (lambda: rules.release(make(), 1), "bad_status"),  # not held
        (lambda: rules.call(t, 3, 600), "bad_status"),
        (lambda: rules.start(t, 3, 600), "bad_status"),
        (lambda: rules.finish(t, 3, {}, 600), "bad_status"),
        (lambda: rules.no_show(t, 3, 600), "bad_status"),
        (lambda: rules.transfer(t, 3, 600, to_window=1), "bad_status"),
        (lambda: rules.cancel(t, 600), "bad_status"),
        (lambda: rules.requeue(t, 600), "bad_status"),
    ]
    for act, code in refused:
        with pytest.raises(Refused) as e:
            act()
        assert e.value.code == code
    assert message(e.value, "en") == "Cannot re-queue A001: it is waiting for materials"
    assert rules.unpark(t, 600, window=3).ticket.held_for == 3
    ended = rules.expire(t, 700.0)  # the day's close, no force needed
    assert (ended.ticket.status, ended.detail) == (Status.EXPIRED, {"from": "parked"})
