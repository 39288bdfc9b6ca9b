"""Password guessing against a real ``queue-app serve`` (Argon2id at the OWASP level, as a
hall runs it): a 429 arrives, and while the guessing goes on the hall's call-next keeps its
pace (median within 2x of the quiet one, both measured in this run, quiet and flooded
stretches taking turns so the machine's other load falls on both alike). The flooded
stretches begin once the guessers are refused: the few guesses checked before the lock
(some 20 hashes) are a burst that ``bench/sign_in_flood.py``, with 150 calls, measures."""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.server.live import LiveServer, sqlite_url

pytestmark = pytest.mark.slow
PW = "flood-pass-1"
GUESSERS, CALLS, ROUNDS = 16, 15, 2  # per stretch; quiet and flooded stretches alternate


def timed_calls(c: httpx.Client, calls: int) -> list[float]:
    """``calls`` call-next at window 1 (each then started and finished), their seconds."""
    took = []
    for _ in range(calls):
        start = time.perf_counter()
        r = c.post("/api/windows/1/call-next")
        took.append(time.perf_counter() - start)
        assert r.status_code == 200, r.text
        c.post("/api/windows/1/start").raise_for_status()
        c.post("/api/windows/1/finish", json={"outcome": "completed"}).raise_for_status()
    return took


@contextmanager
def guessing(url: str, answers: Counter[int]) -> Iterator[threading.Event]:
    """``GUESSERS`` threads posting wrong passwords for the manager as fast as answered;
    the event is set once one was refused (429)."""
    stop, refused = threading.Event(), threading.Event()
    lock = threading.Lock()

    def guess() -> None:
        with httpx.Client(base_url=url, timeout=60) as g:
            n = 0
            while not stop.is_set():
                n += 1
                body = {"username": "boss", "password": f"guess-{n:08d}"}
                code = g.post("/api/auth/sign-in", json=body).status_code
                with lock:
                    answers[code] += 1
                if code == 429:
                    refused.set()

    threads = [threading.Thread(target=guess, daemon=True) for _ in range(GUESSERS)]
    for t in threads:
        t.start()
    try:
        yield refused
    finally:
        stop.set()
        for t in threads:
            t.join(120)


@contextmanager
def signed_in(url: str, username: str, window: int | None = None) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=60) as c:
        body = {"username": username, "password": PW, "window": window}
        r = c.post("/api/auth/sign-in", json=body)
        c.headers["Authorization"] = f"Bearer {r.raise_for_status().json()['token']}"
        yield c


def test_guessing_gets_429s_and_leaves_the_hall_its_pace(tmp_path: Path) -> None:
    server = LiveServer(sqlite_url(tmp_path))
    server.add_staff("boss", "manager", PW)  # `queue-app staff add`: the OWASP level
    server.add_staff("clerk1", "clerk", PW)
    server.add_staff("desk1", "desk", PW)
    server.start()
    answers: Counter[int] = Counter()
    quiet: list[float] = []
    flooded: list[float] = []
    try:
        with (
            signed_in(server.url, "desk1") as desk,
            signed_in(server.url, "clerk1", window=1) as c,
        ):
            c.post("/api/windows/1/open").raise_for_status()
            for _ in range(2 * ROUNDS * CALLS):
                desk.post("/api/tickets", json={"matters": ["M-SBK"]}).raise_for_status()
            for _ in range(ROUNDS):
                quiet += timed_calls(c, CALLS)
                with guessing(server.url, answers) as refused:
                    assert refused.wait(120), f"no 429 while guessing: {dict(answers)}"
                    flooded += timed_calls(c, CALLS)
    finally:
        server.stop()
    ratio = statistics.median(flooded) / statistics.median(quiet)
    said = f"call-next p50 {ratio:.2f}x with {GUESSERS} guessers; answers {dict(answers)}"
    print("\n" + said)
    assert answers[429] > 0 and set(answers) <= {401, 429}, said
    assert ratio <= 2.0, said
