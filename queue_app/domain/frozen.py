"""Frozen dataclasses built cheaply, where one is built for every simulated ticket.

A frozen dataclass's generated ``__init__`` sets each field through ``object.__setattr__``;
calling the slot's own descriptor does the same in about half the machine instructions. The
classes built per ticket (``Candidate``, ``Item``, ``Change``) declare ``init=False`` and an
``__init__`` of the same signature that sets their fields through ``slot_setters``
(``tests/unit/test_frozen_init.py`` checks both against the generated ``__init__``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any

NEW: Any = object()  # stands for a field's default_factory in a hand-written signature


def slot_setters(cls: type) -> tuple[Callable[[Any, Any], None], ...]:
    """The setters of a frozen slotted dataclass's fields, in field order."""
    return tuple(vars(cls)[f.name].__set__ for f in fields(cls))
