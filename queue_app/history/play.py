"""One simulated day played through the store.

The simulator (``sim.engine.DaySim``) runs the day as it always does: its arrivals, handling
times, breaks, lunch and the hall's dispatch policy. Every change it makes to a window or a
ticket is also made in the store, with the store's clock at that instant: a window opened,
paused, resumed or closed; a ticket issued, called (the store's own ``call_next`` must pick
the ticket the simulator picked, or the day stops), recalled, started, finished with an
outcome per matter and rated, or marked 过号. What the simulator does not model is added
without touching its dispatch: now and then the desk issues a wrong ticket and cancels it
at once (取错号).
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, SupportsIndex, runtime_checkable

from queue_app.domain.catalog import Catalog, MatterKind
from queue_app.domain.rating import POOR_LEVELS, Channel
from queue_app.domain.ticket import Outcome, Status, Ticket
from queue_app.domain.window_state import WindowState, WindowStatus
from queue_app.sim.arrivals import Arrival
from queue_app.sim.engine import DaySim, Layout
from queue_app.store import Store

MISISSUED = 0.01  # arrivals whose first ticket is the wrong one, cancelled at once
RATED = 0.7  # finished visits the citizen rates (好差评)
# outcome weights per matter: 办结, 受理, 补正, 不予受理
OUTCOME_WEIGHTS = {
    MatterKind.IMMEDIATE: (90.0, 1.0, 8.0, 1.0),
    MatterKind.PROMISED: (2.0, 86.0, 10.0, 2.0),
}
OUTCOMES = (Outcome.COMPLETED, Outcome.ACCEPTED, Outcome.CORRECTION, Outcome.REJECTED)
LEVELS = (5, 4, 3, 2, 1)
LEVEL_WEIGHTS = (78.0, 14.0, 5.0, 2.0, 1.0)  # a visit that went well
LEVEL_WEIGHTS_SLOW = (45.0, 25.0, 15.0, 9.0, 6.0)  # waited past the hall's target, or 补正
BREAK_REASON = "休息"
WRONG_TICKET = "取错号"


@runtime_checkable
class Clock(Protocol):
    """The store's clock, set to each simulated instant."""

    now: float

    def __call__(self) -> float: ...


@dataclass(frozen=True)
class Staff:
    """Who acts on a day: the desk, the manager, and the clerk at each window."""

    desk: str
    manager: str
    clerks: dict[int, str]


@dataclass
class Extras:
    """What the store saw beyond the simulator's own figures."""

    cancelled: int = 0
    rated: int = 0
    recalls: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


class _Ops:
    """The store operations of one day, each at its instant: the simulator's own at once,
    the ones between its events (a start after the walk, recalls before 过号) when their
    time comes."""

    def __init__(self, clock: Clock, midnight: float) -> None:
        self.clock, self.midnight = clock, midnight
        self.later: list[tuple[float, int, Callable[[], None]]] = []
        self.seq = 0

    def at(self, t: float) -> None:
        """Run what falls due by second ``t`` of the day, then set the clock there."""
        while self.later and self.later[0][0] <= t:
            due, _, op = heapq.heappop(self.later)
            self.clock.now = self.midnight + due
            op()
        self.clock.now = self.midnight + t

    def after(self, t: float, op: Callable[[], None]) -> None:
        self.seq += 1
        heapq.heappush(self.later, (t, self.seq, op))


class Diverged(RuntimeError):
    """The store and the simulator disagree: a bug, never a hall's state."""


class _Windows(list[WindowState]):
    """The simulator's window states; each change made in the store too."""

    def __init__(
        self, states: list[WindowState], on_change: Callable[[WindowState, WindowState], None]
    ) -> None:
        super().__init__(states)
        self.on_change = on_change

    def __setitem__(self, i: SupportsIndex | slice, new: Any) -> None:
        assert not isinstance(i, slice)
        old = self[i]
        super().__setitem__(i, new)
        if old.status is not new.status:
            self.on_change(old, new)


class _Tickets(list[Ticket]):
    """The simulator's tickets; each step of one made in the store too."""

    def __init__(self, on_step: Callable[[int, Ticket], None]) -> None:
        super().__init__()
        self.on_step = on_step

    def __setitem__(self, i: SupportsIndex | slice, new: Any) -> None:
        assert not isinstance(i, slice)
        super().__setitem__(i, new)
        self.on_step(int(i), new)


class _Issued(list[Any]):
    """The simulator's record of each ticket at its issue; the store issues it then."""

    def __init__(self, on_issue: Callable[[int, Any], None]) -> None:
        super().__init__()
        self.on_issue = on_issue

    def append(self, meta: Any) -> None:
        super().append(meta)
        self.on_issue(len(self) - 1, meta)


class StoreDay(DaySim):
    """A simulated day whose every change is made in ``store`` too."""

    def __init__(
        self,
        layout: Layout,
        arrivals: list[Arrival],
        day: int,
        *,
        store: Store,
        clock: Clock,
        midnight: float,
        rng: random.Random,
        staff: Staff,
        matters: Sequence[str],
    ) -> None:
        super().__init__(layout, arrivals, day)
        self.store, self.rng, self.staff, self.matters = store, rng, staff, matters
        self.ops = _Ops(clock, midnight)
        self.extras = Extras()
        self.wstate = _Windows(self.wstate, self._window)
        self.tickets = _Tickets(self._step)
        self.ticket_meta = _Issued(self._issue)
        self.ids: list[int] = []  # simulator's ticket → store's id
        self.numbers: list[str] = []
        self._closing = False
        cat: Catalog = layout.catalog
        self._kind = {m.code: m.kind for m in cat.matters}
        self._target_s = layout.hall.targets.wait_minutes * 60.0

    # ------------------------------------------------------------------ windows
    def _window(self, old: WindowState, new: WindowState) -> None:
        n = new.number
        self.ops.at(self.last_finish if self._closing else self.now)
        clerk = self.staff.clerks[n]
        if new.status is WindowStatus.PAUSED:
            self.store.pause(n, BREAK_REASON, actor=clerk)
        elif new.status is WindowStatus.CLOSED:
            self.store.close_window(n, actor=clerk)
        elif old.status is WindowStatus.PAUSED:
            self.store.resume(n, actor=clerk)
        else:
            self.store.open_window(n, actor=clerk)

    # ------------------------------------------------------------------ tickets
    def _issue(self, tid: int, meta: Any) -> None:
        citizen = meta[0]
        a: Arrival = citizen.arrival
        self.ops.at(self.now)
        desk = self.staff.desk
        if self.rng.random() < MISISSUED:
            wrong = self.rng.choice(self.matters)
            mistaken = self.store.issue([wrong], priority=a.priority, actor=desk, slip=False)
            self.store.cancel(mistaken.ticket.number, actor=desk, reason=WRONG_TICKET)
            self.extras.cancelled += 1
        if a.bundle is not None:
            issued = self.store.issue(bundle=a.bundle, priority=a.priority, actor=desk, slip=False)
        else:
            issued = self.store.issue(a.matters, priority=a.priority, actor=desk, slip=False)
        self.ids.append(issued.ticket.id)
        self.numbers.append(issued.ticket.number)
        assert len(self.ids) == tid + 1

    def _step(self, tid: int, t: Ticket) -> None:
        assert t.window is not None
        n = t.window
        clerk = self.staff.clerks[n]
        if t.status is Status.CALLED:
            self.ops.at(self.now)
            called = self.store.call_next(n, actor=clerk)
            if called is None or called.id != self.ids[tid]:
                got = called.number if called else None
                raise Diverged(f"window {n} called {got}, the simulator {self.numbers[tid]}")
            if self.ticket_meta[tid][0].arrival.no_show:
                self._recalls(n, clerk)
            else:
                self.ops.after(self.now + self.layout.walk_seconds, lambda: self._start(n, clerk))
        elif t.status is Status.DONE:
            self.ops.at(self.now)
            outcomes = {i.matter: self._outcome(i.matter) for i in t.items}
            done = self.store.finish(n, outcomes, actor=clerk)
            for o in outcomes.values():
                self.extras.outcomes[o.value] = self.extras.outcomes.get(o.value, 0) + 1
            if self.rng.random() < RATED:
                waited = (t.called_at or 0.0) - t.issued_at > self._target_s
                corrected = any(o is Outcome.CORRECTION for o in outcomes.values())
                slow = waited or corrected
                weights = LEVEL_WEIGHTS_SLOW if slow else LEVEL_WEIGHTS
                level = self.rng.choices(LEVELS, weights)[0]
                why = "too_slow" if waited else "too_many_materials" if corrected else "other"
                reasons = [why] if level in POOR_LEVELS else []
                # the citizen at the window's 评价器 just after the finish; a 代评 by the
                # clerk at a window without one
                device = n in self.store.hall.rater_windows
                self.store.rate(
                    n,
                    done.number,
                    level,
                    actor=f"rater{n}" if device else clerk,
                    reasons=reasons,
                    channel=Channel.DEVICE if device else Channel.STAFF,
                )
                self.extras.rated += 1
        elif t.status is Status.NO_SHOW:
            self.ops.at(self.now)
            self.store.no_show(n, actor=clerk)

    def _start(self, window: int, clerk: str) -> None:
        self.store.start(window, actor=clerk)

    def _recalls(self, window: int, clerk: str) -> None:
        """Recall over the minutes the window waits, before 过号 (within the hall's limit)."""
        times = min(2, self.layout.recall_limit)
        span = self.layout.no_show_seconds
        for k in range(1, times + 1):
            self.ops.after(self.now + span * k / (times + 1), lambda: self._recall(window, clerk))

    def _recall(self, window: int, clerk: str) -> None:
        self.store.recall(window, actor=clerk)
        self.extras.recalls += 1

    def _outcome(self, matter: str) -> Outcome:
        return self.rng.choices(OUTCOMES, OUTCOME_WEIGHTS[self._kind[matter]])[0]

    # ------------------------------------------------------------------ the end
    def _close(self) -> Any:
        self._closing = True  # windows still open close at the last finish, as the sim counts
        result = super()._close()
        self.ops.at(max(self.now, self.last_finish))
        return result


def day_end(sim: StoreDay) -> float:
    """Second of the day at which a played day is closed: its last work, else its close."""
    return math.floor(max(sim.last_finish, sim.layout.close_s)) + 60.0
