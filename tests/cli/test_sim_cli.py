"""``queue-app simulate`` and ``queue-app staffing`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import run
from tests.conftest import REPO


def test_simulate_json_reports_every_figure() -> None:
    r = run("simulate", "--days", "2", "--seed", "3", "--estimate-days", "1", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    (s,) = d["results"]
    assert d["days"] == 2 and d["policy"] == "oldest"  # the layout's own
    assert s["served"] + s["no_show"] + s["refused"] == s["citizens"] > 1000
    for k in ("mean", "p50", "p90", "p99", "max", "over_target"):
        assert s["wait"][k] is not None
    assert "绿色通道" in s["by_class"] and "社保" in s["by_domain"]
    assert len(s["utilisation"]) == 23 and 0 < s["load_balance"] < 1
    assert set(s["estimates"]) == {"forecast", "last_wait", "queue_length"}
    assert s["bundles_one_visit"] == 1.0
    # the same seed gives the same figures
    again = json.loads(
        run("simulate", "--days", "2", "--seed", "3", "--estimate-days", "1", "--json").stdout
    )
    assert again == d


def test_simulate_compares_layouts_side_by_side() -> None:
    r = run(
        "--lang", "en", "simulate", "--days", "2", "--compare", "layouts", "--estimate-days", "0"
    )
    assert r.returncode == 0, r.stderr
    assert "per-department" in r.stdout and "pooled" in r.stdout and "district-hall" in r.stdout
    r = run("--json", "simulate", "--days", "1", "--compare", "policies", "--estimate-days", "0")
    assert [x["label"] for x in json.loads(r.stdout)["results"]] == [
        "oldest",
        "own_domain",
        "scarce",
    ]


def test_bad_input_is_exit_2_with_a_located_message(tmp_path: Path) -> None:
    r = run("simulate", "--policy", "fastest")
    assert r.returncode == 2 and "--policy" in r.stderr and "oldest" in r.stderr
    bad = tmp_path / "demand.yaml"
    bad.write_text(
        (REPO / "demand" / "default.yaml")
        .read_text(encoding="utf-8")
        .replace("  社保: 19", "  社保局: 19"),
        encoding="utf-8",
    )
    r = run("simulate", "--demand", str(bad))
    assert r.returncode == 2
    line = next(
        i for i, t in enumerate(bad.read_text(encoding="utf-8").splitlines(), 1) if "社保局" in t
    )
    assert f"{bad}:{line}: mix.社保局: unknown domain" in r.stderr
    r = run("staffing", "--demand", str(tmp_path / "missing.yaml"))
    assert r.returncode == 2 and "file not found" in r.stderr
    r = run("staffing", "--extra-from", "9am")
    assert r.returncode == 2 and "HH:MM" in r.stderr
    for out in (r.stdout, r.stderr):
        assert "Traceback" not in out


def test_staffing_advises_per_hour_with_a_what_if() -> None:
    r = run("staffing", "--target-p90", "15", "--days", "3", "--json")
    assert r.returncode == 0, r.stderr
    a = json.loads(r.stdout)
    assert [h["start"] for h in a["hours"]][:2] == ["09:00", "10:00"]
    for h in a["hours"]:
        assert h["advised"] >= 1 and h["erlang_needed"] >= 0
    assert a["what_if"]["label"] == "+2 windows 09:00-11:00"
    assert a["what_if"]["window_mean"] <= a["what_if"]["base_window_mean"]
    r = run("--lang", "en", "staffing", "--days", "2")
    assert r.returncode == 0 and "windows needed per hour" in r.stdout and "what if" in r.stdout


def _with_bookings(tmp_path: Path, share: str = "0.4", no_show: str = "0.1") -> Path:
    """demand/default.yaml with its bookings section's share and no-show changed."""
    path = tmp_path / "booked.yaml"
    text = (REPO / "demand" / "default.yaml").read_text(encoding="utf-8")
    for key, value in (("share: 0.0 ", share), ("no_show: 0.1 ", no_show)):
        head, tail = text.split("\nbookings:", 1)
        assert key in tail
        text = head + "\nbookings:" + tail.replace(key, key.split()[0] + f" {value} ", 1)
    path.write_text(text, encoding="utf-8")
    return path


def test_simulate_reports_appointments_apart_and_share_0_is_the_walk_in_day(
    tmp_path: Path,
) -> None:
    booked = _with_bookings(tmp_path)
    args = ("simulate", "--days", "1", "--seed", "5", "--estimate-days", "0", "--json")
    walk_in = json.loads(run(*args).stdout)
    zero = json.loads(run(*args, "--demand", str(booked), "--booking-share", "0").stdout)
    assert zero == walk_in  # the walk-in-only path is the one it was
    r = run(*args, "--demand", str(booked))
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    (s,) = d["results"]
    a = s["appointments"]
    assert d["booking_share"] == 0.4 and "appointments" not in walk_in["results"][0]
    # about 0.4 × 0.9 of the citizens come booked; the walk-ins' figures are the rest's
    assert 0.25 < a["n"] / s["citizens"] < 0.45
    assert s["wait"]["n"] + a["n"] == s["served"]
    assert "预约" not in s["by_class"]
    assert 0 < a["early_mean"] < 15  # 8 minutes early on average, some late
    # counted from the slot's start, an early citizen's wait is shorter
    assert a["from_slot"]["mean"] < a["from_check_in"]["mean"]
    en = run("--lang", "en", *args[:-1], "--demand", str(booked))
    assert "appointments: wait" in en.stdout and "from the slot's start" in en.stdout
    assert "walk-ins" in en.stdout


def test_a_bad_bookings_section_is_located(tmp_path: Path) -> None:
    bad = _with_bookings(tmp_path, no_show="1.5")
    r = run("simulate", "--demand", str(bad))
    lines = bad.read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(lines, 1) if "no_show: 1.5" in t)
    assert r.returncode == 2 and f"{bad}:{line}: bookings.no_show" in r.stderr, r.stderr
    r = run("simulate", "--booking-share", "2")
    assert r.returncode == 2 and "--booking-share" in r.stderr


MINI_DEMAND = """
demand: {name: mini}
arrivals: {per_hour: {"09:00": 20, "12:00": 0}}
mix: {社保: 1, 企业开办: 1}
"""


def test_staffing_counts_bookings_of_the_demand_and_of_a_day(
    tmp_path: Path, mini_env: dict[str, str]
) -> None:
    r = run("staffing", "--days", "1", "--extra", "0", "--booking-share", "0.3", "--json")
    assert r.returncode == 0, r.stderr
    hours = json.loads(r.stdout)["hours"]
    # three in ten book, one booking in ten unused: 27% of an hour's arrivals booked
    assert all(h["booked"] == pytest.approx(0.27 * h["arrivals"] / 0.97, rel=1e-3) for h in hours)
    demand = tmp_path / "mini_demand.yaml"
    demand.write_text(MINI_DEMAND, encoding="utf-8")
    args = ("--lang", "en", "staffing", "--demand", str(demand), "--days", "1", "--extra", "0")
    args = (*args, "--json")
    r = run(*args, "--day", "23/11/2026", env=mini_env)
    assert r.returncode == 2 and "YYYY-MM-DD" in r.stderr
    r = run(*args, "--day", "2026-11-23", env=mini_env)
    assert r.returncode == 0, r.stderr  # the hall's bookings (none in a new hall's database)
    assert all(h["booked"] == 0 for h in json.loads(r.stdout)["hours"])
    assert "Traceback" not in r.stderr
