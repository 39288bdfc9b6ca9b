"""The desk on a matter its hall does not handle: the hit says where it goes, the guide
names the place (address, hours, phone) and the matter cannot go on a ticket; and where
nothing is found, the nearest entries to pick from and never an earlier guide."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import OptionList

from queue_app.client import AsyncHallClient
from queue_app.tui.desk import DeskScreen
from tests.tui.helpers import on, text_of, until
from tests.tui.inprocess import InProcessHall

pytestmark = pytest.mark.anyio
SIZE = (120, 36)


def _prompts(options: OptionList) -> list[str]:
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def _search(pilot: Pilot[object], app: App[object], query: str) -> OptionList:
    """Type ``query`` at the desk (once it shows) and wait for a line in the hits."""
    await until(pilot, lambda: on(app, DeskScreen, "#hits"))
    hits = app.screen.query_one("#hits", OptionList)
    await pilot.press(*query)
    await until(pilot, lambda: hits.option_count > 0)
    return hits


@pytest.fixture()
async def boss(city_hall: InProcessHall) -> AsyncIterator[AsyncHallClient]:
    async with city_hall.running(), city_hall.signed_in("boss") as c:
        yield c


async def test_a_matter_handled_elsewhere_shows_where_and_is_not_taken(
    city_hall: InProcessHall, boss: AsyncHallClient
) -> None:
    app = city_hall.terminal("desk", "d1")
    async with app.run_test(size=SIZE) as pilot:
        hits = await _search(pilot, app, "房屋所有权")
        assert "本厅不办理，请到不动产登记中心" in _prompts(hits)[0]
        await until(pilot, lambda: "不在本厅办理" in text_of(app, "#guide"))
        guide = text_of(app, "#guide")
        assert "国有建设用地使用权及房屋所有权转移登记" in guide
        assert "请到 不动产登记中心" in guide
        assert "地址：北大街 8 号" in guide and "电话：0826-1234567" in guide
        assert "办公时间：周一至周五 09:00-17:30（12:00-13:30 午休）" in guide
        assert "材料" not in guide  # no guide of what to bring here
        await pilot.press("enter")
        assert app.screen.matters == []  # type: ignore[attr-defined]
        # a matter the hall's `handles` leaves out, with no place known in the city
        app.screen.query_one("#search").value = "食品经营"  # type: ignore[attr-defined]
        await until(pilot, lambda: "本厅不办理" in "".join(_prompts(hits)))
        await until(pilot, lambda: "本市没有已知的其他办理地点" in text_of(app, "#guide"))
        await pilot.press("enter")
        assert app.screen.matters == []  # type: ignore[attr-defined]
        # a matter handled here still shows its guide, and is taken
        app.screen.query_one("#search").value = "sbk"  # type: ignore[attr-defined]
        await until(pilot, lambda: "可办理窗口: 1, 2" in text_of(app, "#guide"))
        assert "不在本厅办理" not in text_of(app, "#guide")
        await pilot.press("enter")
        assert app.screen.matters == ["M-SBK"]  # type: ignore[attr-defined]
    # and the server refuses a ticket for it all the same
    with pytest.raises(Exception, match="no_window"):
        await boss.issue(["M-SP"])


async def test_nothing_found_offers_the_closest_and_drops_the_earlier_guide(
    city_hall: InProcessHall, boss: AsyncHallClient
) -> None:
    app = city_hall.terminal("desk", "d1")
    async with app.run_test(size=SIZE) as pilot:
        hits = await _search(pilot, app, "sbk")
        await until(pilot, lambda: "社会保障卡申领" in text_of(app, "#guide"))
        app.screen.query_one("#search").value = "保障卡坏了"  # type: ignore[attr-defined]
        await until(pilot, lambda: "未找到「保障卡坏了」" in text_of(app, "#guide"))
        prompts = _prompts(hits)
        assert "未找到「保障卡坏了」" in prompts[0] and "相近的事项" in prompts[1]
        assert "社会保障卡申领" in prompts[2]
        assert hits.highlighted is None  # nothing taken by Enter
        guide = text_of(app, "#guide")
        assert (
            "社会保障卡申领" in guide and "可办理窗口" not in guide
        )  # a suggestion, not its guide
        await pilot.press("enter")
        assert app.screen.matters == []  # type: ignore[attr-defined]
        await pilot.press("down")  # to the suggestion: its guide, and Enter takes it
        await until(pilot, lambda: "可办理窗口: 1, 2" in text_of(app, "#guide"))
        await pilot.press("enter")
        assert app.screen.matters == ["M-SBK"]  # type: ignore[attr-defined]
