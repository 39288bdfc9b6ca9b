"""Loaded at start-up by every Python process the tests start while the hall-key audit
records (this folder leads their PYTHONPATH: see tests/hall_key_recorder.py). Once the
process imports SQLAlchemy, the recorder listens to its engines; a process that never
imports it loads nothing more. A recorder that cannot start is recorded as a violation."""

from __future__ import annotations

import importlib.abc
import importlib.util
import json
import os
import sys
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

DIR_ENV = "QUEUE_APP_HALL_AUDIT_DIR"  # as in tests/hall_key_recorder.py
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _install() -> None:
    try:
        if REPO not in sys.path:  # the repository's tests, not a site-packages "tests"
            sys.path.insert(0, REPO)
        from tests import hall_key_recorder

        hall_key_recorder.install()
    except Exception as e:
        record = {
            "sql": f"(no audit in {' '.join(sys.orig_argv)[:200]})",
            "violations": [f"the recorder did not start: {type(e).__name__}: {e}"],
            "test": os.environ.get("PYTEST_CURRENT_TEST", ""),
        }
        path = os.path.join(os.environ[DIR_ENV], f"{os.getpid()}.jsonl")
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")


def _then_install(exec_module: Callable[[ModuleType], None]) -> Callable[[ModuleType], None]:
    def run(module: ModuleType) -> None:
        exec_module(module)
        _install()

    return run


class _AfterSqlalchemy(importlib.abc.MetaPathFinder):
    """Finds nothing itself: it wraps the loading of ``sqlalchemy`` to install afterwards."""

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name != "sqlalchemy":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader.exec_module = _then_install(spec.loader.exec_module)  # type: ignore[method-assign,assignment]
        return spec


if os.environ.get(DIR_ENV):
    if "sqlalchemy" in sys.modules:
        _install()
    else:
        sys.meta_path.insert(0, _AfterSqlalchemy())
