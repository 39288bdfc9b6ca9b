"""The forecast of a whole waiting line at once: every ticket's expected wait from one set
of plays, kept up to date as tickets join at the end of the line.

``estimate_wait`` of ``domain.forecast`` answers for one ticket; a hall asks for every
slip and status page, and replaying the line for each costs time that grows with the
line. A ``LineForecast`` plays the line once (the same rules: the queue-length formula
where windows are pooled, else plays through ``choose_next`` with handling times drawn
around the learned means) and records when each ticket is called in each play and when
each window is free at the end. A walk-in joining the end of an oldest-first line is then
called by the first window that may serve it and is free by then, so ``extend`` places
it in a few steps per play, exactly where a new play of the longer line would (each
ticket's draw depends on its id, not on the order of play).
"""

from __future__ import annotations

import bisect
import heapq
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from statistics import NormalDist

from queue_app.domain.dispatch import Candidate, DispatchWindow, Policy, choose_next, eligible
from queue_app.domain.dispatch import order_key as base_order
from queue_app.domain.forecast import HandlingModel, OpenWindow

RUNS, SIGMA = 8, 0.5
# A walk-in issued this many seconds before the newest ticket of the line (two desks, or
# two servers, committing in the other order) still joins at the end: a play may swap it
# with tickets issued that close to it; its people ahead are counted in order.
LATE_S = 10.0
_TABLE_SIZE = 4096
_RNG = random.Random(20261201)
_NORMALS = tuple(_RNG.gauss(0.0, 1.0) for _ in range(_TABLE_SIZE))  # fixed: same plays


@cache
def _quantiles(runs: int) -> tuple[float, ...]:
    """The ``runs`` quantiles of the log-normal (mean 1) that handling times are drawn from."""
    return tuple(
        math.exp(SIGMA * NormalDist().inv_cdf((p + 0.5) / runs) - SIGMA * SIGMA / 2)
        for p in range(runs)
    )


def _window_draw(number: int, play: int, runs: int) -> float:
    """A window's time left on its ticket in hand, play by play: the quantiles of the same
    log-normal, each window starting at another (stratified: every play a different share)."""
    return _quantiles(runs)[(play + number) % runs]


def _draw(key: int, play: int) -> float:
    """A log-normal factor (mean 1) fixed by a ticket's or window's key and the play."""
    z = _NORMALS[(key * 2654435761 + play * 40503) % _TABLE_SIZE]
    return math.exp(SIGMA * z - SIGMA * SIGMA / 2)


_Groups = tuple[list[list[Candidate]], list[list[list[Candidate]]]]


def _reach(c: Candidate) -> tuple[object, ...]:
    return (c.matters, c.priority, c.target_window, c.target_domain, c.held_for)


@dataclass
class LineForecast:
    """Waits for every ticket of a line, as of ``now`` (build with ``LineForecast.of``)."""

    now: float
    windows: list[OpenWindow]
    model: HandlingModel
    policy: Policy
    aging_seconds: float
    keys: list[tuple[int, float, int]] = field(default_factory=list)  # line order, sorted
    callable_keys: list[tuple[int, float, int]] = field(default_factory=list)
    calls: dict[int, list[float]] = field(default_factory=dict)  # ticket -> call per play
    free: list[list[float]] = field(default_factory=list)  # play -> window -> free at
    mixed: int = 0  # reach kinds some open windows serve and others not
    reach: dict[tuple[object, ...], tuple[bool, ...]] = field(default_factory=dict)
    future_appointments: int = 0
    means: dict[frozenset[str], float] = field(default_factory=dict)
    runs: int = RUNS  # plays with drawn handling times; 0: one play with the means

    @classmethod
    def of(
        cls,
        waiting: Sequence[Candidate],
        windows: Sequence[OpenWindow],
        model: HandlingModel,
        now: float,
        *,
        policy: Policy = Policy.OLDEST,
        aging_seconds: float = 15 * 60,
        runs: int = RUNS,
    ) -> LineForecast:
        f = cls(now, list(windows), model, policy, aging_seconds, runs=runs)
        line = sorted(waiting, key=lambda c: base_order(c, now))
        for c in line:
            f._note(c)
        f._play_all(line)
        return f

    # ------------------------------------------------------------ the line
    def _seconds(self, c: Candidate) -> float:
        """Mean seconds ``c`` holds a window (learned minutes, kept per kind of ticket)."""
        hit = self.means.get(c.matters)
        if hit is None:
            hit = self.means[c.matters] = self.model.minutes(c.matters) * 60.0
        return hit

    def _eligible(self, c: Candidate) -> tuple[bool, ...]:
        key = _reach(c)
        hit = self.reach.get(key)
        if hit is None:
            hit = self.reach[key] = tuple(eligible(c, w.window) for w in self.windows)
            if any(hit) and not all(hit):
                self.mixed += 1
        return hit

    def _note(self, c: Candidate) -> None:
        k = base_order(c, self.now)
        bisect.insort(self.keys, k)  # at the end but for a late joiner
        if any(self._eligible(c)):
            bisect.insort(self.callable_keys, k)
        if c.appointment_at is not None and c.appointment_at > self.now:
            self.future_appointments += 1

    def _play_all(self, line: list[Candidate]) -> None:
        dws = [w.window for w in self.windows]
        groups = self._groups(line, dws)
        for play in range(max(self.runs, 1)):
            self.free.append(self._play(groups, dws, play))

    def _factor(self, key: int, play: int) -> float:
        return _draw(key, play) if self.runs else 1.0

    def _groups(self, line: list[Candidate], dws: list[DispatchWindow]) -> _Groups:
        """Tickets interchangeable for dispatch form a group; a window is offered the head
        of each group it may serve (its choice over the heads is its choice over all)."""
        groups: dict[tuple[object, ...], list[Candidate]] = {}
        win_groups: list[list[list[Candidate]]] = [[] for _ in dws]
        own_domain = self.policy is Policy.OWN_DOMAIN
        for c in line:
            reach = self._eligible(c)
            elig = tuple(i for i, ok in enumerate(reach) if ok)
            own = (
                tuple(i for i, w in enumerate(dws) if w.domains and c.domains <= w.domains)
                if own_domain
                else ()
            )
            begun = c.appointment_at is not None and c.appointment_at <= self.now
            key = (c.priority, begun, elig, own)
            g = groups.get(key)
            if g is None:
                g = groups[key] = []
                for i in elig:
                    win_groups[i].append(g)
            g.append(c)
        return list(groups.values()), win_groups

    def _play(self, groups: _Groups, dws: list[DispatchWindow], play: int) -> list[float]:
        """One play of the whole line: each ticket's call time, each window's last free
        time (when it found nothing more to call)."""
        now = self.now
        all_groups, win_groups = groups
        free: list[tuple[float, int]] = []
        for i, w in enumerate(self.windows):
            rest = (w.remaining_minutes or 0.0) * 60.0
            if rest and self.runs:
                rest *= _window_draw(w.window.number, play, self.runs)
            free.append((now + rest, i))
        heapq.heapify(free)
        away = [
            None if w.away is None else (now + w.away[0] * 60.0, now + w.away[1] * 60.0)
            for w in self.windows
        ]
        # groups by index: each window's groups, each group's next ticket
        index = {id(g): k for k, g in enumerate(all_groups)}
        mine = [[index[id(g)] for g in gs] for gs in win_groups]
        head = [0] * len(all_groups)
        last = [now] * len(dws)
        while free:
            t, i = heapq.heappop(free)
            gone = away[i]
            if gone is not None and gone[0] <= t < gone[1]:
                heapq.heappush(free, (gone[1], i))
                continue
            last[i] = t
            heads = [all_groups[k][head[k]] for k in mine[i] if head[k] < len(all_groups[k])]
            if not heads:
                continue  # nothing more for this window: it drops out
            c = choose_next(
                dws[i],
                heads,
                t,
                policy=self.policy,
                open_windows=dws,
                aging_seconds=self.aging_seconds,
            )
            if c is None:
                continue
            for k in mine[i]:
                if head[k] < len(all_groups[k]) and all_groups[k][head[k]] is c:
                    head[k] += 1
                    break
            self.calls.setdefault(c.id, []).append(t)
            heapq.heappush(free, (t + self._seconds(c) * self._factor(c.id, play), i))
        return last

    # ----------------------------------------------------------- extending
    def can_extend(self, c: Candidate) -> bool:
        """Whether ``c`` joins at the end: a walk-in behind everyone (or issued at most
        ``LATE_S`` before the newest), in an oldest-first line with no appointment still
        to begin."""
        if not self.keys:
            late = False
        else:
            rank, key, _ = self.keys[-1]
            mine = base_order(c, self.now)
            late = mine < self.keys[-1] and (mine[0] != rank or mine[1] < key - LATE_S)
        return (
            self.policy is Policy.OLDEST
            and not c.priority
            and c.appointment_at is None
            and self.future_appointments == 0
            and not late
            and c.id not in self.calls
        )

    def extend(self, c: Candidate) -> None:
        """``c`` joins the end of the line (``can_extend`` must hold)."""
        elig = self._eligible(c)
        self._note(c)
        if not any(elig):
            return
        for play, free_at in enumerate(self.free):
            best: tuple[float, int] | None = None
            for i, ok in enumerate(elig):
                if not ok:
                    continue
                t = free_at[i]
                gone = self.windows[i].away
                if gone is not None:
                    start, end = self.now + gone[0] * 60.0, self.now + gone[1] * 60.0
                    if start <= t < end:
                        t = end
                if best is None or (t, i) < best:
                    best = (t, i)
            assert best is not None
            t, i = best
            self.calls.setdefault(c.id, []).append(t)
            free_at[i] = t + self._seconds(c) * self._factor(c.id, play)

    # -------------------------------------------------------------- reading
    def ahead_of(self, c: Candidate) -> int:
        """Tickets before ``c`` in line that an open window may call."""
        return bisect.bisect_left(self.callable_keys, base_order(c, self.now))

    def wait(self, c: Candidate, now: float | None = None) -> float | None:
        """Minutes until ``c`` (a ticket of the line) is called; None if no open window
        may serve it. ``now``: when asked (the plays began at ``self.now``)."""
        now = self.now if now is None else now
        elig = self._eligible(c)
        if not any(elig):
            return None
        if all(elig) and self.mixed == 0:  # one pooled line: the queue-length formula
            ahead = self.ahead_of(c)
            if ahead == 0 and any(w.remaining_minutes is None for w in self.windows):
                minutes = 0.0
            else:
                fallback = 1.0 / max(self.model.minutes(c.matters), 0.1)
                total = sum(w.rate if w.rate else fallback for w in self.windows)
                minutes = (ahead + 1) / total
            if all(w.away is None or w.away[0] > minutes for w in self.windows):
                return minutes
        return self.called_in(c, now)

    def called_in(self, c: Candidate, now: float | None = None) -> float | None:
        """Minutes until ``c`` is called in the plays (the mean over them), None if never."""
        now = self.now if now is None else now
        called = self.calls.get(c.id)
        if not called:
            return None
        return max(0.0, sum(called) / len(called) - now) / 60.0
