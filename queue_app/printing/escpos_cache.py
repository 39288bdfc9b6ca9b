"""python-escpos's printer database parsed once per machine, not in every process.

At import, python-escpos parses its capabilities file (some 5,000 lines of YAML: about
0.25 s of CPU, a tenth of a command's start) and keeps the parse as a pickle in
``$ESCPOS_CAPABILITIES_PICKLE_DIR``, by default a new temporary directory each time: every
process parsed it afresh and left a directory behind. Here the pickle is kept in
queue_app's cache directory (``$QUEUE_APP_CACHE_DIR`` or the user's), and only a whole
one is ever there: python-escpos writes it in place, which a process starting at the same
moment could read half-written, so a process that finds none (or one older than the
installed capabilities file) lets python-escpos write into a directory of its own and then
moves the file into the cache in one step.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import platformdirs

PICKLE_DIR_ENV = "ESCPOS_CAPABILITIES_PICKLE_DIR"  # python-escpos's own setting
CACHE_ENV = "QUEUE_APP_CACHE_DIR"
CAPABILITIES = "escpos.capabilities"  # the module that parses the database


def _cache_dir() -> Path:
    chosen = os.environ.get(CACHE_ENV)
    base = Path(chosen) if chosen else Path(platformdirs.user_cache_dir("queue_app", False))
    return base / "escpos"


def _capabilities_file() -> Path | None:
    spec = importlib.util.find_spec("escpos")
    places = list(spec.submodule_search_locations or []) if spec else []
    return Path(places[0]) / "capabilities.json" if places else None


@contextlib.contextmanager
def _pickle_dir(directory: str) -> Iterator[None]:
    before = os.environ.get(PICKLE_DIR_ENV)
    os.environ[PICKLE_DIR_ENV] = directory
    try:
        yield
    finally:  # the processes this one starts choose for themselves
        if before is None:
            os.environ.pop(PICKLE_DIR_ENV, None)
        else:
            os.environ[PICKLE_DIR_ENV] = before


def import_capabilities() -> None:
    """Import ``escpos.capabilities`` (which every printer class needs) through the cache;
    a cache that cannot be read or written is simply not used."""
    if CAPABILITIES in sys.modules or PICKLE_DIR_ENV in os.environ:
        importlib.import_module(CAPABILITIES)  # the operator's choice stands

        return
    kept = _cache_dir() / f"{platform.python_version()}.capabilities.pickle"
    source = _capabilities_file()
    with contextlib.suppress(OSError):
        if source and kept.is_file() and kept.stat().st_mtime >= source.stat().st_mtime:
            with _pickle_dir(str(kept.parent)):
                importlib.import_module(CAPABILITIES)
            return
    try:  # beside the cache, so that the move is one step
        kept.parent.mkdir(parents=True, exist_ok=True)
        own = tempfile.mkdtemp(prefix="new-", dir=kept.parent)
    except OSError:
        own = tempfile.mkdtemp(prefix="queue-app-escpos-")
    try:
        with _pickle_dir(own):
            importlib.import_module(CAPABILITIES)
        with contextlib.suppress(OSError):
            os.replace(Path(own) / kept.name, kept)  # one step: whole or not there
    finally:
        shutil.rmtree(own, ignore_errors=True)
