"""``queue-app serve`` as a real uvicorn process on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import FIXTURES, REPO


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_on_loopback_and_keeps_state_across_a_restart(tmp_path: Path) -> None:
    port = free_port()
    db = f"sqlite:///{tmp_path / 'hall.db'}"
    env = {
        **os.environ,
        "QUEUE_APP_CATALOG": str(FIXTURES / "mini_catalog.yaml"),
        "QUEUE_APP_HALL": str(FIXTURES / "mini_hall.yaml"),
    }
    cmd = [sys.executable, "-m", "queue_app", "serve", "--port", str(port), "--db", db]
    base = f"http://127.0.0.1:{port}"

    def start() -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    return proc
            except httpx.TransportError:
                time.sleep(0.1)
        proc.kill()
        raise AssertionError(f"server did not start: {proc.communicate()[1].decode()}")

    add = subprocess.run(
        [
            sys.executable,
            "-m",
            "queue_app",
            "--db",
            db,
            "staff",
            "add",
            "boss",
            "--role",
            "manager",
            "--password",
            "s3cret-pass",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert add.returncode == 0, add.stderr

    def signed_in(c: httpx.Client) -> httpx.Client:
        r = c.post("/api/auth/sign-in", json={"username": "boss", "password": "s3cret-pass"})
        c.headers["Authorization"] = f"Bearer {r.json()['token']}"
        return c

    proc = start()
    try:
        with httpx.Client(base_url=base, timeout=10) as c:
            signed_in(c)
            assert c.post("/api/windows/1/open").status_code == 200
            assert c.post("/api/tickets", json={"matters": ["M-SBK"]}).status_code == 201
            assert c.get("/docs").status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    proc = start()
    try:
        with httpx.Client(base_url=base, timeout=10) as c:
            signed_in(c)
            called = c.post("/api/windows/1/call-next").json()["ticket"]
            assert called["number"] == "A001"
    finally:
        proc.terminate()
        proc.wait(timeout=15)
