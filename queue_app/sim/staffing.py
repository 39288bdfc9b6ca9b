"""The staffing advisor: windows needed per hour to keep the p90 wait under a target (Erlang
C to start), confirmed by simulating the hall staffed that way, and a what-if (two more windows
in the morning peak). Returns plain data the manager screen can render."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, cast

from queue_app.domain import erlang
from queue_app.domain import hours as hall_hours
from queue_app.domain.booked import Booked
from queue_app.domain.catalog import Catalog
from queue_app.domain.demand import Demand
from queue_app.domain.dispatch import Policy
from queue_app.domain.hall import Hall, parse_hall
from queue_app.sim.arrivals import DemandModel, hhmm_seconds
from queue_app.sim.engine import Layout
from queue_app.sim.run import layout_for, run_days
from queue_app.sim.stats import DayFigures, WaitFigures, summarize


@dataclass
class HourAdvice:
    start: str  # "09:00"
    arrivals: float  # expected citizens in the hour (booked ones at their slots)
    offered_load: float  # erlangs: arrivals per minute × mean minutes a ticket holds a window
    erlang_needed: int  # fewest windows with Erlang C p90 <= target (one pooled line)
    advised: int  # windows advised after simulation (restricted windows, breaks, backlog)
    staffed: int  # windows the hall's hours staff in that hour (lunch duty over lunch)
    p90_erlang: float  # Erlang C p90 (minutes) with ``erlang_needed`` windows
    p90_staffed: float  # Erlang C p90 with the hall as staffed
    sim_p90: float  # simulated p90 of citizens arriving in the hour, staffed as advised
    sim_mean: float
    short: bool = False  # the hall has fewer windows than advised
    booked: float = 0.0  # of ``arrivals``, bookings expected to come (slots in the hour)


@dataclass
class WhatIf:
    label: str
    extra_windows: int
    start: str
    end: str
    mean: float
    p90: float
    window_mean: float  # citizens arriving in [start, end + 1 h)
    window_p90: float
    base_mean: float
    base_p90: float
    base_window_mean: float
    base_window_p90: float


@dataclass
class StaffingAdvice:
    hall: str
    demand: str
    target_p90: float
    mean_minutes: float  # per ticket, what a window is held for (walk, service, no-shows)
    days: int
    hours: list[HourAdvice]
    sim_mean: float
    sim_p90: float
    window_hours_erlang: int
    window_hours_advised: int
    window_hours_staffed: int
    what_if: WhatIf | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        return cast(dict[str, Any], _clean(d))


def _clean(x: object) -> object:
    if isinstance(x, float):
        return None if not math.isfinite(x) else round(x, 3)
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_clean(v) for v in x]
    return x


def mean_hold_minutes(model: DemandModel, days: int = 10) -> float:
    """Mean minutes a ticket holds a window, over ``days`` drawn days."""
    d = model.demand
    walk, ns = d.handling.walk_minutes, d.no_show.minutes
    total, n = 0.0, 0
    for day in range(days):
        for a in model.day(day):
            if a.no_show:
                total += ns
            else:
                s = sum(a.seconds) / 60.0
                total += walk + (s * d.handling.bundle_factor if a.bundle else s)
            n += 1
    return total / n if n else 0.0


def window_order(layout: Layout, model: DemandModel) -> list[int]:
    """Which windows to open first: a greedy cover of every matter the demand brings, then the
    broadest windows."""
    wanted = set(model.mean_seconds) & set().union(*layout.coverage.by_window.values())
    covers = dict(layout.coverage.by_window)
    order: list[int] = []
    left = set(wanted)
    while left:
        n = max(covers, key=lambda k: (len(covers[k] & left), len(covers[k]), -k))
        if not covers[n] & left:
            break
        order.append(n)
        left -= covers[n]
        del covers[n]
    rest = sorted(covers, key=lambda k: (-len(covers[k]), k))
    return order + rest


def _hour_starts(hall: Hall) -> list[int]:
    o = hhmm_seconds(hall.hours.open)
    end = hhmm_seconds(hall.hours.issue_until or hall.hours.close)
    return list(range(o - o % 3600, end, 3600))


def _hhmm(s: float) -> str:
    return f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}"


def _by_hour(days: list[DayFigures], start: int, end: int, target: float) -> WaitFigures:
    """Waits of the citizens of an hour: walk-ins by arrival, booked citizens by their slot
    (their wait from its start, if they came early)."""
    return WaitFigures.of(
        (
            r.from_slot
            for d in days
            for r in d.rows
            if r.outcome == "served" and start <= (r.t if r.slot is None else r.slot) < end
        ),
        target,
    )


def booked_slots(
    hall: Hall, day: str, booked: Sequence[Booked]
) -> list[tuple[float, tuple[str, ...]]]:
    """A day's bookings as (slot start, second of the day in the hall's zone; matters)."""
    midnight = hall_hours.at(hall, day, "00:00")
    return [(b.slot_start - midnight, tuple(b.matters)) for b in booked]


def _hour_arrivals(model: DemandModel, s: int, e: int) -> tuple[float, float]:
    """Citizens expected in [s, e) (seconds of the day), and of them the booked ones, at
    their slots: the demand's share who book (their slots are the time they would have
    come), or the day's actual bookings instead; less the bookings that never come."""
    d = model.demand
    b = d.bookings
    expected = d.expected_arrivals(max(s, model.open_s), min(e, model.issue_until_s))
    if model.actual:
        booked = sum(1 for slot, _ in model.actual if s <= slot < e) * (1.0 - b.no_show)
    else:
        booked = expected * b.share * (1.0 - b.no_show)
    return expected * (1.0 - b.share) + booked, booked


def advise(
    hall: Hall,
    catalog: Catalog,
    demand: Demand,
    *,
    target_p90: float = 15.0,
    days: int = 20,
    seed: int = 1,
    policy: Policy | None = None,
    what_if: tuple[int, str, str] | None = (2, "09:00", "11:00"),
    workers: int = 1,
    rounds: int = 8,
    booked: Sequence[Booked] = (),
    day: str | None = None,
) -> StaffingAdvice:
    """Windows per hour for a p90 wait of at most ``target_p90`` minutes: Erlang C for one
    pooled line to start, then ``days`` simulated days of the hall staffed so; an hour whose
    simulated p90 is over the target gets one more window and the day is simulated again (at
    most ``rounds`` times). And the ``what_if`` of (extra windows, from, to) added to the hall
    as laid out.

    Booked citizens count at their slots: the demand's share who book, or ``booked``, the
    actual bookings of ``day`` (``Store.booked``), in their place (a share
    ``demand.bookings.no_show`` of them never comes)."""
    if booked and day is None:
        raise ValueError("bookings need the day they are for")
    slots = booked_slots(hall, day, booked) if booked and day else []
    model = DemandModel(demand, catalog, hall, seed, slots)
    hold = mean_hold_minutes(model)
    base = layout_for(hall, catalog, demand, policy=policy)
    order = window_order(base, model)
    close = hhmm_seconds(hall.hours.close)
    starts = _hour_starts(hall)
    plan: list[tuple[int, int, int]] = []  # (start, end, windows)
    hours: list[HourAdvice] = []
    notes: list[str] = []
    for s in starts:
        e = min(s + 3600, close)
        arriving, booked_in_hour = _hour_arrivals(model, s, e)
        lam = arriving / ((e - max(s, base.open_s)) / 60.0)
        a = lam * hold
        need = erlang.servers_needed(a, hold, target_p90) if a > 0 else 0
        short = need > len(order)
        if short:
            notes.append(f"{_hhmm(s)}: Erlang C asks {need} windows, the hall has {len(order)}")
        staffed = sum(
            1
            for ivs in base.intervals
            if any(x <= (max(s, base.open_s) + e) / 2 < y for x, y in ivs)
        )
        n = min(max(need, 1), len(order))
        plan.append((max(s, base.open_s), e, n))
        hours.append(
            HourAdvice(
                start=_hhmm(s),
                arrivals=lam * (e - max(s, base.open_s)) / 60.0,
                offered_load=a,
                erlang_needed=need,
                advised=n,
                staffed=staffed,
                p90_erlang=erlang.wait_quantile(n, a, hold, 0.9) if a > 0 else 0.0,
                p90_staffed=erlang.wait_quantile(staffed, a, hold, 0.9)
                if a > 0 and staffed
                else (0.0 if a == 0 else math.inf),
                sim_p90=math.nan,
                sim_mean=math.nan,
                short=short,
                booked=booked_in_hour,
            )
        )
    for r in range(rounds + 1):
        figs = _simulate_plan(hall, catalog, demand, model, order, plan, policy, days, workers)
        over = []
        for k, (h, (s, e, n)) in enumerate(zip(hours, plan, strict=True)):
            w = _by_hour(figs, s, e, target_p90)
            h.sim_p90, h.sim_mean, h.advised = w.p90, w.mean, n
            if w.p90 > target_p90 and n < len(order):
                over.append(k)
        if not over or r == rounds:
            break
        for k in over:
            s, e, n = plan[k]
            plan[k] = (s, e, n + 1)
    for h in hours:
        if h.sim_p90 > target_p90:
            h.short = True
            notes.append(
                f"{h.start}: simulated p90 {h.sim_p90:.0f} min with {h.advised} windows "
                f"(of {len(order)}), over the target"
            )
    total = summarize("advised", figs, target_p90).wait
    wi = None
    if what_if is not None:
        wi = _what_if(hall, catalog, demand, model, base, what_if, days, workers, target_p90)
    return StaffingAdvice(
        hall=hall.hall.name,
        demand=demand.demand.name,
        target_p90=target_p90,
        mean_minutes=hold,
        days=days,
        hours=hours,
        sim_mean=total.mean,
        sim_p90=total.p90,
        window_hours_erlang=sum(h.erlang_needed for h in hours),
        window_hours_advised=sum(h.advised for h in hours),
        window_hours_staffed=sum(h.staffed for h in hours),
        what_if=wi,
        notes=notes,
    )


def _simulate_plan(
    hall: Hall,
    catalog: Catalog,
    demand: Demand,
    model: DemandModel,
    order: list[int],
    plan: list[tuple[int, int, int]],
    policy: Policy | None,
    days: int,
    workers: int,
) -> list[DayFigures]:
    schedule: dict[int, list[tuple[float, float]]] = {n: [] for n in order}
    for s, e, k in plan:
        for n in order[:k]:
            ivs = schedule[n]
            if ivs and ivs[-1][1] == s:
                ivs[-1] = (ivs[-1][0], e)
            else:
                ivs.append((s, e))
    advised = layout_for(hall, catalog, demand, policy=policy, schedule=schedule, label="advised")
    return run_days(model, [advised], days, workers=workers)[0]


def with_extra_windows(hall: Hall, extra: int) -> tuple[Hall, list[int]]:
    """``hall`` with ``extra`` more undifferentiated windows (numbered after the last)."""
    data = hall.model_dump(mode="json")
    top = max(w.number for w in hall.windows)
    numbers = [top + k + 1 for k in range(extra)]
    data["windows"] = [
        *data["windows"],
        *(
            {
                "number": n,
                "name": "临时增开窗口",
                "kind": "undifferentiated",
                "serves": {"undifferentiated": True},
            }
            for n in numbers
        ),
    ]
    return parse_hall(data), numbers


def _what_if(
    hall: Hall,
    catalog: Catalog,
    demand: Demand,
    model: DemandModel,
    base: Layout,
    what_if: tuple[int, str, str],
    days: int,
    workers: int,
    target: float,
) -> WhatIf:
    extra, start, end = what_if
    bigger, numbers = with_extra_windows(hall, extra)
    s, e = hhmm_seconds(start), hhmm_seconds(end)
    plus = layout_for(
        bigger, catalog, demand, schedule={n: [(s, e)] for n in numbers}, label="what-if"
    )
    base_f, plus_f = run_days(model, [base, plus], days, workers=workers)
    b, p = summarize("base", base_f, target).wait, summarize("plus", plus_f, target).wait
    bw, pw = _by_hour(base_f, s, e + 3600, target), _by_hour(plus_f, s, e + 3600, target)
    return WhatIf(
        label=f"+{extra} windows {start}-{end}",
        extra_windows=extra,
        start=start,
        end=end,
        mean=p.mean,
        p90=p.p90,
        window_mean=pw.mean,
        window_p90=pw.p90,
        base_mean=b.mean,
        base_p90=b.p90,
        base_window_mean=bw.mean,
        base_window_p90=bw.p90,
    )
