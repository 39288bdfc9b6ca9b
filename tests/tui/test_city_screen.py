"""The city's view: every hall side by side, a hall past its wait target in red, Enter
opening that hall's manager view read-only and Escape coming back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import DataTable

from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.store import Store, make_engine
from queue_app.store.staff import Role, add_staff
from queue_app.tui.city import OVER, CityScreen
from queue_app.tui.manager import ManagerScreen
from tests.conftest import Clock, hall_coded
from tests.tui.helpers import on, until
from tests.tui.inprocess import PW, city_terminal

pytestmark = pytest.mark.anyio
SIZE = (140, 36)


@pytest.fixture()
def stores(
    tmp_path: Path, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> Iterator[list[Store]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'city.db'}")
    halls = [hall_coded(mini_hall, "east", "东区大厅"), hall_coded(mini_hall, "west", "西区大厅")]
    made = [Store(engine, mini_catalog, h, clock=clock) for h in halls]
    add_staff(made[0], "mayor", Role.CITY, PW)
    yield made
    engine.dispose()


async def test_the_city_view_opens_a_hall_read_only_and_comes_back(
    stores: list[Store], mini_hall: Hall, clock: Clock
) -> None:
    east, west = stores
    east.issue(["M-SBK"])
    clock.advance(minutes=15)
    for _ in range(3):
        west.issue(["M-SBK"])
    east.issue(["M-SBK"])
    west.open_window(1)
    west.open_window(2)
    clock.advance(minutes=10)  # east's first has waited 25 minutes (target 20), west's 10
    west.call_next(1)
    async with city_terminal(stores, clock) as app, app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, CityScreen, "#halls"))
        table = app.screen.query_one("#halls", DataTable)
        await until(pilot, lambda: table.row_count == 2)
        east_row = table.get_row("/halls/east")
        west_row = table.get_row("/halls/west")
        assert str(east_row[0]) == "东区大厅" and east_row[0].style == OVER
        assert [str(c) for c in east_row[1:4]] == ["2", "25 分钟（目标 20）", "0"]
        assert [str(c) for c in west_row[1:5]] == ["2", "10 分钟（目标 20）", "2", "1"]
        assert west_row[0].style == ""  # within its target
        table.move_cursor(row=1)
        await pilot.press("enter")
        await until(pilot, lambda: on(app, ManagerScreen, "#windows"))
        manager = app.screen
        assert isinstance(manager, ManagerScreen) and manager.read_only
        assert manager.sub_title == "西区大厅 · 大厅管理 · 只读"
        windows = manager.query_one("#windows", DataTable)
        await until(pilot, lambda: windows.row_count == 4)
        assert app.hall is not None and app.hall.hall.code == "west"
        windows.move_cursor(row=2)  # window 3, closed
        await pilot.press("c", "o")  # no change is offered: the keys do nothing
        await pilot.pause()
        assert not manager.check_action("open", ())
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, CityScreen))
        assert app.hall is not None and app.hall.hall.code == "east"
    assert [w.status.value for w in west.windows()] == ["open", "open", "closed", "closed"]
