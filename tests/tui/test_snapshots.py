"""Snapshots of every screen in Chinese at 120x36, against a real server on 127.0.0.1.
Update them after a deliberate change with ``pytest tests/tui --snapshot-update`` and look
at the SVGs before committing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Static

from queue_app.client import HallClient
from queue_app.tui.app import HallApp
from queue_app.tui.clerk import ClerkScreen
from queue_app.tui.desk import DeskScreen
from queue_app.tui.display import DisplayScreen
from queue_app.tui.manager import ManagerScreen
from queue_app.tui.manager_dialogs import ProfileScreen, TargetsScreen
from queue_app.tui.picker import RolePicker
from queue_app.tui.signin import SignInScreen
from tests.server.live import LiveServer, sqlite_url
from tests.tui.helpers import has_rows, on, until

PW = "s3cret-pass"
SIZE = (120, 36)


@pytest.fixture()
def hall(tmp_path: Path) -> Iterator[LiveServer]:
    """A server with a morning begun: windows 1 and 3 open, 1 serving, three waiting."""
    server = LiveServer(sqlite_url(tmp_path))
    server.add_accounts(
        (("boss", "manager"), ("d1", "desk"), ("c1", "clerk"), ("tv", "display")), PW
    )
    server.start()
    with HallClient(server.url) as c:
        c.sign_in("boss", PW)
        c.open_window(1)
        c.open_window(3)
        c.issue(["M-SBK"], priority="elderly")
        c.issue(["M-GT"])
        c.issue(bundle="QY-KBCYD")
        c.issue(["M-YL", "M-SBK"])
        c.call_next(1)
        c.start(1)
        c.call_next(3)
    yield server
    server.stop()


def app_for(server: LiveServer, role: str, user: str, window: int | None = None) -> HallApp:
    return HallApp(server.url, role, window=window, username=user, password=PW, clock=False)


async def settle(pilot: Pilot, ready: Callable[[], object]) -> None:
    await until(pilot, ready)
    await pilot.pause(0.3)  # the debounced reload after the last event
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False  # a steady cursor: a blink would land on either side of a slow run


@pytest.fixture()
def steady_staffing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The staffing line's rate depends on the minute of the real clock the test runs at:
    every load of the manager screen (the first, and the one after the event stream's
    snapshot, which may land late) shows a fixed line in its place. The Pilot tests check
    the real one."""

    def fixed(screen: ManagerScreen, _: object) -> None:
        screen.query_one("#staffing", Static).update("人员测算：（随时钟变化，快照中固定）")

    monkeypatch.setattr(ManagerScreen, "_show_staffing", fixed)


def test_desk(hall: LiveServer, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = app_for(hall, "desk", "d1")

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot, lambda: on(app, DeskScreen, "#hits"))
        await pilot.press(*"gtgsh")
        hits = app.screen.query_one("#hits", OptionList)
        await settle(pilot, lambda: hits.option_count > 0)
        await pilot.press("enter")

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_clerk(hall: LiveServer, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = app_for(hall, "clerk", "c1", window=1)

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot, lambda: has_rows(app, ClerkScreen, "#line"))

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_manager(hall: LiveServer, snap_compare, steady_staffing: None) -> None:  # type: ignore[no-untyped-def]
    app = app_for(hall, "manager", "boss")

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot, lambda: has_rows(app, ManagerScreen, "#domains"))

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_manager_changing_what_a_window_serves(
    hall: LiveServer, snap_compare, steady_staffing: None
) -> None:  # type: ignore[no-untyped-def]
    app = app_for(hall, "manager", "boss")

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot, lambda: has_rows(app, ManagerScreen, "#domains"))
        app.screen.query_one("#windows", DataTable).move_cursor(row=1)
        await pilot.press("s")
        await settle(pilot, lambda: on(app, ProfileScreen, "#profiles"))

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_manager_targets(hall: LiveServer, snap_compare, steady_staffing: None) -> None:  # type: ignore[no-untyped-def]
    app = app_for(hall, "manager", "boss")

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot, lambda: has_rows(app, ManagerScreen, "#domains"))
        await pilot.press("t")
        await settle(pilot, lambda: on(app, TargetsScreen, "#wait"))

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_display(hall: LiveServer, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = app_for(hall, "display", "tv")

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot, lambda: on(app, DisplayScreen, "#newest"))
        newest = app.screen.query_one("#newest", Static)
        await settle(pilot, lambda: "窗口" in str(newest.content))

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_sign_in(hall: LiveServer, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = HallApp(hall.url, "clerk", window=5, clock=False)

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot, lambda: on(app, SignInScreen, "#go"))

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_demo_role_picker(snap_compare) -> None:  # type: ignore[no-untyped-def]
    from queue_app.demo_live import accounts
    from queue_app.loaders import (
        default_catalog_path,
        default_hall_path,
        load_catalog,
        load_hall_for,
    )

    catalog = load_catalog(default_catalog_path())
    layout = load_hall_for(default_hall_path(), catalog)
    app = RolePicker("http://127.0.0.1:8600", layout, accounts(layout), "zh")  # type: ignore[arg-type]
    assert snap_compare(app, terminal_size=SIZE)
