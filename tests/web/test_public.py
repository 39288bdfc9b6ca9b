"""The public JSON behind the pages, the pages' files and the layout's display section,
in process (no browser): what they show, what they never show, how they refuse."""

from __future__ import annotations

import json
import re
import shutil
import wave
from io import BytesIO

import httpx
import pytest
import yaml

from queue_app.domain.errors import InvalidData
from queue_app.domain.hall import Display, Hall, parse_hall
from queue_app.domain.ticket import STATUS_LABELS, Status
from queue_app.server import create_app
from queue_app.server.pages import ASSETS, VENDOR
from queue_app.server.voice import Voice, spoken
from queue_app.store import Store
from tests.conftest import FIXTURES, REPO, Clock
from tests.web.conftest import missing

pytestmark = pytest.mark.anyio
WEB = REPO / "queue_app" / "web"


async def _issue(api: httpx.AsyncClient, n: int = 1, **body: object) -> list[dict]:
    out = []
    for _ in range(n):
        r = await api.post("/api/tickets", json={"matters": ["M-SBK"], **body})
        assert r.status_code == 201, r.text
        out.append(r.json())
    return out


# ------------------------------------------------------------------ /api/display
async def test_the_display_shows_calls_and_counts_and_no_person(
    api: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    await _issue(api, 3)
    await _issue(api, 1, priority="elderly")
    await api.post("/api/windows/1/call-next")  # V001: priority first
    await api.post("/api/windows/2/call-next")  # A001
    await api.post("/api/windows/2/recall")
    await api.post("/api/windows/1/start")  # V001 is being served: no longer calling

    r = await anon.get("/api/display")  # no sign-in
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    d = r.json()
    assert d["look"] == {"hall": "测试大厅", "title": "测试大厅", "theme": "dark", "accent": None}
    assert d["windows"] == [1, 2, 3, 4] and d["speak"] is True
    assert [(c["ticket"], c["window"]) for c in d["current"]] == [("A001", 2)]
    assert [(c["ticket"], c["window"], c["recall"]) for c in d["recent"]] == [
        ("A001", 2, True),  # a recall shows once, at its latest call
        ("V001", 1, False),
    ]
    assert {c["prefix"]: c["waiting"] for c in d["waiting"]} == {"V": 0, "Y": 0, "B": 0, "A": 2}
    assert d["waiting_total"] == 2 and d["version"] > 0 and d["day"] == "2026-11-23"

    # numbers, windows, counts and the hall's words: never a person
    text = r.text
    assert "王经理" not in text and "mgr" not in text  # the acting manager
    assert set(d) == {
        "look",
        "speak",
        "server_voice",
        "timezone",
        "day",
        "now",
        "version",
        "windows",
        "current",
        "recent",
        "waiting",
        "waiting_total",
        "strip",
        "no_shows",
        "no_show_count",
        "notice",
    }
    assert all(set(c) == {"ticket", "window", "at", "recall"} for c in d["current"] + d["recent"])
    assert [(w["window"], w["state"], w["ticket"]) for w in d["strip"]] == [
        (1, "serving", "V001"),
        (2, "calling", "A001"),
        (3, "idle", None),
        (4, "idle", None),
    ]
    assert d["no_shows"] == [] and d["no_show_count"] == 0 and d["notice"] is None


async def test_the_display_shows_only_its_windows_in_its_theme(
    store: Store, mini_hall: Hall, clock: Clock, api: httpx.AsyncClient
) -> None:
    await _issue(api, 2)
    await api.post("/api/windows/1/call-next")
    await api.post("/api/windows/2/call-next")
    look = Display(title="二号区叫号", windows=[2], theme="red", accent="#112233", speak=False)
    zone = Store(
        store.engine,
        store.catalog,
        mini_hall.model_copy(update={"display": look}),
        clock=clock,
        create=False,
    )
    app = create_app(zone)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hall"
    ) as c:
        d = (await c.get("/api/display")).json()
    app.state.service.close()
    assert d["look"] == {
        "hall": "测试大厅",
        "title": "二号区叫号",
        "theme": "red",
        "accent": "#112233",
    }
    assert d["windows"] == [2] and d["speak"] is False
    assert [c["window"] for c in d["current"] + d["recent"]] == [2, 2]


async def test_unknown_query_parameters_are_refused(anon: httpx.AsyncClient) -> None:
    r = await anon.get("/api/display", params={"window": "1"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_parameter"


# ------------------------------------------------------------------ /api/dashboard
async def test_the_dashboard_shows_the_hall_today_and_no_person(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, clock: Clock
) -> None:
    first = (await _issue(api, 3))[0]
    await _issue(api, 1, matters=["M-GT"])  # 企业开办
    await api.post("/api/windows/1/call-next")  # A001
    await api.post("/api/windows/1/start")
    clock.advance(minutes=4)
    await api.post("/api/windows/1/finish", json={"outcome": "completed"})
    rated = {"level": 1, "reasons": ["too_slow"]}  # the citizen's own, on the status page
    assert (await anon.post(f"/api/status/{first['token']}/rating", json=rated)).is_success
    await api.post("/api/windows/2/call-next")  # A002
    await api.post("/api/windows/4/pause", json={"reason": "张三请假"})
    clock.advance(minutes=2)

    r = await anon.get("/api/dashboard")  # no sign-in
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    d = r.json()
    assert (d["hall"], d["day"], d["target_wait_minutes"]) == ("测试大厅", "2026-11-23", 20.0)
    assert {x["domain"]: x["waiting"] for x in d["domains"]} == {"社保": 1, "企业开办": 1}
    assert max(x["longest_wait_minutes"] for x in d["domains"]) == pytest.approx(6.0)
    states = {w["number"]: (w["state"], w["ticket"], w["served"]) for w in d["windows"]}
    assert states == {
        1: ("idle", None, 1),
        2: ("calling", "A002", 0),
        3: ("idle", None, 0),
        4: ("paused", None, 0),
    }
    today = d["today"]
    counts = (await api.get("/api/stats/today")).json()["counts"]
    assert (today["issued"], today["served"], today["waiting"]) == (4, 1, 2)
    assert (today["served"], today["waiting"]) == (counts["done"], counts["waiting"])
    assert today["ratings"] == {"5": 0, "4": 0, "3": 0, "2": 0, "1": 1}
    assert (today["rated"], today["bad_rate"]) == (1, 1.0)
    assert today["mean_wait_minutes"] == pytest.approx(2.0)  # A001 0 min, A002 4 min
    assert today["longest_wait_minutes"] == pytest.approx(6.0)
    report = (await api.get("/api/reports/hall?from=2026-10-25&to=2026-11-23")).json()
    assert [t["day"] for t in d["trend"]] == [t["day"] for t in report["trend"]]
    assert len(d["trend"]) == 30 and d["trend"][-1]["day"] == "2026-11-23"
    last = report["trend"][-1]["figures"]
    assert d["trend"][-1] == {
        "day": "2026-11-23",
        "issued": last["issued"],
        "served": last["served"],
        "mean_wait_minutes": last["mean_wait_minutes"],
        "rated": last["rated"],
        "bad_rate": last["bad_rate"],
    }
    # counts, ticket numbers and the hall's words: never a person, nor a clerk's words
    assert "王经理" not in r.text and "mgr" not in r.text and "张三" not in r.text

    # one read while nothing happens (the screens ask after each event); a change reads anew
    assert (await anon.get("/api/dashboard")).json() == d
    await _issue(api)
    assert (await anon.get("/api/dashboard")).json()["today"]["issued"] == 5
    clock.advance(minutes=1)  # no event, but the waits have grown: read anew after a while
    assert (await anon.get("/api/dashboard")).json()["today"]["longest_wait_minutes"] == (
        pytest.approx(7.0)
    )
    r = await anon.get("/api/dashboard", params={"days": "7"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_parameter"


# ------------------------------------------------------------------ /api/status
async def test_the_status_follows_the_ticket(
    api: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    issued = await _issue(api, 3)
    token = issued[2]["token"]
    r = await anon.get(f"/api/status/{token}")
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["referrer-policy"] == "no-referrer"
    s = r.json()
    assert (s["number"], s["status"], s["status_label"], s["class_name"]) == (
        "A003",
        "waiting",
        "等候中",
        "综合业务",
    )
    assert s["matters"] == ["社会保障卡申领"] and s["ahead"] == 2 and s["window"] is None
    assert s["estimated_wait_minutes"] is not None and s["final"] is False
    assert "王经理" not in r.text and "mgr" not in r.text and token not in r.text

    await api.post("/api/windows/1/call-next")
    assert (await anon.get(f"/api/status/{token}")).json()["ahead"] == 1
    await api.post("/api/windows/2/call-next")
    await api.post("/api/windows/1/start")
    await api.post("/api/windows/1/finish", json={"outcome": "completed"})
    await api.post("/api/windows/1/call-next")
    s = (await anon.get(f"/api/status/{token}")).json()
    assert (s["status"], s["window"], s["ahead"]) == ("called", 1, None)
    await api.post("/api/windows/1/start")
    await api.post("/api/windows/1/finish", json={"outcome": "completed"})
    s = (await anon.get(f"/api/status/{token}")).json()
    assert (s["status"], s["window"], s["final"]) == ("done", None, True)


async def test_a_bad_unknown_or_old_token_is_404_alike(
    api: httpx.AsyncClient,
    anon: httpx.AsyncClient,
    store: Store,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = (await _issue(api))[0]["token"]
    assert len(token) == 22  # secrets.token_urlsafe(16): 128 bits
    answers = [await anon.get(f"/api/status/{'x' * 22}")]  # well-formed, unknown
    clock.advance(hours=24)  # the next business day: yesterday's slip
    answers.append(await anon.get(f"/api/status/{token}"))

    def no_database(_: str) -> None:
        raise AssertionError("a malformed token reached the database")

    monkeypatch.setattr(store, "ticket_by_token", no_database)
    for bad in ("short", "x" * 33, "has%20space-and-more-chars", "a.b.c.d.e.f.g.h.i.j.k"):
        answers.append(await anon.get(f"/api/status/{bad}"))
    for r in answers:
        assert r.status_code == 404, r.text
        assert r.json()["error"] == {
            "code": "no_such_ticket",
            "message_zh": "此号票已失效或不存在（号票仅在取号当日有效）",
            "message_en": (
                "This ticket is unknown or has expired (a slip is valid on its business day only)"
            ),
            "field": "token",
        }


# ------------------------------------------------------------------ /api/voice
async def test_the_server_voice_renders_a_call_once(
    anon: httpx.AsyncClient, app: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not shutil.which("espeak-ng"):
        missing("espeak-ng")
    voice: Voice = app.state.voice  # type: ignore[attr-defined]
    assert voice.available
    r = await anon.get("/api/voice/A023/2.wav")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "audio/wav"
    with wave.open(BytesIO(r.content)) as w:
        assert w.getnframes() / w.getframerate() > 1.0  # seconds of speech
    calls: list[object] = []
    monkeypatch.setattr("subprocess.run", lambda *a, **k: calls.append(a))
    again = await anon.get("/api/voice/A023/2.wav")
    assert again.content == r.content and not calls  # from the cache
    assert (await anon.get("/api/voice/A02x/2.wav")).status_code == 404
    r = await anon.get("/api/voice/A023/42.wav")
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_such_window"
    assert spoken("A023", 5) == "请 A 零 二 三 号，到 5 号窗口"
    assert spoken("VB101", 12) == "请 V B 一 零 一 号，到 12 号窗口"


async def test_without_espeak_the_voice_is_404_and_the_board_says_so(
    anon: httpx.AsyncClient, app: object
) -> None:
    app.state.voice = Voice(command="")  # type: ignore[attr-defined]
    r = await anon.get("/api/voice/A023/2.wav")
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_voice"
    assert (await anon.get("/api/display")).json()["server_voice"] is False


# ------------------------------------------------------------------ the pages' files
async def test_pages_and_files_are_served_with_their_types(anon: httpx.AsyncClient) -> None:
    r = await anon.get("/display")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert (
        await anon.get("/display", headers={"If-None-Match": r.headers["etag"]})
    ).status_code == 304
    r = await anon.get(f"/t/{'x' * 22}")
    assert r.status_code == 200 and "status.js" in r.text
    assert r.headers["referrer-policy"] == "no-referrer"
    r = await anon.get("/t/bad")  # the same page (it says the slip is not valid), as a 404
    assert r.status_code == 404 and "status.js" in r.text
    for path, status in (("/book", 200), ("/book/123456", 200), ("/book/12345x", 404)):
        r = await anon.get(path)  # the booking pages: one page, its part chosen by the path
        assert r.status_code == status and "book.js" in r.text, path
        assert r.headers["x-robots-tag"] == "noindex"
    assert (await anon.get("/book/123456")).headers["referrer-policy"] == "no-referrer"
    types = {"js": "text/javascript", "css": "text/css", "svg": "image/svg+xml"}
    for name in ASSETS:
        r = await anon.get(f"/web/{name}")
        assert r.status_code == 200
        assert r.headers["content-type"].startswith(types[name.rsplit(".", 1)[1]])
    for nope in ("/web/nope.js", "/web/..%2Fpages.py", "/web/display.html"):
        r = await anon.get(nope)
        assert r.status_code == 404 and r.json()["error"]["code"] == "http_404"


# ------------------------------------------------------------------ the pages' language
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _lang(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', html)
    assert found, html[:200]
    return found.group(1)


def _strings(html: str) -> dict[str, str]:
    found = re.search(r'<script type="application/json" id="strings">(.*?)</script>', html, re.S)
    assert found, html[:400]
    return dict(json.loads(found.group(1)))


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # no database in the choice
@pytest.mark.parametrize(
    ("query", "accept", "lang"),
    [
        ("", None, "zh-CN"),  # no word from the browser: Chinese
        ("", "en-US,en;q=0.9", "en"),
        ("", "fr-FR, en;q=0.5, zh;q=0.4", "en"),  # the first of ours the browser names
        ("", "en;q=0.2, zh-TW;q=0.9", "zh-CN"),  # by weight, not by order
        ("", "en;q=0, de", "zh-CN"),  # q=0: not wanted
        ("", "en;q=bad, zh", "zh-CN"),  # a malformed weight counts as 0
        ("?lang=en", "zh-CN", "en"),
        ("?lang=en-GB", None, "en"),
        ("?lang=zh", "en-US", "zh-CN"),
        ("?lang=ZH_cn", "en-US", "zh-CN"),
        ("?lang=fr", "en-US", "en"),  # unknown: the browser's
        ("?lang=" + "x" * 300, None, "zh-CN"),  # nonsense: the default, no error
        ("?lang=", "en", "en"),  # empty: the browser's
    ],
)
async def test_the_page_language_follows_lang_then_the_browser_then_chinese(
    anon: httpx.AsyncClient, query: str, accept: str | None, lang: str
) -> None:
    headers = {"Accept-Language": accept} if accept else {}
    pages = ("/display", "/dashboard", f"/t/{'x' * 22}", "/t/bad", "/book", "/book/123456")
    for path in pages:
        r = await anon.get(path + query, headers=headers)
        assert r.status_code in (200, 404), r.text
        assert _lang(r.text) == lang and r.headers["content-language"] == lang
        assert r.headers["vary"] == "Accept-Language"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_each_language_has_its_own_etag(anon: httpx.AsyncClient) -> None:
    zh = await anon.get("/display")
    en = await anon.get("/display?lang=en")
    assert zh.headers["etag"] != en.headers["etag"]
    again = await anon.get("/display?lang=en", headers={"If-None-Match": en.headers["etag"]})
    assert again.status_code == 304
    other = await anon.get("/display", headers={"If-None-Match": en.headers["etag"]})
    assert other.status_code == 200 and _lang(other.text) == "zh-CN"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_the_words_of_the_scripts_come_with_the_page(anon: httpx.AsyncClient) -> None:
    """Every _("...") of the scripts is in the page's JSON, in its language; in English
    not one Chinese character (the states a browser test cannot easily reach included)."""
    literal = re.compile(r'(?<![\w$.])_\("((?:[^"\\]|\\.)*)"')
    in_source = {m for f in WEB.glob("*.js") for m in literal.findall(f.read_text("utf-8"))}
    assert len(in_source) > 30
    en = _strings((await anon.get("/display?lang=en")).text)
    zh = _strings((await anon.get("/display?lang=zh")).text)
    assert set(en) == set(zh) == in_source  # none missed by the extraction
    assert not [v for v in en.values() if CJK.search(v)]
    assert all(CJK.search(v) for v in zh.values())
    call = "{number} to window {window}"
    assert zh[call] == "请 {number} 号 到 {window} 号窗口"
    assert (await anon.get("/t/bad?lang=en")).text.count("本页") == 0


async def test_the_status_badges_read_as_the_status_labels(anon: httpx.AsyncClient) -> None:
    """The status page's badge in Chinese is the ticket's status label, as before."""
    zh = _strings((await anon.get(f"/t/{'x' * 22}")).text)
    source = (WEB / "status.js").read_text("utf-8")
    block = source[source.index("const LABELS = {") :]
    block = block[: block.index("};")]
    labels = dict(re.findall(r'(\w+): _\("([^"]+)"\)', block))
    assert {Status(k): zh[v] for k, v in labels.items()} == STATUS_LABELS


def test_the_pages_reference_nothing_outside_the_server() -> None:
    files = sorted(f for f in WEB.iterdir() if f.is_file())
    pages = {"display.html", "status.html", "dashboard.html", "kiosk.html", "window.html"}
    pages |= {"rate.html", "book.html"}
    assert {f.name for f in files} == ASSETS | pages
    for f in files:
        text = f.read_text(encoding="utf-8")
        if f.suffix == ".svg":
            text = text.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert not re.search(r"(https?:)?//[\w.-]+\.\w", text), f.name
        assert "@import" not in text and "url(" not in text, f.name
        for ref in re.findall(r'(?:src|href)="([^"]*)"', text):
            assert ref.startswith("{{ root }}/web/"), (f.name, ref)  # the hall's own path


def test_the_packaged_files_are_declared() -> None:
    """A non-editable install carries the pages."""
    import tomllib

    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    globs = data["tool"]["setuptools"]["package-data"]["queue_app"]
    for f in WEB.rglob("*"):
        if f.is_file():
            assert any(f.relative_to(REPO).match(f"queue_app/{g}") for g in globs), f


async def test_the_charting_library_is_served_from_the_package(anon: httpx.AsyncClient) -> None:
    """The big screen's ECharts comes from the server (no CDN), with its licences beside it
    in the package and named in NOTICE."""
    for name, path in VENDOR.items():
        r = await anon.get(f"/web/vendor/{name}")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
        assert r.content == (WEB / path).read_bytes() and len(r.content) > 500_000
        assert "Apache License, Version 2.0" in r.text[:2000]
        folder = (WEB / path).parent
        assert {"LICENSE", "NOTICE", "LICENSE-d3", "LICENSE-zrender"} <= {
            f.name for f in folder.iterdir()
        }
    notice = (REPO / "NOTICE").read_text(encoding="utf-8")
    assert "Apache ECharts 6.1.0" in notice and "queue_app/web/vendor/echarts" in notice
    for nope in ("/web/vendor/LICENSE", "/web/vendor/echarts.min.js", "/web/vendor/..%2Fcommon.js"):
        r = await anon.get(nope)
        assert r.status_code == 404, nope
    r = await anon.get("/dashboard")
    assert r.status_code == 200 and "default-src 'none'" in r.headers["content-security-policy"]
    assert 'src="/web/vendor/echarts.common.min.js"' in r.text


# ------------------------------------------------------------------ the layout's display section
def test_the_display_section_is_optional_and_checked() -> None:
    data = yaml.safe_load((FIXTURES / "mini_hall.yaml").read_text(encoding="utf-8"))
    assert parse_hall(data).display == Display()
    data["display"] = {"title": "一楼大厅", "windows": [1, 2], "theme": "blue"}
    assert parse_hall(data).display.windows == [1, 2]
    for bad, where in (
        ({"windows": [9]}, "display.windows[0]"),
        ({"theme": "pink"}, "display.theme"),
        ({"accent": "red"}, "display.accent"),
        ({"colour": "red"}, "display.colour"),
    ):
        data["display"] = bad
        with pytest.raises(InvalidData) as e:
            parse_hall(data)
        assert where in json.dumps([str(p) for p in e.value.problems]), e.value.problems


async def test_a_recall_is_the_newest_call_on_the_board(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, clock: Clock
) -> None:
    """The headline after a recall is the recalled ticket, in the page's live update and in
    the board's data the page refetches (both ordered by the latest call)."""
    await _issue(api, 2)
    await api.post("/api/windows/1/call-next")  # A001
    clock.advance(minutes=1)
    await api.post("/api/windows/2/call-next")  # A002, newer
    clock.advance(minutes=1)
    await api.post("/api/windows/1/recall")  # A001 again: now the newest
    d = (await anon.get("/api/display")).json()
    assert [c["ticket"] for c in d["current"]] == ["A001", "A002"]
    assert [(c["ticket"], c["recall"]) for c in d["recent"]] == [("A001", True), ("A002", False)]


def test_the_status_page_has_a_label_and_a_note_for_every_status() -> None:
    """A status the domain gains (补材料: parked) must not reach a citizen's page as a bare
    code: status.js labels and explains each one."""
    script = (REPO / "queue_app" / "web" / "status.js").read_text(encoding="utf-8")
    for table in ("NOTES", "LABELS"):
        body = script.split(f"const {table} = {{", 1)[1].split("};", 1)[0]
        keys = set(re.findall(r"^\s*(\w+):", body, re.M))
        assert keys == {s.value for s in Status}, table
