"""The simulator uses only the domain's public names: its speed stays in ``sim/``."""

from __future__ import annotations

import ast
from pathlib import Path

import queue_app.sim

SIM = Path(queue_app.sim.__file__).parent


def private_uses(source: str) -> list[str]:
    """Private names of ``queue_app.domain`` that ``source`` imports or reads off a module."""
    tree = ast.parse(source)
    modules: set[str] = set()  # local names bound to a domain module
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("queue_app.domain"):
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"{node.module}.{alias.name}")
                if node.module == "queue_app.domain":
                    modules.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_the_check_sees_both_ways_in() -> None:
    src = "from queue_app.domain import ticket as rules\nfrom queue_app.domain.ticket import _x\n"
    assert private_uses(src + "rules._evolve(t)\n") == [
        "queue_app.domain.ticket._x",
        "rules._evolve",
    ]


def test_the_simulator_imports_no_private_name_of_the_domain() -> None:
    files = sorted(SIM.glob("*.py"))
    assert files
    assert {f.name: private_uses(f.read_text()) for f in files} == {f.name: [] for f in files}
