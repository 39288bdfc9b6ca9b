"""The pages' language in a real browser: with ``?lang=en`` or an English browser every
state of the display board and the status page shows no Chinese but the hall's own data
(hall, ticket class, matter and bundle names); with ``?lang=zh`` or a Chinese browser
they read exactly as the recorded Chinese pages (tests/web/pages_zh.json)."""

from __future__ import annotations

import json
import os
import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from queue_app.client import HallClient
from tests.server.live import LiveServer
from tests.web.test_pages import BLOCKED

GOLDEN = os.path.join(os.path.dirname(__file__), "pages_zh.json")
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
# what a page shows: its title, its rendered text, and the labels a screen reader reads
SEEN = """() => [document.title, document.body.innerText,
  ...[...document.querySelectorAll("[aria-label]")].map((e) => e.getAttribute("aria-label")),
].join("\\n")"""


def _data(live: LiveServer, tokens: list[str]) -> set[str]:
    """The hall's own words the pages may show in any language: catalog data."""
    with httpx.Client(base_url=live.url) as c:
        board = c.get("/api/display").json()
        words = {board["look"]["hall"], board["look"]["title"]}
        words |= {w["name"] for w in board["waiting"]}
        for token in tokens:
            r = c.get(f"/api/status/{token}")
            if r.status_code == 200:
                d = r.json()
                words |= {d["class_name"], d["bundle"] or "", *d["matters"]}
    return {w for w in words if w}


def _walk(live: LiveServer, hall: HallClient, new_page: Any, query: str, locale: str) -> Any:
    """Every state of both pages, each as (state, html lang, text seen); and the data."""
    seen: list[tuple[str, str, str]] = []

    def record(state: str, page: Any) -> None:
        seen.append((state, page.evaluate("document.documentElement.lang"), page.evaluate(SEEN)))

    board = new_page(spy=BLOCKED, locale=locale)
    board.goto(f"{live.url}/display{query}")
    expect(board.locator("html")).to_have_attribute("data-link", "up")
    expect(board.locator("#title")).to_have_text("测试大厅 叫号")
    record("board, no call yet", board)

    slips = [hall.issue(["M-SBK"]) for _ in range(7)] + [hall.issue(bundle="GR-TX")]
    tokens = [s.token for s in slips]
    for w in (1, 2, 3):
        hall.call_next(w)  # A001 at 1, A002 at 2, A003 at 3
    expect(board.locator("#now-call")).to_have_attribute("data-ticket", "A003")
    expect(board.locator("#current .chip")).to_have_count(2)
    expect(board.locator("#unlock")).to_be_visible()  # speech waits for a click
    expect(board.locator("#waiting-total")).to_have_text("5")
    record("board, three calls, speech blocked", board)

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
    for i, status in states.items():
        page = new_page(390, 844, locale=locale)
        page.goto(f"{live.url}/t/{tokens[i]}{query}")
        expect(page.locator("#badge")).to_have_attribute("data-status", status)
        if status == "waiting":
            expect(page.locator("#wait")).not_to_be_empty()
        record(f"status A00{i + 1} {status}", page)
    for token, why in (("bad", "malformed"), ("x" * 22, "unknown")):
        page = new_page(390, 844, locale=locale)
        page.goto(f"{live.url}/t/{token}{query}")
        expect(page.locator("#gone")).to_be_visible()
        record(f"status, {why} token", page)

    waiting = new_page(390, 844, locale=locale)
    waiting.goto(f"{live.url}/t/{tokens[6]}{query}")
    expect(waiting.locator("html")).to_have_attribute("data-link", "up")
    expect(waiting.locator("#ahead")).to_have_text("1")
    data = _data(live, tokens)
    live.stop()
    for state, page in (("board", board), ("status A007", waiting)):
        expect(page.locator("html")).to_have_attribute("data-link", "down")
        record(f"{state}, offline", page)
    live.start()  # the same port and database
    expect(waiting.locator("html")).to_have_attribute("data-link", "up", timeout=15_000)
    hall.close_day(force=True)  # the waiting tickets expire
    expect(waiting.locator("#badge")).to_have_attribute("data-status", "expired")
    record("status A007 expired", waiting)
    return seen, data


def _normal(text: str) -> str:
    """The text without what changes from run to run: figures and the weekday."""
    return re.sub(r"星期[一二三四五六日]", "星期#", re.sub(r"\d+", "#", text))


@pytest.mark.parametrize(
    ("query", "locale"), [("?lang=en", "zh-CN"), ("", "en-US")], ids=["lang-en", "en-browser"]
)
def test_english_pages_show_no_chinese_but_the_halls_data(
    live: LiveServer, hall: HallClient, new_page: Any, query: str, locale: str
) -> None:
    seen, data = _walk(live, hall, new_page, query, locale)
    wrong = []
    for state, lang, text in seen:
        rest = text
        for word in sorted(data, key=len, reverse=True):
            rest = rest.replace(word, "")
        lines = [line for line in rest.splitlines() if CJK.search(line)]
        if lang != "en" or lines:
            wrong.append((state, lang, lines))
    assert not wrong, "\n".join(f"{s} (lang={lang}): {lines}" for s, lang, lines in wrong)


@pytest.mark.parametrize(
    ("query", "locale"), [("?lang=zh", "en-US"), ("", "zh-CN")], ids=["lang-zh", "zh-browser"]
)
def test_chinese_pages_read_as_before(
    live: LiveServer, hall: HallClient, new_page: Any, query: str, locale: str
) -> None:
    seen, _ = _walk(live, hall, new_page, query, locale)
    got = {state: [lang, _normal(text)] for state, lang, text in seen}
    if os.environ.get("QUEUE_APP_RECORD_PAGES"):  # a deliberate change of the Chinese
        with open(GOLDEN, "w", encoding="utf-8") as f:
            json.dump(got, f, ensure_ascii=False, indent=1)
            f.write("\n")
    with open(GOLDEN, encoding="utf-8") as f:
        assert got == json.load(f)
