"""The big screen's read (GET /api/dashboard): public like the board's, since the 大屏 hangs
on a wall where no one types a password; it carries counts, ticket numbers and window names,
never a person (no clerk, no pause reason). One read per change of the hall, shared by every
screen asking: a screen refetches after each event, and anyone may ask."""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field

from fastapi import APIRouter, Depends, Response

from queue_app.dashboard_models import (
    DashboardOut,
    DomainNowOut,
    TodayOut,
    TrendDayOut,
    WindowNowOut,
)
from queue_app.server.context import Svc
from queue_app.server.errors import ErrorResponse, known_query_only
from queue_app.server.service import HallService
from queue_app.store.read.dashboard import Dashboard
from queue_app.store.read.figures import WindowStats

router = APIRouter(
    prefix="/api",
    responses={422: {"model": ErrorResponse}},
    dependencies=[Depends(known_query_only)],
)
FRESH_S = 5.0  # a read is shared this long while no event comes (the waits grow meanwhile)


@dataclass(slots=True)
class _Shared:
    loop: asyncio.AbstractEventLoop
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    version: int = -1
    at: float = 0.0
    out: DashboardOut | None = None


_SHARED: weakref.WeakKeyDictionary[HallService, _Shared] = weakref.WeakKeyDictionary()


def _out(svc: HallService, d: Dashboard, version: int) -> DashboardOut:
    hall = svc.store.hall
    served = {f.window: f for f in d.window_figures}
    today = d.trend[-1]
    return DashboardOut(
        hall=hall.hall.name,
        timezone=hall.hall.timezone,
        day=d.day,
        now=d.now,
        version=version,
        target_wait_minutes=d.target_wait_minutes,
        domains=[
            DomainNowOut(
                domain=x.domain, waiting=x.waiting, longest_wait_minutes=x.longest_wait_s / 60
            )
            for x in d.domains
        ],
        windows=[
            WindowNowOut(
                number=w.number,
                name=w.name,
                state=w.state.value,
                ticket=w.ticket.number if w.ticket else None,
                served=served[w.number].served if w.number in served else 0,
                utilisation=served[w.number].utilisation if w.number in served else None,
            )
            for w in d.windows
        ],
        today=TodayOut.of(
            today.tally,
            d.waiting,
            d.longest_wait_s,
            WindowStats(d.day, d.window_figures).load_balance,
        ),
        trend=[TrendDayOut.of(p.day, p.tally) for p in d.trend],
    )


@router.get("/dashboard")
async def dashboard(svc: Svc, response: Response) -> DashboardOut:
    """The hall's big screen: waiting per domain now, every window's state, today's
    figures (issued, served, no-shows, waits against the hall's target, 好差评) and the
    last 30 days' trend. Public, like the board: no person's name."""
    response.headers["Cache-Control"] = "no-store"
    loop = asyncio.get_running_loop()
    shared = _SHARED.get(svc)
    if shared is None or shared.loop is not loop:  # a lock serves one event loop
        shared = _SHARED[svc] = _Shared(loop)
    async with shared.lock:  # screens asking together share one read
        version = svc.events.version  # read first: the figures below are at least this new
        now = svc.store.clock()
        if shared.out is None or shared.version != version or abs(now - shared.at) >= FRESH_S:
            shared.out = _out(svc, await svc.read(svc.store.dashboard), version)
            shared.version, shared.at = version, now
        return shared.out
