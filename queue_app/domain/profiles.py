"""What a window serves, changed during the day: a manager turns an undifferentiated window
into an 企业开办 window for the morning peak, then back.

A profile is a window's name, kind and ``serves`` rule. The layout file gives each window
its own; the profiles a manager may choose from are the distinct ones of the layout (so a
change never invents a kind of window the hall has not described), and restoring puts the
layout's profile back. The hall in effect is the layout with today's changes applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from queue_app.domain.catalog import Catalog
from queue_app.domain.dispatch import Candidate, DispatchWindow, eligible
from queue_app.domain.errors import Problem, format_path
from queue_app.domain.hall import (
    EMPTY_SERVES,
    Hall,
    Serves,
    Targets,
    Window,
    WindowKind,
    check_serves,
)
from queue_app.domain.refusals import BadProfile, WouldStrand


class WindowProfile(BaseModel):
    """A window's name, kind and what it serves."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: Annotated[str, Field(min_length=1, max_length=40)]
    kind: Annotated[WindowKind, Field(strict=False)]
    serves: Serves
    priority_only: bool = False

    @classmethod
    def of(cls, window: Window) -> WindowProfile:
        return cls(
            name=window.name,
            kind=window.kind,
            serves=window.serves,
            priority_only=window.priority_only,
        )


def layout_profiles(hall: Hall) -> list[tuple[WindowProfile, list[int]]]:
    """The distinct profiles of a layout, in order of first appearance, each with the
    numbers of the windows that have it in the layout file."""
    seen: dict[str, tuple[WindowProfile, list[int]]] = {}
    for w in hall.windows:
        p = WindowProfile.of(w)
        seen.setdefault(p.model_dump_json(), (p, []))[1].append(w.number)
    return list(seen.values())


def check_profile(profile: WindowProfile, catalog: Catalog) -> list[Problem]:
    """References from a profile into the catalog that do not resolve; an empty rule."""
    if profile.serves.is_empty():
        return [Problem(("serves",), EMPTY_SERVES)]
    return check_serves(profile.serves, catalog, ("serves",))


def in_effect(
    layout: Hall,
    changes: Mapping[int, WindowProfile],
    targets: Targets | None = None,
) -> Hall:
    """The layout with today's profile changes (and wait targets) applied."""
    if not changes and targets is None:
        return layout
    windows = [
        w.model_copy(update=dict(changes[w.number])) if w.number in changes else w
        for w in layout.windows
    ]
    fields = {name: getattr(layout, name) for name in type(layout).model_fields}
    fields["windows"] = windows
    if targets is not None:
        fields["targets"] = targets
    # constructed afresh (not model_copy) so no cached look-up of the layout carries over
    return type(layout).model_construct(**fields)


def require_valid(profile: WindowProfile, catalog: Catalog) -> None:
    """Refuse a profile naming what the catalog does not have, or serving nothing."""
    problems = check_profile(profile, catalog)
    if problems:
        p = problems[0]
        raise BadProfile(problem=str(p), field=format_path(p.path))


def stranded(waiting: Iterable[Candidate], windows: Iterable[DispatchWindow]) -> list[Candidate]:
    """Waiting tickets that none of ``windows`` may serve."""
    ws = list(windows)
    return [c for c in waiting if not any(eligible(c, w) for w in ws)]


def refuse_stranding(numbers: list[str], window: int) -> None:
    """Refuse a change that would leave waiting tickets with no window to call them."""
    if not numbers:
        return
    shown = numbers[:8] + (["…"] if len(numbers) > 8 else [])
    raise WouldStrand(window=window, numbers=shown)
