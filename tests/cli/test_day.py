"""`queue-app day close [DAY]` and `day open-late HH:MM` on a real SQLite file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from queue_app.cli import app
from tests.conftest import FIXTURES, hall_file, midday_hall


def cli(tmp_path: Path, *args: str) -> Any:
    env = {
        "QUEUE_APP_CATALOG": str(FIXTURES / "mini_catalog.yaml"),
        "QUEUE_APP_HALL": str(midday_hall(tmp_path)),
        "COLUMNS": "200",
    }
    db = f"sqlite:///{tmp_path / 'hall.db'}"
    return CliRunner().invoke(app, ["--lang", "en", "--db", db, *args], env=env)


def test_open_late_and_close_a_day(tmp_path: Path) -> None:
    hall_file(tmp_path / "hall.db")
    late = cli(tmp_path, "day", "open-late", "23:59")
    assert late.exit_code == 0, late.output
    assert "issuing open until 23:59" in late.output
    assert cli(tmp_path, "ticket", "issue", "M-SBK").exit_code == 0
    closed = cli(tmp_path, "day", "close")
    assert closed.exit_code == 0 and "1 ticket(s) expired" in closed.output
    again = cli(tmp_path, "day", "close", "2001-01-01")  # a past day nobody worked
    assert again.exit_code == 0 and "0 ticket(s) expired" in again.output


def test_bad_days_and_times_are_one_line_and_change_nothing(tmp_path: Path) -> None:
    for args in (("day", "close", "yesterday"), ("day", "open-late", "25:00")):
        r = cli(tmp_path, *args)
        assert r.exit_code == 2 and r.output.count("\n") == 1 and "expected" in r.output
    assert not (tmp_path / "hall.db").exists()
