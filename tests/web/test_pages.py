"""The display board and the status page in a real browser (Debian's chromium, headless)
against a real hall server: calls reach the board at once and are spoken in order, the
board recovers from a server restart, the status page follows its ticket to the window."""

from __future__ import annotations

import itertools
import shutil
import socket
import time
from typing import Any

from playwright.sync_api import expect

from queue_app.client import HallClient
from queue_app.server.stream_slots import StreamCaps
from tests.server.threaded import ThreadedServer, wait_until
from tests.web.conftest import ARTIFACTS, missing, shot

# speechSynthesis replaced by a recorder: a Chinese voice, each utterance "spoken" in 300 ms
SPY = """
window.__spoken = [];
(() => {
  const voice = {lang: "zh-CN", name: "spy", voiceURI: "spy", localService: true, default: true};
  speechSynthesis.getVoices = () => [voice];
  speechSynthesis.speak = (u) => {
    const rec = {text: u.text, start: performance.now(), end: null};
    window.__spoken.push(rec);
    setTimeout(() => { rec.end = performance.now(); if (u.onend) u.onend(new Event("end")); }, 300);
  };
})();
"""

# the same, but refusing to speak until the page has been clicked (as browsers do), in a
# browser without WebAudio (no chime, so only speech can tell that sound is blocked)
BLOCKED = (
    "delete window.AudioContext; delete window.webkitAudioContext; window.__clicked = false;"
    "addEventListener('click', () => { window.__clicked = true; }, true);"
) + SPY.replace(
    "const rec =",
    "if (!window.__clicked) {"
    " setTimeout(() => u.onerror && u.onerror({error: 'not-allowed'}), 10); return; }"
    " const rec =",
)


def open_board(new_page: Any, live: ThreadedServer, query: str = "", **kw: Any) -> Any:
    """The board, loaded and connected; sound switched on with a click where the browser
    holds it back until one (as staff do once when they set up the TV)."""
    page = new_page(**kw)
    page.goto(f"{live.url}/display{query}")
    expect(page.locator("html")).to_have_attribute("data-link", "up")
    expect(page.locator("#title")).to_have_text("测试大厅 叫号")
    unlock = page.locator("#unlock")
    if unlock.is_visible():
        unlock.click()
        expect(unlock).to_be_hidden()
    return page


def test_a_call_appears_on_the_display_within_a_second(
    live: ThreadedServer, hall: HallClient, new_page: Any
) -> None:
    hall.issue(["M-SBK"])
    page = open_board(new_page, live, spy=SPY)
    expect(page.locator("#waiting-total")).to_have_text("1")
    sent_ms = time.time() * 1000  # the page's Date.now() reads this same clock
    hall.call_next(2)
    returned_ms = time.time() * 1000
    headline = page.locator("#now-call")
    expect(headline).to_have_attribute("data-ticket", "A001", timeout=5000)
    expect(headline).to_contain_text("请 A001 号 到 2 号窗口")
    shown_ms = page.evaluate("hallDisplay.state.shown.find(c => c.ticket === 'A001').shownAt")
    # negative: the board had it before the clerk's terminal had its answer
    latency, upper = shown_ms - returned_ms, shown_ms - sent_ms
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with (ARTIFACTS / "latency.txt").open("a") as f:
        f.write(f"call-next returned -> on the board: {latency:.0f} ms; sent -> {upper:.0f} ms\n")
    print(f"call-next returned -> on the board: {latency:.0f} ms (sent -> board: {upper:.0f} ms)")
    assert latency < 1000
    expect(page.locator("#waiting-total")).to_have_text("0")  # the counts follow


def test_quick_calls_are_all_shown_and_spoken_in_order(
    live: ThreadedServer, hall: HallClient, new_page: Any
) -> None:
    for _ in range(3):
        hall.issue(["M-SBK"])
    page = open_board(new_page, live, spy=SPY)
    hall.call_next(1)
    hall.call_next(2)
    hall.call_next(3)
    hall.recall(1)  # a recall is spoken again
    recent = page.locator("#recent li")
    expect(recent).to_have_count(3)
    expect(recent.nth(0)).to_contain_text("A001")  # the recall, newest
    expect(page.locator("#now-call")).to_have_attribute("data-ticket", "A001")
    page.wait_for_function(
        "() => window.__spoken.length >= 4 && window.__spoken[3].end", timeout=30_000
    )
    spoken = page.evaluate("window.__spoken")
    assert [s["text"] for s in spoken] == [
        "请 A 零 零 一 号，到 1 号窗口",
        "请 A 零 零 二 号，到 2 号窗口",
        "请 A 零 零 三 号，到 3 号窗口",
        "请 A 零 零 一 号，到 1 号窗口",
    ]
    for before, after in itertools.pairwise(spoken):
        assert after["start"] >= before["end"], "two calls overlapped"
    assert page.locator("#unlock").is_hidden()


def test_a_board_read_ahead_of_its_stream_speaks_every_call_in_order(
    live: ThreadedServer, hall: HallClient, new_page: Any
) -> None:
    """A board's own read may show calls its stream (written to boards in batches) has not
    brought yet; the stream still speaks them, in their order, and each once."""
    for _ in range(2):
        hall.issue(["M-SBK"])
    page = open_board(new_page, live, spy=SPY)
    events = live.service.events
    wait_until(lambda: not events.gathering)  # the issues' batch written
    events.batch_s = 1.0  # from the next event on, the stream to boards a second behind
    hall.issue(["M-SBK"])  # goes at once, and a batch begins: the calls below wait in it
    hall.call_next(1)
    hall.call_next(2)
    hall.recall(1)  # the board's read shows A001's latest call only
    page.evaluate("hallDisplay.onEvent('queue_changed', {})")  # the board reads now
    page.wait_for_function(
        "() => window.__spoken.length >= 3 && window.__spoken[2].end", timeout=30_000
    )
    spoken = [s["text"] for s in page.evaluate("window.__spoken")]
    assert spoken == [
        "请 A 零 零 一 号，到 1 号窗口",
        "请 A 零 零 二 号，到 2 号窗口",
        "请 A 零 零 一 号，到 1 号窗口",
    ]


def test_blocked_speech_asks_for_a_click_and_then_speaks(
    live: ThreadedServer, hall: HallClient, new_page: Any
) -> None:
    hall.issue(["M-SBK"])
    page = open_board(new_page, live, spy=BLOCKED)
    hall.call_next(1)
    unlock = page.locator("#unlock")
    expect(unlock).to_be_visible()
    expect(unlock).to_have_text("点击此处开启语音播报")
    unlock.click()
    expect(unlock).to_be_hidden()
    page.wait_for_function("() => window.__spoken.length >= 1 && window.__spoken[0].end")
    assert page.evaluate("window.__spoken[0].text") == "请 A 零 零 一 号，到 1 号窗口"


# a browser without a Chinese voice: audio elements recorded, each "played" in 200 ms
NO_VOICE = """
window.__played = [];
speechSynthesis.getVoices = () => [{lang: "en-US", name: "en", voiceURI: "en"}];
speechSynthesis.speak = () => { throw new Error("no Chinese voice: must not be used"); };
HTMLMediaElement.prototype.play = function () {
  window.__played.push(new URL(this.src).pathname);
  setTimeout(() => this.dispatchEvent(new Event("ended")), 200);
  return Promise.resolve();
};
"""


def test_without_a_chinese_voice_the_board_plays_the_servers(
    live: ThreadedServer, hall: HallClient, new_page: Any
) -> None:
    if not shutil.which("espeak-ng"):
        missing("espeak-ng")
    hall.issue(["M-SBK"])
    page = open_board(new_page, live, spy=NO_VOICE)
    hall.call_next(3)
    page.wait_for_function("() => window.__played.length >= 1")
    assert page.evaluate("window.__played") == ["/api/voice/A001/3.wav"]
    got = page.evaluate("fetch('/api/voice/A001/3.wav').then(r => r.headers.get('content-type'))")
    assert got == "audio/wav"


def test_the_display_recovers_after_a_server_restart(
    live: ThreadedServer, hall: HallClient, new_page: Any
) -> None:
    hall.issue(["M-SBK"])
    hall.issue(["M-SBK"])
    page = open_board(new_page, live, spy=SPY)
    live.stop()
    expect(page.locator("html")).to_have_attribute("data-link", "down")
    expect(page.locator("#link")).to_have_text("正在重新连接…")
    live.start()  # the same port and database
    expect(page.locator("html")).to_have_attribute("data-link", "up", timeout=15_000)
    with HallClient(live.url) as c:
        c.sign_in("boss", "s3cret-pass")
        c.call_next(1)
    expect(page.locator("#now-call")).to_have_attribute("data-ticket", "A001")
    expect(page.locator("#waiting-total")).to_have_text("1")


def test_calls_made_while_the_board_was_disconnected_are_spoken_once_in_order(
    live: ThreadedServer, hall: HallClient, new_page: Any
) -> None:
    for _ in range(4):
        hall.issue(["M-SBK"])
    hall.call_next(1)  # on the board when it opens: shown, not spoken
    page = open_board(new_page, live, spy=SPY)
    expect(page.locator("#now-call")).to_have_attribute("data-ticket", "A001")
    live.stop()
    expect(page.locator("html")).to_have_attribute("data-link", "down")
    # calls made while the server is down (another server's clerks, the same database)
    store = live.open_store()
    try:
        store.call_next(2)
        store.call_next(3)
        store.recall(1)
    finally:
        store.dispose()
    assert page.evaluate("window.__spoken.length") == 0
    live.start()  # the same port and database
    expect(page.locator("html")).to_have_attribute("data-link", "up", timeout=15_000)
    expect(page.locator("#recent li").nth(0)).to_contain_text("A001")  # the recall, newest
    page.wait_for_function(
        "() => window.__spoken.length >= 3 && window.__spoken[2].end", timeout=30_000
    )
    # the stream's event for a call already spoken after the refetch: not spoken again
    page.evaluate(
        """() => {
        const c = hallDisplay.state.recent.find((r) => r.ticket === "A003");
        hallDisplay.onEvent("ticket_called", {kind: "called", ...c});
        }"""
    )
    with HallClient(live.url) as c:  # a call after the reconnection: spoken after them
        c.sign_in("boss", "s3cret-pass")
        c.recall(2)
    page.wait_for_function(
        "() => window.__spoken.length >= 4 && window.__spoken[3].end", timeout=30_000
    )
    page.wait_for_timeout(1500)  # nothing more comes
    spoken = page.evaluate("window.__spoken")
    assert [s["text"] for s in spoken] == [
        "请 A 零 零 二 号，到 2 号窗口",
        "请 A 零 零 三 号，到 3 号窗口",
        "请 A 零 零 一 号，到 1 号窗口",  # the recall made during the outage
        "请 A 零 零 二 号，到 2 号窗口",
    ]
    for before, after in itertools.pairwise(spoken):
        assert after["start"] >= before["end"], "two calls overlapped"


def test_the_status_page_shows_the_position_falling_then_the_window(
    live: ThreadedServer, hall: HallClient, new_page: Any
) -> None:
    for _ in range(2):
        hall.issue(["M-SBK"])
    mine = hall.issue(["M-SBK"])
    page = new_page(390, 844)
    page.goto(f"{live.url}/t/{mine.token}")
    expect(page.locator("#number")).to_have_text("A003")
    expect(page.locator("#matters")).to_contain_text("社会保障卡申领")
    ahead = page.locator("#ahead")
    expect(ahead).to_have_text("2")
    hall.call_next(1)
    expect(ahead).to_have_text("1")
    hall.call_next(2)
    expect(ahead).to_have_text("0")
    hall.call_next(3)
    go = page.locator("#go")
    expect(go).to_be_visible()
    expect(go).to_contain_text("请到 3 号窗口")
    expect(page.locator("#badge")).to_have_text("已叫号")
    shot(page, "status-called-390x844")
    hall.start(3)
    hall.finish(3, "completed")
    expect(page.locator("#badge")).to_have_text("已办结")
    expect(go).to_be_hidden()


def test_screenshots_of_each_page_at_tv_and_phone_size(
    live: ThreadedServer, hall: HallClient, new_page: Any
) -> None:
    """The pages as a person sees them (test-artifacts/web/*.png), loading nothing but
    the hall server's own files."""
    tickets = [hall.issue(["M-SBK"]) for _ in range(6)]
    hall.issue(["M-GT"])  # 企业开办: another class
    for w in (1, 2, 3):
        hall.call_next(w)
    hall.start(1)
    hall.finish(1, "completed")
    hall.call_next(1)
    hall.start(2)
    outside: list[str] = []
    for (width, height), lang in itertools.product(((1920, 1080), (390, 844)), ("zh", "en")):
        board = open_board(new_page, live, width=width, height=height, query=f"?lang={lang}")
        board.on("request", lambda r: r.url.startswith(live.url) or outside.append(r.url))
        expect(board.locator("#now-call")).to_have_attribute("data-ticket", "A004")
        expect(board.locator("#waiting-total")).to_have_text("3")
        shot(board, f"display-{width}x{height}-{lang}")
        slip = new_page(width, height)
        slip.on("request", lambda r: r.url.startswith(live.url) or outside.append(r.url))
        slip.goto(f"{live.url}/t/{tickets[5].token}?lang={lang}")
        expect(slip.locator("#ahead")).to_have_text("1")
        shot(slip, f"status-waiting-{width}x{height}-{lang}")
    for lang, says in (("zh", "此号票已失效或不存在"), ("en", "no longer valid")):
        gone = new_page(390, 844)
        gone.goto(f"{live.url}/t/not-a-real-token-at-all?lang={lang}")
        expect(gone.locator("#gone")).to_contain_text(says)
        shot(gone, f"status-invalid-390x844-{lang}")
    assert not outside, outside


def test_a_refused_board_waits_its_retry_after_then_connects(
    live: ThreadedServer, new_page: Any
) -> None:
    live.stop()
    live.streams = StreamCaps(per_address=1, retry_after_s=2)  # one board from an address
    live.start()
    held = socket.create_connection(("127.0.0.1", live.port), timeout=30)
    held.sendall(b"GET /api/events HTTP/1.1\r\nHost: hall\r\n\r\n")
    first = b""
    while b"event: snapshot" not in first:
        first += held.recv(4096)
    assert first.startswith(b"HTTP/1.1 200")
    asked: list[tuple[float, str]] = []
    page = new_page(spy=SPY)
    page.on(
        "request",
        lambda r: (
            asked.append((time.monotonic(), r.resource_type))
            if r.url.endswith("/api/events")
            else None
        ),
    )
    with page.expect_response(
        lambda r: r.url.endswith("/api/events") and r.request.resource_type == "fetch"
    ) as probe:
        page.goto(f"{live.url}/display")
    assert probe.value.status == 503 and probe.value.headers["retry-after"] == "2"
    expect(page.locator("html")).to_have_attribute("data-link", "down")
    expect(page.locator("#link")).to_have_text("正在重新连接…")
    held.close()  # the slot is free: the board comes in after its Retry-After
    expect(page.locator("html")).to_have_attribute("data-link", "up", timeout=20_000)
    kinds = [kind for _, kind in asked]
    assert kinds[:2] == ["eventsource", "fetch"], kinds  # refused; then asked why
    again = next(t for t, kind in asked[2:] if kind == "eventsource")
    assert again - asked[1][0] >= 2.0  # not before Retry-After
