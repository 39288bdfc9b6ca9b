"""``queue-app notices receive``: a receiver that checks signatures and prints what it
gets; and the demo's own receiver, which the first hall's notices are pointed at."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from queue_app.demo_live import DEMO_SECRET_ENV, DEMO_SENDER, demo_receiver, with_demo_sender
from queue_app.domain.hall import Hall
from queue_app.domain.webhook_signature import DELIVERY, SIGNATURE, TIMESTAMP, signature
from tests.conftest import REPO
from tests.server.live import free_port

SECRET = "receiver-secret"
RECEIVE = (sys.executable, "-m", "queue_app", "--lang", "en", "notices", "receive")


def signed(body: dict, secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body, ensure_ascii=False).encode()
    stamp = str(int(time.time()))
    return raw, {
        DELIVERY: body["delivery_id"],
        TIMESTAMP: stamp,
        SIGNATURE: signature(secret, stamp, raw),
    }


NOTICE = {
    "delivery_id": "abc123",
    "kind": "called",
    "masked": "138****1234",
    "to": "13812341234",
    "text": "【测试大厅】请 A001 号到 1 号窗口办理。",
}


def test_the_receive_command_checks_signatures_and_prints_each_delivery_once() -> None:
    port = free_port()
    env = {**os.environ, "MY_SECRET": SECRET, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [*RECEIVE, "--port", str(port), "--secret-env", "MY_SECRET"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/notices" in first, first
        url = f"http://127.0.0.1:{port}/notices"
        raw, headers = signed(NOTICE)
        assert httpx.post(url, content=raw, headers=headers).status_code == 200
        assert httpx.post(url, content=raw, headers=headers).status_code == 200  # again: once
        forged, bad = signed(NOTICE, "not-the-secret")
        assert httpx.post(url, content=forged, headers=bad).status_code == 401
        line = proc.stdout.readline()
        assert line.rstrip("\n") == f"abc123  called  138****1234  {NOTICE['text']}"
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=15)
    assert "abc123" not in out  # printed once


def test_the_receive_command_without_its_secret_says_so() -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_SUCH_SECRET"}
    r = subprocess.run(
        [*RECEIVE, "--secret-env", "NO_SUCH_SECRET"],
        cwd=REPO,
        env={**env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert "the environment variable NO_SUCH_SECRET holds no secret" in r.stderr


def test_the_demo_points_the_first_hall_at_its_own_receiver(
    tmp_path: Path, mini_hall: Hall, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DEMO_SECRET_ENV, raising=False)
    log = tmp_path / "notices.log"
    receiver = demo_receiver(log)
    try:
        hall = with_demo_sender(mini_hall, receiver.url)
        sender = hall.notices.senders[DEMO_SENDER]
        assert (sender.url, sender.secret_env) == (receiver.url, DEMO_SECRET_ENV)
        secret = os.environ[DEMO_SECRET_ENV]  # made for the run
        raw, headers = signed(NOTICE, secret)
        assert httpx.post(receiver.url, content=raw, headers=headers).status_code == 200
        assert log.read_text(encoding="utf-8").split("\t") == [
            "called",
            "13812341234",
            NOTICE["text"] + "\n",
        ]
        assert with_demo_sender(hall, "http://elsewhere/") is hall  # a file's own senders
    finally:
        receiver.stop()
