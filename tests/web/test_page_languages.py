"""The pages' language in a real browser: with ``?lang=en`` or an English browser every
state of the display board, the window screen and the status page shows no Chinese but the
hall's own data (hall, window, ticket class, matter and bundle names, the clerk's masked
name and a pause's reason as typed); with ``?lang=zh`` or a Chinese browser
they read exactly as the recorded Chinese pages (tests/web/pages_zh.json)."""

from __future__ import annotations

import json
import os
import re
from typing import Any

import httpx
from playwright.sync_api import expect

from queue_app.client import HallClient
from queue_app.store.staff import Role, add_staff
from tests.server.threaded import ThreadedServer
from tests.web.conftest import PW, shot
from tests.web.test_pages import BLOCKED

GOLDEN = os.path.join(os.path.dirname(__file__), "pages_zh.json")
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
# what a page shows: its title, its rendered text, and the labels a screen reader reads
SEEN = """() => [document.title, document.body.innerText,
  ...[...document.querySelectorAll("[aria-label]")].map((e) => e.getAttribute("aria-label")),
].join("\\n")"""


def _data(live: ThreadedServer, tokens: list[str]) -> set[str]:
    """The hall's own words the pages may show in any language: catalog data."""
    with httpx.Client(base_url=live.url) as c:
        board = c.get("/api/display").json()
        words = {board["look"]["hall"], board["look"]["title"]}
        words |= {w["name"] for w in board["waiting"]}
        screen = c.get("/api/screen/1").json()  # the window's name, what it serves, the clerk
        words |= {screen["name"], screen["reason"], (screen["clerk"] or {}).get("name", "")}
        for kind in ("domains", "departments", "matters"):
            words |= set(screen["serves"][kind])
        for token in tokens:
            r = c.get(f"/api/status/{token}")
            if r.status_code == 200:
                d = r.json()
                words |= {d["class_name"], d["bundle"] or "", *d["matters"]}
    return {w for w in words if w}


# how a reader chooses the language: (query, browser language, expected). The browser's
# language alone, and ?lang=zh over an English browser, are the server's choice of the
# same pages (tests/web/test_public.py, in process): two browsers walk every state.
MODES = {
    "?lang=en, Chinese browser": ("?lang=en", "zh-CN", "en"),
    "Chinese browser": ("", "zh-CN", "zh"),
}
Seen = dict[str, list[tuple[str, str, str]]]  # mode: [(state, html lang, text seen)]


def _walk(live: ThreadedServer, hall: HallClient, new_page: Any) -> tuple[Seen, set[str]]:
    """Every state of both pages, seen in each mode; and the hall's data."""
    seen: Seen = {mode: [] for mode in MODES}

    def record(state: str, pages: dict[str, Any], name: str = "") -> None:
        """What each mode's page shows; ``name``: a screenshot of the English one too."""
        for mode, page in pages.items():
            lang = page.evaluate("document.documentElement.lang")
            seen[mode].append((state, lang, page.evaluate(SEEN)))
        if name:
            shot(pages["?lang=en, Chinese browser"], f"{name}-en")

    def open_all(path: str, *size: int, spy: str | None = None) -> dict[str, Any]:
        pages = {}
        for mode, (query, locale, _) in MODES.items():
            pages[mode] = new_page(*size, spy=spy, locale=locale)
            pages[mode].goto(f"{live.url}{path}{query}")
        return pages

    def each(pages: dict[str, Any], check: Any) -> None:
        for page in pages.values():
            check(page)

    boards = open_all("/display", spy=BLOCKED)
    each(boards, lambda p: expect(p.locator("html")).to_have_attribute("data-link", "up"))
    each(boards, lambda p: expect(p.locator("#title")).to_have_text("测试大厅 叫号"))
    record("board, no call yet", boards)

    store = live.open_store()
    try:
        add_staff(store, "zhang", Role.CLERK, PW, "张伟", staff_number="1024")
    finally:
        store.dispose()
    clerk = HallClient(live.url)
    clerk.sign_in("zhang", PW, window=1)
    windows = open_all("/window/1", 1366, 768)
    each(windows, lambda p: expect(p.locator("#clerk-name")).to_have_text("张*"))
    each(windows, lambda p: expect(p.locator("body")).to_have_attribute("data-state", "idle"))
    record("window 1, idle", windows)

    slips = [hall.issue(["M-SBK"]) for _ in range(7)] + [hall.issue(bundle="GR-TX")]
    tokens = [s.token for s in slips]
    for w in (1, 2, 3):
        hall.call_next(w)  # A001 at 1, A002 at 2, A003 at 3
    for board in boards.values():
        expect(board.locator("#now-call")).to_have_attribute("data-ticket", "A003")
        expect(board.locator("#current .chip")).to_have_count(2)
        expect(board.locator("#unlock")).to_be_visible()  # speech waits for a click
        expect(board.locator("#waiting-total")).to_have_text("5")
    record("board, three calls, speech blocked", boards, "display-calls-1920x1080")
    each(windows, lambda p: expect(p.locator("#ticket")).to_have_text("A001"))
    record("window 1, calling", windows, "window-1-calling-1366x768")

    hall.start(1)
    hall.finish(1, "completed")  # A001 done
    hall.no_show(3)  # A003 absent
    hall.start(2)  # A002 being served
    hall.call_next(1)  # A004
    hall.recall(1)  # A004 called a second time
    hall.call_next(3)  # A005
    hall.start(3)
    hall.transfer(3, to_window=2)  # A005 waits for window 2
    hall.cancel("A006")
    states = {
        0: "done",
        1: "serving",
        2: "no_show",
        3: "called",
        4: "waiting",  # transferred
        5: "cancelled",
        6: "waiting",
        7: "waiting",  # a bundle
    }
    slip = open_all("/t/" + tokens[0], 390, 844)  # one phone per mode, going page to page

    def visit(path: str) -> None:
        for mode, page in slip.items():
            page.goto(f"{live.url}{path}{MODES[mode][0]}")

    for i, status in states.items():
        if i:
            visit(f"/t/{tokens[i]}")
        for page in slip.values():
            expect(page.locator("#badge")).to_have_attribute("data-status", status)
            if status == "waiting":
                expect(page.locator("#wait")).not_to_be_empty()
        record(f"status A00{i + 1} {status}", slip, f"status-A00{i + 1}-{status}-390x844")
    for token, why in (("bad", "malformed"), ("x" * 22, "unknown")):
        visit(f"/t/{token}")
        each(slip, lambda p: expect(p.locator("#gone")).to_be_visible())
        record(f"status, {why} token", slip)
    hall.no_show(1)  # A004
    hall.pause(1, "窗口设备维修")
    each(windows, lambda p: expect(p.locator("body")).to_have_attribute("data-state", "paused"))
    each(windows, lambda p: expect(p.locator("#detail")).to_have_text("窗口设备维修"))
    record("window 1, paused", windows, "window-1-paused-1366x768")
    waiting = open_all("/t/" + tokens[6], 390, 844)  # kept open: offline, then expired
    each(waiting, lambda p: expect(p.locator("#badge")).to_have_attribute("data-status", "waiting"))
    each(waiting, lambda p: expect(p.locator("html")).to_have_attribute("data-link", "up"))
    data = _data(live, tokens)
    live.stop()
    for state, pages in (("board", boards), ("window 1", windows), ("status A007", waiting)):
        each(pages, lambda p: expect(p.locator("html")).to_have_attribute("data-link", "down"))
        record(f"{state}, offline", pages, f"{state.split()[0]}-offline")
    live.start()  # the same port and database
    for page in waiting.values():  # they reconnect with back-off
        expect(page.locator("html")).to_have_attribute("data-link", "up", timeout=20_000)
    hall.close_day(force=True)  # the waiting tickets expire
    each(waiting, lambda p: expect(p.locator("#badge")).to_have_attribute("data-status", "expired"))
    record("status A007 expired", waiting)
    clerk.close()
    return seen, data


def _normal(text: str) -> str:
    """The text without what changes from run to run: figures and the weekday."""
    return re.sub(r"星期[一二三四五六日]", "星期#", re.sub(r"\d+", "#", text))


def test_each_page_in_each_state_reads_in_the_chosen_language(
    live: ThreadedServer, hall: HallClient, new_page: Any
) -> None:
    """English: no Chinese but the hall's data, and lang="en". Chinese: the recorded text
    (QUEUE_APP_RECORD_PAGES=1 records it anew, after a deliberate change)."""
    seen, data = _walk(live, hall, new_page)
    wrong = []
    for mode, (_, _, expected) in MODES.items():
        if expected == "en":
            for state, lang, text in seen[mode]:
                rest = text
                for word in sorted(data, key=len, reverse=True):
                    rest = rest.replace(word, "")
                lines = [line for line in rest.splitlines() if CJK.search(line)]
                if lang != "en" or lines:
                    wrong.append(f"{mode}, {state} (lang={lang}): {lines}")
            continue
        got = {state: [lang, _normal(text)] for state, lang, text in seen[mode]}
        if os.environ.get("QUEUE_APP_RECORD_PAGES"):
            with open(GOLDEN, "w", encoding="utf-8") as f:
                json.dump(got, f, ensure_ascii=False, indent=1)
                f.write("\n")
        with open(GOLDEN, encoding="utf-8") as f:
            recorded = json.load(f)
        for state in sorted(set(got) | set(recorded)):
            if got.get(state) != recorded.get(state):
                wrong.append(f"{mode}, {state}: {got.get(state)} != {recorded.get(state)}")
    assert not wrong, "\n".join(wrong)
