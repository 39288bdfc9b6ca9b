"""Load the catalog and hall files; every problem reported with file, line and field."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any, TypeVar

from queue_app.domain.catalog import Catalog, parse_catalog
from queue_app.domain.city import (
    City,
    CityHall,
    Elsewhere,
    check_city_against_catalog,
    check_city_halls,
    parse_city,
)
from queue_app.domain.errors import InvalidData, Problem, format_path
from queue_app.domain.hall import Hall, check_against_catalog, parse_hall
from queue_app.loaders import parse_cache
from queue_app.loaders.yaml_lines import Path, YamlProblem, line_of, parse_with_lines

T = TypeVar("T")

_PACKAGE = FsPath(__file__).resolve().parent.parent
_REPO = _PACKAGE.parent


@dataclass(frozen=True, slots=True)
class FileProblem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class LoadError(Exception):
    """A file that could not be loaded; nothing of it was used."""

    def __init__(self, problems: Sequence[FileProblem]) -> None:
        self.problems = list(problems)
        shown = "\n".join(str(p) for p in self.problems[:25])
        more = len(self.problems) - 25
        super().__init__(shown + (f"\n... and {more} more problem(s)" if more > 0 else ""))


def _label(data: Any, path: Path) -> str:
    """``matters[12]`` becomes ``matters[12] (普通护照签发)`` so a person can find it."""
    text = format_path(path)
    if len(path) >= 2 and isinstance(data, dict) and isinstance(path[1], int):
        seq = data.get(path[0])
        if isinstance(seq, list) and 0 <= path[1] < len(seq) and isinstance(seq[path[1]], dict):
            item = seq[path[1]]
            name = item.get("name") or item.get("code") or item.get("number")
            if name is not None:
                head = format_path(path[:2])
                text = f"{head} ({name})" + text[len(head) :]
    return text


def _read(file: FsPath) -> tuple[Any, dict[Path, int]]:
    name = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LoadError([FileProblem(name, 0, "", "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise LoadError([FileProblem(name, 0, "", f"not UTF-8 text ({exc.reason})")]) from None
    except OSError as exc:
        raise LoadError([FileProblem(name, 0, "", f"cannot read: {exc.strerror}")]) from None
    kept = parse_cache.load(text)
    if kept is not None:
        return kept
    try:
        parsed = parse_with_lines(text)
    except YamlProblem as p:
        raise LoadError(
            [FileProblem(name, p.line, format_path(p.path) if p.path else "", p.message)]
        ) from None
    parse_cache.save(text, parsed)
    return parsed


def _located(
    name: str, data: Any, lines: dict[Path, int], problems: Sequence[Problem]
) -> LoadError:
    return LoadError(
        [
            FileProblem(name, line_of(lines, p.path), _label(data, p.path), p.message)
            for p in problems
        ]
    )


def _load(file: str | os.PathLike[str], parse: Callable[[Any], T]) -> tuple[T, Any, dict]:
    path = FsPath(file)
    data, lines = _read(path)
    try:
        return parse(data), data, lines
    except InvalidData as exc:
        raise _located(str(path), data, lines, exc.problems) from None


def load_catalog(file: str | os.PathLike[str]) -> Catalog:
    """Load and validate a catalog file, or raise LoadError."""
    return _load(file, parse_catalog)[0]


def load_hall(file: str | os.PathLike[str]) -> Hall:
    """Load and validate a hall layout on its own (no catalog references checked)."""
    return _load(file, parse_hall)[0]


def load_checked(
    file: str | os.PathLike[str],
    parse: Callable[[Any], T],
    check: Callable[[T], list[Problem]],
) -> T:
    """Load and validate a file, then check what it refers to (a catalog's codes); every
    problem located in the file, or LoadError."""
    doc, data, lines = _load(file, parse)
    problems = check(doc)
    if problems:
        raise _located(str(file), data, lines, problems)
    return doc


def load_hall_for(file: str | os.PathLike[str], catalog: Catalog) -> Hall:
    """Load a hall layout and check its references into ``catalog``."""
    return load_checked(file, parse_hall, lambda hall: check_against_catalog(hall, catalog))


def load_city(file: str | os.PathLike[str], catalog: Catalog | None = None) -> City:
    """Load and validate a city file: its halls' layout files resolved against the city
    file's folder (each must exist) and, given ``catalog``, its referrals' references into
    it checked; every problem located in the city file, or LoadError."""
    city, data, lines = _load(file, parse_city)
    folder = FsPath(file).parent
    resolved = [folder / h.file for h in city.halls]
    problems = [
        Problem(("halls", i, "file"), f"file not found: {path}")
        for i, path in enumerate(resolved)
        if not path.is_file()
    ]
    if catalog is not None:
        problems += check_city_against_catalog(city, catalog)
    if problems:
        raise _located(str(file), data, lines, problems)
    return city.model_copy(update={"halls": [CityHall(file=str(p)) for p in resolved]})


def load_city_halls(file: str | os.PathLike[str], catalog: Catalog) -> tuple[City, list[Hall]]:
    """A city file and the layouts of its halls (in its order), each checked against
    ``catalog``; a hall's problems are located in its own file, halls sharing a code in
    the city file."""
    city = load_city(file, catalog)
    halls = [load_hall_for(f, catalog) for f in city.hall_files]
    problems = check_city_halls(halls)
    if problems:
        data, lines = _read(FsPath(file))
        raise _located(str(file), data, lines, problems)
    return city, halls


def load_elsewhere(file: str | os.PathLike[str], catalog: Catalog) -> Elsewhere:
    """The places of the city file ``file`` (its halls and referrals), for the referrals of
    any of its halls."""
    city, halls = load_city_halls(file, catalog)
    return Elsewhere.of_city(city, halls, catalog)


def _first_existing(*candidates: FsPath) -> FsPath:
    for c in candidates:
        if c.exists():
            return c
    return candidates[0]


def default_catalog_path() -> FsPath:
    """The catalog of this checkout or of the installed package (the command's settings
    read ``$QUEUE_APP_CATALOG`` and ``--catalog`` first)."""
    return _first_existing(
        _REPO / "matters_catalog.yaml", _PACKAGE / "data" / "matters_catalog.yaml"
    )


def default_city_path() -> FsPath:
    """``windows/city.yaml`` of this checkout or the package."""
    return _first_existing(
        _REPO / "windows" / "city.yaml", _PACKAGE / "data" / "windows" / "city.yaml"
    )


def default_hall_path(name: str = "default") -> FsPath:
    """``windows/<name>.yaml`` of this checkout or the package (the command's settings
    read ``$QUEUE_APP_HALL`` and ``--hall`` first)."""
    return _first_existing(
        _REPO / "windows" / f"{name}.yaml", _PACKAGE / "data" / "windows" / f"{name}.yaml"
    )
