"""Booking a visit in Debian's chromium against a real hall server: /book on a phone (the
matter found by pinyin initials, a day and a free half-hour slot, full and closed ones
disabled, a mobile number checked before it is sent), the code with its QR and its page;
checked in at the kiosk's 我有预约 keypad (an early code refused in the page's language),
the ticket called by a clerk, and the booking's page showing it checked in with the link
to the ticket's status page. Then /book/<code> moves and cancels a booking with the
number it was made with, and checks one in itself. Screenshots: test-artifacts/web."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from playwright.sync_api import expect

from queue_app.client import HallClient
from queue_app.domain.catalog import Catalog
from queue_app.loaders import load_hall_for
from queue_app.store import Store, booking_ops
from queue_app.store.staff import Role, add_staff
from tests.server.live import sqlite_url
from tests.server.threaded import ThreadedServer
from tests.web.conftest import PW, shot, web_hall
from tests.web.test_kiosk import PORTRAIT, open_kiosk
from tests.web.test_page_languages import CJK

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
MOBILE, OTHER = "13800138000", "13900139000"
# what sticks out sideways: the page scrolls, or an element reaches past the screen
SIDEWAYS = """() => {
  const w = innerWidth, out = [];
  if (document.documentElement.scrollWidth > w) out.push("page scrolls sideways");
  for (const e of document.querySelectorAll("body *")) {
    const r = e.getBoundingClientRect();
    if (r.width && (r.right > w + 1 || r.left < -1) && !e.closest(".days"))
      out.push(e.id || e.className || e.tagName);
  }
  return out;
}"""


def booking_hall(directory: Path) -> Path:
    """The web tests' hall (about noon) open without a lunch break, its 社保 and 企业开办
    matters bookable, two places a slot, check-in from 40 minutes before a slot."""
    path = web_hall(directory, title="测试大厅 叫号")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["hours"].pop("lunch", None)
    data["bookings"] = {
        "scopes": [{"name": "all", "domains": ["社保", "企业开办"], "capacity": 2}],
        "check_in": {"before_minutes": 40, "after_minutes": 15},
        "per_number_per_day": 3,
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, mini_catalog: Catalog) -> Iterator[Any]:
    """The hall's server, one window open; a booking made an hour ago for its next slot,
    now past its check-in (``server.late``)."""
    tmp = tmp_path_factory.mktemp("book")
    hall_file = booking_hall(tmp)
    url = sqlite_url(tmp)
    hall = load_hall_for(hall_file, mini_catalog)
    store = Store(url, mini_catalog, hall)
    add_staff(store, "boss", Role.MANAGER, PW)
    add_staff(store, "kiosk1", Role.KIOSK, PW, "一楼取号机")
    store.open_window(1, actor="setup")
    store.dispose()
    an_hour_ago = Store(url, mini_catalog, hall, clock=lambda: time.time() - 3600)
    try:
        slot = booking_ops.offer(an_hour_ago, ["M-SBK"]).days[0].slots[0].slot
        late = booking_ops.book(an_hour_ago, ["M-SBK"], slot.at, "13500135000").code
    finally:
        an_hour_ago.dispose()
    live = ThreadedServer(url, mini_catalog, hall_file).start()
    live.late = late  # type: ignore[attr-defined]
    yield live
    live.stop()


@pytest.fixture(scope="module")
def boss(server: ThreadedServer) -> Iterator[HallClient]:
    with HallClient(server.url) as c:
        c.sign_in("boss", PW)
        yield c


def phone(browser: Any, server: ThreadedServer, path: str, size: dict = PHONE) -> Any:
    ctx = browser.new_context(viewport=size, has_touch=True, is_mobile=True, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    page.goto(f"{server.url}{path}")
    return page


def at(slot: dict[str, Any]) -> str:
    """A slot's start as the page keeps it (as JavaScript writes the number)."""
    return f"{slot['at']:.0f}" if slot["at"] == int(slot["at"]) else str(slot["at"])


def fits(page: Any) -> None:
    assert page.evaluate(SIDEWAYS) == [], "something sticks out sideways"


def slots(server: ThreadedServer) -> list[dict[str, Any]]:
    """The slots a citizen may book for 社会保障卡申领, soonest first (today and on)."""
    offer = httpx.get(f"{server.url}/api/book/slots", params={"matters": "M-SBK"}).json()
    return [s | {"day": d["day"]} for d in offer["days"] for s in d["slots"]]


def book(server: ThreadedServer, at: float, mobile: str) -> dict[str, Any]:
    body = {"matters": ["M-SBK"], "bundle": None, "at": at, "mobile": mobile}
    r = httpx.post(f"{server.url}/api/bookings", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_book_on_a_phone_check_in_at_the_kiosk_and_be_called(
    browser: Any, server: ThreadedServer, boss: HallClient
) -> None:
    offer = slots(server)
    free = [s for s in offer if not s["closed"] and s["free"] > 0]
    soon, full, closed = free[0], free[1], free[2]
    for mobile in (OTHER, "13700137000"):  # the second free slot becomes full
        book(server, full["at"], mobile)
    boss.close_slots(closed["day"], closed["start"], reason="设备检修")
    tomorrow = next(s for s in free if s["day"] != soon["day"])
    early = book(server, tomorrow["at"], OTHER)["code"]

    page = phone(browser, server, "/book")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("#hall")).to_have_text("测试大厅")
    page.locator("#q").fill("sbk")  # pinyin initials of 社保卡
    page.locator("#hits [data-code=M-SBK]").tap()
    expect(page.locator("#chosen [data-code=M-SBK]")).to_contain_text("社会保障卡申领")
    page.locator("#to-slots").tap()
    expect(page.locator("#slots .slot").first).to_be_visible()
    for s, state in ((full, "full"), (closed, "closed")):
        if s["day"] == soon["day"]:
            button = page.locator(f"#slots [data-at='{at(s)}']")
            expect(button).to_be_disabled()
            expect(button).to_have_attribute("data-state", state)
    expect(page.locator(f"#slots [data-at='{at(full)}']")).to_contain_text("已约满")
    fits(page)
    shot(page, "book-slots-390x844")
    page.locator(f"#slots [data-at='{at(soon)}']").tap()
    expect(page.locator("#who")).to_be_visible()
    page.locator("#mobile").fill("1380013")
    page.locator("#book-go").tap()
    expect(page.locator("#book-error")).to_have_text("请输入以 1 开头的 11 位手机号码。")
    page.locator("#mobile").fill("138 0013 8000")
    page.locator("#book-go").tap()
    expect(page.locator("#booked")).to_be_visible()
    code = page.locator("#booked").get_attribute("data-code") or ""
    assert re.fullmatch(r"\d{6}", code)
    expect(page.locator("#booked-code")).to_have_text(code)
    page.wait_for_function("() => document.getElementById('booked-qr').naturalWidth > 0")
    fits(page)
    shot(page, "book-code-390x844")
    booking = httpx.get(f"{server.url}/api/bookings/{code}").json()
    assert booking["status"] == "booked" and booking["at"] == soon["at"]
    assert booking["mobile"] == "138****8000"

    page.locator("#booked-link").tap()
    expect(page.locator("#b-badge")).to_have_attribute("data-status", "booked")
    expect(page.locator("#b-mobile")).to_have_text("138****8000")
    expect(page.locator("#checkin-go")).to_be_enabled()  # the slot is within 40 minutes
    fits(page)
    shot(page, "book-page-booked-390x844")

    kiosk = open_kiosk(browser, server, PORTRAIT)
    kiosk.locator("#to-booking").tap()
    for digit in early:  # tomorrow's: refused, in Chinese
        kiosk.locator(f"#pad [data-key='{digit}']").tap()
    kiosk.locator("#check-in").tap()
    expect(kiosk.locator("#booking-refusal")).to_be_visible()
    assert CJK.search(kiosk.locator("#booking-refusal").inner_text())
    for _ in early:
        kiosk.locator("#pad [data-key='⌫']").tap()
    for digit in code:
        kiosk.locator(f"#pad [data-key='{digit}']").tap()
    expect(kiosk.locator("#code")).to_have_attribute("data-code", code)
    shot(kiosk, "kiosk-booking-1080x1920")
    kiosk.locator("#check-in").tap()
    expect(kiosk.locator("#slip")).to_be_visible()
    number = kiosk.locator("#slip").get_attribute("data-number")
    shot(kiosk, "kiosk-booking-slip-1080x1920")

    called = boss.call_next(1)
    assert called is not None and called.number == number
    page.reload()
    expect(page.locator("#b-badge")).to_have_attribute("data-status", "checked_in")
    expect(page.locator("#t-number")).to_have_text(number or "")
    expect(page.locator("#checkin")).to_be_hidden()
    shot(page, "book-page-checked-in-390x844")
    page.locator("#t-link").tap()
    expect(page.locator("#badge")).to_have_attribute("data-status", "called")
    expect(page.locator("#go-window")).to_have_text("1")

    kiosk.locator("#done").tap()  # the next citizen: the hour-old booking, too late now
    kiosk.locator("#to-booking").tap()
    for digit in server.late:
        kiosk.locator(f"#pad [data-key='{digit}']").tap()
    kiosk.locator("#check-in").tap()
    expect(kiosk.locator("#walk-in")).to_contain_text("社会保障卡申领")
    assert CJK.search(kiosk.locator("#booking-refusal").inner_text())
    shot(kiosk, "kiosk-booking-late-1080x1920")
    kiosk.locator("#walk-in").tap()  # the same matters as a walk-in ticket, one tap
    expect(kiosk.locator("#slip")).to_be_visible()
    walk_in = kiosk.locator("#slip").get_attribute("data-number")
    assert [(t.number, [i.matter for i in t.items]) for t in boss.tickets()] == [
        (walk_in, ["M-SBK"])
    ]
    assert page.errors == [] and kiosk.errors == []

    page.goto(f"{server.url}/book/{code}?lang=en")  # English: no Chinese but the hall's data
    expect(page.locator("#b-badge")).to_have_text("Checked in")
    seen = page.evaluate("document.title + '\\n' + document.body.innerText")
    for word in ("测试大厅", "社会保障卡申领", "中文"):  # the hall's data; the switch back
        seen = seen.replace(word, "")
    assert not [line for line in seen.splitlines() if CJK.search(line)], seen


def test_move_and_cancel_a_booking_on_its_page(
    browser: Any, server: ThreadedServer, boss: HallClient
) -> None:
    free = [s for s in slots(server) if not s["closed"] and s["free"] > 0]
    later = [s for s in free if s["day"] != free[0]["day"]]
    first, second = later[0], later[1]
    code = book(server, first["at"], "13600136000")["code"]
    page = phone(browser, server, f"/book/{code}", DESKTOP)
    expect(page.locator("#b-badge")).to_have_attribute("data-status", "booked")
    expect(page.locator("#checkin-go")).to_be_disabled()  # another day: not yet
    expect(page.locator("#checkin-note")).to_contain_text("起可在大厅签到")
    page.locator("#move-open").click()
    expect(page.locator("#manage-error")).to_have_text("请输入以 1 开头的 11 位手机号码。")
    page.locator("#m-mobile").fill(OTHER)  # not the number it was booked with
    page.locator("#move-open").click()
    expect(page.locator(f"#m-slots [data-at='{at(first)}']")).to_have_attribute(
        "data-state", "current"
    )
    page.locator(f"#m-slots [data-at='{at(second)}']").click()
    expect(page.locator("#manage-error")).to_be_visible()  # refused: not this number's
    page.locator("#m-mobile").fill("13600136000")
    page.locator(f"#m-slots [data-at='{at(second)}']").click()
    expect(page.locator("#changed")).to_contain_text("已改约至")
    expect(page.locator("#b-when")).to_contain_text(second["start"])
    assert httpx.get(f"{server.url}/api/bookings/{code}").json()["at"] == second["at"]
    fits(page)
    shot(page, "book-page-moved-1366x768")
    page.locator("#cancel-go").click()
    expect(page.locator("#cancel-go")).to_have_text("再点一次确认取消预约")
    page.locator("#cancel-go").click()
    expect(page.locator("#b-badge")).to_have_attribute("data-status", "cancelled")
    expect(page.locator("#manage")).to_be_hidden()
    assert httpx.get(f"{server.url}/api/bookings/{code}").json()["status"] == "cancelled"
    shot(page, "book-page-cancelled-1366x768")
    page.goto(f"{server.url}/book/12345x")
    expect(page.locator("#gone")).to_be_visible()

    now = book(server, free[0]["at"], "13300133000")["code"]  # the next slot: check in here
    page.goto(f"{server.url}/book/{now}")
    page.locator("#checkin-go").click()
    expect(page.locator("#b-badge")).to_have_attribute("data-status", "checked_in")
    number = page.locator("#t-number").inner_text()
    assert httpx.get(f"{server.url}/api/bookings/{now}").json()["ticket"] == number
    shot(page, "book-page-checked-in-here-1366x768")
    assert page.errors == []
