"""The store's operations on a real database: transitions, refusals, numbering, restarts."""

from __future__ import annotations

import pytest

from queue_app.domain.catalog import Catalog
from queue_app.domain.errors import Refused
from queue_app.domain.hall import Hall
from queue_app.domain.ticket import Outcome, Priority, Status
from queue_app.domain.window_state import WindowStatus, WindowView
from queue_app.i18n import message
from queue_app.store import Store
from tests.conftest import Clock


def snapshot(store: Store) -> tuple:
    """Everything a refused operation must leave untouched."""
    tickets = [(t.number, t.status, t.window, t.recalls, t.target_window) for t in store.waiting()]
    day = store.today()
    all_numbers = [e.ticket_number for e in store.events(day=day)]
    windows = [
        (w.number, w.status, w.reason, w.ticket.number if w.ticket else None)
        for w in store.windows()
    ]
    return tickets, len(all_numbers), windows, store.counts()


def test_issue_numbers_per_class_and_reports_position(store: Store) -> None:
    a1 = store.issue(["M-SBK"], actor="desk1")
    a2 = store.issue(["M-YL"])
    b1 = store.issue(bundle="QY-KBCYD")
    v1 = store.issue(["M-SBK"], priority=Priority.ELDERLY)
    assert [x.ticket.number for x in (a1, a2, b1, v1)] == ["A001", "A002", "B001", "V001"]
    assert (a1.ahead, a2.ahead, b1.ahead, v1.ahead) == (0, 1, 0, 0)
    assert b1.windows == (3,) and b1.ticket.bundle == "QY-KBCYD"
    assert [i.matter for i in b1.ticket.items] == ["M-GT", "M-SP"]
    assert a2.estimated_wait_minutes == 0.0  # A001 goes to one idle window, A002 to the other
    assert a1.class_name == "综合业务" and v1.class_name == "绿色通道"
    ev = store.events()[-4]
    assert (ev.kind, ev.ticket_number, ev.actor, ev.detail["matters"]) == (
        "issued",
        "A001",
        "desk1",
        ["M-SBK"],
    )
    assert store.ticket_by_token(a1.token).number == "A001"
    assert store.ticket_by_token("not-a-token") is None


def test_matter_references_and_refusals(store: Store) -> None:
    assert store.issue(["M-SB"]).ticket.items[0].matter == "M-SBK"  # unique prefix
    before = snapshot(store)
    cases = [
        (lambda: store.issue([]), "no_matters"),
        (lambda: store.issue(["NOPE"]), "unknown_matter"),
        (lambda: store.issue(["M-"]), "ambiguous_matter"),
        (lambda: store.issue(["M-SBK", "M-SBK"]), "duplicate_matter"),
        (lambda: store.issue(["M-SBK"], bundle="GR-TX"), "duplicate_matter"),
        (lambda: store.issue(bundle="QY-NOPE"), "unknown_bundle"),
        (lambda: store.issue(["M-BDC"]), "no_window"),  # no window of the hall serves it
        (lambda: store.issue(["M-HZ", "M-SBK"]), "no_window"),  # no window serves both
    ]
    for action, code in cases:
        with pytest.raises(Refused) as e:
            action()
        assert e.value.code == code, code
        assert e.value.field in ("matters", "bundle")
    assert snapshot(store) == before


def test_full_lifecycle_records_every_transition(store: Store, clock: Clock) -> None:
    store.issue(bundle="GR-TX", actor="desk1")
    clock.advance(minutes=3)
    t = store.call_next(1, actor="clerk1")
    assert t is not None and t.status is Status.CALLED and t.window == 1
    assert store.windows()[0].state is WindowView.CALLING
    assert store.recall(1, actor="clerk1").recalls == 1
    clock.advance(minutes=1)
    assert store.start(1, actor="clerk1", number="A001").status is Status.SERVING
    assert store.windows()[0].state is WindowView.SERVING
    clock.advance(minutes=10)
    done = store.finish(1, {"M-YL": Outcome.ACCEPTED, "M-SBK": Outcome.COMPLETED}, actor="clerk1")
    assert done.status is Status.DONE
    assert {i.matter: i.outcome for i in done.items} == {
        "M-YL": Outcome.ACCEPTED,
        "M-SBK": Outcome.COMPLETED,
    }
    assert store.windows()[0].state is WindowView.IDLE
    again = store.ticket("A001")
    assert again.items == done.items and again.finished_at == clock.now
    kinds = [(e.kind, e.actor, e.window) for e in store.events(ticket="A001")]
    assert kinds == [
        ("issued", "desk1", None),
        ("called", "clerk1", 1),
        ("recalled", "clerk1", 1),
        ("started", "clerk1", 1),
        ("finished", "clerk1", 1),
    ]


def test_window_changes_are_logged_with_who_when_and_why(store: Store, clock: Clock) -> None:
    before = len(store.events())
    store.pause(2, "休息", actor="clerk2")
    clock.advance(minutes=15)
    store.resume(2, actor="clerk2")
    store.close_window(2, actor="boss")
    clock.advance(minutes=5)
    store.open_window(2, actor="boss")
    logged = [(e.kind, e.actor, e.window, e.at, e.detail) for e in store.events()[before:]]
    start = clock.now - 20 * 60
    assert [row[:4] for row in logged] == [
        ("window_paused", "clerk2", 2, start),
        ("window_resumed", "clerk2", 2, start + 15 * 60),
        ("window_closed", "boss", 2, start + 15 * 60),
        ("window_opened", "boss", 2, start + 20 * 60),
    ]
    assert logged[0][4] == {"from": "open", "to": "paused", "reason": "休息"}


def test_refusals_at_the_window_change_nothing(store: Store) -> None:
    store.issue(["M-SBK"])
    store.issue(["M-GT"])
    store.call_next(1)
    store.pause(2, "休息")
    before = snapshot(store)
    cases = [
        (lambda: store.finish(1, Outcome.COMPLETED), "bad_status"),  # called, not serving
        (lambda: store.finish(3, Outcome.COMPLETED), "no_current_ticket"),
        (lambda: store.start(1, number="B001"), "not_your_ticket"),
        (lambda: store.call_next(1), "window_busy"),
        (lambda: store.call_next(2), "window_paused"),
        (lambda: store.call_next(99), "no_such_window"),
        (lambda: store.pause(1, "休息"), "window_busy"),
        (lambda: store.close_window(1), "window_busy"),
        (lambda: store.resume(1), "window_not_paused"),
        (lambda: store.open_window(1), "window_open"),
        (lambda: store.transfer(1, to_window=4), "no_window"),  # 出入境 window can't do 社保
        (lambda: store.transfer(1, to_window=77), "no_such_window"),
        (lambda: store.transfer(1, to_domain="天文"), "unknown_domain"),
        (lambda: store.transfer(1), "transfer_target"),
        (lambda: store.cancel("A001"), "bad_status"),
        (lambda: store.requeue("B001"), "bad_status"),
        (lambda: store.cancel("Z999"), "no_such_ticket"),
    ]
    for action, code in cases:
        with pytest.raises(Refused) as e:
            action()
        assert e.value.code == code, code
    with pytest.raises(Refused) as e:
        store.transfer(1, to_domain="出入境")  # its window serves 出入境 only, not 社保
    assert (e.value.code, message(e.value, "en")) == (
        "no_window",
        "No window serving 出入境 can accept every matter of A001",
    )
    assert message(e.value, "zh") == "没有“出入境”窗口能受理 A001 的全部事项"
    assert snapshot(store) == before
    store.close_window(3)
    with pytest.raises(Refused) as e:
        store.call_next(3)
    assert e.value.code == "window_closed"


def test_recall_limit_then_no_show_then_requeue(store: Store, clock: Clock) -> None:
    store.issue(["M-SBK"])
    store.issue(["M-YL"])
    store.call_next(1)
    for _ in range(5):
        store.recall(1)
    with pytest.raises(Refused) as e:
        store.recall(1)
    assert e.value.code == "recall_limit"
    gone = store.no_show(1)
    assert gone.status is Status.NO_SHOW and store.windows()[0].ticket is None
    clock.advance(minutes=5)
    back = store.requeue("A001", actor="desk1")
    assert back.status is Status.WAITING
    assert [t.number for t in store.waiting()] == ["A002", "A001"]  # back of the line


def test_dispatch_order_priority_then_original_place_after_transfer(
    store: Store, clock: Clock
) -> None:
    store.issue(["M-GT"])  # 企业开办: B001
    clock.advance(1)
    store.issue(["M-SBK"])  # A001
    clock.advance(1)
    store.issue(["M-YL"])  # A002
    clock.advance(1)
    store.issue(["M-SBK"], priority=Priority.PREGNANT)  # V001
    assert store.call_next(1).number == "V001"
    store.start(1)
    store.finish(1, Outcome.COMPLETED)
    first = store.call_next(1)
    assert first.number == "B001"  # oldest the undifferentiated window may serve
    store.start(1)
    moved = store.transfer(1, to_domain="企业开办", reason="需要企业开办窗口")
    assert moved.status is Status.WAITING and moved.target_domain == "企业开办"
    # window 2 may not take it (not a 企业开办 window); window 3 gets it ahead of later ones
    assert store.call_next(2).number == "A001"
    clock.advance(1)
    store.issue(["M-GT"])  # B002, later
    assert store.call_next(3).number == "B001"
    assert [t.number for t in store.waiting(window=3)] == ["B002"]
    assert [t.number for t in store.waiting(window=1)] == ["A002", "B002"]
    assert [t.number for t in store.waiting(domain="社保")] == ["A002"]


def test_transfer_to_a_window(store: Store) -> None:
    store.issue(["M-GT"])
    store.call_next(1)
    t = store.transfer(1, to_window=3, reason="食品许可一并办理", actor="clerk1")
    assert t.target_window == 3
    assert store.call_next(2) is None
    assert store.call_next(3).number == "B001"
    ev = store.events(ticket="B001")[-2]
    assert (ev.kind, ev.detail["to_window"], ev.detail["reason"]) == (
        "transferred",
        3,
        "食品许可一并办理",
    )


def test_appointment_class_and_place(store: Store, clock: Clock) -> None:
    slot = clock.now + 600
    store.issue(["M-SBK"])  # A001 at 09:00
    y = store.issue(["M-SBK"], appointment_at=slot)
    assert y.ticket.number == "Y001"
    clock.advance(minutes=5)
    store.issue(["M-SBK"])  # A002 at 09:05
    assert store.call_next(1).number == "A001"
    clock.advance(minutes=6)  # slot has begun
    store.issue(["M-SBK"])
    assert store.call_next(2).number == "Y001"


def test_numbers_restart_each_business_day(store: Store, clock: Clock) -> None:
    assert store.issue(["M-SBK"]).ticket.number == "A001"
    assert store.issue(["M-SBK"]).ticket.number == "A002"
    clock.advance(hours=24, minutes=30)  # 09:30 next day in Shanghai
    t = store.issue(["M-SBK"]).ticket
    assert (t.number, t.day) == ("A001", "2026-11-24")
    # the day rolled over at its first operation: yesterday's waiting tickets ended
    assert [x.number for x in store.waiting()] == ["A001"]
    assert store.ticket("A002", day="2026-11-23").status is Status.EXPIRED
    store.open_window(1)  # windows start the day closed
    assert store.call_next(1).day == "2026-11-24"


def test_more_than_999_tickets_never_repeat_a_number(store: Store) -> None:
    numbers = [store.issue(["M-SBK"], slip=False).ticket.number for _ in range(1001)]
    assert numbers[:2] == ["A001", "A002"] and numbers[-3:] == ["A999", "A1000", "A1001"]
    assert len(set(numbers)) == 1001
    assert store.ticket("A1000").number == "A1000"  # found by its number past three digits


def test_restart_in_the_middle_of_a_day(
    db_url: str, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    s1 = Store(db_url, mini_catalog, mini_hall, clock=clock)
    s1.open_window(1)
    s1.open_window(2)
    for _ in range(3):
        s1.issue(["M-SBK"])
    s1.call_next(1)
    s1.start(1)
    s1.pause(2, "会议")
    s1.dispose()  # the server stops mid-morning

    s2 = Store(db_url, mini_catalog, mini_hall, clock=clock)
    assert s2.issue(["M-SBK"]).ticket.number == "A004"
    w = {x.number: x for x in s2.windows()}
    assert w[1].state is WindowView.SERVING and w[1].ticket.number == "A001"
    assert w[2].status is WindowStatus.PAUSED and w[2].reason == "会议"
    assert [t.number for t in s2.waiting()] == ["A002", "A003", "A004"]
    assert s2.finish(1, Outcome.COMPLETED).status is Status.DONE
    assert s2.call_next(1).number == "A002"
    s2.dispose()


def test_close_day(store: Store, clock: Clock) -> None:
    store.issue(["M-SBK"])
    store.issue(["M-SBK"])
    store.issue(["M-YL"])
    store.call_next(1)
    store.start(1)
    store.call_next(2)
    with pytest.raises(Refused) as e:
        store.close_day()
    assert e.value.code == "still_serving" and "A001" in message(e.value, "en")
    store.finish(1, Outcome.COMPLETED)
    result = store.close_day(actor="manager1")
    assert result == {"expired": 2, "parked": 0}
    counts = store.counts()
    assert (counts["done"], counts["expired"], counts["waiting"]) == (1, 2, 0)
    assert all(w.status is WindowStatus.CLOSED and w.ticket is None for w in store.windows())
    with pytest.raises(Refused) as e:
        store.issue(["M-SBK"])
    assert e.value.code == "day_closed"
    with pytest.raises(Refused):
        store.close_day()
    assert store.events()[-1].kind == "day_closed"
    clock.advance(hours=24)
    assert store.issue(["M-SBK"]).ticket.number == "A001"


def test_close_day_force_expires_tickets_being_served(store: Store) -> None:
    store.issue(["M-SBK"])
    store.call_next(1)
    store.start(1)
    assert store.close_day(force=True) == {"expired": 1, "parked": 0}
    assert store.ticket("A001").status is Status.EXPIRED


def test_cancel(store: Store) -> None:
    store.issue(["M-SBK"])
    t = store.cancel("a001", actor="desk1", reason="材料未带齐")
    assert t.status is Status.CANCELLED and store.waiting() == []
    assert store.events()[-1].detail == {"reason": "材料未带齐"}


def test_a_finished_visit_is_rated_once_and_every_window_has_its_figures(
    store: Store, clock: Clock
) -> None:
    a = store.issue(["M-SBK"]).ticket
    b = store.issue(bundle="GR-TX").ticket
    store.call_next(1)
    clock.advance(minutes=1)
    store.start(1)
    clock.advance(minutes=4)
    store.finish(1, Outcome.COMPLETED)
    with pytest.raises(Refused) as e:
        store.rate(2, a.number, 5)
    assert e.value.code == "not_finished_here"
    store.rate(1, a.number, 4, actor="c1")
    with pytest.raises(Refused) as e:
        store.rate(1, a.number, 5)
    assert e.value.code == "already_rated"
    store.call_next(2)
    clock.advance(minutes=2)
    figures = {f.window: f for f in store.window_stats().windows}
    assert figures[1].served == 1 and figures[1].bundles == 0
    assert figures[1].mean_handling_s == pytest.approx(240)
    assert figures[1].busy_s == pytest.approx(300)
    assert figures[1].ratings == 1 and figures[1].mean_rating == 4
    assert figures[2].served == 0 and figures[2].busy_s == pytest.approx(120)  # calling b
    assert figures[1].open_s == pytest.approx(7 * 60)  # opened at setup, 7 minutes ago
    assert store.ticket(b.number).window == 2


def test_the_mean_wait_per_domain_counts_each_ticket_from_issue_to_its_first_call(
    store: Store, clock: Clock
) -> None:
    sbk = store.issue(["M-SBK"]).ticket
    store.issue(["M-GT", "M-YL"])  # 企业开办 and 社保: counts in both
    clock.advance(minutes=3)
    assert store.call_next(1).number == sbk.number  # waited 3 minutes
    store.start(1)
    store.transfer(1, to_window=2, reason="需要另一窗口")
    clock.advance(minutes=5)
    assert store.call_next(2).number == sbk.number  # a second call: not a wait at the door
    store.issue(["M-GT"])  # still waiting: no mean yet
    clock.advance(minutes=4)
    store.call_next(1)  # the two-domain ticket, waited 12 minutes
    waits = {w.domain: w for w in store.domain_waits().domains}
    assert set(waits) == {"社保", "企业开办"}
    assert waits["社保"].called == 2 and waits["社保"].mean_wait_s == pytest.approx(7.5 * 60)
    assert waits["企业开办"].called == 1 and waits["企业开办"].mean_wait_s == pytest.approx(720)
    assert [w.domain for w in store.domain_waits().domains] == ["企业开办", "社保"]  # longest first
