"""``queue-app serve --clock-start``: the server's clock starts at a given instant and runs
at real speed (for rehearsal and benchmarks)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from queue_app.client import HallClient
from tests.server.live import ENV, LiveServer, queue_app, sqlite_url

PW = "s3cret-pass"


def _hall_zone() -> ZoneInfo:
    hall = yaml.safe_load(Path(ENV["QUEUE_APP_HALL"]).read_text(encoding="utf-8"))
    return ZoneInfo(hall["hall"]["timezone"])


def test_serve_with_clock_start_runs_on_the_shifted_day(tmp_path: Path) -> None:
    start = dt.datetime(2031, 6, 2, 10, 30, tzinfo=_hall_zone())  # a Monday morning
    server = LiveServer(sqlite_url(tmp_path), serve_args=("--clock-start", start.isoformat()))
    server.add_staff("boss", "manager", PW)
    before = time.time()
    server.start()
    try:
        with HallClient(server.url) as c:
            assert c.health()["day"] == "2031-06-02"
            c.sign_in("boss", PW)
            issued = c.issue(["M-SBK"]).ticket
        elapsed = time.time() - before
        assert issued.day == "2031-06-02"
        # stamped on the shifted clock, which has run on at real speed since the start
        assert start.timestamp() <= issued.issued_at <= start.timestamp() + elapsed
    finally:
        server.stop()


def test_serve_refuses_a_clock_start_that_is_not_an_instant(tmp_path: Path) -> None:
    db = tmp_path / "hall.db"
    for bad in ("tomorrow", "2031-06-02T10:30", "2031-13-02T10:30+08:00"):
        r = queue_app("--lang", "en", "serve", "--db", f"sqlite:///{db}", "--clock-start", bad)
        assert r.returncode == 2, r.stdout + r.stderr
        assert r.stderr.strip().splitlines() == [
            "error: --clock-start: expected an instant with its UTC offset, e.g. "
            f"2026-12-01T10:30+08:00; got {bad!r}"
        ]
        assert not db.exists()  # refused before the database was touched
