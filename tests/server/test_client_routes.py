"""Every route of the API has exactly one client method: each method of ``AsyncHallClient``
is called on the hall's app (in process, over ASGI) and the requests it makes are matched
against the app's ``/api`` routes (as its OpenAPI schema lists them). A new route without a
method, a method without a route, or two methods on one route fail here; ``HallClient`` runs
the very same methods."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import re
from collections import defaultdict
from typing import Any

import httpx
import pytest

from queue_app.cli_hall import in_process, local_app
from queue_app.client import ApiError, AsyncHallClient, HallClient
from queue_app.server import HallServer
from queue_app.store import Store

# what each method is called with (one without an entry takes no arguments)
ARGS: dict[str, tuple[Any, ...]] = {
    "sign_in": ("nobody", "not-a-password"),
    "search": ("sbk",),
    "issue": (["M-SBK"],),
    "ticket": ("A001",),
    "history": ("A001",),
    "cancel": ("A001",),
    "reprint": ("A001", "front"),
    "retry_notice": ("0" * 32,),
    "requeue": ("A001",),
    "unpark": ("A001",),
    "park": (1, "户口本"),
    "unpark_here": (1, "A001"),
    "slip_status": ("x" * 22,),
    "slip_qr": ("x" * 22,),
    "kiosk_guide": ("M-SBK",),
    "rate_visit": ("x" * 22, 2, ["poor_attitude"]),
    "rater": (1,),
    "call_next": (1,),
    "recall": (1,),
    "start": (1,),
    "finish": (1, "completed"),
    "transfer": (1,),
    "no_show": (1,),
    "rate": (1, "A001", 5),
    "open_window": (1,),
    "close_window": (1,),
    "pause": (1, "休息"),
    "resume": (1,),
    "set_profile": (1, None),
    "set_targets": (None,),
    "open_late": (None,),
    "voice": ("A001", 1),
    "set_staff_windows": ("nobody", None),
    "edit_staff": ("nobody", {"staff_number": "1024"}),
    "set_notice": ("今天 16:00 起暂停办理不动产业务",),
    "window_screen": (1,),
    "release_seat": (1,),
    "report": ("hall", "2026-11-01", "2026-11-30"),
    "report_workbook": ("2026-11-01", "2026-11-30"),
    "case": (1,),
    "assign_case": (1, "boss"),
    "visit_case": (1, "属实", True),
    "rectify_case": (1, "增开窗口"),
    "answer_case": (1, "已告知"),
    "appeal_case": (1, "误按"),
    "decide_case": (1, True, "确认误评"),
    "book_slots": (["M-SBK"],),
    "book": (["M-SBK"], 0.0, "13812341234"),
    "booking": ("123456",),
    "booking_qr": ("123456",),
    "cancel_booking": ("123456", "13812341234"),
    "move_booking": ("123456", "13812341234", 0.0),
    "check_in": ("123456",),
    "bookings": ("2026-11-23",),
    "reopen_slots": ("0123456789ab",),
    "close_slots": ("2026-11-24",),
    "lift_ban": ("13812341234", "误判"),
}


@pytest.fixture(params=["sqlite"])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    return f"sqlite:///{tmp_path / 'hall.db'}"


def operations() -> list[str]:
    return [
        name
        for name, fn in vars(AsyncHallClient).items()
        if not name.startswith("_")
        and (inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn))
        and name != "aclose"
    ]


def api_routes(app: HallServer) -> dict[str, re.Pattern[str]]:
    """ "METHOD /path/{param}" of every ``/api`` route, with the paths it matches."""
    return {
        f"{method.upper()} {path}": re.compile(re.sub(r"\{[^}]+\}", "[^/]+", path))
        for path, ops in app.openapi()["paths"].items()
        if path.startswith("/api/")
        for method in ops
    }


def route_of(routes: dict[str, re.Pattern[str]], request: tuple[str, str]) -> str:
    method, path = request
    hits = [
        r for r, pattern in routes.items() if r.split()[0] == method and pattern.fullmatch(path)
    ]
    assert len(hits) == 1, f"{method} {path} matches {hits}"
    return hits[0]


async def requests_of(app: HallServer) -> dict[str, list[tuple[str, str]]]:
    """The requests each client method made, by method name."""
    made: dict[str, list[tuple[str, str]]] = defaultdict(list)
    calling = ""
    asked_for_events = asyncio.Event()

    async def note(request: httpx.Request) -> None:
        made[calling].append((request.method, request.url.path))
        if request.url.path == "/api/events":
            asked_for_events.set()

    async with in_process(app) as client:
        client.http.event_hooks["request"].append(note)
        for calling in operations():
            op = getattr(client, calling)
            if inspect.isasyncgenfunction(getattr(AsyncHallClient, calling)):
                # a stream that never ends by itself: its request is made, then let go
                first = asyncio.ensure_future(anext(op()))
                await asked_for_events.wait()
                first.cancel()
                continue
            with contextlib.suppress(ApiError):  # refused (no such ticket ...): yet asked
                await op(*ARGS.get(calling, ()))
    return made


def test_every_route_has_exactly_one_client_method(store: Store) -> None:
    app = local_app(store, "tester")
    routes = api_routes(app)
    made = asyncio.run(requests_of(app))

    methods_of: dict[str, set[str]] = defaultdict(set)
    for name in operations():
        assert made[name], f"AsyncHallClient.{name} made no request"
        for request in made[name]:
            methods_of[route_of(routes, request)].add(name)
    assert sorted(routes.keys() - methods_of.keys()) == [], "routes without a client method"
    shared = {route: names for route, names in methods_of.items() if len(names) > 1}
    assert shared == {}, "routes with more than one client method"


def test_the_sync_client_runs_the_async_methods() -> None:
    for name in operations():
        if name == "events":  # a stream: iterated on the sync client's loop by hand
            continue
        sync = getattr(HallClient, name)
        assert sync.__wrapped__ is getattr(AsyncHallClient, name), name
