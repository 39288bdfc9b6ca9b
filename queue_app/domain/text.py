"""Text every database stores alike: no NUL (PostgreSQL refuses it) and no half of a
surrogate pair (not Unicode text at all). One check for every text a request carries."""

from __future__ import annotations

import re
from typing import Any

_BAD = re.compile("[\\x00\\ud800-\\udfff]")


def bad_text(value: str) -> bool:
    """Whether ``value`` holds a NUL or half of a surrogate pair."""
    return _BAD.search(value) is not None


def first_bad_text(value: Any, path: str = "") -> str | None:
    """The dotted path of the first text in ``value`` (JSON-like: dicts, lists, text and
    numbers; keys included) that holds a NUL or half of a surrogate pair; None if none."""
    if isinstance(value, str):
        return (path or "value") if bad_text(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            name = _BAD.sub(_escaped, str(key))  # a NUL shown as \x00
            where = f"{path}.{name}" if path else name
            if isinstance(key, str) and bad_text(key):
                return where
            found = first_bad_text(item, where)
            if found:
                return found
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            found = first_bad_text(item, f"{path}.{i}" if path else str(i))
            if found:
                return found
    return None


def _escaped(m: re.Match[str]) -> str:
    return m.group().encode("unicode_escape").decode()
