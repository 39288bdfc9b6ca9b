"""A terminal against a real ``queue-app serve`` process: what only a network can show."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import DataTable

from queue_app.client import AsyncHallClient, HallClient
from queue_app.tui.app import HallApp
from queue_app.tui.clerk import ClerkScreen
from tests.server.live import LiveServer, sqlite_url
from tests.tui.helpers import on, text_of, until

pytestmark = pytest.mark.anyio
PW = "s3cret-pass"
SIZE = (120, 36)


@pytest.fixture()
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(sqlite_url(tmp_path))
    server.add_accounts((("boss", "manager"), ("c1", "clerk")), PW)
    yield server.start()
    server.stop()


async def test_offline_banner_then_recovery(live: LiveServer) -> None:
    with HallClient(live.url) as boss:
        boss.sign_in("boss", PW)
        boss.open_window(1)
    app = HallApp(
        AsyncHallClient(live.url),
        "clerk",
        public_url=live.url,
        window=1,
        username="c1",
        password=PW,
    )
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, ClerkScreen, "#figures"))
        banner = app.screen.query_one("OfflineBanner")
        await until(pilot, lambda: "1 号窗口" in text_of(app, "#figures"))
        assert not banner.has_class("-offline")
        live.stop()
        await until(pilot, lambda: banner.has_class("-offline"))
        assert "1 号窗口" in text_of(app, "#figures")  # the last state stays visible
        live.start()
        await until(pilot, lambda: not banner.has_class("-offline"), 15)
        with HallClient(live.url) as c:
            c.sign_in("boss", PW)
            c.issue(["M-SBK"])
        line = app.screen.query_one("#line", DataTable)
        await until(pilot, lambda: line.row_count == 1)
