"""Demand profiles: the shipped ones load; a broken one says file, line, field, expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from queue_app.domain.catalog import Catalog
from queue_app.loaders import LoadError, load_demand_for
from tests.conftest import REPO

DEMANDS = sorted((REPO / "demand").glob("*.yaml"))


@pytest.mark.parametrize("path", DEMANDS, ids=lambda p: p.name)
def test_shipped_profiles_load(path: Path, real_catalog: Catalog) -> None:
    d = load_demand_for(path, real_catalog)
    assert d.expected_arrivals() > 0


def test_packaged_default_is_the_same_file() -> None:
    packaged = REPO / "queue_app" / "data" / "demand" / "default.yaml"
    assert packaged.read_text(encoding="utf-8") == (REPO / "demand" / "default.yaml").read_text(
        encoding="utf-8"
    )


def broken(tmp_path: Path, old: str, new: str) -> Path:
    text = (REPO / "demand" / "default.yaml").read_text(encoding="utf-8")
    assert old in text
    p = tmp_path / "demand.yaml"
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return p


def line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


@pytest.mark.parametrize(
    ("old", "new", "field", "expected"),
    [
        ("  社保: 19", "  社保局: 19", "mix.社保局", "unknown domain '社保局'"),
        ("    QY-QYKB: 8", "    QY-NOPE: 8", "bundles.weights.QY-NOPE", "unknown bundle"),
        ('"10:00": 130', '"10:00": -5', "arrivals.per_hour.10:00", "greater than or equal to 0"),
        ("rate: 0.03", "rate: 1.5", "no_show.rate", "less than or equal to 1"),
        ("sigma: 0.5 ", "sigma: lots ", "handling.sigma", "expected a number"),
        ('"09:00": 125', '"9h": 125', "arrivals.per_hour", "HH:MM"),
        ("per_half_day: 1 ", "per_half_days: 1 ", "breaks.per_half_days", "unknown field"),
    ],
)
def test_broken_profile_is_located(
    tmp_path: Path, real_catalog: Catalog, old: str, new: str, field: str, expected: str
) -> None:
    p = broken(tmp_path, old, new)
    with pytest.raises(LoadError) as e:
        load_demand_for(p, real_catalog)
    (problem,) = e.value.problems
    assert problem.file == str(p)
    assert problem.field.startswith(field), problem
    assert expected in problem.message, problem
    assert problem.line == line_of(p, new.split(":")[0].strip()), problem


def test_broken_yaml_and_missing_file(tmp_path: Path, real_catalog: Catalog) -> None:
    p = broken(tmp_path, "mix:\n", "mix: [\n")
    with pytest.raises(LoadError) as e:
        load_demand_for(p, real_catalog)
    assert "broken YAML" in str(e.value) and e.value.problems[0].line > 0
    with pytest.raises(LoadError, match="file not found"):
        load_demand_for(tmp_path / "none.yaml", real_catalog)
