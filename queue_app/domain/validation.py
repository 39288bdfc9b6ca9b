"""Turn pydantic validation errors into located, human ``Problem`` records."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from queue_app.domain.errors import InvalidData, Problem

M = TypeVar("M", bound=BaseModel)

_EXPECTED = {
    "string_type": "expected a text string",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "float_type": "expected a number",
    "bool_type": "expected true or false",
    "list_type": "expected a list",
    "dict_type": "expected a mapping (key: value)",
    "model_type": "expected a mapping (key: value)",
    "missing": "required field is missing",
    "extra_forbidden": "unknown field (check the spelling)",
}


_PATTERN_HINTS = {
    r"^([01]\d|2[0-3]):[0-5]\d$": 'expected a time of day as "HH:MM" (00:00 to 23:59)',
    r"^[A-Z]{2,6}$": "expected 2 to 6 capital letters (A-Z)",
    r"^[A-Z]{1,2}$": "expected 1 or 2 capital letters (A-Z)",
    r"^[A-Z0-9][A-Z0-9-]{1,39}$": "expected capital letters, digits and hyphens (2-40)",
    r"^[a-z0-9][a-z0-9-]{1,39}$": "expected small letters, digits and hyphens (2-40)",
    r"^[a-z0-9][a-z0-9_-]{0,39}$": "expected small letters, digits, hyphens and _ (1-40)",
}


def _describe(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    msg = _EXPECTED.get(kind)
    if kind == "string_pattern_mismatch":
        pattern = str((error.get("ctx") or {}).get("pattern", ""))
        msg = _PATTERN_HINTS.get(pattern, f"expected text matching {pattern}")
    if msg is None:
        raw = str(error.get("msg", "invalid value"))
        for prefix in ("Input should be ", "Value error, "):
            if raw.startswith(prefix):
                raw = ("expected " if prefix.startswith("Input") else "") + raw[len(prefix) :]
        msg = raw
    if kind not in ("missing", "extra_forbidden") and "input" in error:
        got = error["input"]
        if not isinstance(got, dict | list):
            msg += f"; got {got!r}"
    return msg


def problems_from(exc: ValidationError) -> list[Problem]:
    """Each pydantic error as a Problem with its path into the document."""
    out: list[Problem] = []
    for err in exc.errors():
        path = tuple(
            p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))
        )
        out.append(Problem(path, _describe(err)))
    return out


def parse_model(
    model: type[M],
    data: object,
    what: str,
    cross_check: Callable[[M], list[Problem]] | None = None,
) -> M:
    """Validate ``data`` as ``model``, then ``cross_check``; raise InvalidData on a problem."""
    if not isinstance(data, Mapping):
        raise InvalidData(what, [Problem((), "expected a mapping at the top of the document")])
    try:
        obj = model.model_validate(data)
    except ValidationError as exc:
        raise InvalidData(what, problems_from(exc)) from None
    problems = cross_check(obj) if cross_check else []
    if problems:
        raise InvalidData(what, problems)
    return obj
