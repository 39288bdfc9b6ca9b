"""`queue-app history seed`: past days played through the store into the hall's database,
what it did said in one line; a bad --days or --until and days held already are one line
each, with nothing changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from queue_app.cli import app
from tests.conftest import FIXTURES, hall_file, midday_hall

DEMAND = {
    "demand": {"name": "mini"},
    "arrivals": {"per_hour": {"09:00": 4, "17:00": 0}},
    "mix": {"社保": 3, "企业开办": 1},
    "no_show": {"rate": 0.1},
}


def cli(tmp_path: Path, *args: str) -> Any:
    demand = tmp_path / "demand.yaml"
    demand.write_text(yaml.safe_dump(DEMAND, allow_unicode=True), encoding="utf-8")
    env = {
        "QUEUE_APP_CATALOG": str(FIXTURES / "mini_catalog.yaml"),
        "QUEUE_APP_HALL": str(midday_hall(tmp_path)),
        "QUEUE_APP_DB": f"sqlite:///{tmp_path / 'hall.db'}",
        "COLUMNS": "200",
    }
    return CliRunner().invoke(app, ["--lang", "en", *args, "--demand", str(demand)], env=env)


def test_seed_plays_the_days_and_refuses_them_a_second_time(tmp_path: Path) -> None:
    hall_file(tmp_path / "hall.db")
    old = cli(tmp_path, "history", "seed", "--days", "1", "--until", "2026-01-06")
    assert old.exit_code == 0, old.output
    assert "1 days played (2026-01-05 to 2026-01-05)" in old.output
    assert "tickets/s" in old.output
    done = cli(tmp_path, "--json", "history", "seed", "--days", "2", "--seed", "3")  # later on
    assert done.exit_code == 0, done.output
    said = json.loads(done.stdout)
    assert said["days"] == 2 and said["tickets"] > 10 and said["first"] < said["last"]
    before = (tmp_path / "hall.db").read_bytes()
    again = cli(tmp_path, "history", "seed", "--days", "1")
    assert again.exit_code == 1 and again.output.count("\n") == 1, again.output
    assert "refused (history_days_taken)" in again.output and said["last"] in again.output
    earlier = cli(tmp_path, "history", "seed", "--days", "1", "--until", said["first"])
    assert earlier.exit_code == 1 and "refused (hall_in_use)" in earlier.output
    assert (tmp_path / "hall.db").read_bytes() == before


def test_a_bad_days_or_until_is_one_line_and_changes_nothing(tmp_path: Path) -> None:
    for args in (
        ("--days", "0"),
        ("--days", "x"),
        ("--days", "99999"),
        ("--days", "2", "--until", "yesterday"),
        ("--days", "2", "--until", "2999-01-01"),
    ):
        r = cli(tmp_path, "history", "seed", *args)
        assert r.exit_code == 2 and r.output.count("\n") == 1 and "expected" in r.output, r.output
    assert not (tmp_path / "hall.db").exists()
