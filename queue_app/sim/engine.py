"""One simulated hall day, driven by the production rules of ``queue_app.domain``.

Every ticket goes through the ticket state machine (``ticket.no_show`` as it is; ``call``,
``start`` and ``finish`` through ``fast_rules``, which gives the same tickets cheaper) and
every choice of whom a window calls is the real ``dispatch.choose_next``, with the hall's
policy and aging. What the simulator adds is only the clock and the people:

- Arrivals come from ``arrivals.DemandModel``; a ticket is issued at arrival while the desk
  issues (opening to ``issue_until``). A ticket no window of the layout can serve in one
  sitting is split into one visit per department (the old hall: the citizen queues again at
  the next department after each visit); if some visit has no window at all the citizen is
  turned away at the desk (``refused``), as the store refuses such a ticket.
- Windows follow the hall's hours: open at opening, closed over lunch except the hall's
  windows on lunch duty (午间不打烊; or the demand's ``lunch_windows``, the broadest windows,
  for a day staffed otherwise), and each clerk takes the demand's
  breaks (staggered, after the ticket in hand). A window closes or pauses only when it holds
  no ticket, as the window state machine requires.
- At close nobody is sent home: every window that was open keeps calling until the line it
  may serve is empty (tickets called after close and the overtime are reported).
- An idle window with nothing to call waits; when a ticket arrives that idle windows may serve,
  the one idle longest calls it. A called citizen walks over (``walk_minutes``) and is served;
  one who does not come is marked no-show after ``no_show.minutes`` of recalls.

Speed: ``choose_next`` is given only the head (oldest) ticket of each group of waiting tickets
that are interchangeable for dispatch: same windows eligible, same class, and (for the
own-domain policy) the same windows that call them their own. Within such a group every rule
of ``choose_next`` orders by (place in line, id) alone, so its choice over the heads is its
choice over the whole line (``tests/sim/test_heads.py`` checks this with hypothesis). What a
layout makes of a citizen's matters (visits, and each visit's group, eligible windows, items)
is compiled once per layout (``Route``, ``TicketKind``), and the cyclic garbage collector
rests while a day plays (``run_day``).
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from heapq import heappop, heappush
from typing import Any, Protocol

from queue_app.domain import ticket as rules
from queue_app.domain import window_state as wrules
from queue_app.domain.catalog import Catalog
from queue_app.domain.dispatch import Candidate, DispatchWindow, Policy, choose_next, eligible
from queue_app.domain.hall import Coverage, Hall
from queue_app.domain.layouts import dispatch_windows
from queue_app.domain.ticket import Item, Outcome, Ticket
from queue_app.domain.window_state import WindowState, WindowStatus
from queue_app.sim import fast_rules
from queue_app.sim.arrivals import Arrival, hhmm_seconds

CLOSED, IDLE, BUSY, PAUSED = 0, 1, 2, 3
_UNSEEN: Any = object()  # matters Layout.route has not met yet
_FINISH, _SETTLE_ALL, _SETTLE = 0, 1, 2  # event kinds (DaySim._play's handlers)

# citizen outcomes
SERVED, NO_SHOW, REFUSED = "served", "no_show", "refused"


class Citizen:
    """What happened to one arrival (all times in seconds of the day): outcome, total wait
    over every visit (each ticket's issue to its call), the first visit's wait (what an
    estimate at issue predicts), visits, whether called after close, and the estimates made
    at issue (when measured)."""

    __slots__ = (
        "arrival",
        "called_after_close",
        "estimates",
        "first_wait",
        "outcome",
        "visits",
        "wait",
    )

    def __init__(self, arrival: Arrival) -> None:
        self.arrival = arrival
        self.outcome = ""
        self.wait = 0.0
        self.first_wait = 0.0
        self.visits = 0
        self.called_after_close = False
        self.estimates: dict[str, float | None] | None = None


@dataclass
class DayResult:
    """One day of one layout."""

    day: int
    citizens: list[Citizen]
    busy: dict[int, float]  # window number -> seconds holding a ticket
    open_time: dict[int, float]  # window number -> seconds open (idle or busy)
    served: dict[int, int]  # window number -> tickets finished or marked no-show
    close_s: float
    last_finish: float
    calls: list[tuple[float, int]] = field(default_factory=list)  # (time, window): checks

    @property
    def overtime(self) -> float:
        return max(0.0, self.last_finish - self.close_s)


Intervals = Sequence[tuple[float, float]]


class TicketKind:
    """What a layout makes of every ticket for one (matters, priority), computed once: its
    dispatch group (``key``, numbered ``group``), the windows eligible for it, its matters and
    domains as dispatch sees them, its items and the outcome of each when finished."""

    __slots__ = (
        "appointment",
        "domains",
        "elig",
        "elig_set",
        "fs",
        "group",
        "items",
        "key",
        "outcomes",
    )

    def __init__(
        self,
        key: tuple,
        group: int,
        elig: tuple[int, ...],
        fs: frozenset[str],
        domains: frozenset[str],
        matters: tuple[str, ...],
        appointment: bool = False,
    ) -> None:
        self.appointment = appointment  # its line is kept by slot start, not by arrival
        self.key, self.group, self.elig, self.elig_set = key, group, elig, frozenset(elig)
        self.fs, self.domains = fs, domains
        self.items = tuple([Item(c) for c in matters])
        self.outcomes = dict.fromkeys(matters, Outcome.COMPLETED)


class Route:
    """How a layout serves a citizen's matters: the visits (``legs``) and each visit's ticket
    kind."""

    __slots__ = ("kinds", "legs")

    def __init__(self, legs: list[tuple[str, ...]], kinds: list[TicketKind]) -> None:
        self.legs, self.kinds = legs, kinds


class Layout:
    """A hall compiled for simulation: windows as dispatch sees them, when each is staffed,
    and the dispatch policy.

    ``schedule`` maps a window number to the intervals (seconds of the day) it is staffed
    before close; by default the hall's hours, minus lunch for all but its windows on lunch
    duty (``hours.lunch.on_duty``), or for all but ``lunch_windows`` windows if given (the
    ones serving the most matters)."""

    def __init__(
        self,
        hall: Hall,
        catalog: Catalog,
        *,
        policy: Policy | None = None,
        lunch_windows: int | None = None,
        schedule: Mapping[int, Intervals] | None = None,
        breaks: tuple[int, float] = (0, 0.0),
        no_show_seconds: float = 120.0,
        walk_seconds: float = 0.0,
        bundle_factor: float = 1.0,
        narrow_first: bool = True,
        label: str | None = None,
    ) -> None:
        self.hall, self.catalog = hall, catalog
        self.label = label or hall.hall.code
        self.coverage = Coverage(hall, catalog)
        by_number = dispatch_windows(hall, self.coverage)
        self.numbers = [w.number for w in hall.windows]
        self.dws: list[DispatchWindow] = [by_number[n] for n in self.numbers]
        self.policy = policy or hall.dispatch.policy
        self.aging = hall.dispatch.aging_minutes * 60.0
        h = hall.hours
        self.open_s = hhmm_seconds(h.open)
        self.close_s = hhmm_seconds(h.close)
        self.issue_until_s = hhmm_seconds(h.issue_until or h.close)
        lunch = (hhmm_seconds(h.lunch.start), hhmm_seconds(h.lunch.end)) if h.lunch else None
        self.lunch = lunch
        if lunch_windows is None:  # the hall's own lunch duty
            duty = set(h.lunch.on_duty) if h.lunch else set()
            self.lunch_duty = {i for i, n in enumerate(self.numbers) if n in duty}
        else:  # so many windows, the broadest first
            broad = sorted(
                range(len(self.dws)), key=lambda i: (-len(self.dws[i].covers), self.numbers[i])
            )
            self.lunch_duty = set(broad[:lunch_windows])
        self.on_duty = frozenset(self.numbers[i] for i in self.lunch_duty)
        # which idle window calls an arriving ticket: the one serving the fewest matters (keep
        # the broad windows free for what only they can serve), else the one idle longest
        self.rank = [len(w.covers) if narrow_first else 0 for w in self.dws]
        self.intervals: list[list[tuple[float, float]]] = []
        for i, n in enumerate(self.numbers):
            if schedule is not None and n in schedule:
                self.intervals.append(sorted(schedule[n]))
            elif lunch is None or i in self.lunch_duty:
                self.intervals.append([(self.open_s, self.close_s)])
            else:
                self.intervals.append([(self.open_s, lunch[0]), (lunch[1], self.close_s)])
        self.breaks = breaks
        self.no_show_seconds = no_show_seconds
        self.walk_seconds = walk_seconds
        self.bundle_factor = bundle_factor
        self.recall_limit = hall.recall_limit
        self._domain_of = {m.code: m.domain for m in catalog.matters}
        self._dept_of = {m.code: m.department for m in catalog.matters}
        # kinds[variant][matters] (variant: 0 regular, 1 priority, 2 appointment): plain
        # dicts spare building a key tuple per ticket
        self.kinds: tuple[dict[tuple[str, ...], TicketKind], ...] = ({}, {}, {})
        self.group_keys: list[tuple] = []  # group number -> key
        self._group_of: dict[tuple, int] = {}
        self._legs: dict[tuple[str, ...], list[tuple[str, ...]] | None] = {}
        # routes[variant][matters], as kinds
        self.routes: tuple[dict[tuple[str, ...], Route | None], ...] = ({}, {}, {})
        self._break_times = [self._breaks_of(i) for i in range(len(self.dws))]

    def break_times(self, i: int) -> list[float]:
        """When window ``i``'s breaks fall due: spread over each half day, staggered."""
        return list(self._break_times[i])

    def _breaks_of(self, i: int) -> list[float]:
        per_half, _ = self.breaks
        if per_half <= 0:
            return []
        halves = (
            [(self.open_s, self.lunch[0]), (self.lunch[1], self.close_s)]
            if self.lunch
            else [
                (self.open_s, (self.open_s + self.close_s) / 2),
                ((self.open_s + self.close_s) / 2, self.close_s),
            ]
        )
        n = len(self.dws)
        out = []
        for start, end in halves:
            span = end - start
            for j in range(per_half):
                frac = (j + (i + 0.5) / n) / per_half
                out.append(start + span * (0.15 + 0.7 * frac))
        return sorted(out)

    def group_key(
        self, matters: tuple[str, ...], priority: bool, appointment: bool = False
    ) -> tuple:
        """(key, eligible window indices, matters, domains) for a ticket. Tickets with the same
        key are interchangeable for ``choose_next`` under this layout's policy."""
        k = self.kind(matters, priority, appointment)
        return (k.key, k.elig, k.fs, k.domains)

    def kind(
        self, matters: tuple[str, ...], priority: bool, appointment: bool = False
    ) -> TicketKind:
        """The ticket kind of ``matters`` and ``priority`` (or an appointment's); cached."""
        variant = 2 if appointment else int(priority)
        hit = self.kinds[variant].get(matters)
        if hit is None:
            fs = frozenset(matters)
            domains = frozenset(self._domain_of[c] for c in matters)
            probe = Candidate(0, fs, 0.0, priority, None, None, None, domains)
            elig = tuple(i for i, w in enumerate(self.dws) if eligible(probe, w))
            own = (
                tuple(i for i, w in enumerate(self.dws) if w.domains and domains <= w.domains)
                if self.policy is Policy.OWN_DOMAIN
                else ()
            )
            key: tuple = (priority, elig, own)
            if appointment:  # apart: ordered by slot, and another class once it begins
                key = (*key, "appointment")
            group = self._group_of.get(key)
            if group is None:
                group = self._group_of[key] = len(self.group_keys)
                self.group_keys.append(key)
            hit = TicketKind(key, group, elig, fs, domains, matters, appointment)
            self.kinds[variant][matters] = hit
        return hit

    def route(
        self, matters: tuple[str, ...], priority: bool, appointment: bool = False
    ) -> Route | None:
        """How ``matters`` are served (None: turned away at the desk); cached. A booked
        citizen's first visit is the appointment, any next one a regular ticket."""
        routes = self.routes[2 if appointment else int(priority)]
        if matters not in routes:
            legs = self.legs(matters)
            routes[matters] = (
                None
                if legs is None
                else Route(
                    legs,
                    [self.kind(m, priority, appointment and k == 0) for k, m in enumerate(legs)],
                )
            )
        return routes[matters]

    def legs(self, matters: tuple[str, ...]) -> list[tuple[str, ...]] | None:
        """The visits a ticket for ``matters`` takes: one if some window serves them all, else
        one per department (in order of first appearance); None if some visit has no
        window."""
        if matters in self._legs:
            return self._legs[matters]
        cov = self.coverage
        if cov.windows_for(frozenset(matters)):
            out: list[tuple[str, ...]] | None = [matters]
        else:
            by_dept: dict[str, list[str]] = {}
            for c in matters:
                by_dept.setdefault(self._dept_of[c], []).append(c)
            out = [tuple(v) for v in by_dept.values()]
            if any(not cov.windows_for(frozenset(leg)) for leg in out):
                out = None
        self._legs[matters] = out
        return out


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while days play: a day's tickets, candidates and
    citizens form no cycle and live to its end, so each collection only walked them again
    (~6% of the run). Back on once the day's DaySim is gone, the next collection sees only
    what outlives it. Whatever a probe leaves in cycles is collected then."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


class Probe(Protocol):
    """Watches a day: called at each first-visit issue, and told of each finished ticket."""

    def __call__(self, sim: DaySim, citizen: Citizen, tid: int, now: float) -> None: ...

    def on_finish(self, number: int, matters: tuple[str, ...], busy_s: float) -> None: ...


class DaySim:
    """The state of one running day; ``run`` plays it to the end."""

    def __init__(
        self, layout: Layout, arrivals: list[Arrival], day: int, *, probe: Probe | None = None
    ) -> None:
        self.layout, self.arrivals, self.day = layout, arrivals, day
        self.probe = probe
        n = len(layout.dws)
        self.state = [CLOSED] * n
        self.wstate = [WindowState(num) for num in layout.numbers]
        self.idle_since = [0.0] * n
        self.opened_at = [0.0] * n
        self.busy = [0.0] * n
        self.open_time = [0.0] * n
        self.served = [0] * n
        self.current: list[int | None] = [None] * n  # ticket id held
        self.call_time = [0.0] * n
        self.done_for_day = [False] * n
        self.idle: set[int] = set()
        self.open_until = [0.0] * n
        self.break_due = [layout.break_times(i) for i in range(n)]
        self.groups: dict[tuple, deque] = {}  # group key -> its line, in order of first use
        self.lines: dict[int, deque] = {}  # group number -> its line
        self.win_groups: list[list[deque]] = [[] for _ in range(n)]
        self.tickets: list[Ticket] = []
        # per ticket: (citizen, leg index, its line, service seconds, kind, route)
        self.ticket_meta: list[tuple[Citizen, int, deque, float, TicketKind, Route]] = []
        self.citizens: list[Citizen] = []
        self.calls: list[tuple[float, int]] = []
        self.pauses: list[tuple[float, int]] = []  # (time, window): breaks taken
        self.heap: list[tuple[float, int, int, object]] = []
        self.seq = 0
        self.last_finish: float = layout.close_s
        self.open_dws: list[DispatchWindow] = []
        self.now = 0.0
        self.last_waits: dict[int, float] = {}  # group number -> wait of its last ticket called

    # ------------------------------------------------------------------ events
    def push(self, t: float, kind: int, arg: object) -> None:
        self.seq += 1
        heappush(self.heap, (t, self.seq, kind, arg))

    def should_open(self, i: int, now: float) -> bool:
        if now >= self.layout.close_s:
            return not self.done_for_day[i]
        return any(a <= now < b for a, b in self.layout.intervals[i])

    def _open_until(self, i: int, now: float) -> float:
        """When window ``i``'s current staffed interval ends (the fast path of ``finish``)."""
        if now >= self.layout.close_s:
            return float("inf")
        for a, b in self.layout.intervals[i]:
            if a <= now < b:
                return b
        return now

    def _set_state(self, i: int, st: int, now: float) -> None:
        self.state[i] = st
        if st == IDLE:
            self.idle.add(i)
            self.idle_since[i] = now
        else:
            self.idle.discard(i)

    def _set_open(self, i: int, now: float) -> None:
        self.wstate[i] = wrules.open_window(self.wstate[i])
        self.opened_at[i] = now
        self.open_until[i] = self._open_until(i, now)
        self._set_state(i, IDLE, now)
        self._refresh_open()

    def _set_closed(self, i: int, now: float, paused_for: float = 0.0) -> None:
        self.open_time[i] += now - self.opened_at[i]
        if paused_for > 0:
            self.pauses.append((now, self.layout.numbers[i]))
            self.wstate[i] = wrules.pause(self.wstate[i], "休息")
            self._set_state(i, PAUSED, now)
            self.push(now + paused_for, _SETTLE, i)
        else:
            self.wstate[i] = wrules.close_window(self.wstate[i])
            self._set_state(i, CLOSED, now)
        self._refresh_open()

    def _refresh_open(self) -> None:
        if self.layout.policy is Policy.SCARCE:
            self.open_dws = [
                w for w, s in zip(self.layout.dws, self.state, strict=True) if s in (IDLE, BUSY)
            ]

    def settle(self, i: int, now: float) -> None:
        """Bring window ``i`` to what the hour asks of it, once it holds no ticket."""
        st = self.state[i]
        if st == BUSY:
            return
        if st == PAUSED:  # the break is over
            self.wstate[i] = wrules.resume(self.wstate[i])
            self.opened_at[i] = now
            self.open_until[i] = self._open_until(i, now)
            self._set_state(i, IDLE, now)
            st = IDLE
            self._refresh_open()
        want = self.should_open(i, now)
        if st == CLOSED:
            if not want:
                return
            self._set_open(i, now)
        elif not want:
            self._set_closed(i, now)
            return
        else:
            self.open_until[i] = self._open_until(i, now)
        due = self.break_due[i]
        if due and due[0] <= now < self.layout.close_s:
            while due and due[0] <= now:
                due.pop(0)
            self._set_closed(i, now, paused_for=self.layout.breaks[1] * 60.0)
            return
        self.dispatch(i, now)

    # ---------------------------------------------------------------- tickets
    def issue(self, citizen: Citizen, leg: int, now: float, route: Route) -> None:
        """Citizen's visit ``leg`` gets a ticket; an idle window that may serve it calls."""
        lay = self.layout
        a = citizen.arrival
        pri = a.priority is not None
        kind = route.kinds[leg]
        q = self.lines.get(kind.group)
        if q is None:
            q = self._new_line(kind)
        tickets = self.tickets
        tid = len(tickets)
        if len(route.legs) == 1:
            secs = sum(a.seconds)
            if a.bundle is not None:
                secs *= lay.bundle_factor
        else:
            fs = kind.fs
            secs = sum(s for c, s in zip(a.matters, a.seconds, strict=True) if c in fs)
        self.ticket_meta.append((citizen, leg, q, secs, kind, route))
        if kind.appointment:
            self._issue_appointment(q, tid, kind, now, a.slot)
        else:
            tickets.append(fast_rules.issued(tid, str(tid), kind.items, now, a.priority))
            q.append(fast_rules.waiting(tid, kind.fs, now, pri, kind.domains))
        if leg == 0 and self.probe is not None:
            self.probe(self, citizen, tid, now)
        if now >= lay.close_s:  # a next visit after close: its windows stay on for it
            for i in kind.elig:
                if self.done_for_day[i]:
                    self.done_for_day[i] = False
                    self.settle(i, now)
        if self.idle:
            self._wake(kind, now)

    def _issue_appointment(
        self, q: deque, tid: int, kind: TicketKind, now: float, slot: float | None
    ) -> None:
        """A booked citizen checks in: an appointment ticket (its place in line its slot's
        start), put in its line by slot."""
        assert slot is not None
        t = replace(
            fast_rules.issued(tid, str(tid), kind.items, now, None),
            appointment_at=slot,
            queue_key=slot,
        )
        self.tickets.append(t)
        c = Candidate(tid, kind.fs, slot, False, slot, None, None, kind.domains)
        place = len(q)
        while place and q[place - 1].queue_key > slot:
            place -= 1
        q.insert(place, c)

    def _new_line(self, kind: TicketKind) -> deque:
        """Today's line of ``kind``'s group, opened at its first ticket."""
        q = self.lines[kind.group] = self.groups[kind.key] = deque()
        for i in kind.elig:
            self.win_groups[i].append(q)
        return q

    def _wake(self, kind: TicketKind, now: float) -> None:
        """Of the idle windows that may serve a new ticket of ``kind``, the narrowest (then the
        one idle longest, then the first) calls."""
        rank, idle_since, elig = self.layout.rank, self.idle_since, kind.elig_set
        best = -1
        best_key = (0, 0.0)
        for i in self.idle:
            if i in elig:
                k = (rank[i], idle_since[i])
                if best < 0 or k < best_key or (k == best_key and i < best):
                    best, best_key = i, k
        if best >= 0:
            self.dispatch(best, now)

    def dispatch(self, i: int, now: float) -> None:
        """Window ``i`` is open and free: it calls whom ``choose_next`` picks, or waits."""
        lay = self.layout
        heads = [q[0] for q in self.win_groups[i] if q]
        c = (
            choose_next(
                lay.dws[i],
                heads,
                now,
                policy=lay.policy,
                open_windows=self.open_dws,
                aging_seconds=lay.aging,
            )
            if heads
            else None
        )
        if c is None:
            if now >= lay.close_s:  # nothing left for it today
                self.done_for_day[i] = True
                self._set_closed(i, now)
            elif self.state[i] != IDLE:
                self._set_state(i, IDLE, now)
            return
        tid = c.id
        citizen, leg, q, secs, kind, _ = self.ticket_meta[tid]
        q.popleft()
        number = lay.numbers[i]
        tickets = self.tickets
        t = tickets[tid] = fast_rules.call(tickets[tid], number, now)
        wait = now - t.issued_at
        citizen.wait += wait
        self.last_waits[kind.group] = wait
        if leg == 0:
            citizen.first_wait = wait
        if now >= lay.close_s:
            citizen.called_after_close = True
        self.calls.append((now, number))
        if self.state[i] != BUSY:
            self.state[i] = BUSY
            self.idle.discard(i)
        self.current[i] = tid
        self.call_time[i] = now
        if citizen.arrival.no_show:
            done = now + lay.no_show_seconds
        else:
            done = now + lay.walk_seconds + secs  # in this order: float sums are not associative
        self.seq += 1
        heappush(self.heap, (done, self.seq, _FINISH, i))

    def finish(self, i: int, now: float) -> None:
        """Window ``i``'s citizen is done (or never came): the ticket ends, the window goes on."""
        tid = self.current[i]
        assert tid is not None
        lay = self.layout
        number = lay.numbers[i]
        called = self.call_time[i]
        citizen, leg, _, _, kind, route = self.ticket_meta[tid]
        t = self.tickets[tid]
        if citizen.arrival.no_show:
            t = rules.no_show(t, number, now).ticket
            citizen.outcome = NO_SHOW
        else:
            t = fast_rules.serve(t, number, called + lay.walk_seconds, kind.outcomes, now)
            citizen.visits += 1
            if leg + 1 < len(route.legs):
                self.issue(citizen, leg + 1, now, route)
            else:
                citizen.outcome = SERVED
        self.tickets[tid] = t
        if self.probe is not None:
            self.probe.on_finish(number, self._matters(t), now - called)
        self.busy[i] += now - called
        self.served[i] += 1
        self.current[i] = None
        if now > self.last_finish:
            self.last_finish = now
        due = self.break_due[i]
        if now < self.open_until[i] and (not due or due[0] > now):
            self.dispatch(i, now)  # still staffed, no break due: straight to the next
        else:
            self._set_state(i, IDLE, now)
            self.settle(i, now)

    def last_wait(self, key: tuple) -> float:
        """The wait of the last ticket called today of the group ``key`` (0 if none yet)."""
        group = self.layout._group_of.get(key)
        return 0.0 if group is None else self.last_waits.get(group, 0.0)

    def _matters(self, t: Ticket) -> tuple[str, ...]:
        return tuple(it.matter for it in t.items)

    # -------------------------------------------------------------------- run
    def run(self) -> DayResult:
        self._schedule()
        self._play()
        return self._close()

    def _schedule(self) -> None:
        """The day's fixed events: each change of hours (all windows), each break (its window)."""
        lay = self.layout
        boundaries: set[float] = {lay.close_s}
        for ivs in lay.intervals:
            for a, b in ivs:
                boundaries.update((a, b))
        for b in sorted(boundaries):
            self.push(b, _SETTLE_ALL, None)
        for i, due in enumerate(self.break_due):
            for t in due:
                self.push(t, _SETTLE, i)

    def _play(self) -> None:
        """Arrivals and events in time order (an arrival first at equal times)."""
        lay = self.layout
        heap = self.heap
        add_citizen, routes, issue = self.citizens.append, lay.routes, self.issue
        # by event kind; the heap holds each one's argument as an object
        handlers: tuple[Callable[[Any, float], None], ...] = (
            self.finish,
            self._settle_all,
            self.settle,
        )
        for a in self.arrivals:
            t = a.t
            while heap and heap[0][0] < t:
                now, _, kind, arg = heappop(heap)
                self.now = now
                handlers[kind](arg, now)
            self.now = t
            c = Citizen(a)
            add_citizen(c)
            pri = a.priority is not None
            booked = a.slot is not None
            route = routes[2 if booked else pri].get(a.matters, _UNSEEN)
            if route is _UNSEEN:
                route = lay.route(a.matters, pri, booked)
            if route is None:
                c.outcome = REFUSED
            else:
                issue(c, 0, t, route)
        while heap:
            now, _, kind, arg = heappop(heap)
            self.now = now
            handlers[kind](arg, now)

    def _settle_all(self, _: object, now: float) -> None:
        for i in range(len(self.state)):
            self.settle(i, now)

    def _close(self) -> DayResult:
        """The day's figures, every window closed."""
        lay = self.layout
        for i in range(len(self.state)):
            if self.state[i] in (IDLE, BUSY):
                self.open_time[i] += self.last_finish - self.opened_at[i]
                self.wstate[i] = WindowState(lay.numbers[i], WindowStatus.CLOSED)
        nums = lay.numbers
        return DayResult(
            day=self.day,
            citizens=self.citizens,
            busy=dict(zip(nums, self.busy, strict=True)),
            open_time=dict(zip(nums, self.open_time, strict=True)),
            served=dict(zip(nums, self.served, strict=True)),
            close_s=lay.close_s,
            last_finish=self.last_finish,
            calls=self.calls,
        )

    # ----------------------------------------------- what an estimate may see
    def waiting_line(self) -> list[Candidate]:
        """Every waiting ticket (its dispatch record), groups in no particular order."""
        return [c for q in self.groups.values() for c in q]

    def window_views(self) -> list[tuple[DispatchWindow, float | None, tuple[str, ...] | None]]:
        """Open windows: (dispatch record, seconds since its call or None if idle, matters
        of its ticket in hand)."""
        out: list[tuple[DispatchWindow, float | None, tuple[str, ...] | None]] = []
        for i, st in enumerate(self.state):
            if st == IDLE:
                out.append((self.layout.dws[i], None, None))
            elif st == BUSY:
                tid = self.current[i]
                assert tid is not None
                out.append(
                    (
                        self.layout.dws[i],
                        self.now - self.call_time[i],
                        self._matters(self.tickets[tid]),
                    )
                )
        return out

    def closed_views(self) -> list[tuple[DispatchWindow, float]]:
        """Closed windows staffed earlier today: (dispatch record, when its last staffed
        interval ended, which is when the hall's clerk would have closed it)."""
        out = []
        for i, st in enumerate(self.state):
            if st == CLOSED:
                ended = [b for _, b in self.layout.intervals[i] if b <= self.now]
                if ended:
                    out.append((self.layout.dws[i], max(ended)))
        return out


def run_day(
    layout: Layout, arrivals: list[Arrival], day: int, *, probe: Probe | None = None
) -> DayResult:
    """Play one day of ``arrivals`` on ``layout``."""
    with collector_paused():  # until the day's tickets are gone with its DaySim
        return DaySim(layout, arrivals, day, probe=probe).run()
