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
