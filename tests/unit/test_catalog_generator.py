"""The committed catalog is exactly what the generator makes from the source data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_generator_reproduces_the_committed_catalog(tmp_path: Path) -> None:
    out = tmp_path / "catalog.yaml"
    r = subprocess.run(
        [sys.executable, str(REPO / "tools" / "catalog" / "build_catalog.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == (REPO / "matters_catalog.yaml").read_bytes()


def _national() -> dict:
    import yaml

    path = REPO / "tools" / "catalog" / "source" / "national_matters.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_every_added_matter_names_its_sources_and_has_a_project_code() -> None:
    nat = _national()
    sources = set(nat["sources"])
    names = [m["name"] for m in nat["matters"]]
    assert len(names) == len(set(names)) == 52
    for m in nat["matters"]:
        assert m["code"].startswith("QA-"), m["code"]
        assert m["name_from"] in sources, m["name"]
        assert m["days_from"] in sources | {"estimate"}, m["name"]
        assert m["materials_from"] in sources | {"estimate"}, m["name"]


def test_an_added_matter_without_a_source_for_its_name_is_refused() -> None:
    sys.path.insert(0, str(REPO / "tools" / "catalog"))
    try:
        import build_catalog as bc
    finally:
        sys.path.pop(0)
    nat = _national()
    nat["matters"][0]["name_from"] = "a page nobody saw"
    cur = __import__("yaml").safe_load(bc.CURATION.read_text(encoding="utf-8"))
    try:
        bc.build(cur, bc.load_csv(bc.SRC_CSV), nat)
    except bc.CurationError as e:
        assert "name_from" in str(e)
    else:
        raise AssertionError("a matter whose name cites no source was accepted")
