"""Who is called next: one pure function, used unchanged by the store and the simulator.

Order: a ticket held for the window comes first (parked for a missing material and back: the
citizen waited their turn and was being served here, the clerk has the file open; it is
above the green channel too, which is a place in the line, not an interruption of a service
begun); then green-channel priority, then appointments whose slot has begun, then the rest;
within a class the earliest place in line (a transferred ticket keeps its place). A window
only ever gets a ticket it may serve: it covers every matter on the ticket, and honours a
transfer's target window or domain; a held ticket goes to its own window only (whatever
that window serves now: its service began there), until the hold is lifted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from operator import attrgetter

PRIORITY, APPOINTMENT, REGULAR = 0, 1, 2


class Policy(StrEnum):
    OLDEST = "oldest"  # oldest eligible first (the default: best in simulation, above all the tail)
    OWN_DOMAIN = "own_domain"  # a domain window prefers tickets of its own domains
    SCARCE = "scarce"  # a restricted window prefers tickets few open windows can serve


@dataclass(frozen=True, slots=True)
class Candidate:
    """A waiting ticket as dispatch sees it."""

    id: int
    matters: frozenset[str]
    queue_key: float
    priority: bool = False
    appointment_at: float | None = None
    target_window: int | None = None
    target_domain: str | None = None
    domains: frozenset[str] = frozenset()
    held_for: int | None = None  # back from fetching a material: this window calls it first


@dataclass(frozen=True, slots=True)
class DispatchWindow:
    """A window as dispatch sees it: what it covers and what it calls its own."""

    number: int
    covers: frozenset[str]
    domains: frozenset[str] = frozenset()
    restricted: bool = False  # a domain or specialised window (may prefer scarce work)
    priority_only: bool = False


_line_place = attrgetter("queue_key", "id")  # the order within a class: place in line, then id


def class_rank(c: Candidate, now: float) -> int:
    if c.priority:
        return PRIORITY
    if c.appointment_at is not None and c.appointment_at <= now:
        return APPOINTMENT
    return REGULAR


def order_key(c: Candidate, now: float) -> tuple[int, float, int]:
    """The base dispatch order; the store's SQL ordering must agree with it."""
    return (class_rank(c, now), c.queue_key, c.id)


def eligible(c: Candidate, w: DispatchWindow) -> bool:
    if c.held_for is not None:
        return c.held_for == w.number
    if w.priority_only and not c.priority:
        return False
    if c.target_window is not None and c.target_window != w.number:
        return False
    if c.target_domain is not None and c.target_domain not in w.domains:
        return False
    return c.matters <= w.covers


def oldest_first(policy: Policy, window: DispatchWindow) -> bool:
    """Whether ``choose_next`` gives ``window`` simply the oldest eligible ticket whatever
    the line holds (no preference of the policy applies to it), so the caller may read the
    line in order and stop at the first eligible ticket."""
    return (
        policy is Policy.OLDEST
        or (policy is Policy.SCARCE and not window.restricted)
        or (policy is Policy.OWN_DOMAIN and not window.domains)
    )


def choose_next(
    window: DispatchWindow,
    candidates: Iterable[Candidate],
    now: float,
    *,
    policy: Policy = Policy.OLDEST,
    open_windows: Sequence[DispatchWindow] = (),
    aging_seconds: float = 15 * 60,
) -> Candidate | None:
    """The ticket ``window`` should call next, or None if it may serve none of them.

    ``open_windows`` (for the scarce policy) are the windows currently open; ``aging_seconds``
    bounds how long a preference may pass over the oldest eligible ticket.
    """
    best: list[Candidate] = []
    best_rank = REGULAR + 1
    held: Candidate | None = None
    for c in candidates:
        if not eligible(c, window):
            continue
        if c.held_for is not None:  # back with the material: before anything else
            if held is None or _line_place(c) < _line_place(held):
                held = c
            continue
        r = class_rank(c, now)
        if r < best_rank:
            best_rank, best = r, [c]
        elif r == best_rank:
            best.append(c)
    if held is not None:
        return held
    if not best:
        return None
    oldest = min(best, key=_line_place)
    if policy is Policy.OLDEST or now - oldest.queue_key >= aging_seconds:
        return oldest
    if policy is Policy.OWN_DOMAIN:
        if not window.domains:
            return oldest
        own = [c for c in best if c.domains and c.domains <= window.domains]
        return min(own, key=_line_place) if own else oldest
    # Policy.SCARCE
    if not window.restricted or not open_windows:
        return oldest

    def reach(c: Candidate) -> int:
        return sum(1 for w in open_windows if eligible(c, w))

    return min(best, key=lambda c: (reach(c), c.queue_key, c.id))
