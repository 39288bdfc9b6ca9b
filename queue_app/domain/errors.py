"""Errors the domain raises: invalid data (with paths) and refused transitions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Path = tuple[str | int, ...]


def format_path(path: Path) -> str:
    """Render ``("matters", 3, "kind")`` as ``matters[3].kind``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a data file: where (a path into the document) and what."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{format_path(self.path)}: {self.message}"


class InvalidData(ValueError):
    """A catalog or hall document that breaks the rules; carries every problem found."""

    def __init__(self, what: str, problems: Sequence[Problem]) -> None:
        self.what = what
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems[:20])
        more = f"\n  ... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"invalid {what}: {len(self.problems)} problem(s)\n{lines}{more}")


class Refused(Exception):
    """A transition or request the rules do not allow. Nothing was changed.

    ``code`` is stable and machine readable; ``zh`` and ``en`` are for people;
    ``field`` names the input at fault, when one is.
    """

    def __init__(self, code: str, zh: str, en: str, field: str | None = None) -> None:
        self.code = code
        self.zh = zh
        self.en = en
        self.field = field
        super().__init__(f"{en} ({code})")

    def as_dict(self) -> dict[str, str | None]:
        return {
            "code": self.code,
            "message_zh": self.zh,
            "message_en": self.en,
            "field": self.field,
        }
