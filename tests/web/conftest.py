"""Web page fixtures: a real hall server, Debian's chromium driven by Playwright, the
in-process app for the public JSON, and where the screenshots go."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from queue_app.client import HallClient
from queue_app.domain.catalog import Catalog
from queue_app.loaders import load_hall_for
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from tests.conftest import FIXTURES, REPO, midday_timezone
from tests.server.conftest import anon, anyio_backend, api, app  # noqa: F401 (fixtures)
from tests.server.live import sqlite_url
from tests.server.threaded import ThreadedServer

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = REPO / "test-artifacts" / "web"  # screenshots, looked at by a person
PW = "s3cret-pass"


def missing(what: str) -> None:
    """CI installs what the web tests need (.ci/run): there a gap fails; elsewhere it skips."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing (.ci/run installs it)")
    pytest.skip(f"{what} is not installed")


def web_hall(directory: Path, windows: int = 3, **display: Any) -> Path:
    """The mini hall where it is about noon, with ``windows`` undifferentiated windows and
    the given ``display`` section."""
    data = yaml.safe_load((FIXTURES / "mini_hall.yaml").read_text(encoding="utf-8"))
    data["hall"]["timezone"] = midday_timezone()
    data["hours"]["weekdays"] = [1, 2, 3, 4, 5, 6, 7]  # tests run on any day of the week
    data["windows"] = [
        {"number": n, "name": "无差别综合窗口", "kind": "undifferentiated"}
        | {"serves": {"undifferentiated": True}}
        for n in range(1, windows + 1)
    ]
    data["display"] = display
    path = directory / "web_hall.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture()
def live(tmp_path: Path, mini_catalog: Catalog) -> Iterator[ThreadedServer]:
    """A real hall server on 127.0.0.1 (in a thread of this process, over its own SQLite
    file) with a manager and three open windows."""
    hall_file = web_hall(tmp_path, title="测试大厅 叫号")
    url = sqlite_url(tmp_path)
    store = Store(url, mini_catalog, load_hall_for(hall_file, mini_catalog))
    add_staff(store, "boss", Role.MANAGER, PW)
    for w in (1, 2, 3):
        store.open_window(w, actor="setup")
    store.dispose()
    server = ThreadedServer(url, mini_catalog, hall_file).start()
    yield server
    server.stop()


@pytest.fixture()
def hall(live: ThreadedServer) -> Iterator[HallClient]:
    """The API, signed in as the manager (who may operate every window)."""
    with HallClient(live.url) as c:
        c.sign_in("boss", PW)
        yield c


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless (one per test module: the sync API must not outlive
    the module, for the asyncio tests that follow in the same worker)."""
    if not Path(CHROMIUM).exists():
        missing(f"chromium ({CHROMIUM})")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright (the test extra)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture()
def new_page(browser: Any) -> Iterator[Any]:
    """Pages in a fresh context each; page errors fail the test."""
    contexts: list[Any] = []
    errors: list[str] = []

    def make(
        width: int = 1920, height: int = 1080, spy: str | None = None, locale: str = "zh-CN"
    ) -> Any:
        """A page; ``locale`` is the browser's language (Accept-Language and navigator)."""
        ctx = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        contexts.append(ctx)
        if spy:
            ctx.add_init_script(spy)
        page = ctx.new_page()
        page.set_default_timeout(10_000)
        page.on("pageerror", lambda e: errors.append(str(e)))
        return page

    yield make
    for ctx in contexts:
        ctx.close()
    assert not errors, errors


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    print(f"screenshot: {path}")
    return path
