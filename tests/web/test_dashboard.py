"""The hall's big screen (/dashboard) in a real browser (Debian's chromium, headless) against
a real hall server whose hall has days of history: at 1920x1080 and 3840x2160 it shows what
/api/dashboard says, draws its charts with the server's own copy of ECharts, fits the
screen, follows a change at once, and shows, then leaves, an offline state by itself."""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
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
from tests.conftest import Clock, midday_hall, why
from tests.server.live import sqlite_url
from tests.server.threaded import ThreadedServer
from tests.store.test_reports import play_day
from tests.web.conftest import PW, shot

PAST_DAYS = 29  # with today, the trend's 30 days
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")

# the hall's windows beyond the mini hall's four (1, 2 无差别, 3 企业开办, 4 出入境)
MORE_WINDOWS = [
    *(
        {"number": n, "name": "无差别综合窗口", "kind": "undifferentiated"}
        | {"serves": {"undifferentiated": True}}
        for n in range(5, 9)
    ),
    {"number": 9, "name": "不动产登记窗口", "kind": "specialised"}
    | {"serves": {"domains": ["不动产"]}},
    {"number": 10, "name": "绿色通道", "kind": "green", "serves": {"all": True}},
]


def _hall_file(tmp_path: Path) -> Path:
    path = midday_hall(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["hall"]["name"] = "测试区政务服务中心"
    data["windows"] += MORE_WINDOWS
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _today(hall: HallClient) -> None:
    """The morning so far: windows open, busy and paused, a line of several domains, three
    ratings (one 差评)."""
    for w in (1, 2, 3, 4, 5, 6, 7, 9):
        hall.open_window(w)
    slips = {}
    for matters in (["M-SBK"], ["M-YL"], ["M-GT"], ["M-SBK", "M-YL"], ["M-HZ"], ["M-BDC"]) * 2:
        slip = hall.issue(matters)
        slips[slip.ticket.number] = slip.token
    elderly = hall.issue(["M-SBK"], priority="elderly")
    slips[elderly.ticket.number] = elderly.token
    for w, level in ((1, 5), (2, 4), (3, 1)):
        served = hall.call_next(w)
        assert served is not None
        hall.start(w)
        hall.finish(w, "completed")
        hall.rate_visit(slips[served.number], level, why(level))  # the citizen's own
    for w in (1, 2, 3, 4, 9):
        hall.call_next(w)
    for w in (1, 4):
        hall.start(w)
    hall.pause(7, "休息")


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory, mini_catalog: Catalog) -> tuple[Path, Path]:
    """The hall's file and a database of it that worked the last ``PAST_DAYS`` days (played
    through the store, each closed by the rollover), made once for the module."""
    where = tmp_path_factory.mktemp("dashboard")
    hall_file = _hall_file(where)
    hall = load_hall_for(hall_file, mini_catalog)
    today = dt.datetime.now(hall.zone).date()
    first = today - dt.timedelta(days=PAST_DAYS)
    clock = Clock(dt.datetime.combine(first, dt.time(8), hall.zone))
    store = Store(sqlite_url(where), mini_catalog, hall, clock=clock)
    add_staff(store, "boss", Role.MANAGER, PW)
    rng = random.Random(2026)
    for back in range(PAST_DAYS, 0, -1):
        play_day(store, clock, today - dt.timedelta(days=back), rng, rng.randint(35, 60), hall.zone)
    store.dispose()
    return hall_file, where / "hall.db"


@pytest.fixture()
def history(
    played: tuple[Path, Path], tmp_path: Path, mini_catalog: Catalog
) -> Iterator[ThreadedServer]:
    """A real hall server over a copy of that database, with the hall's morning so far; a
    manager, ``boss``."""
    hall_file, db = played
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{db}{suffix}").exists():
            shutil.copyfile(f"{db}{suffix}", tmp_path / f"hall.db{suffix}")
    server = ThreadedServer(sqlite_url(tmp_path), mini_catalog, hall_file).start()
    with _signed_in(server) as c:
        _today(c)
    yield server
    server.stop()


def _signed_in(live: ThreadedServer) -> HallClient:
    c = HallClient(live.url)
    c.sign_in("boss", PW)
    return c


def open_dashboard(new_page: Any, live: ThreadedServer, query: str = "", **kw: Any) -> Any:
    """The big screen, connected and showing its first read; every request it makes is
    logged in ``page.asked`` (url, status), every error on its console (a script's, a
    refusal by the Content-Security-Policy) in ``page.errors``."""
    page = new_page(**kw)
    page.asked = []
    page.errors = []
    page.on("response", lambda r: page.asked.append((r.url, r.status)))
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live.url}/dashboard{query}")
    expect(page.locator("html")).to_have_attribute("data-link", "up")
    expect(page.locator("html")).to_have_attribute("data-version", re.compile(r"^\d+$"))
    return page


# what the page shows, read back from the page: its figures, tiles and charts' data
SHOWN = """() => {
  const text = (id) => document.getElementById(id).textContent;
  const ids = ["waiting", "issued", "cancelled", "served", "no-shows", "mean-wait", "p90-wait",
               "within", "satisfied", "bad-rate", "rated", "hall"];
  const option = (id) => echarts.getInstanceByDom(document.getElementById(id)).getOption();
  const value = (x) => (x && x.value !== undefined ? x.value : x);
  const series = (id) => option(id).series.map((s) => s.data.map(value));
  const tile = (t) => [+t.dataset.window, t.dataset.state, t.textContent];
  return {
    figures: Object.fromEntries(ids.map((id) => [id, text(id)])),
    tiles: [...document.querySelectorAll(".tile")].map(tile),
    domains: [option("c-domains").yAxis[0].data, series("c-domains")[0]],
    ratings: series("c-ratings")[0],
    trend: series("c-trend"),
    bad: series("c-bad")[0],
    version: +document.documentElement.dataset.version,
  };
}"""

# what is drawn on each chart's canvas: its size and how many of its pixels are painted
PAINTED = """() => [...document.querySelectorAll(".chart")].map((box) => {
  const c = box.querySelector("canvas");
  if (!c) return [box.id, 0, 0, 0];
  const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let painted = 0;
  for (let i = 3; i < px.length; i += 4) if (px[i] > 0) painted++;
  return [box.id, c.width, c.height, painted];
})"""

# every box that shows something and lies outside the viewport; the cards that overlap;
# the words cut off (wider than their box) or out of their card
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
    if (!r.width || !r.height || !shown(e) || e.closest(".offline")) continue;
    if (!within(r, screen)) out.push(["outside", e.id || e.className, r.toJSON()]);
  }
  const cards = [...document.querySelectorAll(".kpi, .panel")];
  for (const a of cards) for (const b of cards) {
    const ra = a.getBoundingClientRect(), rb = b.getBoundingClientRect();
    const apart = ra.right <= rb.left + 0.5 || rb.right <= ra.left + 0.5
      || ra.bottom <= rb.top + 0.5 || rb.bottom <= ra.top + 0.5;
    if (a !== b && !apart) out.push(["overlap", a.className, b.className]);
  }
  const words = "h1, h2, .kpi .v, .kpi .note, .tile span, .tile b, #date, #clock, .empty";
  for (const e of document.querySelectorAll(words)) {
    if (!shown(e)) continue;
    if (e.scrollWidth > e.clientWidth + 1) out.push(["cut off", e.className, e.textContent]);
    const card = e.closest(".kpi, .panel, .tile, .bar").getBoundingClientRect();
    if (!within(e.getBoundingClientRect(), card)) out.push(["out of its card", e.textContent]);
  }
  const doc = document.documentElement;
  if (doc.scrollWidth > innerWidth || doc.scrollHeight > innerHeight) out.push(["scrolls"]);
  return out;
}"""


def _minutes(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f}"


def _percent(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def _agrees(shown: dict[str, Any], d: dict[str, Any]) -> None:
    """The page shows the figures of the read ``d``."""
    t = d["today"]
    assert shown["figures"] == {
        "waiting": str(t["waiting"]),
        "issued": str(t["issued"]),
        "cancelled": str(t["cancelled"]),
        "served": str(t["served"]),
        "no-shows": str(t["no_shows"]),
        "mean-wait": _minutes(t["mean_wait_minutes"]),
        "p90-wait": _minutes(t["p90_wait_minutes"]),
        "within": _percent(t["within_target_share"]),
        "satisfied": _percent(t["satisfied_rate"]),
        "bad-rate": _percent(t["bad_rate"]),
        "rated": str(t["rated"]),
        "hall": d["hall"],
    }
    states = [(w["number"], w["state"]) for w in d["windows"]]
    assert [(n, s) for n, s, _ in shown["tiles"]] == states
    for (_, _, text), w in zip(shown["tiles"], d["windows"], strict=True):
        assert str(w["number"]) in text and (w["ticket"] or "") in text
    shown_domains = dict(zip(*shown["domains"], strict=True))
    assert shown_domains == {x["domain"]: x["waiting"] for x in d["domains"]}
    assert sorted(shown["ratings"]) == sorted(n for n in t["ratings"].values() if n)
    served, waits = shown["trend"]
    assert served == [x["served"] for x in d["trend"]]
    assert waits == [
        "-" if x["mean_wait_minutes"] is None else round(x["mean_wait_minutes"], 1)
        for x in d["trend"]
    ]
    assert shown["bad"] == [
        "-" if x["bad_rate"] is None else round(x["bad_rate"] * 100, 1) for x in d["trend"]
    ]


def test_the_dashboard_shows_what_the_api_says_and_fits_1080p_and_4k(
    history: ThreadedServer, new_page: Any
) -> None:
    read = httpx.get(f"{history.url}/api/dashboard").json()
    assert len(read["trend"]) == 30 and sum(x["served"] > 0 for x in read["trend"]) >= PAST_DAYS
    assert len(read["domains"]) >= 3 and read["today"]["rated"] == 3
    for width, height in ((1920, 1080), (3840, 2160)):
        page = open_dashboard(new_page, history, width=width, height=height)
        shown = page.evaluate(SHOWN)
        assert shown["version"] == read["version"]  # nothing happened between the reads
        _agrees(shown, read)
        for chart, w, h, painted in page.evaluate(PAINTED):
            assert (w, h) != (0, 0) and painted > w * h / 50, (chart, w, h, painted)
        shot(page, f"dashboard-{width}x{height}")
        misfits = page.evaluate(MISFITS)
        assert misfits == [], "\n".join(map(str, misfits))
        assert [u for u, _ in page.asked if not u.startswith(history.url + "/")] == []
        vendored = f"{history.url}/web/vendor/echarts.common.min.js"
        assert (vendored, 200) in page.asked
        assert page.errors == []


def test_a_change_reaches_the_dashboard_without_a_reload(
    history: ThreadedServer, new_page: Any
) -> None:
    page = open_dashboard(new_page, history)
    page.evaluate("window.__same_page = true")
    issued = int(page.locator("#issued").text_content())
    waiting = int(page.locator("#waiting").text_content())
    with _signed_in(history) as hall:
        hall.issue(["M-GT"])
        expect(page.locator("#issued")).to_have_text(str(issued + 1))
        expect(page.locator("#waiting")).to_have_text(str(waiting + 1))
        hall.open_window(8)
        called = hall.call_next(8)
        assert called is not None
        tile = page.locator('.tile[data-window="8"]')
        expect(tile).to_have_attribute("data-state", "calling")
        expect(tile).to_contain_text(called.number)
    assert page.evaluate("window.__same_page") is True  # no reload
    _agrees(page.evaluate(SHOWN), httpx.get(f"{history.url}/api/dashboard").json())


def test_the_dashboard_goes_offline_and_comes_back_by_itself(
    history: ThreadedServer, new_page: Any
) -> None:
    page = open_dashboard(new_page, history)
    offline = page.locator("#offline")
    expect(offline).to_be_hidden()
    issued = page.locator("#issued").text_content()
    history.stop()
    expect(page.locator("html")).to_have_attribute("data-link", "down")
    expect(offline).to_be_visible()
    expect(offline).to_contain_text("连接中断")
    expect(page.locator("#issued")).to_have_text(issued)  # the last figures stay
    shot(page, "dashboard-offline-1920x1080")
    history.start()  # the same port and database
    expect(page.locator("html")).to_have_attribute("data-link", "up", timeout=20_000)
    expect(offline).to_be_hidden()
    with _signed_in(history) as hall:
        hall.issue(["M-SBK"])
    expect(page.locator("#issued")).to_have_text(str(int(issued) + 1))


def test_the_dashboard_in_english_shows_no_chinese_but_the_halls_words(
    history: ThreadedServer, new_page: Any
) -> None:
    page = open_dashboard(new_page, history, query="?lang=en")
    read = httpx.get(f"{history.url}/api/dashboard").json()
    words = {read["hall"], *(x["domain"] for x in read["domains"])}
    words |= {w["name"] for w in read["windows"]}
    seen = page.evaluate(
        """() => [document.title, document.body.innerText, ...[...document.querySelectorAll(
          ".chart")].map((e) => JSON.stringify(echarts.getInstanceByDom(e).getOption()))
        ].join("\\n")"""
    )  # the page's words and the charts' (drawn on their canvas)
    for word in sorted(words, key=len, reverse=True):
        seen = seen.replace(word, "")
    assert not CJK.search(seen), seen
    assert "Waiting now" in seen and "Ratings today" in seen and "very satisfied" in seen
    shot(page, "dashboard-1920x1080-en")
