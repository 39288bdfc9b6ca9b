"""The board and a window screen for the DEFAULT hall (windows/default.yaml: 23 windows, six
ticket classes, the real catalog) with a realistic morning: dozens waiting in every class,
windows calling, serving, paused and closed, 过号 numbers, a notice. At 1366x768 and 1920x1080
nothing leaves the screen or its box, the voice button covers nothing, the waiting line is
whole; the strip, the 过号 list and the notice follow changes live; the window screen
follows a call, a re-profiling and a pause, and comes back after the server does."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import expect

from queue_app.client import HallClient
from queue_app.domain.catalog import Catalog
from queue_app.domain.profiles import WindowProfile
from queue_app.loaders import load_hall_for
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from tests.conftest import REPO, midday_timezone
from tests.server.live import sqlite_url
from tests.server.threaded import ThreadedServer
from tests.web.conftest import PW, shot

# a domain's matter of the real catalog for each class (B 企业开办, C 不动产, D 出入境)
B = "512B0110700001-511602000000-000-115113016823646795-1-00"
C = "511Z0163300000-511602000000-000-11511301008778255F-1-00"
D = "511A0116400001-511602000000-000-11511300008778693M-1-00"
A = "511A0149300000-511602000000-000-115113016823646795-1-00"  # undifferentiated

# every box that shows something: outside the screen, or outside a box that clips it; words
# cut off; the voice button over anything but its own bar
MISFITS = """() => {
  const out = [];
  const shown = (e) => {
    const s = getComputedStyle(e);
    return s.display !== "none" && s.visibility !== "hidden";
  };
  const within = (r, box) => r.left >= box.left - 0.5 && r.top >= box.top - 0.5
    && r.right <= box.right + 0.5 && r.bottom <= box.bottom + 0.5;
  const screen = {left: 0, top: 0, right: innerWidth, bottom: innerHeight};
  for (const e of document.body.querySelectorAll("*")) {
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height || !shown(e) || e.closest("#gone")) continue;
    const what = [e.id || e.className, e.textContent.slice(0, 30)];
    if (!within(r, screen)) out.push(["off screen", ...what]);
    // an inline box's glyphs may stand above and below its line: only its sides count
    const inline = getComputedStyle(e).display === "inline";
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflow === "visible") continue;
      const box = p.getBoundingClientRect();
      const fits = inline ? r.left >= box.left - 0.5 && r.right <= box.right + 0.5 : within(r, box);
      if (!fits) {
        out.push(["out of its box", e.id || e.className, e.textContent.slice(0, 30)]);
      }
      break;
    }
  }
  const words = "h1, h2, #waiting li *, #recent li *, #strip li *, #notice-text, #no-show-list li,"
    + " #date, #clock, .state, .ticket, .detail, #clerk, #unlock";
  for (const e of document.querySelectorAll(words)) {
    if (shown(e) && e.scrollWidth > e.clientWidth + 1 && e.clientWidth) {
      out.push(["cut off", e.id || e.className, e.textContent]);
    }
  }
  const unlock = document.getElementById("unlock");
  if (unlock && !unlock.hidden) {
    const u = unlock.getBoundingClientRect();
    for (const e of document.body.querySelectorAll("main *, section *, .notice *")) {
      const r = e.getBoundingClientRect();
      const apart = r.right <= u.left || u.right <= r.left
        || r.bottom <= u.top || u.bottom <= r.top;
      if (r.width && r.height && !apart) out.push(["under the voice button", e.id || e.className]);
    }
  }
  const doc = document.documentElement;
  if (doc.scrollWidth > innerWidth || doc.scrollHeight > innerHeight) out.push(["scrolls"]);
  return out;
}"""


def _default_hall(directory: Path) -> Path:
    """windows/default.yaml as it ships, open now (a zone where it is noon, every day)."""
    data = yaml.safe_load((REPO / "windows" / "default.yaml").read_text(encoding="utf-8"))
    data["hall"]["timezone"] = midday_timezone()
    data["hours"].update(weekdays=[1, 2, 3, 4, 5, 6, 7], lunch=None)
    path = directory / "default.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hall_server(
    tmp_path_factory: pytest.TempPathFactory, real_catalog: Catalog
) -> Iterator[ThreadedServer]:
    where = tmp_path_factory.mktemp("real-hall")
    catalog = real_catalog
    hall_file = _default_hall(where)
    store = Store(sqlite_url(where), catalog, load_hall_for(hall_file, catalog))
    add_staff(store, "boss", Role.MANAGER, PW)
    add_staff(store, "zhang", Role.CLERK, PW, "张伟", staff_number="1024")
    store.dispose()
    server = ThreadedServer(sqlite_url(where), catalog, hall_file).start()
    with _boss(server) as hall:
        _morning(hall)
    yield server
    server.stop()


def _boss(server: ThreadedServer) -> HallClient:
    c = HallClient(server.url)
    c.sign_in("boss", PW)
    return c


def _morning(hall: HallClient) -> None:
    """16 windows open; dozens waiting in all six classes; calls, services, pauses, 过号."""
    for w in range(2, 18):
        hall.open_window(w)
    for _ in range(8):
        for m in (B, C, D, A, A):
            hall.issue([m])
    for w in range(2, 12):  # ten calls
        hall.call_next(w)
    for w in (2, 3, 4):
        hall.no_show(w)
        hall.call_next(w)
    for w in (5, 6, 7, 8):
        hall.start(w)
    soon = time.time() - 60
    for _ in range(4):  # after the calls: they would be called first
        hall.issue([A], priority="elderly")  # V
        hall.issue([A], appointment_at=soon)  # Y
    hall.pause(16, "系统维护")
    hall.pause(17, "午间休息")
    hall.set_notice("今天 16:00 起暂停办理不动产登记业务，请合理安排时间。")


def _board(new_page: Any, server: ThreadedServer, width: int, height: int) -> Any:
    page = new_page(width, height)
    page.goto(f"{server.url}/display")
    expect(page.locator("html")).to_have_attribute("data-link", "up")
    expect(page.locator("#strip li")).to_have_count(23)
    page.evaluate("document.getElementById('unlock').hidden = false")  # as before a click
    return page


def test_the_default_halls_board_fits_1366x768_and_1080p(
    hall_server: ThreadedServer, new_page: Any
) -> None:
    read = HallClient(hall_server.url).display()
    assert len(read.waiting) == 6 and all(c.waiting > 0 for c in read.waiting)
    assert read.waiting_total >= 30 and read.no_show_count == 3
    for width, height in ((1366, 768), (1920, 1080)):
        page = _board(new_page, hall_server, width, height)
        expect(page.locator("#waiting-total")).to_have_text(str(read.waiting_total))
        expect(page.locator("#notice-text")).to_contain_text("暂停办理不动产登记业务")
        for c in read.waiting:  # the whole line: every class and its count, none cut
            row = page.locator(f'#waiting li[data-prefix="{c.prefix}"]')
            expect(row).to_contain_text(c.name)
            expect(row.locator(".count")).to_have_text(str(c.waiting))
            assert row.is_visible()
        shot(page, f"display-default-hall-{width}x{height}")
        misfits = page.evaluate(MISFITS)
        assert misfits == [], "\n".join(map(str, misfits))
        states = page.eval_on_selector_all("#strip li", "ls => ls.map(l => l.dataset.state)")
        assert {"calling", "serving", "paused", "closed"} <= set(states)


def test_the_strip_the_no_shows_and_the_notice_follow_live(
    hall_server: ThreadedServer, new_page: Any
) -> None:
    page = _board(new_page, hall_server, 1920, 1080)
    page.evaluate("window.__same_page = true")
    with _boss(hall_server) as hall:
        missed = hall.no_show(9).number
        expect(page.locator("#no-show-list li").first).to_have_text(missed)
        expect(page.locator('#strip li[data-window="9"]')).to_have_attribute("data-state", "idle")
        hall.requeue(missed)  # back in line: off the list
        expect(page.locator("#no-show-list")).not_to_contain_text(missed)
        hall.pause(12, "培训")
        expect(page.locator('#strip li[data-window="12"]')).to_have_attribute(
            "data-state", "paused"
        )
        hall.set_notice("系统升级，18:00 后暂停取号")
        expect(page.locator("#notice-text")).to_have_text("系统升级，18:00 后暂停取号")
        hall.set_notice(None)
        expect(page.locator("#notice")).to_be_hidden()
    assert page.evaluate("window.__same_page") is True


def test_the_window_screen_follows_a_call_a_profile_and_a_pause(
    hall_server: ThreadedServer, new_page: Any
) -> None:
    with HallClient(hall_server.url) as clerk:
        clerk.sign_in("zhang", PW, window=1)
        clerk.open_window(1)
        page = new_page(1366, 768)
        page.goto(f"{hall_server.url}/window/1")
        expect(page.locator("html")).to_have_attribute("data-link", "up")
        expect(page.locator("#number")).to_have_text("1 号窗口")
        expect(page.locator("#name")).to_have_text("无差别综合窗口")
        expect(page.locator("#clerk")).to_contain_text("1024")
        expect(page.locator("#clerk-name")).to_have_text("张*")
        expect(page.locator("body")).to_have_attribute("data-state", "idle")
        called = clerk.call_next(1)
        assert called is not None
        expect(page.locator("#ticket")).to_have_text(called.number)
        expect(page.locator("#state")).to_have_text("正在呼叫")
        shot(page, "window-1-calling-1366x768")
        assert page.evaluate(MISFITS) == []
        assert "张伟" not in page.content()
        with _boss(hall_server) as boss:
            profile = WindowProfile(
                name="不动产登记专窗", kind="specialised", serves={"domains": ["不动产"]}
            )
            boss.set_profile(1, profile)
            expect(page.locator("#name")).to_have_text("不动产登记专窗")
            expect(page.locator("#serves")).to_have_text("不动产")
            boss.set_profile(1, None)
            expect(page.locator("#serves")).to_have_text("无差别综合受理")
        clerk.no_show(1)
        clerk.pause(1, "窗口设备维修")
        expect(page.locator("#state")).to_have_text("暂停服务")
        expect(page.locator("#detail")).to_have_text("窗口设备维修")
        shot(page, "window-1-paused-1366x768")
        hall_server.stop()
        expect(page.locator("html")).to_have_attribute("data-link", "down")
        hall_server.start()
        expect(page.locator("html")).to_have_attribute("data-link", "up", timeout=20_000)
        clerk.resume(1)
        expect(page.locator("body")).to_have_attribute("data-state", "idle")
