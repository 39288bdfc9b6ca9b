"""The API's view of what the store returns: one conversion, used by the server's routes
and by the command line when it acts on the database directly."""

from __future__ import annotations

import math
from collections.abc import Mapping

from queue_app.api_models import (
    HourNeedOut,
    IssuedOut,
    StaffingOut,
    TicketOut,
    WindowFiguresOut,
    WindowOut,
    WindowStateOut,
    WindowStatsOut,
)
from queue_app.domain.figures import load_balance
from queue_app.domain.ticket import Ticket
from queue_app.domain.window_state import WindowState
from queue_app.store import Issued
from queue_app.store.store import StaffingNow, WindowFigures, WindowInfo


def ticket_out(t: Ticket, names: Mapping[str, str]) -> TicketOut:
    return TicketOut.of(t, names)


def issued_out(issued: Issued, names: Mapping[str, str]) -> IssuedOut:
    return IssuedOut(
        ticket=ticket_out(issued.ticket, names),
        class_name=issued.class_name,
        ahead=issued.ahead,
        windows=list(issued.windows),
        estimated_wait_minutes=issued.estimated_wait_minutes,
        token=issued.token,
    )


def window_out(w: WindowInfo, names: Mapping[str, str]) -> WindowOut:
    return WindowOut(
        number=w.number,
        name=w.name,
        kind=w.kind,
        status=w.status,
        state=w.view,
        reason=w.reason,
        ticket=ticket_out(w.ticket, names) if w.ticket else None,
        updated_at=w.updated_at,
        changed=w.changed,
    )


def state_out(w: WindowState) -> WindowStateOut:
    return WindowStateOut.model_validate(w)


def window_stats_out(day: str, figures: list[WindowFigures]) -> WindowStatsOut:
    """Per-window figures, and the load balance over the windows that were open."""
    windows = [
        WindowFiguresOut(
            window=f.window,
            served=f.served,
            bundles=f.bundles,
            mean_handling_minutes=f.mean_handling_s / 60 if f.mean_handling_s else None,
            busy_minutes=f.busy_s / 60,
            open_minutes=f.open_s / 60,
            utilisation=min(1.0, f.busy_s / f.open_s) if f.open_s > 0 else None,
            ratings=f.ratings,
            mean_rating=f.mean_rating,
        )
        for f in figures
    ]
    return WindowStatsOut(
        day=day,
        windows=windows,
        load_balance=load_balance([f.busy_s for f in figures if f.open_s > 0]),
        bundles_served=sum(f.bundles for f in figures),
    )


def staffing_out(s: StaffingNow) -> StaffingOut:
    return StaffingOut(
        day=s.day,
        target_minutes=s.target_minutes,
        hold_minutes=s.hold_minutes,
        open_windows=s.open_windows,
        hours=[
            HourNeedOut(
                start=h.start,
                arrivals=h.arrivals,
                rate_per_hour=h.rate_per_hour,
                load=h.load,
                needed=h.needed,
            )
            for h in s.hours
        ],
        p90_now=s.p90_now if math.isfinite(s.p90_now) else None,
    )
