"""What staff found trying the command line (issue 12), each in a real process."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli import run


def test_an_ambiguous_code_lists_the_matters_it_could_be(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'hall.db'}"
    r = run("--db", db, "ticket", "issue", "511A0101", "--priority", "老年人")
    assert r.returncode == 1 and "ambiguous_matter" in r.stderr
    assert "电影放映单位设立审批（内资）" in r.stderr and "公路超限运输许可" in r.stderr
    assert "511A0101000002-" in r.stderr and "Traceback" not in r.stderr
