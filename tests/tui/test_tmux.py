"""End to end in real terminals: ``queue-app serve``, a desk and a window terminal in tmux;
a ticket issued by keystrokes at the desk is called by keystrokes at the window, and each
screen is read back with ``tmux capture-pane``."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from queue_app.client import HallClient
from tests.conftest import REPO
from tests.server.live import ENV, LiveServer, sqlite_url

PW = "s3cret-pass"

if shutil.which("tmux") is None:
    if os.environ.get("CI"):
        pytest.fail("CI needs tmux (.ci/run installs it)", pytrace=False)
    pytest.skip("tmux is not installed", allow_module_level=True)


class Tmux:
    """Terminals on a tmux server of this test's own."""

    def __init__(self) -> None:
        self.socket = f"queue-app-{uuid.uuid4().hex[:8]}"

    def run(self, *args: str) -> str:
        r = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=20
        )
        assert r.returncode == 0, r.stderr
        return r.stdout

    def open(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        command = f"cd {shlex.quote(str(REPO))} && env {exports} {shlex.join(argv)}"
        self.run("new-session", "-d", "-s", name, "-x", "120", "-y", "36", command)

    def screen(self, name: str) -> str:
        return self.run("capture-pane", "-p", "-t", name)

    def wait_for(self, name: str, check: Callable[[str], bool], timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen(name)
            if check(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"{name} never showed what was expected:\n{text}")
            time.sleep(0.1)

    def keys(self, name: str, *keys: str) -> None:
        self.run("send-keys", "-t", name, *keys)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


@pytest.fixture()
def tmux() -> Iterator[Tmux]:
    t = Tmux()
    yield t
    t.close()


def test_a_ticket_issued_at_the_desk_is_called_at_the_window(tmp_path: Path, tmux: Tmux) -> None:
    server = LiveServer(sqlite_url(tmp_path))
    server.add_accounts([("d1", "desk"), ("c1", "clerk"), ("boss", "manager")], PW)
    server.start()
    try:
        with HallClient(server.url) as boss:
            boss.sign_in("boss", PW)
            boss.open_window(1)
        env = {
            **{k: ENV[k] for k in ("QUEUE_APP_CATALOG", "QUEUE_APP_HALL")},
            "QUEUE_APP_PASSWORD": PW,
            "TERM": "xterm-256color",
        }
        qa = [sys.executable, "-m", "queue_app"]
        # the server and account before the command, or after it: both forms work
        tmux.open("desk", [*qa, "desk", "--server", server.url, "--user", "d1"], env)
        tmux.open("window", [*qa, "--server", server.url, "--user", "c1", "window", "1"], env)

        tmux.wait_for("desk", lambda s: "搜索事项" in s and "等候 0" in s)
        tmux.keys("desk", "shbzk")  # 社会保障卡申领, by pinyin initials
        tmux.wait_for("desk", lambda s: "社会保障卡申领" in s)
        tmux.keys("desk", "Enter")
        tmux.wait_for("desk", lambda s: "尚未选择事项" not in s)  # chosen
        tmux.keys("desk", "F2")
        slip = tmux.wait_for("desk", lambda s: "取号凭条" in s)
        assert "A001" in slip and "前面 0 人" in slip

        tmux.wait_for("window", lambda s: "A001" in s)  # in its waiting line, live
        tmux.keys("window", "n")
        called = tmux.wait_for("window", lambda s: "A001  叫号中" in s)
        assert "社会保障卡申领" in called
        assert "┏━┓ ┏━┓ ┏━┓ ╺┓" in called  # the number in large type too
        tmux.keys("window", "s")
        tmux.wait_for("window", lambda s: "A001  办理中" in s)
    finally:
        server.stop()
