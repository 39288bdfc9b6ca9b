"""The committed catalog is exactly what the generator makes from the source data."""

from __future__ import annotations

import re
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


def test_every_source_is_cited_by_a_matter_and_named_in_the_notice() -> None:
    """A source nobody cites, or one NOTICE does not name, is a claim nobody can check."""
    nat = _national()
    cited = {m[k] for m in nat["matters"] for k in ("name_from", "days_from", "materials_from")}
    assert set(nat["sources"]) <= cited, set(nat["sources"]) - cited
    notice = "".join((REPO / "NOTICE").read_text(encoding="utf-8").split())
    for key, text in nat["sources"].items():
        title = re.match(r"[\u4e00-\u9fff]+", text)
        assert title and title.group()[:8] in notice, (key, text[:20])


def test_the_materials_of_a_registration_follow_its_kind() -> None:
    """Each 不动产 registration asks for what the 细则 lists for its kind, not one list for all."""
    by_name = {m["name"]: m for m in _national()["matters"]}

    def materials(name: str) -> str:
        return " ".join(str(x) for x in by_name[name]["materials"])

    assert "买卖、互换、赠与合同" in materials("国有建设用地使用权及房屋所有权转移登记")
    assert "抵押合同" in materials("抵押权首次登记")
    assert "预售合同" in materials("预告登记")
    assert "协助执行通知书" in materials("查封登记")
    assert "赠与" not in materials("宅基地使用权及房屋所有权转移登记")
    assert all(
        by_name[n]["days"] <= 5
        for n in by_name
        if by_name[n]["domain"] == "不动产" and by_name[n]["kind"] == "承诺件"
    )
