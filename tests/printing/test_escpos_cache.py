"""python-escpos's printer database is parsed once into queue_app's cache and read from
there by the processes after: only a whole pickle is ever in the cache, and no file is
left in the temporary directory, nor the setting in the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

SHOW = (
    "import os, queue_app.printing.render, escpos.capabilities as c;"
    "print(c.pickle_path); print(c.full_load);"
    "print(os.environ.get('ESCPOS_CAPABILITIES_PICKLE_DIR'))"
)


def _import_printing(cache: Path, tmp: Path) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
    env |= {"QUEUE_APP_CACHE_DIR": str(cache), "TMPDIR": str(tmp)}
    r = subprocess.run(
        [sys.executable, "-c", SHOW], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()


def test_the_first_process_parses_and_keeps_the_database_the_next_reads_it(
    tmp_path: Path,
) -> None:
    cache, tmp = tmp_path / "cache", tmp_path / "tmp"
    tmp.mkdir()
    path, parsed, env = _import_printing(cache, tmp)
    kept = list((cache / "escpos").iterdir())
    assert parsed == "True" and env == "None"
    assert [k.name for k in kept] == [Path(path).name] and kept[0].stat().st_size > 10_000
    # nothing left in the temporary directory (python-escpos itself makes an empty one)
    assert [p for p in tmp.rglob("*") if p.is_file()] == []

    path, parsed, env = _import_printing(cache, tmp)
    assert parsed == "False" and env == "None"  # read from the cache, not parsed again
    assert Path(path) == kept[0]
    assert list((cache / "escpos").iterdir()) == kept
    assert [p for p in tmp.rglob("*") if p.is_file()] == []
