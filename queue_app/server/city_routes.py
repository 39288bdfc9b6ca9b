"""The city's view: every hall this server serves, side by side (a city account's)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from queue_app.api_models import CityOut, HallAtGlanceOut
from queue_app.server.auth import roles
from queue_app.server.context import CityHall, hall_of
from queue_app.server.errors import ErrorResponse, known_query_only
from queue_app.store.staff import Role, Session

router = APIRouter(
    prefix="/api",
    responses={s: {"model": ErrorResponse} for s in (401, 403)},
    dependencies=[Depends(known_query_only)],
)
CityReader = Annotated[Session, Depends(roles(Role.CITY))]


async def _at_glance(hall: CityHall) -> HallAtGlanceOut:
    s = await hall.service.read(hall.service.store.summary)
    longest = s.longest_wait_s / 60.0 if s.longest_wait_s is not None else None
    return HallAtGlanceOut(
        code=hall.code,
        name=hall.name,
        path=hall.path,
        day=s.day,
        waiting=s.waiting,
        longest_wait_minutes=longest,
        windows_open=s.windows_open,
        windows_busy=s.windows_busy,
        served=s.served,
        ratings=s.ratings,
        poor_ratings=s.poor_ratings,
        load_balance=s.load_balance,
        target_wait_minutes=s.target_wait_minutes,
        over_target=longest is not None and longest > s.target_wait_minutes,
    )


@router.get("/city")
async def city(request: Request, who: CityReader) -> CityOut:
    """Every hall of this server today: waiting, the longest wait against the hall's
    target, windows open and busy, served, 好差评, the load balance."""
    here = hall_of(request.scope)
    if here.city is None:  # a server of one hall
        store = here.service.store
        halls: tuple[CityHall, ...] = (
            CityHall(store.code, store.hall.hall.name, "", here.service),
        )
        code, name = "", ""
    else:
        halls, code, name = here.city.halls, here.city.code, here.city.name
    return CityOut(code=code, name=name, halls=[await _at_glance(h) for h in halls])
