"""Parsed YAML kept between runs, so a command does not parse the 667-matter catalog
(about 0.4 s) each time it starts.

Keyed by a hash of the file's text, the parser's version and Python's: an edited file
is parsed afresh, and its problems are found and located as always, since only what
the parser returns (the values and their lines) is kept, never the validated result.
Values are stored with ``marshal`` (plain dicts, lists and scalars; nothing is run on
loading). A file whose values ``marshal`` cannot hold (a YAML date, say) is not kept.
Small files are quick to parse and are not kept. The cache lives in the user's cache
directory unless ``use_dir`` names another (the command's ``QUEUE_APP_CACHE_DIR``); a
cache that cannot be read or written is simply not used.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import platformdirs

PARSER_VERSION = 1  # raise when parse_with_lines returns something different
MIN_CHARS = 32_000  # smaller files parse in a few milliseconds

Parsed = tuple[Any, dict[tuple[str | int, ...], int]]


_chosen: Path | None = None


def use_dir(path: Path | None) -> None:
    """Keep parsed files in ``path`` from now on (None: the user's cache directory)."""
    global _chosen
    _chosen = path


def cache_dir() -> Path:
    return _chosen or Path(platformdirs.user_cache_dir("queue_app", appauthor=False))


def _file(text: str) -> Path:
    key = f"{PARSER_VERSION}\0{sys.version_info[:2]}\0{text}".encode()
    return cache_dir() / "parsed" / f"{hashlib.sha256(key).hexdigest()}.marshal"


def load(text: str) -> Parsed | None:
    """What the parser returned for ``text`` before, if it was kept."""
    if len(text) < MIN_CHARS:
        return None
    try:
        found = marshal.loads(_file(text).read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if isinstance(found, tuple) and len(found) == 2 and isinstance(found[1], dict):
        return found[0], found[1]
    return None


def save(text: str, parsed: Parsed) -> None:
    """Keep ``parsed`` for the next run (written whole, then renamed into place)."""
    if len(text) < MIN_CHARS:
        return
    try:
        blob = marshal.dumps(parsed)
    except ValueError:  # a value marshal cannot hold
        return
    target = _file(text)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as f:
            f.write(blob)
        os.replace(f.name, target)
    except OSError:
        return
