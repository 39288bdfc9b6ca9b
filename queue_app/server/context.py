"""What a request knows of the hall it is for, put in its ASGI scope by ``HallServer``:
the hall's service, its voice, the public URL, and in local mode the operator acting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends
from starlette.requests import Request
from starlette.types import Scope

from queue_app.server.service import HallService
from queue_app.server.voice import Voice
from queue_app.store.staff import Session

KEY = "queue_app.hall"  # the scope's key (an ASGI extension key of this application)


@dataclass(frozen=True, slots=True)
class CityHall:
    """A hall of the city this server serves, and where (``path``: "/halls/<code>")."""

    code: str
    name: str
    path: str
    service: HallService


@dataclass(frozen=True, slots=True)
class CityContext:
    """The halls one server serves (``serve --city``, or ``--hall`` repeated)."""

    code: str
    name: str
    halls: tuple[CityHall, ...]


@dataclass(slots=True)
class HallContext:
    service: HallService
    voice: Voice
    public_url: str | None  # the server's base URL as citizens' phones reach it
    operator: Session | None = None  # local mode: whoever opened the database acts
    city: CityContext | None = None  # the server's halls, when it serves several


def route_path(scope: Scope) -> str:
    """The request's path within its hall (without ``/halls/<code>`` when a server of
    several halls put that in the scope's ``root_path``)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def hall_of(scope: Scope) -> HallContext:
    return cast(HallContext, scope[KEY])


def service_of(request: Request) -> HallService:
    """The hall's service (a FastAPI dependency)."""
    return hall_of(request.scope).service


Svc = Annotated[HallService, Depends(service_of)]  # a route's hall service
