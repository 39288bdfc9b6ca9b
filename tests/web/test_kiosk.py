"""The self-service kiosk (/kiosk) in Debian's chromium with touch events, portrait
1080×1920 and landscape 1920×1080, against a real hall server: a matter found by theme
and by pinyin initials, its guide, the ticket and its slip with the QR of its status page;
double taps and a lost answer give one ticket; the kiosk rides out a server restart; a
refusal reads in the page's language; English at a tap. Screenshots: test-artifacts/web."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from queue_app.client import HallClient
from queue_app.domain.catalog import Catalog
from queue_app.loaders import load_hall_for
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from tests.server.live import sqlite_url
from tests.server.threaded import ThreadedServer
from tests.web.conftest import PW, shot, web_hall
from tests.web.test_page_languages import CJK

PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}
# what would overflow the screen: the page scrolls, or an element sticks out of it
OVERFLOW = """() => {
  const w = innerWidth, h = innerHeight, out = [];
  if (document.documentElement.scrollHeight > h || document.documentElement.scrollWidth > w)
    out.push("page scrolls");
  for (const e of document.querySelectorAll("main *, header *")) {
    const r = e.getBoundingClientRect();
    if (r.width && (r.right > w + 1 || r.bottom > h + 1 || r.left < -1))
      out.push(e.id || e.className || e.tagName);
  }
  return out;
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, mini_catalog: Catalog) -> Iterator[Any]:
    """One hall server for the module (three open windows), with a kiosk account."""
    tmp = tmp_path_factory.mktemp("kiosk")
    hall_file = web_hall(tmp, title="测试大厅 叫号")
    url = sqlite_url(tmp)
    store = Store(url, mini_catalog, load_hall_for(hall_file, mini_catalog))
    add_staff(store, "boss", Role.MANAGER, PW)
    add_staff(store, "kiosk1", Role.KIOSK, PW, "一楼取号机")
    for w in (1, 2, 3):
        store.open_window(w, actor="setup")
    store.dispose()
    live = ThreadedServer(url, mini_catalog, hall_file).start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def boss(server: ThreadedServer) -> Iterator[HallClient]:
    with HallClient(server.url) as c:
        c.sign_in("boss", PW)
        yield c


def open_kiosk(browser: Any, server: ThreadedServer, size: dict, query: str = "") -> Any:
    """A touch screen at ``size`` with the kiosk signed in (as staff do once)."""
    ctx = browser.new_context(viewport=size, has_touch=True, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    page.goto(f"{server.url}/kiosk{query}")
    expect(page.locator("#signin")).to_be_visible()
    page.locator("#username").fill("kiosk1")
    page.locator("#password").fill(PW)
    page.locator("#signin-go").tap()
    expect(page.locator("#start")).to_be_visible()
    expect(page.locator("#choices .choice").first).to_be_visible()
    return page


def waiting(boss: HallClient) -> list[str]:
    return [t.number for t in boss.tickets()]


def fits(page: Any) -> None:
    assert page.evaluate(OVERFLOW) == [], "something overflows the screen"


def take_ticket(page: Any) -> str:
    """Tap 取号 on the guide; the slip's number."""
    page.locator("#issue").tap()
    expect(page.locator("#slip")).to_be_visible()
    return str(page.locator("#slip").get_attribute("data-number"))


def check_slip(page: Any, server: ThreadedServer) -> None:
    """The slip shows its QR (an SVG the server drew) and the status page's URL."""
    url = page.locator("#slip").get_attribute("data-url")
    assert re.fullmatch(re.escape(server.url) + r"/t/[A-Za-z0-9_-]{22}", url or ""), url
    expect(page.locator("#slip-url")).to_have_text(url)
    page.wait_for_function("() => document.getElementById('slip-qr').naturalWidth > 0")
    token = url.rsplit("/", 1)[1]
    status = httpx.get(f"{server.url}/api/status/{token}").json()
    assert status["number"] == page.locator("#slip-number").inner_text()


def test_portrait_by_theme_guide_ticket_and_slip(
    browser: Any, server: ThreadedServer, boss: HallClient
) -> None:
    page = open_kiosk(browser, server, PORTRAIT, "?slip=3")
    fits(page)
    shot(page, "kiosk-start-1080x1920")
    page.locator("[data-theme-tab=enterprise]").tap()
    expect(page.locator("#choices .choice").first).to_have_attribute("data-code", "M-GT")
    page.locator("[data-theme-tab=bundle]").tap()
    expect(page.locator("#choices [data-code=GR-TX]")).to_contain_text("退休")
    expect(page.locator("#choices [data-code=QY-KBCYD]")).to_have_count(0)  # 食品经营: not here
    page.locator("[data-theme-tab=person]").tap()
    page.locator("#choices [data-code=M-SBK]").tap()
    expect(page.locator("#guide-name")).to_have_text("社会保障卡申领")
    expect(page.locator("#guide-matters")).to_contain_text("居民身份证")
    expect(page.locator("#guide-class")).to_have_text("A 综合业务")
    expect(page.locator("#guide-windows")).to_have_text("1–3 号窗口")
    fits(page)
    shot(page, "kiosk-guide-1080x1920")
    before = waiting(boss)
    number = take_ticket(page)
    assert waiting(boss) == [*before, number]
    check_slip(page, server)
    expect(page.locator("#slip-ahead")).to_have_text(f"{len(before)} 人")
    fits(page)
    shot(page, "kiosk-slip-1080x1920")
    expect(page.locator("#start")).to_be_visible(timeout=10_000)  # back by itself
    assert page.errors == []


def test_landscape_initials_in_english_and_the_language_switch(
    browser: Any, server: ThreadedServer, boss: HallClient
) -> None:
    page = open_kiosk(browser, server, LANDSCAPE)
    fits(page)
    shot(page, "kiosk-start-1920x1080")
    page.locator("#lang").tap()  # to English: reloads, still signed in
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#start .ask")).to_have_text("What would you like to do today?")
    page.locator("#to-search").tap()
    for letter in "SBK":
        page.locator(f"#keys [data-key={letter}]").tap()
    expect(page.locator("#typed")).to_have_text("SBK")
    hit = page.locator("#hits [data-code=M-SBK]")
    expect(hit).to_contain_text("社会保障卡申领")
    page.locator("#keys [data-key='⌫']").tap()
    expect(page.locator("#typed")).to_have_text("SB")
    page.locator("#keys [data-key=K]").tap()
    fits(page)
    shot(page, "kiosk-search-1920x1080-en")
    hit.tap()
    expect(page.locator("#issue")).to_have_text("Take a ticket")
    fits(page)
    shot(page, "kiosk-guide-1920x1080-en")
    number = take_ticket(page)
    assert number in waiting(boss)
    check_slip(page, server)
    expect(page.locator("#slip-countdown")).to_contain_text("Back to the start in")
    fits(page)
    shot(page, "kiosk-slip-1920x1080-en")
    seen = page.evaluate("document.body.innerText")
    for data in ("社会保障卡申领", "综合业务", "测试大厅", "中文"):  # data; the switch
        seen = seen.replace(data, "")
    assert not CJK.search(seen), seen
    page.locator("#done").tap()
    page.locator("#lang").tap()  # and back to Chinese
    expect(page.locator("#start .ask")).to_have_text("您今天要办理什么业务？")
    assert page.errors == []


def test_double_taps_and_a_lost_answer_give_one_ticket(
    browser: Any, server: ThreadedServer, boss: HallClient
) -> None:
    page = open_kiosk(browser, server, PORTRAIT)
    page.locator("#choices [data-code=M-YL]").tap()
    expect(page.locator("#issue")).to_be_enabled()
    before = waiting(boss)
    # two taps in the same frame
    page.locator("#issue").evaluate(
        """b => { for (let i = 0; i < 2; i++) {
             b.dispatchEvent(new TouchEvent("touchstart", {bubbles: true}));
             b.dispatchEvent(new MouseEvent("click", {bubbles: true})); } }"""
    )
    expect(page.locator("#slip")).to_be_visible()
    assert len(waiting(boss)) == len(before) + 1
    # the answer to the first request is lost on the way: the kiosk sends it again
    keys: list[str] = []

    def lose_first(route: Any) -> None:
        keys.append(route.request.headers["idempotency-key"])
        if len(keys) == 1:
            route.fetch()  # the server issues...
            route.abort("connectionreset")  # ...but the kiosk never hears of it
        else:
            route.continue_()

    page.route("**/api/tickets", lose_first)
    page.locator("#done").tap()
    page.locator("#choices [data-code=M-YL]").tap()
    before = waiting(boss)
    number = take_ticket(page)
    assert len(keys) >= 2 and len(set(keys)) == 1, keys  # one attempt, one key
    assert waiting(boss) == [*before, number]  # one ticket
    assert page.errors == []


def test_it_rides_out_a_server_restart_and_shows_refusals_in_its_language(
    browser: Any, server: ThreadedServer, boss: HallClient
) -> None:
    page = open_kiosk(browser, server, LANDSCAPE)
    # a matter this hall does not handle: its guide says so, and offers no ticket
    page.locator("#to-search").tap()
    for letter in "PTHZ":  # 普通护照
        page.locator(f"#keys [data-key={letter}]").tap()
    page.locator("#hits [data-code=M-HZ]").tap()
    expect(page.locator("#guide-elsewhere")).to_contain_text("本大厅不办理此事项")
    expect(page.locator("#issue")).to_be_hidden()
    page.locator("#guide [data-back]").tap()
    # the server goes away while a citizen reads the guide, and comes back
    page.locator("#choices [data-code=M-SBK]").tap()
    expect(page.locator("#issue")).to_be_enabled()
    before = waiting(boss)
    server.stop()
    page.locator("#issue").tap()
    expect(page.locator("#offline")).to_be_visible()
    expect(page.locator("#issue")).to_be_disabled()
    fits(page)
    shot(page, "kiosk-offline-1920x1080")
    server.start()  # the same port and database
    expect(page.locator("#slip")).to_be_visible(timeout=30_000)
    expect(page.locator("#offline")).to_be_hidden()
    number = page.locator("#slip").get_attribute("data-number")
    assert waiting(boss) == [*before, number]
    # the day is closed: the refusal in the page's words
    page.locator("#done").tap()
    boss.close_day(force=True)
    page.locator("#choices [data-code=M-SBK]").tap()
    page.locator("#issue").tap()
    expect(page.locator("#refusal")).to_contain_text("已日终关闭，不能再取号")
    expect(page.locator("#issue")).to_be_enabled()  # a new tap is a new attempt
    shot(page, "kiosk-refusal-1920x1080")
    page.locator("#guide [data-back]").tap()
    page.locator("#lang").tap()
    page.locator("#choices [data-code=M-SBK]").tap()
    page.locator("#issue").tap()
    expect(page.locator("#refusal")).to_contain_text("is closed: no more tickets today")
    assert page.errors == []


def test_the_page_is_served_with_its_assets(server: ThreadedServer, tmp_path: Path) -> None:
    with httpx.Client(base_url=server.url) as c:
        for path in ("/kiosk", "/web/kiosk.js", "/web/kiosk.css"):
            assert c.get(path).status_code == 200, path
