"""The windows an account may sit at, written as staff write them: ``1-5,8``."""

from __future__ import annotations

import re

from queue_app.domain.refusals import BadWindowList

MOST = 999  # the highest window number
_PART = re.compile(r"^(\d{1,3})(?:-(\d{1,3}))?$")


def parse_windows(said: str) -> frozenset[int]:
    """``"1-5, 8"`` → {1, 2, 3, 4, 5, 8}; refuses anything else, naming what was said."""
    found: set[int] = set()
    for part in said.replace("，", ",").split(","):
        m = _PART.match(part.strip())
        if m is None:
            raise BadWindowList(said=said)
        low = int(m.group(1))
        high = int(m.group(2) or low)
        if not 1 <= low <= high <= MOST:
            raise BadWindowList(said=said)
        found.update(range(low, high + 1))
    return frozenset(found)


def windows_text(windows: frozenset[int] | set[int] | list[int]) -> str:
    """The shortest form of a set of windows: {1, 2, 3, 5} → ``"1-3,5"``."""
    parts: list[str] = []
    ordered = sorted(set(windows))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        low, high = ordered[i], ordered[j]
        parts.append(str(low) if low == high else f"{low}-{high}")
        i = j + 1
    return ",".join(parts)
