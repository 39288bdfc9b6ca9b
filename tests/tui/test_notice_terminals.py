"""The notices at the terminals: the desk takes a walk-in's mobile number with the ticket
(refusing one that is not a number), the manager sees the outbox's line."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from textual.widgets import Input, Static

from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.server import create_app
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from queue_app.store.tables import ticket_t
from queue_app.tui.app import HallApp
from queue_app.tui.desk import DeskScreen, SlipScreen
from queue_app.tui.manager import ManagerScreen
from tests.conftest import Clock
from tests.notices.helpers import SECRET_ENV, with_senders
from tests.tui.helpers import on, until
from tests.tui.inprocess import PW, URL, InProcessHall
from tests.tui.test_screens import desk_finds

pytestmark = pytest.mark.anyio
SIZE = (120, 36)


@pytest.fixture()
async def hall(
    tmp_path: Path,
    mini_catalog: Catalog,
    mini_hall: Hall,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[InProcessHall]:
    monkeypatch.delenv(SECRET_ENV, raising=False)  # the sender cannot send: notices wait
    store = Store(
        f"sqlite:///{tmp_path / 'hall.db'}", mini_catalog, with_senders(mini_hall), clock=clock
    )
    add_staff(store, "d1", Role.DESK, PW)
    add_staff(store, "boss", Role.MANAGER, PW)
    store.open_window(1, actor="boss")
    hall = InProcessHall(store, clock, create_app(store, public_url=URL))
    async with hall.running():
        yield hall
    store.dispose()


def terminal(hall: InProcessHall, role: str, user: str) -> HallApp:
    return HallApp(
        hall.client(), role, public_url=URL, clock=hall.clock, username=user, password=PW
    )


def masked_numbers(store: Store) -> list[str | None]:
    with store.engine.connect() as conn:
        return list(
            conn.execute(select(ticket_t.c.contact_masked).order_by(ticket_t.c.id)).scalars()
        )


async def test_the_desk_takes_a_walk_ins_mobile_number_with_the_ticket(hall: InProcessHall) -> None:
    app = terminal(hall, "desk", "d1")
    async with app.run_test(size=SIZE) as pilot:
        await desk_finds(pilot, app, "sbk")
        await pilot.press("enter")  # chosen
        mobile = app.screen.query_one("#mobile", Input)
        mobile.focus()
        await pilot.press(*"1381234")  # not a number: refused, nothing issued
        await pilot.press("f2")
        await until(pilot, lambda: any("1381234" in str(n.message) for n in app._notifications))
        assert masked_numbers(hall.store) == []
        assert isinstance(app.screen, DeskScreen)
        await pilot.press(*"1234")
        await pilot.press("f2")
        await until(pilot, lambda: on(app, SlipScreen, "#slip-text"))
        assert masked_numbers(hall.store) == ["138****1234"]
        await pilot.press("escape")
        await until(pilot, lambda: on(app, DeskScreen, "#mobile"))
        assert app.screen.query_one("#mobile", Input).value == ""  # cleared for the next


async def test_the_manager_sees_the_notices_waiting_and_why(hall: InProcessHall) -> None:
    hall.store.issue(["M-SBK"], mobile="13812341234")
    hall.store.call_next(1)
    app = terminal(hall, "manager", "boss")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, ManagerScreen, "#notices"))
        line = app.screen.query_one("#notices", Static)
        await until(pilot, lambda: "1" in str(line.render()) and line.has_class("-shown"))
        said = str(line.render())
        assert "通知：待发 1 条 · 失败 0 条" in said and SECRET_ENV in said
        assert line.has_class("-trouble")
