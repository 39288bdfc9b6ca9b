"""Parse YAML into plain Python values while remembering the line of every node."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import yaml

Path = tuple[str | int, ...]
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 5x faster


@dataclass(frozen=True, slots=True)
class YamlProblem(Exception):
    line: int
    message: str
    path: Path = ()


def parse_with_lines(text: str) -> tuple[Any, dict[Path, int]]:
    """The document as dicts, lists and scalars, and a map from each path to its 1-based line.

    Duplicate keys in a mapping (which PyYAML would silently overwrite) are an error.
    """
    loader = _Loader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 0
            what = " ".join(p for p in (exc.context, exc.problem) if p)
            raise YamlProblem(line, f"broken YAML: {what}") from None
        except yaml.YAMLError as exc:
            raise YamlProblem(0, f"broken YAML: {exc}") from None
        if root is None:
            raise YamlProblem(1, "the file is empty")
        lines: dict[Path, int] = {}

        def build(node: yaml.Node, path: Path) -> Any:
            lines[path] = node.start_mark.line + 1
            if isinstance(node, yaml.MappingNode):
                out: dict[Any, Any] = {}
                for key_node, value_node in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        raise YamlProblem(
                            key_node.start_mark.line + 1,
                            "YAML merge keys (<<) are not supported",
                            path,
                        )
                    key = loader.construct_object(key_node, deep=True)
                    if isinstance(key, dt.date):  # a day as a key (half_days): its text
                        key = key.isoformat()
                    if not isinstance(key, str | int):
                        raise YamlProblem(
                            key_node.start_mark.line + 1, f"expected a text key; got {key!r}", path
                        )
                    if key in out:
                        raise YamlProblem(
                            key_node.start_mark.line + 1,
                            f"duplicate key {key!r} (already set above)",
                            (*path, key),
                        )
                    out[key] = build(value_node, (*path, key))
                return out
            if isinstance(node, yaml.SequenceNode):
                return [build(child, (*path, i)) for i, child in enumerate(node.value)]
            try:
                return loader.construct_object(node, deep=True)
            except yaml.YAMLError as exc:
                raise YamlProblem(node.start_mark.line + 1, f"bad value: {exc}", path) from None

        return build(root, ()), lines
    finally:
        loader.dispose()


def line_of(lines: dict[Path, int], path: Path) -> int:
    """The line of ``path``, or of its nearest ancestor present in the file."""
    p = tuple(path)
    while p:
        if p in lines:
            return lines[p]
        p = p[:-1]
    return lines.get((), 1)
