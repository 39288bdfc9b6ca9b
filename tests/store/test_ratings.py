"""The citizen's own 好差评 by each channel on a real database (SQLite and PostgreSQL): the
window's 评价器 rates only the visit finished there last; the status page by the slip's
token after the visit; staff enter a 代评 only where the window has no 评价器, marked as
theirs; one rating per visit whichever channel comes first; a poor one opens its case
with its channel and reasons."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from queue_app.domain.cases import Show
from queue_app.domain.catalog import Catalog
from queue_app.domain.errors import Refused
from queue_app.domain.hall import Hall
from queue_app.domain.rating import Channel
from queue_app.domain.ticket import Outcome, Ticket
from queue_app.store import Store
from queue_app.store import case_ops as cases
from tests.conftest import Clock, with_raters


def served(store: Store, window: int) -> Ticket:
    store.issue(["M-SBK"])
    store.call_next(window, actor="wang")
    store.start(window, actor="wang")
    return store.finish(window, Outcome.COMPLETED, actor="wang")


def refused(code: str, act) -> Refused:  # type: ignore[no-untyped-def]
    with pytest.raises(Refused) as e:
        act()
    assert e.value.code == code, e.value
    return e.value


@pytest.fixture()
def hall(store: Store, mini_catalog: Catalog, mini_hall: Hall, clock: Clock) -> Iterator[Store]:
    """The fixture's hall and database, with a 评价器 at windows 2 to 4 only."""
    s = Store(store.engine, mini_catalog, with_raters(mini_hall, "2-4"), clock=clock)
    yield s
    s.dispose()


def test_the_rater_rates_only_the_visit_just_finished_at_its_window(hall: Store) -> None:
    first = served(hall, 2)
    second = served(hall, 2)
    refused("not_just_finished", lambda: hall.rate(2, first.number, 5, actor="pad2"))
    refused("reasons_required", lambda: hall.rate(2, second.number, 1, actor="pad2"))
    refused("not_finished_here", lambda: hall.rate(3, second.number, 5, actor="pad3"))
    hall.rate(2, second.number, 1, actor="pad2", reasons=["unskilled", "guide_unclear"])
    given = hall.rating(second.id)
    assert given is not None and not given.by_staff
    assert (given.level, given.reasons, given.channel, given.by) == (
        1, ("guide_unclear", "unskilled"), Channel.DEVICE, "pad2",
    )  # fmt: skip
    assert hall.rater_visit(2) == (hall.ticket(second.number), given)
    assert hall.rater_visit(3) is None  # nothing finished there today


def test_the_status_page_rates_after_the_visit_by_the_token(hall: Store) -> None:
    waiting = hall.issue(["M-SBK"])
    refused("not_finished_yet", lambda: hall.rate_by_token(waiting.token, 5))
    refused("no_such_ticket", lambda: hall.rate_by_token("x" * 22, 5))
    hall.call_next(2, actor="wang")
    hall.start(2, actor="wang")
    hall.finish(2, Outcome.COMPLETED, actor="wang")
    refused("unknown_reason", lambda: hall.rate_by_token(waiting.token, 2, ["rude"]))
    refused("reasons_not_for_level", lambda: hall.rate_by_token(waiting.token, 4, ["other"]))
    hall.rate_by_token(waiting.token, 4)
    given = hall.rating(waiting.ticket.id)
    assert given is not None and (given.level, given.channel, given.by) == (
        4, Channel.STATUS, "citizen",
    )  # fmt: skip
    # one per visit, whichever channel came first: the 评价器 is refused now, and again
    refused("already_rated", lambda: hall.rate(2, waiting.ticket.number, 5, actor="pad2"))
    refused("already_rated", lambda: hall.rate_by_token(waiting.token, 5))


def test_staff_enter_a_proxy_rating_only_where_there_is_no_rater(hall: Store) -> None:
    here = served(hall, 1)  # window 1: no 评价器
    there = served(hall, 2)
    refused("rater_here", lambda: hall.rate(2, there.number, 5, "wang", channel=Channel.STAFF))
    hall.rate(1, here.number, 2, "wang", reasons=["too_slow"], channel=Channel.STAFF)
    given = hall.rating(here.id)
    assert given is not None and given.by_staff and given.by == "wang"
    refused("already_rated", lambda: hall.rate(1, here.number, 5, "wang", channel=Channel.STAFF))
    # a 代评's poor rating opens its case too, saying how it came and why
    [case] = cases.listing(hall, Show.ALL)
    assert (case.number, case.level, case.channel, case.reasons) == (
        here.number, 2, "staff", ("too_slow",),
    )  # fmt: skip
    with pytest.raises(ValueError):  # the status page's channel goes by the token
        hall.rate(1, here.number, 5, channel=Channel.STATUS)
