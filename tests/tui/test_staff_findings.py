"""What staff found trying the terminals (issue 12): each finding driven by Textual's Pilot
against the hall's app in this process, the hall's clock standing still (see ``inprocess``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from rich.cells import cell_len
from textual.widgets import Button, DataTable, Input, OptionList, Static

from queue_app.client import AsyncHallClient
from queue_app.domain.hall import Hall
from queue_app.domain.rating import RATING_LABELS
from queue_app.domain.ticket import Outcome
from queue_app.loaders import load_catalog, load_hall_for
from queue_app.store import Store
from queue_app.tui.clerk import ClerkScreen, RatingScreen, TransferScreen
from queue_app.tui.desk import DeskScreen, SlipScreen
from queue_app.tui.manager import ManagerScreen
from queue_app.tui.widgets import ConfirmScreen, HallClock
from tests.conftest import FIXTURES, Clock
from tests.tui.helpers import has_rows, on, quiet, text_of, until
from tests.tui.inprocess import InProcessHall, in_process_hall

pytestmark = pytest.mark.anyio
SIZE = (120, 36)


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


# ----------------------------------------------------------------------------- clerk


async def test_clerk_panel_shows_a_paused_or_closed_window_and_the_key_that_opens_it(
    hall: InProcessHall, boss: AsyncHallClient
) -> None:
    app = hall.terminal("clerk", "c1", window=1)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, ClerkScreen, "#number"))
        await until(pilot, lambda: "窗口未开放：按 O 开窗" in text_of(app, "#number"))
        assert "按 N 叫下一位" not in text_of(app, "#number")
        await pilot.press("o")  # the clerk opens their own window
        await until(pilot, lambda: window_state(hall, 1) == "idle")
        await until(pilot, lambda: "空闲：按 N 叫下一位" in text_of(app, "#number"))
        await boss.pause(1, "会议")
        await until(pilot, lambda: "暂停中（会议）：按 P 恢复" in text_of(app, "#number"))
        await pilot.press("p")
        await until(pilot, lambda: "空闲：按 N 叫下一位" in text_of(app, "#number"))
        await pilot.press("c")  # and closes it
        await until(pilot, lambda: window_state(hall, 1) == "closed")
        await until(pilot, lambda: "窗口未开放：按 O 开窗" in text_of(app, "#number"))


def window_state(hall: InProcessHall, number: int) -> str:
    return next(str(w.state) for w in hall.store.windows() if w.number == number)


async def test_clerk_no_show_and_desk_cancel_ask_first(
    hall: InProcessHall, boss: AsyncHallClient
) -> None:
    await boss.open_window(1)
    await boss.issue(["M-SBK"])
    app = hall.terminal("clerk", "c1", window=1)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, ClerkScreen, "#number"))
        await pilot.press("n")
        await until(pilot, lambda: "A001" in text_of(app, "#number"))
        await pilot.press("x")
        await until(pilot, lambda: on(app, ConfirmScreen, "#yes"))
        assert "A001" in str(app.screen.query_one("#question", Static).content)
        await pilot.press("n")  # not now: nothing changes
        await until(pilot, lambda: isinstance(app.screen, ClerkScreen))
        await quiet(pilot)
        assert hall.store.ticket("A001").status == "called"
        await pilot.press("x", "enter")  # Enter alone is "no" (the focused button)
        await until(pilot, lambda: isinstance(app.screen, ClerkScreen))
        await quiet(pilot)
        assert hall.store.ticket("A001").status == "called"
        await pilot.press("x")
        await until(pilot, lambda: on(app, ConfirmScreen, "#yes"))
        await pilot.press("y")
        await until(pilot, lambda: hall.store.ticket("A001").status == "no_show")
    issued = await boss.issue(["M-SBK"])
    desk = hall.terminal("desk", "d1")
    async with desk.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(desk, DeskScreen, "#hits"))
        desk.screen.last = issued  # type: ignore[attr-defined]
        await pilot.press("f3")
        await until(pilot, lambda: on(desk, SlipScreen, "#slip-text"))
        await pilot.press("ctrl+x")
        await until(pilot, lambda: on(desk, ConfirmScreen, "#yes"))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(desk.screen, SlipScreen))
        await quiet(pilot)
        assert hall.store.ticket(issued.ticket.number).status == "waiting"


async def test_clerk_panel_shows_the_time_since_the_call_and_the_recalls(
    hall: InProcessHall, boss: AsyncHallClient
) -> None:
    await boss.open_window(1)
    await boss.issue(["M-SBK"])
    app = hall.terminal("clerk", "c1", window=1)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, ClerkScreen, "#number"))
        await pilot.press("n")
        await until(pilot, lambda: "已叫号 0 分钟" in text_of(app, "#number"))
        hall.clock.advance(minutes=3)
        for n in (1, 2):
            await pilot.press("r")
            await until(pilot, lambda n=n: hall.store.ticket("A001").recalls == n)
            await quiet(pilot)
        await until(pilot, lambda: "已叫号 3 分钟 · 已重呼 2 次" in text_of(app, "#number"))


async def test_clerk_transfer_to_a_window_that_does_not_exist_keeps_the_dialog(
    hall: InProcessHall, boss: AsyncHallClient
) -> None:
    await boss.open_window(1)
    await boss.issue(["M-SBK"])
    await boss.call_next(1)
    app = hall.terminal("clerk", "c1", window=1)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, ClerkScreen, "#number"))
        await until(pilot, lambda: "A001" in text_of(app, "#number"))
        await pilot.press("t")
        await until(pilot, lambda: on(app, TransferScreen, "#to-window"))
        box = app.screen.query_one("#to-window", Input)
        box.value = "99"
        app.screen.query_one("#reason", Input).value = "需要专窗"
        await pilot.click("#ok")
        await until(pilot, lambda: "没有 99 号窗口" in text_of(app, "#error"))
        assert isinstance(app.screen, TransferScreen) and box.value == "99"
        box.value = "3"  # exists, but may not serve 社保: the server's refusal, shown here
        box.focus()
        await pilot.press("enter")  # Enter in a field sends too (a click within the
        # button's 0.2 s press effect would be lost)
        await until(
            pilot,
            lambda: text_of(app, "#error").strip() != "" and "99" not in text_of(app, "#error"),
        )
        assert isinstance(app.screen, TransferScreen)
        assert app.screen.query_one("#reason", Input).value == "需要专窗"
        box.value = "2"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ClerkScreen))
    assert hall.store.ticket("A001").target_window == 2


async def test_rating_buttons_show_their_whole_words_at_160_columns(
    hall: InProcessHall, boss: AsyncHallClient
) -> None:
    app = hall.terminal("clerk", "c1", window=1)
    async with app.run_test(size=(160, 40)) as pilot:
        await until(pilot, lambda: on(app, ClerkScreen, "#number"))
        app.push_screen(RatingScreen("A001"))
        await until(pilot, lambda: on(app, RatingScreen, "#r1"))
        await pilot.pause()
        dialog = app.screen.query_one("Vertical").content_region
        for n in range(1, 6):
            button = app.screen.query_one(f"#r{n}", Button)
            label = f"{n} {RATING_LABELS[n]}"
            assert str(button.label) == label
            assert button.content_region.width >= cell_len(label), (label, button.content_region)
            assert dialog.contains_region(button.region), (label, button.region, dialog)


# --------------------------------------------------------------------------- manager


async def test_manager_frames_the_window_and_domain_tables_apart(
    hall: InProcessHall, boss: AsyncHallClient
) -> None:
    app = hall.terminal("manager", "boss")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: has_rows(app, ManagerScreen, "#windows"))
        windows = app.screen.query_one("#windows", DataTable)
        domains = app.screen.query_one("#domains", DataTable)
        assert (windows.border_title, domains.border_title) == ("窗口", "各领域等候")
        assert windows.region.right < domains.region.x  # a gap, two frames: not one row
        assert str(app.screen.query_one(HallClock).render()) == "09:00:00"  # the hall's time


async def test_manager_balance_ignores_windows_just_opened(
    hall: InProcessHall, boss: AsyncHallClient
) -> None:
    store, clock = hall.store, hall.clock
    for w in (1, 2):
        store.open_window(w, actor="setup")
        store.issue(["M-SBK"])
        store.call_next(w)
        store.start(w)
    clock.advance(minutes=20)
    store.finish(1, Outcome.COMPLETED)
    clock.advance(minutes=10)
    store.finish(2, Outcome.COMPLETED)  # busy 20 and 30 of the 40 minutes open
    clock.advance(minutes=10)
    app = hall.terminal("manager", "boss")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, ManagerScreen, "#summary"))
        await until(pilot, lambda: "忙闲均衡度 0.20" in text_of(app, "#summary"))
        await boss.open_window(3)  # two idle windows opened: not yet a sign of imbalance
        await boss.open_window(4)
        table = app.screen.query_one("#windows", DataTable)
        await until(pilot, lambda: "空闲" in [str(c) for c in table.get_row("4")])
        hall.clock.advance(minutes=10)  # idle ten minutes, the others as before
        app.screen.reload()  # type: ignore[attr-defined]
        await quiet(pilot)
        assert "忙闲均衡度 0.20" in text_of(app, "#summary")


async def test_manager_alerts_a_ticket_no_open_window_may_call_and_a_late_window(
    hall: InProcessHall, boss: AsyncHallClient
) -> None:
    await boss.open_window(3)  # 企业开办 only
    await boss.issue(["M-SBK"], priority="elderly")  # V001: only windows 1 and 2 serve 社保
    await boss.issue(["M-GT"])  # B001 (企业开办): window 3 may call it
    app = hall.terminal("manager", "boss")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, ManagerScreen, "#alerts"))
        await until(pilot, lambda: "无开放窗口可叫：V001（老年人）" in text_of(app, "#alerts"))
        assert "B001" not in text_of(app, "#alerts")
        assert app.screen.query_one("#alerts").display
        await boss.open_window(1)  # now one may call it
        await until(pilot, lambda: not app.screen.query_one("#alerts").display)
        await boss.call_next(3)  # B001 at window 3, past the service target soon
        serve = (await boss.hall()).targets.serve_minutes
        hall.clock.advance(minutes=serve + 1)
        app.screen.reload()  # type: ignore[attr-defined]
        await until(
            pilot,
            lambda: (
                f"超出办理目标 {serve} 分钟：3 号窗口 B001（{serve + 1} 分）"
                in text_of(app, "#alerts")
            ),
        )
