"""The command's settings: flags over ``QUEUE_APP_*`` variables over defaults; bad values
named by their flag or variable; ``serve --public-url`` on the slip; ``demo --port``."""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from queue_app.cli import app, public_url_of
from queue_app.cli_settings import BadSettings, load
from queue_app.client import AsyncHallClient
from queue_app.demo_live import EmbeddedServer
from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.server import create_app
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from queue_app.tui.app import HallApp
from queue_app.tui.desk import DeskScreen, SlipScreen
from queue_app.tui.widgets import qr_text
from tests.conftest import FIXTURES, Clock, hall_file
from tests.server.live import LiveServer, sqlite_url
from tests.tui.helpers import on, text_of, until
from tests.tui.inprocess import PW, URL, InProcessHall

PUBLIC = "http://192.168.1.10:8600"  # where the citizens' phones reach the hall server


def cli(*args: str, env: dict[str, str] | None = None) -> Any:
    """The command in this process, on the mini catalog; no QUEUE_APP_* of the caller's."""
    base = {
        "QUEUE_APP_CATALOG": str(FIXTURES / "mini_catalog.yaml"),
        "QUEUE_APP_HALL": str(FIXTURES / "mini_hall.yaml"),
        "COLUMNS": "200",
    }
    return CliRunner().invoke(app, list(args), env={**base, **(env or {})})


@pytest.fixture(autouse=True)
def _no_caller_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DB", "LANG", "PORT", "HOST", "PUBLIC_URL", "SERVER", "USER", "RETRY_FOR"):
        monkeypatch.delenv(f"QUEUE_APP_{name}", raising=False)


# ------------------------------------------------------------------ precedence
def test_a_flag_wins_over_its_variable_which_wins_over_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    defaults = load({})
    assert (defaults.port, defaults.host, defaults.lang, defaults.retry_for) == (
        None,
        "127.0.0.1",
        "zh",
        30.0,
    )
    monkeypatch.setenv("QUEUE_APP_PORT", "9000")
    monkeypatch.setenv("QUEUE_APP_PUBLIC_URL", "https://hall.example.cn/")
    monkeypatch.setenv("QUEUE_APP_LANG", "en")
    monkeypatch.setenv("QUEUE_APP_RETRY_FOR", "5")
    env = load({})
    assert (env.port, env.public_url, env.lang, env.retry_for) == (
        9000,
        "https://hall.example.cn",  # without its trailing slash
        "en",
        5.0,
    )
    flags = load({"port": "8700", "public_url": PUBLIC, "lang": "zh", "retry_for": "0"})
    assert (flags.port, flags.public_url, flags.lang, flags.retry_for) == (8700, PUBLIC, "zh", 0)
    monkeypatch.setenv("QUEUE_APP_DB", "")  # empty: as if not set
    assert load({}).db is None


def test_the_database_flag_wins_over_the_variable_in_a_command(tmp_path: Path) -> None:
    env_db, flag_db = (f"sqlite:///{tmp_path / name}" for name in ("env.db", "flag.db"))
    r = cli("--lang", "en", "db", "upgrade", env={"QUEUE_APP_DB": env_db})
    assert r.exit_code == 0 and r.output.startswith(f"{env_db}: created"), r.output
    r = cli("--lang", "en", "--db", flag_db, "db", "upgrade", env={"QUEUE_APP_DB": env_db})
    assert r.exit_code == 0 and r.output.startswith(f"{flag_db}: created"), r.output
    assert (tmp_path / "env.db").exists() and (tmp_path / "flag.db").exists()


def test_the_language_flag_wins_over_the_variable() -> None:
    r = cli("catalog", "stats", env={"QUEUE_APP_LANG": "en"})
    assert r.exit_code == 0 and "departments: 4" in r.output, r.output
    r = cli("--lang", "zh", "catalog", "stats", env={"QUEUE_APP_LANG": "en"})
    assert r.exit_code == 0 and "部门：4" in r.output, r.output


# ------------------------------------------------------------------ bad values
URL_EXPECTED = "a URL such as http://192.168.1.10:8600 (http:// or https:// and a host)"
PORT_EXPECTED = "a port number from 1 to 65535"
BAD = [
    (("serve", "--port", "abc"), {}, "--port", PORT_EXPECTED, "'abc'"),
    (("serve", "--port", "70000"), {}, "--port", PORT_EXPECTED, "'70000'"),
    (("serve",), {"QUEUE_APP_PORT": "0"}, "QUEUE_APP_PORT", PORT_EXPECTED, "'0'"),
    (("serve", "--public-url", "hall.example.cn"), {}, "--public-url", URL_EXPECTED, None),
    (("serve", "--public-url", "ftp://hall"), {}, "--public-url", URL_EXPECTED, None),
    (("serve",), {"QUEUE_APP_PUBLIC_URL": "http://"}, "QUEUE_APP_PUBLIC_URL", URL_EXPECTED, None),
    (("demo", "--port", "-1"), {}, "--port", PORT_EXPECTED, "'-1'"),
    (
        ("--retry-for", "soon", "day", "status"),
        {},
        "--retry-for",
        "a number of seconds, 0 or more",
        "'soon'",
    ),
    (("--server", "127.0.0.1:8600", "day", "status"), {}, "--server", URL_EXPECTED, None),
    (("day", "status"), {"QUEUE_APP_SERVER": "hall:8600"}, "QUEUE_APP_SERVER", URL_EXPECTED, None),
    (
        ("serve",),
        {"QUEUE_APP_EVENT_STREAMS": "0"},
        "QUEUE_APP_EVENT_STREAMS",
        "a whole number, 1 or more",
        "'0'",
    ),
]


@pytest.mark.parametrize(("args", "env", "source", "expected", "got"), BAD)
def test_a_bad_value_is_one_line_naming_its_flag_or_variable(
    tmp_path: Path,
    args: tuple[str, ...],
    env: dict[str, str],
    source: str,
    expected: str,
    got: str | None,
) -> None:
    db = tmp_path / "hall.db"
    r = cli("--lang", "en", "--db", f"sqlite:///{db}", *args, env=env)
    assert r.exit_code == 2, r.output
    lines = r.output.splitlines()
    assert len(lines) == 1 and "Traceback" not in r.output, r.output
    assert lines[0].startswith(f"error: {source}: expected {expected}; got "), lines[0]
    if got is not None:
        assert lines[0].endswith(f"got {got}"), lines[0]
    assert not db.exists()  # refused before anything was opened
    r = cli("--db", f"sqlite:///{db}", *args, env=env)  # the same, in Chinese
    assert r.exit_code == 2 and r.output.startswith(f"错误：{source}：应为 "), r.output


@pytest.mark.parametrize(
    ("args", "env", "source"),
    [
        (("--lang", "fr", "catalog", "stats"), {}, "--lang"),
        (("catalog", "stats"), {"QUEUE_APP_LANG": "de"}, "QUEUE_APP_LANG"),
        (("desk", "--lang", "jp"), {}, "--lang"),
    ],
)
def test_an_unknown_language_is_said_in_the_default_one(
    args: tuple[str, ...], env: dict[str, str], source: str
) -> None:
    r = cli(*args, env=env)
    assert r.exit_code == 2, r.output
    given = next(v for v in (*args, *env.values()) if v in ("fr", "de", "jp"))
    assert r.output == f"错误：{source}：应为 zh 或 en；收到 '{given}'\n"


def test_a_port_in_use_is_said_before_the_server_or_the_demo_starts(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        db = hall_file(tmp_path / "hall.db")
        for args in (("serve", "--port", port), ("demo", "--port", port)):
            r = cli("--lang", "en", "--db", db, *args)
            assert r.exit_code == 2, r.output
            assert r.output.startswith(f"error: cannot listen on 127.0.0.1:{port}: "), r.output
            assert "Traceback" not in r.output


# ------------------------------------------------------------- the public URL
@pytest.fixture()
def public_hall(
    tmp_path: Path, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> Iterator[InProcessHall]:
    """The mini hall's app in this process, served as ``serve --public-url PUBLIC``."""
    store = Store(f"sqlite:///{tmp_path / 'hall.db'}", mini_catalog, mini_hall, clock=clock)
    for username, role in (("boss", "manager"), ("d1", "desk")):
        add_staff(store, username, Role(role), PW)
    hall = InProcessHall(store, clock, create_app(store, public_url=PUBLIC))
    try:
        yield hall
    finally:
        hall.app.state.service.close()
        store.dispose()


@pytest.fixture()
async def running(public_hall: InProcessHall) -> AsyncIterator[InProcessHall]:
    async with public_hall.running():
        yield public_hall


@pytest.fixture()
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_a_desk_prints_the_servers_public_url_on_the_slip(running: InProcessHall) -> None:
    """The desk reaches the server at one address (here URL); the slip's QR code takes the
    citizen's phone to the address the server was given."""
    public = await public_url_of(running.client(), URL)
    assert public == PUBLIC
    async with running.signed_in("boss") as boss:
        await boss.open_window(1)
    desk = HallApp(
        running.client(), "desk", public_url=public, clock=running.clock, username="d1", password=PW
    )
    async with desk.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: on(desk, DeskScreen, "#hits"))
        await pilot.press(*"sbk")
        await until(pilot, lambda: desk.screen.query_one("#hits").option_count > 0)  # type: ignore[attr-defined]
        await pilot.press("enter", "f2")
        await until(pilot, lambda: on(desk, SlipScreen, "#qr"))
        token = desk.screen.issued.token  # type: ignore[attr-defined]
        assert text_of(desk, "#qr") == text_of_qr(f"{PUBLIC}/t/{token}")
        assert text_of(desk, "#qr") != text_of_qr(f"{URL}/t/{token}")


def text_of_qr(url: str) -> str:
    """A QR code of ``url`` as ``text_of`` reads the slip's."""
    import io

    from rich.console import Console

    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(qr_text(url))
    return console.export_text()


@pytest.mark.anyio
async def test_without_a_public_url_the_slip_links_where_the_desk_connects(
    tmp_path: Path, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'hall.db'}", mini_catalog, mini_hall, clock=clock)
    hall = InProcessHall(store, clock, create_app(store))
    try:
        assert await public_url_of(hall.client(), URL) == URL
    finally:
        hall.app.state.service.close()
        store.dispose()


@pytest.mark.anyio
async def test_serve_tells_the_terminals_its_public_url(tmp_path: Path) -> None:
    server = LiveServer(sqlite_url(tmp_path), serve_args=("--public-url", PUBLIC + "/"))
    server.start()
    try:
        health = httpx.get(f"{server.url}/api/health", timeout=5).json()
        client = AsyncHallClient(server.url, retry_for=0)
        said = await public_url_of(client, server.url)
    finally:
        server.stop()
    assert health["public_url"] == PUBLIC and said == PUBLIC
    assert f"slips link to {PUBLIC}" in server.output() or "号票链接指向" in server.output()


# -------------------------------------------------------------------- the demo
def test_the_embedded_server_listens_on_the_port_given(
    tmp_path: Path, mini_catalog: Catalog, mini_hall: Hall
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    store = Store(f"sqlite:///{tmp_path / 'demo.db'}", mini_catalog, mini_hall)
    try:
        with EmbeddedServer(store, port) as server:
            assert server.url == f"http://127.0.0.1:{port}"
            assert httpx.get(f"{server.url}/api/health", timeout=5).status_code == 200
    finally:
        store.dispose()


DEMO = [sys.executable, "-m", "queue_app", "demo"]


def test_demo_port_through_a_real_terminal(tmp_path: Path) -> None:
    """``queue-app demo --port P`` in tmux: the demo's hall answers on P."""
    import shutil

    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    from tests.tui.test_tmux import Tmux

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    tmux = Tmux()
    try:
        tmux.open(
            "demo",
            [*DEMO, "--port", str(port), "--tickets", "20", "--days", "0"],  # no past days here
            {"PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        )
        answered = None
        deadline = time.monotonic() + 90  # the demo seeds its morning first
        while answered is None and time.monotonic() < deadline:
            try:
                answered = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1)
            except httpx.TransportError:
                time.sleep(0.1)  # asked again until it answers
        assert answered is not None and answered.status_code == 200, tmux.screen("demo")
        tmux.wait_for("demo", lambda text: "demo-pass" in text)  # the role picker shows
    finally:
        tmux.close()


def test_bad_settings_raise_with_every_problem() -> None:
    with pytest.raises(BadSettings) as caught:
        load({"port": "x", "lang": "fr"})
    assert [p[0] for p in caught.value.problems] == ["--lang", "--port"]
