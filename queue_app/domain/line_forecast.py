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

Bookings not yet checked in (``booked``: candidates with ``appointment_at``, the slot's start)
join the line in the plays at their slot's start (or now, if it has begun): an appointment
whose slot has begun is called before walk-ins. A share ``no_show`` of them never comes: each
booking stays away in that share of the plays (stratified), so the mean over the plays counts
``1 - no_show`` of each. A window with nothing to call waits for the next booking it may serve
(a gap in its day); a walk-in joining the end of the line fills the first gap of the windows
that may serve it if it fits there, else the line is played again. Bookings more than
``BOOKED_HORIZON_S`` ahead are left out (a wait longer than that is told too short).
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
# Bookings whose slot begins later than this are left out of the plays: they cannot come
# before a ticket called sooner, and playing the rest of the day's bookings costs time.
BOOKED_HORIZON_S = 2 * 3600.0
_TABLE_SIZE = 4096
_GOLDEN = (math.sqrt(5) - 1) / 2
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
    booked: list[Candidate] = field(default_factory=list)  # by arrival in the plays
    no_show: float = 0.0  # share of the bookings that never check in
    # play -> window -> the gaps (idle from, until a booking comes) before its last free time
    gaps: list[list[list[tuple[float, float]]]] = field(default_factory=list)

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
        booked: Sequence[Candidate] = (),
        no_show: float = 0.0,
    ) -> LineForecast:
        """The forecast of ``waiting`` (and of the ``booked`` still to check in, of which a
        share ``no_show`` never comes)."""
        f = cls(now, list(windows), model, policy, aging_seconds, runs=runs, no_show=no_show)
        line = sorted(waiting, key=lambda c: base_order(c, now))
        for c in line:
            f._note(c)
        soon = [b for b in booked if f.arrival(b) <= now + BOOKED_HORIZON_S]
        f.booked = sorted(soon, key=lambda b: (f.arrival(b), b.queue_key, b.id))
        for b in f.booked:
            f._eligible(b)  # a booking of a kind only some windows serve: plays, not formula
        f._play_all(line)
        return f

    def arrival(self, b: Candidate) -> float:
        """When a booking joins the line in the plays: its slot's start, or now if begun."""
        return max(b.appointment_at if b.appointment_at is not None else self.now, self.now)

    def _present(self, k: int, play: int) -> bool:
        """Whether the ``k``-th booking comes in ``play``: stratified over the plays (it
        stays away in a share ``no_show`` of them) and over the bookings (golden-ratio
        offsets: about that share of them stay away in each play)."""
        return (k * _GOLDEN + (play + 0.5) / max(self.runs, 1)) % 1.0 >= self.no_show

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
            gaps: list[list[tuple[float, float]]] = [[] for _ in dws]
            booked = [b for k, b in enumerate(self.booked) if self._present(k, play)]
            self.free.append(self._play(self._with_booked(groups, booked, dws), dws, play, gaps))
            self.gaps.append(gaps)

    def _with_booked(
        self, groups: _Groups, booked: list[Candidate], dws: list[DispatchWindow]
    ) -> _Groups:
        """``groups`` and a group per kind of the bookings of a play (by slot start)."""
        if not booked:
            return groups
        all_groups, win_groups = groups
        all_groups = list(all_groups)
        win_groups = [list(gs) for gs in win_groups]
        kinds: dict[tuple[object, ...], list[Candidate]] = {}
        for b in booked:
            reach = self._eligible(b)
            elig = tuple(i for i, ok in enumerate(reach) if ok)
            own = (
                tuple(i for i, w in enumerate(dws) if w.domains and b.domains <= w.domains)
                if self.policy is Policy.OWN_DOMAIN
                else ()
            )
            g = kinds.get((elig, own))
            if g is None:
                g = kinds[(elig, own)] = []
                all_groups.append(g)
                for i in elig:
                    win_groups[i].append(g)
            g.append(b)
        return all_groups, win_groups

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
            # appointments apart (ordered by slot: their class changes as slots begin)
            key = (c.priority, c.appointment_at is not None, elig, own)
            g = groups.get(key)
            if g is None:
                g = groups[key] = []
                for i in elig:
                    win_groups[i].append(g)
            g.append(c)
        return list(groups.values()), win_groups

    def _play(
        self,
        groups: _Groups,
        dws: list[DispatchWindow],
        play: int,
        gaps: list[list[tuple[float, float]]],
    ) -> list[float]:
        """One play of the whole line: each ticket's call time, each window's last free
        time (when it found nothing more to call), and into ``gaps`` each window's waits
        for a booking to come."""
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
        comes = {b.id: self.arrival(b) for b in self.booked}  # a booking's time in line
        while free:
            t, i = heapq.heappop(free)
            gone = away[i]
            if gone is not None and gone[0] <= t < gone[1]:
                heapq.heappush(free, (gone[1], i))
                continue
            last[i] = t
            heads = []
            due = math.inf  # the next booking this window may serve, not yet come
            for k in mine[i]:
                if head[k] < len(all_groups[k]):
                    h = all_groups[k][head[k]]
                    at = comes.get(h.id, now) if h.id < 0 else now
                    if at <= t:
                        heads.append(h)
                    elif at < due:
                        due = at
            if not heads:
                if due < math.inf:  # wait for it
                    gaps[i].append((t, due))
                    heapq.heappush(free, (due, i))
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
        to begin. (With bookings to come, ``extend`` may still decline.)"""
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

    def extend(self, c: Candidate) -> bool:
        """``c`` joins the end of the line (``can_extend`` must hold): in each play the
        first window that may serve it and is free, at the end of its day or in a wait for
        a booking (if ``c`` is done before the booking comes: the rest of the play stands).
        False, the forecast unchanged, where it would not fit: play the line again."""
        elig = self._eligible(c)
        if not any(elig):
            self._note(c)
            return True
        places: list[tuple[float, int, int]] = []  # per play: (call, window, gap or -1)
        seconds = self._seconds(c)
        for play, free_at in enumerate(self.free):
            best: tuple[float, int, int] | None = None
            for i, ok in enumerate(elig):
                if not ok:
                    continue
                gaps = self.gaps[play][i]
                if gaps:
                    t, g = gaps[0][0], 0
                else:
                    t, g = self._back(i, free_at[i]), -1
                if best is None or (t, i) < best[:2]:
                    best = (t, i, g)
            assert best is not None
            t, i, g = best
            if g >= 0 and t + seconds * self._factor(c.id, play) > self.gaps[play][i][g][1]:
                return False
            places.append(best)
        self._note(c)
        for play, (t, i, g) in enumerate(places):
            self.calls.setdefault(c.id, []).append(t)
            done = self._back(i, t + seconds * self._factor(c.id, play))
            if g < 0:
                self.free[play][i] = done
                continue
            gaps = self.gaps[play][i]
            if done < gaps[g][1]:
                gaps[g] = (done, gaps[g][1])
            else:
                del gaps[g]
        return True

    def _back(self, i: int, t: float) -> float:
        """``t``, or the end of window ``i``'s time away if ``t`` falls in it."""
        gone = self.windows[i].away
        if gone is not None:
            start, end = self.now + gone[0] * 60.0, self.now + gone[1] * 60.0
            if start <= t < end:
                return end
        return t

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
                minutes = self._pooled(c, ahead, total)
            if all(w.away is None or w.away[0] > minutes for w in self.windows):
                return minutes
        return self.called_in(c, now)

    def _pooled(self, c: Candidate, ahead: int, total: float) -> float:
        """Minutes until ``c`` is called from one pooled line served at ``total`` tickets a
        minute: the ``ahead`` before it, and the bookings expected (less the no-shows) to
        come before its call and go ahead of it; the fixed point, as each booking counted
        makes the wait longer."""
        minutes = (ahead + 1) / total
        if not self.booked or c.priority:
            return minutes
        mine = [
            (self.arrival(b) - self.now) / 60.0
            for b in self.booked
            if c.appointment_at is None or (b.queue_key, b.id) < (c.queue_key, c.id)
        ]  # by arrival
        counted = 0
        while counted < len(mine) and mine[counted] <= minutes:
            counted += 1
            minutes = (ahead + counted * (1.0 - self.no_show) + 1) / total
        return minutes

    def called_in(self, c: Candidate, now: float | None = None) -> float | None:
        """Minutes until ``c`` is called in the plays (the mean over them), None if never."""
        now = self.now if now is None else now
        called = self.calls.get(c.id)
        if not called:
            return None
        return max(0.0, sum(called) / len(called) - now) / 60.0
