"""Errors the domain raises: invalid data (with paths) and refused transitions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

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


def N_(msgid: str) -> str:
    """Mark ``msgid`` for the message catalogs; it is translated where it is shown."""
    return msgid


LIST_SEPARATOR = N_(", ")  # between the items of a list parameter ("、" in Chinese)


class Text:
    """A message to translate where it is shown: a msgid (an English ``str.format``
    template, marked with ``N_``) and its parameters. A parameter may itself be a ``Text``
    (a word such as an action or a status) or a list, joined with ``LIST_SEPARATOR``."""

    __slots__ = ("msgid", "params")
    msgid: str
    params: dict[str, Param]

    def __init__(self, msgid: str, /, **params: Param) -> None:
        self.msgid = msgid
        self.params = params

    def english(self) -> str:
        """The msgid filled in, untranslated (for logs and tracebacks)."""
        return self.msgid.format(**{k: _english(v) for k, v in self.params.items()})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and (self.msgid, self.params) == (other.msgid, other.params)

    def __hash__(self) -> int:
        return hash(self.msgid)

    def __repr__(self) -> str:
        return f"Text({self.msgid!r}, **{self.params!r})"


Param = str | int | float | Text | Sequence[str | Text]


def _english(v: Param) -> str | int | float:
    if isinstance(v, Text):
        return v.english()
    if isinstance(v, str | int | float):
        return v
    return LIST_SEPARATOR.join(str(_english(x)) for x in v)


class Refused(Exception):
    """A transition or request the rules do not allow. Nothing was changed.

    Each kind of refusal is a subclass (see ``refusals``): ``code`` is stable and machine
    readable, ``status`` the HTTP status it answers with, ``message`` the English msgid of
    its text, ``field`` the input at fault, when one is (an instance may name another). An
    instance carries the message's parameters; the edges render it in the reader's
    language from the message catalogs.
    """

    code: ClassVar[str]
    status: ClassVar[int]
    message: ClassVar[str]
    field: str | None = None

    def __init__(self, *, field: str | None = None, **params: Param) -> None:
        self.text = Text(self.message, **params)
        if field is not None:
            self.field = field
        super().__init__(f"{self.text.english()} ({self.code})")

    @property
    def params(self) -> dict[str, Param]:
        return self.text.params

    def headers(self) -> dict[str, str]:
        """HTTP headers the answer carries besides the body (e.g. ``Retry-After``)."""
        return {}

    def __reduce__(self) -> tuple[Any, ...]:  # pickled across processes: keyword arguments
        return _restore, (type(self), self.field, self.params)


def _restore(cls: type[Refused], field: str | None, params: dict[str, Param]) -> Refused:
    return cls(field=field, **params)
