"""The citizen's own 好差评 in a real browser against a real hall server: the 评价器 of
window 1 (/rate/1) signs in once, wakes when the clerk finishes a visit there, takes a
不满意 with its reason, thanks and sleeps after the hall's awake time (short here) or at the
next call, comes back by itself after a server restart; a second rating of the visit is
refused; the status page offers the rating after the visit and shows one given at the
window as given."""

from __future__ import annotations

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
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from tests.server.live import sqlite_url
from tests.server.threaded import ThreadedServer
from tests.web.conftest import PW, shot, web_hall

AWAKE_S = 3  # the hall's ratings.device_awake_seconds, short for the test


@pytest.fixture()
def rated_hall(tmp_path: Path, mini_catalog: Catalog) -> Iterator[ThreadedServer]:
    """A real hall server whose 评价器 stay awake ``AWAKE_S`` seconds; a manager, the
    评价器 account of window 1, window 1 open."""
    path = web_hall(tmp_path, title="测试大厅")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["ratings"] = {"devices": "all", "device_awake_seconds": AWAKE_S}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    url = sqlite_url(tmp_path)
    store = Store(url, mini_catalog, load_hall_for(path, mini_catalog))
    add_staff(store, "boss", Role.MANAGER, PW)
    add_staff(store, "rater1", Role.RATER, PW, "1号窗口评价器", frozenset({1}))
    store.open_window(1, actor="setup")
    store.dispose()
    server = ThreadedServer(url, mini_catalog, path).start()
    yield server
    server.stop()


def served(hall: HallClient) -> None:
    """The clerk of window 1 calls, serves and finishes the next visit."""
    hall.call_next(1)
    hall.start(1)
    hall.finish(1, "completed")


def test_the_rater_wakes_on_a_finish_takes_a_poor_rating_and_sleeps(
    rated_hall: ThreadedServer, new_page: Any
) -> None:
    live = rated_hall
    with HallClient(live.url) as hall:
        hall.sign_in("boss", PW)
        slips = [hall.issue(["M-SBK"]) for _ in range(4)]

        page = new_page(1280, 800)
        page.goto(f"{live.url}/rate/1")
        expect(page.locator("#signin")).to_be_visible()
        page.fill("#username", "rater1")
        page.fill("#password", PW)
        page.click("#signin-go")
        body = page.locator("body")
        expect(body).to_have_attribute("data-mode", "sleep")
        expect(page.locator("html")).to_have_attribute("data-link", "up")
        shot(page, "rate-1-asleep-1280x800")

        served(hall)  # A001, finished at window 1: the 评价器 wakes
        expect(body).to_have_attribute("data-mode", "awake")
        expect(page.locator("#visit-number")).to_have_text("A001")
        expect(page.locator("#visit")).to_contain_text("1 号窗口")
        expect(page.locator(".level")).to_have_count(5)
        shot(page, "rate-2-awake-1280x800")
        page.click(".level-2")  # 不满意: its reasons
        expect(page.locator(".reasons")).to_be_visible()
        send = page.locator(".send")
        expect(send).to_be_disabled()
        page.click('[data-reason="poor_attitude"]')
        expect(send).to_be_enabled()
        shot(page, "rate-3-reasons-1280x800")
        send.click()
        expect(body).to_have_attribute("data-mode", "thanks")
        expect(page.locator("#thanks-line")).to_have_text("不满意 · 服务态度差")
        shot(page, "rate-4-thanks-1280x800")
        given = hall.slip_status(slips[0].token).rating
        assert given is not None
        assert (given.level, given.reasons, given.channel) == (2, ["poor_attitude"], "device")
        expect(body).to_have_attribute("data-mode", "sleep", timeout=(AWAKE_S + 5) * 1000)

        # once per visit: the device again, the status page, refused
        token = page.evaluate("localStorage.getItem('queue_app.rater::1')")
        with httpx.Client(base_url=live.url) as c:
            again = c.post(
                "/api/windows/1/rating",
                json={"ticket": "A001", "level": 5},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert again.status_code == 409 and again.json()["error"]["code"] == "already_rated"
            there = c.post(f"/api/status/{slips[0].token}/rating", json={"level": 5})
            assert there.status_code == 409 and there.json()["error"]["code"] == "already_rated"

        # the server restarts: the 评价器 reconnects by itself and wakes for the next visit
        live.stop()
        expect(page.locator("html")).to_have_attribute("data-link", "down")
        live.start()
        expect(page.locator("html")).to_have_attribute("data-link", "up", timeout=20_000)
        served(hall)  # A002
        expect(page.locator("#visit-number")).to_have_text("A002")
        woke = time.monotonic()
        expect(body).to_have_attribute("data-mode", "sleep", timeout=(AWAKE_S + 5) * 1000)
        assert time.monotonic() - woke >= AWAKE_S - 1.5  # asleep after its awake time, unrated
        assert hall.slip_status(slips[1].token).rating is None

        # the status page: A001's rating shows as given; A002 is rated there
        phone = new_page(390, 844)
        phone.goto(f"{live.url}/t/{slips[0].token}")
        expect(phone.locator("#rate-given")).to_have_text("本次服务已评价：不满意 · 服务态度差")
        expect(phone.locator("#rate-choice")).to_be_hidden()
        phone.goto(f"{live.url}/t/{slips[1].token}")
        expect(phone.locator("#rate .level")).to_have_count(5)
        shot(phone, "status-rate-1-offered-390x844")
        phone.click("#rate .level-4")
        expect(phone.locator("#rate-given")).to_have_text("感谢您的评价：满意")
        shot(phone, "status-rate-2-thanks-390x844")
        mine = hall.slip_status(slips[1].token).rating
        assert mine is not None and (mine.level, mine.channel) == (4, "status")

        # the clerk calls the next number: the 评价器 sleeps at once, before its awake time
        served(hall)  # A003
        expect(page.locator("#visit-number")).to_have_text("A003")
        woke = time.monotonic()
        hall.call_next(1)  # A004
        expect(body).to_have_attribute("data-mode", "sleep")
        assert time.monotonic() - woke < AWAKE_S - 1

        # in English, from the switch in its bar, still signed in
        page.click("#lang")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(body).to_have_attribute("data-mode", "sleep")
        expect(page.locator("#sleep")).to_contain_text("Your opinion counts")
