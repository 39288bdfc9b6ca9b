"""The ticket and its state machine. Every transition is a pure function: ticket in, change out.

Lifecycle: waiting → called → serving → done; called → no_show (→ waiting when re-queued);
called/serving → waiting (transfer, keeps its place in line); waiting → cancelled;
serving → parked (补材料: the citizen fetches a missing material; the ticket keeps its window)
→ waiting held for that window (un-park: called there before anything else, see
``domain.dispatch``), the hold lifted when that window closes or its clerk leaves (``release``:
back in the line at its old place); waiting/called/parked → expired when the business day is
closed. Anything else is refused.

Figures of a parked ticket: its wait is the one before its first call (the time parked and
the return to the window are not a new wait); its handling is the time served in every
sitting (``handled_before`` keeps the earlier sittings'; the time parked is not handling).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, TypeVar

from queue_app.domain.errors import N_, Text
from queue_app.domain.refusals import (
    BadStatus,
    HeldForWindow,
    NotYourTicket,
    OutcomeForUnknownMatter,
    OutcomeMissing,
    RecallLimit,
    TransferredElsewhere,
    TransferTarget,
    TransferToItself,
    UnknownOutcome,
    UnknownPriority,
)


class Status(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    PARKED = "parked"  # 补材料: the citizen fetches a missing material


STATUS_LABELS = {
    Status.WAITING: "等候中",
    Status.CALLED: "已叫号",
    Status.SERVING: "办理中",
    Status.DONE: "已办结",
    Status.NO_SHOW: "过号",
    Status.CANCELLED: "已取消",
    Status.EXPIRED: "日终关闭",
    Status.PARKED: "补材料",
}


class Outcome(StrEnum):
    COMPLETED = "completed"  # 办结
    ACCEPTED = "accepted"  # 受理 (承诺件 accepted, finished later)
    CORRECTION = "correction"  # 补正 (materials missing)
    REJECTED = "rejected"  # 不予受理


OUTCOME_LABELS = {
    Outcome.COMPLETED: "办结",
    Outcome.ACCEPTED: "受理",
    Outcome.CORRECTION: "补正",
    Outcome.REJECTED: "不予受理",
}


class Priority(StrEnum):
    ELDERLY = "elderly"  # 老年人
    DISABLED = "disabled"  # 残疾人
    PREGNANT = "pregnant"  # 孕妇
    MILITARY = "military"  # 军人依法优先


STATUS_WORDS = {  # in the catalogs: their Chinese is STATUS_LABELS
    Status.WAITING: Text(N_("waiting")),
    Status.CALLED: Text(N_("called")),
    Status.SERVING: Text(N_("being served")),
    Status.DONE: Text(N_("finished")),
    Status.NO_SHOW: Text(N_("a no-show")),
    Status.CANCELLED: Text(N_("cancelled")),
    Status.EXPIRED: Text(N_("expired")),
    Status.PARKED: Text(N_("waiting for materials")),
}

# What a clerk or the desk does to a ticket, as refusals name it
CALL, RECALL, START, FINISH = (
    Text(N_("call")),
    Text(N_("recall")),
    Text(N_("start")),
    Text(N_("finish")),
)
TRANSFER, MARK_NO_SHOW, REQUEUE = (
    Text(N_("transfer")),
    Text(N_("mark as a no-show")),
    Text(N_("re-queue")),
)
CANCEL, EXPIRE = Text(N_("cancel")), Text(N_("expire"))
PARK, UNPARK = Text(N_("park")), Text(N_("un-park"))
NOTE_LENGTH = 200  # a park's note: what the citizen went to fetch


PRIORITY_LABELS = {
    Priority.ELDERLY: "老年人",
    Priority.DISABLED: "残疾人",
    Priority.PREGNANT: "孕妇",
    Priority.MILITARY: "军人依法优先",
}


_E = TypeVar("_E", bound=StrEnum)


def _parse_label(
    enum: type[_E],
    labels: Mapping[_E, str],
    text: str,
    refused: type[UnknownOutcome | UnknownPriority],
) -> _E:
    t = text.strip()
    for member in enum:
        if t.lower() == member.value or t == labels[member]:
            return member
    raise refused(given=text, choices=[f"{m.value} ({labels[m]})" for m in enum])


def parse_outcome(text: str) -> Outcome:
    """Accept ``completed`` or ``办结`` (and so on)."""
    return _parse_label(Outcome, OUTCOME_LABELS, text, UnknownOutcome)


def parse_priority(text: str) -> Priority:
    """Accept ``elderly`` or ``老年人`` (and so on)."""
    return _parse_label(Priority, PRIORITY_LABELS, text, UnknownPriority)


@dataclass(frozen=True, slots=True)
class Item:
    """One matter on a ticket, with its own outcome once finished."""

    matter: str
    outcome: Outcome | None = None


@dataclass(frozen=True, slots=True)
class Ticket:
    """A ticket as the rules see it. Instants are POSIX seconds."""

    id: int
    day: str
    number: str
    status: Status
    items: tuple[Item, ...]
    issued_at: float
    queue_key: float  # place in line: issue time (appointments: slot time; re-queue: now)
    priority: Priority | None = None
    appointment_at: float | None = None
    bundle: str | None = None
    window: int | None = None
    target_window: int | None = None
    target_domain: str | None = None
    recalls: int = 0
    called_at: float | None = None
    started_at: float | None = None
    finished_at: float | None = None
    held_for: int | None = None  # un-parked: called at this window before anything else
    parked_at: float | None = None  # when it was last parked
    park_note: str = ""  # what the citizen went to fetch
    handled_before: float = 0.0  # seconds served in earlier sittings (before a park)

    @property
    def matters(self) -> frozenset[str]:
        return frozenset(i.matter for i in self.items)


@dataclass(frozen=True, slots=True)
class Change:
    """The result of a transition: the new ticket and the event to record."""

    ticket: Ticket
    event: str
    detail: dict[str, Any] = field(default_factory=dict)


def _refuse_status(t: Ticket, action: Text, allowed: tuple[Status, ...]) -> None:
    if t.status not in allowed:
        raise BadStatus(action=action, number=t.number, state=STATUS_WORDS[t.status])


def _refuse_window(t: Ticket, window: int, action: Text) -> None:
    if t.window != window:
        raise NotYourTicket(window=window, action=action, number=t.number, holder=t.window or 0)


def call(t: Ticket, window: int, now: float) -> Change:
    _refuse_status(t, CALL, (Status.WAITING,))
    if t.held_for is not None and t.held_for != window:
        raise HeldForWindow(number=t.number, target=t.held_for)
    if t.held_for is None and t.target_window is not None and t.target_window != window:
        raise TransferredElsewhere(number=t.number, target=t.target_window)
    return Change(
        replace(
            t,
            status=Status.CALLED,
            window=window,
            called_at=now,
            recalls=0,
            started_at=None,
            held_for=None,
        ),
        "called",
        {"window": window},
    )


def recall(t: Ticket, window: int, now: float, limit: int) -> Change:
    _refuse_status(t, RECALL, (Status.CALLED,))
    _refuse_window(t, window, RECALL)
    if t.recalls >= limit:
        raise RecallLimit(number=t.number, limit=limit)
    return Change(
        replace(t, recalls=t.recalls + 1), "recalled", {"window": window, "recalls": t.recalls + 1}
    )


def start(t: Ticket, window: int, now: float) -> Change:
    _refuse_status(t, START, (Status.CALLED,))
    _refuse_window(t, window, START)
    return Change(replace(t, status=Status.SERVING, started_at=now), "started", {"window": window})


def finish(t: Ticket, window: int, outcomes: Mapping[str, Outcome], now: float) -> Change:
    """Finish with one outcome per matter on the ticket."""
    _refuse_status(t, FINISH, (Status.SERVING,))
    _refuse_window(t, window, FINISH)
    _refuse_outcomes(t, [i.matter for i in t.items], outcomes)
    items = tuple(replace(i, outcome=outcomes[i.matter]) for i in t.items)
    return Change(
        replace(t, status=Status.DONE, items=items, finished_at=now),
        "finished",
        {"window": window, "outcomes": {i.matter: i.outcome for i in items}},
    )


def _refuse_outcomes(t: Ticket, matters: list[str], outcomes: Mapping[str, Outcome]) -> None:
    """Refuse outcomes for a matter not on the ticket, else outcomes missing for one."""
    unknown = sorted(set(outcomes).difference(matters))
    if unknown:
        raise OutcomeForUnknownMatter(number=t.number, matters=unknown)
    missing = [m for m in matters if m not in outcomes]
    if missing:
        raise OutcomeMissing(matters=missing)


def transfer(
    t: Ticket,
    window: int,
    now: float,
    *,
    to_window: int | None = None,
    to_domain: str | None = None,
    reason: str = "",
) -> Change:
    """Send the ticket back to the line for another window or domain; it keeps its place."""
    _refuse_status(t, TRANSFER, (Status.CALLED, Status.SERVING))
    _refuse_window(t, window, TRANSFER)
    if (to_window is None) == (to_domain is None):
        raise TransferTarget()
    if to_window == window:
        raise TransferToItself(window=window)
    return Change(
        replace(
            t,
            status=Status.WAITING,
            window=None,
            target_window=to_window,
            target_domain=to_domain,
            called_at=None,
            started_at=None,
            recalls=0,
        ),
        "transferred",
        {"window": window, "to_window": to_window, "to_domain": to_domain, "reason": reason},
    )


def no_show(t: Ticket, window: int, now: float) -> Change:
    _refuse_status(t, MARK_NO_SHOW, (Status.CALLED,))
    _refuse_window(t, window, MARK_NO_SHOW)
    return Change(
        replace(t, status=Status.NO_SHOW, finished_at=now),
        "no_show",
        {"window": window, "recalls": t.recalls},
    )


def requeue(t: Ticket, now: float) -> Change:
    """A latecomer back in line (at the end: the place is taken from now)."""
    _refuse_status(t, REQUEUE, (Status.NO_SHOW,))
    return Change(
        replace(
            t,
            status=Status.WAITING,
            window=None,
            queue_key=now,
            recalls=0,
            called_at=None,
            finished_at=None,
            target_window=None,
            target_domain=None,
        ),
        "requeued",
    )


def park(t: Ticket, window: int, now: float, note: str = "") -> Change:
    """补材料: the citizen being served goes to fetch a missing material; the window is free
    for the next, the ticket keeps it (the time served so far is kept in ``handled_before``)."""
    _refuse_status(t, PARK, (Status.SERVING,))
    _refuse_window(t, window, PARK)
    served = max(0.0, now - t.started_at) if t.started_at is not None else 0.0
    note = note.strip()[:NOTE_LENGTH]
    return Change(
        replace(
            t,
            status=Status.PARKED,
            parked_at=now,
            park_note=note,
            handled_before=t.handled_before + served,
            recalls=0,
            started_at=None,
        ),
        "parked",
        {"window": window, "note": note, "served_s": round(served, 3)},
    )


def unpark(t: Ticket, now: float, *, window: int | None = None, hold: bool = True) -> Change:
    """The citizen is back: the ticket waits again, held for the window it was parked at
    (``hold``: that window is open) so it is called there first, else in the line at its
    old place. ``window``: the clerk's own window, which must be the ticket's."""
    _refuse_status(t, UNPARK, (Status.PARKED,))
    if window is not None:
        _refuse_window(t, window, UNPARK)
    parked_s = max(0.0, now - t.parked_at) if t.parked_at is not None else 0.0
    held = t.window if hold else None
    return Change(
        replace(t, status=Status.WAITING, window=None, called_at=None, held_for=held),
        "unparked",
        {"window": t.window, "held": held is not None, "parked_s": round(parked_s, 3)},
    )


def release(t: Ticket, now: float) -> Change:
    """The window a returned ticket is held for closed or its clerk left: the ticket goes
    back to the line at its old place (any window that may serve it calls it)."""
    if t.status is not Status.WAITING or t.held_for is None:
        raise BadStatus(action=UNPARK, number=t.number, state=STATUS_WORDS[t.status])
    return Change(replace(t, held_for=None), "hold_released", {"window": t.held_for})


def cancel(t: Ticket, now: float, reason: str = "") -> Change:
    _refuse_status(t, CANCEL, (Status.WAITING,))
    return Change(
        replace(t, status=Status.CANCELLED, finished_at=now), "cancelled", {"reason": reason}
    )


def expire(t: Ticket, now: float, *, force: bool = False) -> Change:
    """End of the business day: what is still open is closed."""
    allowed = (
        (Status.WAITING, Status.CALLED, Status.SERVING, Status.PARKED)
        if force
        else (Status.WAITING, Status.CALLED, Status.PARKED)
    )
    _refuse_status(t, EXPIRE, allowed)
    return Change(
        replace(t, status=Status.EXPIRED, finished_at=now, held_for=None),
        "expired",
        {"from": t.status.value},
    )


OPEN_STATUSES = (Status.WAITING, Status.CALLED, Status.SERVING, Status.PARKED)
