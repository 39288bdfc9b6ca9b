"""What staff found trying the terminals (issue 12): each finding driven by Textual's Pilot
against the hall's app in this process, the hall's clock standing still (see ``inprocess``)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import yaml
from rich.console import Console
from textual.widgets import OptionList, Static

from queue_app.client import AsyncHallClient
from queue_app.domain.hall import Hall
from queue_app.loaders import load_catalog, load_hall_for
from queue_app.store import Store
from queue_app.tui.app import HallApp
from queue_app.tui.desk import DeskScreen
from tests.conftest import FIXTURES, Clock
from tests.tui.helpers import on, quiet, until
from tests.tui.inprocess import InProcessHall, in_process_hall

pytestmark = pytest.mark.anyio
SIZE = (120, 36)


@pytest.fixture()
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture()
async def boss(hall: InProcessHall) -> AsyncIterator[AsyncHallClient]:
    async with hall.running(), hall.signed_in("boss") as c:
        yield c


def text_of(app: HallApp, selector: str) -> str:
    content = app.screen.query_one(selector, Static).content
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(content)
    return console.export_text()


def prompts(options: OptionList) -> list[str]:
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


# ------------------------------------------------------------------------------ desk


async def test_desk_says_nothing_found_and_drops_the_earlier_guide(
    hall: InProcessHall, boss: AsyncHallClient
) -> None:
    app = hall.terminal("desk", "d1")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, DeskScreen, "#hits"))
        hits = app.screen.query_one("#hits", OptionList)
        await pilot.press(*"sbk")
        await until(pilot, lambda: "社会保障卡申领" in text_of(app, "#guide"))
        for query in ("xyz123", "公积金提取"):
            app.screen.query_one("#search").value = query  # type: ignore[attr-defined]
            await until(pilot, lambda q=query: any(f"未找到「{q}」" in p for p in prompts(hits)))
            assert hits.option_count == 1 and hits.highlighted is None
            assert "社会保障卡申领" not in text_of(app, "#guide")
            await pilot.press("enter")  # nothing to take
            assert app.screen.matters == []  # type: ignore[attr-defined]


async def test_desk_down_in_the_search_box_moves_through_the_hits(
    hall: InProcessHall, boss: AsyncHallClient
) -> None:
    app = hall.terminal("desk", "d1")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, DeskScreen, "#hits"))
        hits = app.screen.query_one("#hits", OptionList)
        await pilot.press(*"社")  # 社会保障卡申领 and the 社保 matters
        await until(pilot, lambda: hits.option_count >= 2)
        second = hits.get_option_at_index(1).id
        await pilot.press("down")
        assert hits.highlighted == 1
        assert app.screen.query_one("#search").has_focus  # still typing
        await pilot.press("up", "down", "enter")
        assert app.screen.matters == [second.partition(":")[2]]  # type: ignore[attr-defined, union-attr]


@pytest.fixture()
def sibling_hall(tmp_path: Path, clock: Clock) -> Iterator[InProcessHall]:
    """The mini hall with 个体工商户注销登记 listed before its 设立登记 (as the real catalog
    lists them): the two have the same initials, gtgsh."""
    data = yaml.safe_load((FIXTURES / "mini_catalog.yaml").read_text(encoding="utf-8"))
    gt = next(m for m in data["matters"] if m["code"] == "M-GT")
    data["matters"].insert(
        0, {**gt, "code": "M-GTZX", "name": "个体工商户注销登记", "keywords": ["关个体户"]}
    )
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    catalog = load_catalog(path)
    hall: Hall = load_hall_for(FIXTURES / "mini_hall.yaml", catalog)
    store = Store(f"sqlite:///{tmp_path / 'hall.db'}", catalog, hall, clock=clock)
    served = in_process_hall(store, clock)
    try:
        yield served
    finally:
        served.app.state.service.close()
        store.dispose()


async def test_desk_gtgsh_enter_adds_the_setting_up_not_the_closing(
    sibling_hall: InProcessHall,
) -> None:
    app = sibling_hall.terminal("desk", "d1")
    async with sibling_hall.running(), app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, DeskScreen, "#hits"))
        hits = app.screen.query_one("#hits", OptionList)
        await pilot.press(*"gtgsh")
        await until(pilot, lambda: hits.option_count >= 2)
        await pilot.press("enter")
        assert app.screen.matters == ["M-GT"]  # type: ignore[attr-defined]
        await quiet(pilot)
