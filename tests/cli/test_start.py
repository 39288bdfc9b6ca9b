"""The command starts fast: it imports only what the command run uses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, hall_file

HEAVY = ("sqlalchemy", "sqlmodel", "fastapi", "pypinyin", "textual", "httpx", "pydantic")


def _loaded_after(code: str) -> set[str]:
    """The top-level packages imported by a fresh interpreter running ``code``."""
    probe = (
        f"{code}\nimport json, sys\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    r = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert r.returncode == 0, r.stderr
    return set(json.loads(r.stdout.splitlines()[-1]))


def test_importing_the_command_imports_nothing_heavy() -> None:
    loaded = _loaded_after("import queue_app.cli")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_help_imports_nothing_heavy() -> None:
    code = (
        "from queue_app.cli import app\n"
        "try:\n"
        "    app(['--help'], prog_name='queue-app')\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
    )
    loaded = _loaded_after(code)
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_a_one_shot_local_command_does_not_build_the_search(tmp_path: Path) -> None:
    """``window list`` on the database runs the hall's app in process, but never searches:
    the pinyin index of every matter is not built, nor pypinyin imported."""
    url = hall_file(tmp_path / "hall.db")
    code = (
        "from queue_app.cli import app\n"
        "try:\n"
        f"    app(['--db', {url!r}, '--json', 'window', 'list'], prog_name='queue-app')\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
    )
    loaded = _loaded_after(code)
    assert "sqlalchemy" in loaded  # it did reach the database
    assert "pypinyin" not in loaded and "textual" not in loaded
