"""Every terminal screen and dialog in English (``lang="en"``): no Chinese on screen but the
catalog's and the hall's own data (matter, department, domain, window and class names),
driven by Textual's Pilot against the hall's app in this process (see ``inprocess``).

What a screen shows is read twice: widget by widget, whole (every row of a table, every
option of a list, every key of the footer, every notification), where each Chinese
character must belong to a data string; and as the terminal draws it, where a string
may be cut at a border, so a run of Chinese must be part of one."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Button, DataTable, Input, OptionList, Select, SelectionList, Static
from textual.widgets._footer import FooterKey

from queue_app.client import AsyncHallClient
from queue_app.domain.hall import Hall
from queue_app.domain.rollup import By
from queue_app.domain.ticket import Priority
from queue_app.tui.clerk import (
    ClerkScreen,
    FinishScreen,
    PauseScreen,
    RatingScreen,
    TransferScreen,
)
from queue_app.tui.desk import DeskScreen, SlipScreen
from queue_app.tui.display import DisplayScreen
from queue_app.tui.manager import ManagerScreen
from queue_app.tui.manager_dialogs import NoticeScreen, ProfileScreen, TargetsScreen
from queue_app.tui.picker import RolePicker
from queue_app.tui.reports import ReportScreen
from queue_app.tui.signin import SignInScreen
from queue_app.tui.widgets import ConfirmScreen, OfflineBanner
from tests.conftest import FIXTURES
from tests.tui.helpers import has_rows, on, quiet, text_of, until
from tests.tui.inprocess import InProcessHall

pytestmark = pytest.mark.anyio
SIZE = (160, 45)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
UI_FIELDS = {"kind"}  # 即办件, 承诺件: the terminal words them itself


def _strings(node: Any, key: str | None = None) -> Iterator[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k not in UI_FIELDS:
                yield from _strings(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v, key)
    elif isinstance(node, str) and CJK.search(node):
        yield node


def data_strings() -> list[str]:
    """Every string with Chinese in the catalog and hall files the fixtures load, longest
    first (catalog data: shown as the hall wrote it, in any language)."""
    found: set[str] = set()
    for name in ("mini_catalog.yaml", "mini_hall.yaml"):
        found.update(_strings(yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))))
    return sorted(found, key=len, reverse=True)


DATA = data_strings()


def plain(content: Any) -> str:
    """What rich prints for ``content`` (markup read), on one wide line where it can."""
    if content is None:
        return ""
    if hasattr(content, "plain"):
        return str(content.plain)
    console = Console(width=1000, file=io.StringIO(), record=True)
    console.print(content)
    return console.export_text()


def _widget_texts(w: Widget) -> Iterator[str]:
    yield plain(w.border_title)
    yield plain(w.border_subtitle)
    if isinstance(w, DataTable):
        yield from (plain(c.label) for c in w.columns.values())
        for row in range(w.row_count):
            yield from (plain(cell) for cell in w.get_row_at(row))
    elif isinstance(w, OptionList):
        yield from (plain(w.get_option_at_index(i).prompt) for i in range(w.option_count))
    elif isinstance(w, Input):
        yield from (plain(w.placeholder), w.value)
    elif isinstance(w, Button):
        yield plain(w.label)
    elif isinstance(w, FooterKey):
        yield plain(w.description)
    elif isinstance(w, Static):
        yield plain(w.render())


def screen_texts(app: App[Any]) -> list[str]:
    """Every text of the screen on top, each whole: titles, widgets, the keys it binds
    (shown in the footer or not) and the notifications."""
    screen = app.screen
    texts = [plain(x) for x in (app.title, app.sub_title, screen.title, screen.sub_title)]
    for widget in screen.walk_children(Widget):
        texts.extend(_widget_texts(widget))
    texts.extend(plain(b.binding.description) for b in screen.active_bindings.values())
    texts.extend(plain(n.message) for n in app._notifications)  # all, the hidden too
    return texts


def drawn(app: App[Any]) -> str:
    """The terminal as drawn (as ``export_screenshot`` renders it), as plain text."""
    console = Console(width=app.size.width, file=io.StringIO(), record=True)
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


def foreign(texts: list[str], drawn_text: str = "") -> list[str]:
    """The Chinese in ``texts`` that is not data (each text whole: a data string must be
    there entire), and the runs of Chinese in ``drawn_text`` that are part of no data
    string (drawn, a string may be cut)."""
    found = []
    for text in texts:
        rest = text
        for d in DATA:
            rest = rest.replace(d, " ")
        found += [f"{m.group()!r} in {text.strip()!r}" for m in CJK.finditer(rest)]
    for m in CJK.finditer(drawn_text):
        if not any(m.group() in d for d in DATA):
            line = drawn_text[drawn_text.rfind("\n", 0, m.start()) + 1 :].split("\n")[0]
            found.append(f"{m.group()!r} drawn in {line.strip()!r}")
    return found


def assert_english(app: App[Any], where: str) -> None:
    left = foreign(screen_texts(app), drawn(app))
    assert not left, f"{where}: Chinese outside the catalog data:\n  " + "\n  ".join(left)


def test_the_check_finds_chinese_that_is_not_data() -> None:
    assert foreign(["社会保障卡申领 · window 3"]) == []
    assert foreign(["社会保障卡申领 · 3 号窗口"]) == ["'号窗口' in '社会保障卡申领 · 3 号窗口'"]
    assert foreign(["社会保障卡申领、普通护照签发"]) == ["'、' in '社会保障卡申领、普通护照签发'"]
    assert foreign([], "│社会保障卡│ 等候 │") == ["'等候' drawn in '│社会保障卡│ 等候 │'"]


async def settle(pilot: Pilot[object], app: App[Any], screen: type, selector: str) -> None:
    await until(pilot, lambda: on(app, screen, selector))
    await pilot.pause()


# --------------------------------------------------------------------- picker, sign-in


async def test_the_demo_role_picker_in_english(mini_hall: Hall) -> None:
    from queue_app.demo_live import accounts

    app = RolePicker("http://127.0.0.1:8600", mini_hall, accounts(mini_hall), "en")  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(app.screen.query("#roles")))
        await pilot.pause()
        assert_english(app, "picker")


async def test_sign_in_and_its_refusal_in_english(hall: InProcessHall) -> None:
    async with hall.running():
        app = hall.terminal("clerk", None, window=1, lang="en")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot, app, SignInScreen, "#go")
            assert_english(app, "sign-in")
            await pilot.click("#username")
            await pilot.press(*"c1", "enter", *"wrong-password", "enter")
            await until(pilot, lambda: len(app._notifications) > 0)
            assert_english(app, "sign-in refused")


# ------------------------------------------------------------------------------- desk


async def test_the_desk_in_english(hall: InProcessHall, boss: AsyncHallClient) -> None:
    await boss.open_window(1)
    await boss.issue(["M-SBK"], priority="elderly")
    app = hall.terminal("desk", "d1", lang="en")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot, app, DeskScreen, "#hits")
        await quiet(pilot)
        assert_english(app, "desk")
        hits = app.screen.query_one("#hits", OptionList)
        search = app.screen.query_one("#search", Input)
        await pilot.press(*"gtgsh")
        await until(pilot, lambda: hits.option_count > 0 and "个体工商户" in text_of(app, "#guide"))
        assert_english(app, "desk with hits and a guide")
        await pilot.press("enter")  # chosen
        search.value = "xyz123"
        await until(pilot, lambda: hits.option_count == 1 and hits.highlighted is None)
        assert_english(app, "desk with no hit")
        search.value = "开办餐饮店"
        await until(pilot, lambda: "开办餐饮店" in text_of(app, "#guide"))
        assert_english(app, "desk with a bundle's guide")
        await pilot.press("enter")  # the bundle is chosen
        app.screen.query_one("#priority", Select).value = Priority.ELDERLY.value
        await pilot.pause()
        assert_english(app, "desk with a bundle and a priority chosen")
        await pilot.press("f2")
        await settle(pilot, app, SlipScreen, "#slip-text")
        number = app.screen.issued.ticket.number  # type: ignore[attr-defined]
        assert_english(app, "the slip")
        await pilot.press("ctrl+x")
        await settle(pilot, app, ConfirmScreen, "#yes")
        assert_english(app, "confirming the cancel")
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, SlipScreen))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, DeskScreen))
        await pilot.press("f2")  # nothing chosen
        await pilot.press("f3")  # the last slip again
        await settle(pilot, app, SlipScreen, "#slip-text")
        await pilot.press("ctrl+x")
        await settle(pilot, app, ConfirmScreen, "#yes")
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, DeskScreen))
        await until(pilot, lambda: hall.store.ticket(number).status == "cancelled")
        await pilot.press("f3")  # cancelled: nothing to reprint
        await until(pilot, lambda: len(app._notifications) >= 3)
        assert_english(app, "desk after cancelling and reprinting")
        await boss.close_window(1)  # no window open: the slip says so
        search.value = "sbk"
        await until(pilot, lambda: hits.option_count > 0)
        await pilot.press("enter", "f2")
        await settle(pilot, app, SlipScreen, "#slip-text")
        assert_english(app, "a slip with no window open")
        await pilot.press("escape")
        app.online = False
        await until(pilot, lambda: app.screen.query_one(OfflineBanner).display)
        assert_english(app, "the desk offline")


# ------------------------------------------------------------------------------ clerk


@pytest.mark.raters("none")  # the clerk enters the citizen's rating (代评)
async def test_the_clerk_in_every_state_in_english(
    hall: InProcessHall, boss: AsyncHallClient
) -> None:
    app = hall.terminal("clerk", "c1", window=1, lang="en")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot, app, ClerkScreen, "#line")
        await quiet(pilot)
        assert_english(app, "clerk, window closed")
        await pilot.press("o")
        await quiet(pilot)
        await pilot.press("n")  # nobody waiting
        await quiet(pilot)
        assert_english(app, "clerk idle, nobody to call")
        await pilot.press("s")  # nothing to start: refused by the hall
        await quiet(pilot)
        await pilot.press("x")  # no ticket: said
        await quiet(pilot)
        assert_english(app, "clerk idle, a refusal")
        await boss.issue(["M-SBK", "M-GT"], priority="elderly")
        await boss.issue(["M-YL"])
        await until(pilot, lambda: has_rows(app, ClerkScreen, "#line"))
        await quiet(pilot)
        assert_english(app, "clerk idle with a line")
        await pilot.press("n")
        await quiet(pilot)
        await pilot.press("r")
        await quiet(pilot)
        assert_english(app, "clerk calling, recalled")
        await pilot.press("x")
        await settle(pilot, app, ConfirmScreen, "#yes")
        assert_english(app, "confirming a no-show")
        await pilot.press("n")
        await pilot.press("s")
        await quiet(pilot)
        assert_english(app, "clerk serving")
        await pilot.press("t")
        await settle(pilot, app, TransferScreen, "#to-window")
        assert_english(app, "the transfer dialog")
        await pilot.press("enter")  # neither a window nor a domain
        await pilot.pause()
        assert_english(app, "transfer with nothing given")
        await pilot.press(*"99", "enter")
        await pilot.pause()
        assert_english(app, "transfer to no such window")
        app.screen.query_one("#to-window", Input).value = "4"  # cannot serve these
        await pilot.press("enter")
        await until(pilot, lambda: bool(str(app.screen.query_one("#error", Static).content)))
        await until(pilot, lambda: not app.screen.sending)  # type: ignore[attr-defined]
        assert_english(app, "transfer refused")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ClerkScreen))
        await pilot.press("f")
        await settle(pilot, app, FinishScreen, "#ok")
        assert_english(app, "the outcome dialog")
        app.screen.query_one("#ok", Button).press()
        await settle(pilot, app, RatingScreen, "#r5")
        assert_english(app, "the rating dialog")
        await pilot.press("1")
        await until(pilot, lambda: app.screen.query_one("#reasons").display)
        await pilot.pause()
        assert_english(app, "the reasons of a poor rating")
        app.screen.query_one("#reasons", SelectionList).select("other")
        app.screen.query_one("#ok", Button).press()
        await until(pilot, lambda: isinstance(app.screen, ClerkScreen))
        await quiet(pilot)
        assert_english(app, "clerk after a visit, rated")
        await pilot.press("p")
        await settle(pilot, app, PauseScreen, "#ok")
        assert_english(app, "the pause dialog")
        app.screen.query_one("#ok", Button).press()
        await until(pilot, lambda: isinstance(app.screen, ClerkScreen))
        await quiet(pilot)
        await until(
            pilot, lambda: app.screen.mine is not None and app.screen.mine.state == "paused"
        )  # type: ignore[attr-defined]
        assert_english(app, "clerk paused")
        await pilot.press("p")
        await quiet(pilot)
        await pilot.press("c")
        await quiet(pilot)
        assert_english(app, "clerk closed again")


# ---------------------------------------------------------------------------- manager


@pytest.fixture()
def busy(hall: InProcessHall) -> InProcessHall:
    """Windows 1 and 3 open, a line with a priority ticket and a passport no open window
    may call, window 1 serving past the service target."""
    store, clock = hall.store, hall.clock
    store.open_window(1, actor="setup")
    store.open_window(3, actor="setup")
    for matters, bundle, priority in (
        (["M-SBK"], None, Priority.ELDERLY),
        (["M-GT"], None, None),
        ([], "QY-KBCYD", None),
        (["M-HZ"], None, Priority.MILITARY),
    ):
        clock.advance(minutes=3)
        store.issue(matters, bundle=bundle, priority=priority)
    store.call_next(1)
    store.start(1)
    store.call_next(3)
    clock.advance(minutes=50)
    return hall


async def test_the_manager_and_its_dialogs_in_english(busy: InProcessHall) -> None:
    async with busy.running():
        app = busy.terminal("manager", "boss", lang="en")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await until(pilot, lambda: has_rows(app, ManagerScreen, "#domains"))
            await quiet(pilot)
            alerts = app.screen.query_one("#alerts", Static)
            assert alerts.display
            assert_english(app, "manager with alerts")
            windows = app.screen.query_one("#windows", DataTable)
            windows.move_cursor(row=1)
            await pilot.press("s")
            await settle(pilot, app, ProfileScreen, "#profiles")
            assert_english(app, "what a window serves")
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ManagerScreen))
            await quiet(pilot)
            await pilot.press("s")  # changed: the dialog says so
            await settle(pilot, app, ProfileScreen, "#profiles")
            assert_english(app, "what a changed window serves")
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, ManagerScreen))
            await pilot.press("t")
            await settle(pilot, app, TargetsScreen, "#wait")
            assert_english(app, "the targets dialog")
            app.screen.query_one("#wait", Input).value = "0"
            await pilot.press("enter")
            await pilot.pause()
            assert_english(app, "a target out of range")
            app.screen.query_one("#wait", Input).value = "15"
            app.screen.query_one("#ok", Button).press()
            await until(pilot, lambda: isinstance(app.screen, ManagerScreen))
            await quiet(pilot)
            await pilot.press("n")
            await settle(pilot, app, NoticeScreen, "#notice-text")
            assert_english(app, "the notice dialog")
            app.screen.query_one("#notice-text", Input).value = "x" * 61
            await pilot.press("enter")
            await pilot.pause()
            assert_english(app, "a notice too long")
            app.screen.query_one("#notice-text", Input).value = "Passports after 16:00 tomorrow"
            app.screen.query_one("#set", Button).press()
            await until(pilot, lambda: isinstance(app.screen, ManagerScreen))
            await quiet(pilot)
            assert_english(app, "manager with a notice")
            windows.move_cursor(row=2)
            await pilot.press("p")
            await settle(pilot, app, PauseScreen, "#ok")
            assert_english(app, "the manager's pause dialog")
            app.screen.query_one("#ok", Button).press()
            await until(pilot, lambda: isinstance(app.screen, ManagerScreen))
            await quiet(pilot)
            windows.move_cursor(row=3)
            await pilot.press("c")  # closed already: refused
            await quiet(pilot)
            assert_english(app, "manager after changes and a refusal")


async def test_the_report_screen_in_english(history: InProcessHall) -> None:
    """Every breakdown, a bad date and a refused read: only the hall's data in Chinese."""
    async with history.running():
        app = history.terminal("manager", "boss", lang="en")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await until(pilot, lambda: has_rows(app, ManagerScreen, "#windows"))
            await pilot.press("b")
            await until(pilot, lambda: has_rows(app, ReportScreen, "#lines"))
            await quiet(pilot)
            screen = app.screen
            assert isinstance(screen, ReportScreen)
            assert_english(app, "reports by window")
            for by in By:
                screen.query_one("#by", Select).value = by
                await until(pilot, lambda by=by: screen.shown and screen.shown.report.by == by)
                await quiet(pilot)
                assert_english(app, f"reports by {by}")
            screen.query_one("#period", Select).value = "custom"
            await pilot.pause()
            screen.query_one("#first", Input).value = "2026-02-30"
            await pilot.press("enter")
            await until(pilot, lambda: "not a date" in text_of(app, "#note"))
            assert_english(app, "a bad date")
            screen.query_one("#first", Input).value = ""
            await pilot.press("enter")
            await until(pilot, lambda: "both days" in text_of(app, "#note"))
            assert_english(app, "a missing date")


# ---------------------------------------------------------------------------- display


async def test_the_display_in_english(busy: InProcessHall) -> None:
    async with busy.running(), busy.signed_in("boss") as boss:
        app = busy.terminal("display", "tv", lang="en")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot, app, DisplayScreen, "#newest")
            await quiet(pilot)
            assert_english(app, "display")
            await boss.open_window(2)
            await boss.issue(["M-SBK"])
            assert await boss.call_next(2) is not None
            await until(pilot, lambda: len(app.screen.calls) >= 3)  # type: ignore[attr-defined]
            await quiet(pilot)
            assert_english(app, "display after a call")
            assert app.screen.speaker.spoken  # type: ignore[attr-defined]
            assert not foreign(app.screen.speaker.spoken)  # type: ignore[attr-defined]
