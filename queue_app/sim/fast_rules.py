"""The simulator's fast path through the ticket's life: the same tickets, and the same
dispatch records, as ``queue_app.domain`` builds, at a quarter of the cost.

A simulated ticket is issued (a ``Ticket`` and its ``Candidate``), called, started and
finished. The domain builds each of these frozen dataclasses through its generated
``__init__``, which sets every field through ``object.__setattr__``, and its rules copy a
ticket with ``dataclasses.replace``, which also looks every field up by name: together most
of a simulated ticket's cost. Here each object is built as a draft, a class of the same slots
that may be written, and then given its real class (CPython allows assigning ``__class__``
between classes of the same slots, and refuses it otherwise). A transition the fast path
does not recognise as allowed goes to the domain's rules themselves, which refuse it (or
decide it) exactly as in production. Transitions return the new ticket, not the rules'
``Change``: the simulator records no events. ``tests/sim/test_fast_rules.py`` checks with
hypothesis, on tickets of every status and every field value, that each function gives what
the domain gives or raises the same refusal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from queue_app.domain import ticket as rules
from queue_app.domain.dispatch import Candidate
from queue_app.domain.ticket import Item, Outcome, Priority, Status, Ticket

WAITING, CALLED, DONE = Status.WAITING, Status.CALLED, Status.DONE
_new = object.__new__


class _TicketDraft:
    __slots__ = Ticket.__slots__


class _CandidateDraft:
    __slots__ = Candidate.__slots__


def issued(
    id: int, number: str, items: tuple[Item, ...], now: float, priority: Priority | None
) -> Ticket:
    """``Ticket(id, "", number, Status.WAITING, items, now, now, priority)``."""
    d: Any = _new(_TicketDraft)  # a draft: its slots are not declared to mypy
    d.id, d.day, d.number, d.status, d.items = id, "", number, WAITING, items
    d.issued_at = d.queue_key = now
    d.priority, d.recalls = priority, 0
    d.appointment_at = d.bundle = d.window = d.target_window = d.target_domain = None
    d.called_at = d.started_at = d.finished_at = None
    d.held_for = d.parked_at = None
    d.park_note, d.handled_before = "", 0.0
    d.__class__ = Ticket
    return cast(Ticket, d)


def waiting(
    id: int, matters: frozenset[str], queue_key: float, priority: bool, domains: frozenset[str]
) -> Candidate:
    """``Candidate(id, matters, queue_key, priority, None, None, None, domains)``."""
    d: Any = _new(_CandidateDraft)  # a draft: its slots are not declared to mypy
    d.id, d.matters, d.queue_key, d.priority, d.domains = id, matters, queue_key, priority, domains
    d.appointment_at = d.target_window = d.target_domain = d.held_for = None
    d.__class__ = Candidate
    return cast(Candidate, d)


def moved(
    t: Ticket,
    status: Status,
    items: tuple[Item, ...],
    window: int | None,
    recalls: int,
    called_at: float | None,
    started_at: float | None,
    finished_at: float | None,
) -> Ticket:
    """``t`` with the fields a step of its life changes set, every other field copied."""
    d: Any = _new(_TicketDraft)  # a draft: its slots are not declared to mypy
    d.id, d.day, d.number, d.status, d.items = t.id, t.day, t.number, status, items
    d.issued_at, d.queue_key, d.priority = t.issued_at, t.queue_key, t.priority
    d.appointment_at, d.bundle, d.window = t.appointment_at, t.bundle, window
    d.target_window, d.target_domain, d.recalls = t.target_window, t.target_domain, recalls
    d.called_at, d.started_at, d.finished_at = called_at, started_at, finished_at
    d.held_for, d.parked_at, d.park_note = t.held_for, t.parked_at, t.park_note
    d.handled_before = t.handled_before
    d.__class__ = Ticket
    return cast(Ticket, d)


def call(t: Ticket, window: int, now: float) -> Ticket:
    """``rules.call(t, window, now).ticket``."""
    if t.status is not WAITING or t.target_window not in (None, window) or t.held_for is not None:
        return rules.call(t, window, now).ticket
    return moved(t, CALLED, t.items, window, 0, now, None, t.finished_at)


def serve(
    t: Ticket, window: int, started_at: float, outcomes: Mapping[str, Outcome], now: float
) -> Ticket:
    """``rules.finish(rules.start(t, window, started_at).ticket, window, outcomes, now).ticket``:
    the simulator plays a service's start and finish in the one event that ends it."""
    items = t.items
    matters = {i.matter for i in items}
    if t.status is not CALLED or t.window != window or outcomes.keys() != matters:
        started = rules.start(t, window, started_at).ticket
        return rules.finish(started, window, outcomes, now).ticket
    done = tuple([Item(i.matter, outcomes[i.matter]) for i in items])
    return moved(t, DONE, done, window, t.recalls, t.called_at, started_at, now)
