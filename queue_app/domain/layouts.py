"""Hall layouts as dispatch sees them, and the layouts a hall is compared against.

``dispatch_windows`` turns a hall into the ``DispatchWindow`` records ``choose_next`` takes,
the way the store does for production (one place for the rule, so the simulator dispatches
exactly as the server does). ``pooled_layout`` and ``department_layout`` build, from a hall
and the catalog, the two layouts of the same staff that bound it: every window serving
everything (one pooled line, the Erlang C limit) and the old hall of per-department windows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from queue_app.domain.catalog import Catalog
from queue_app.domain.dispatch import DispatchWindow
from queue_app.domain.hall import Coverage, Hall, WindowKind, parse_hall

RESTRICTED_KINDS = (WindowKind.DOMAIN, WindowKind.SPECIALISED)


def dispatch_windows(hall: Hall, coverage: Coverage) -> dict[int, DispatchWindow]:
    """Every window of ``hall`` as dispatch sees it: what it covers, the domains it calls its
    own, whether it is restricted (may prefer scarce work) or serves priority only."""
    return {
        w.number: DispatchWindow(
            number=w.number,
            covers=coverage.by_window[w.number],
            domains=frozenset(w.serves.domains),
            restricted=w.kind in RESTRICTED_KINDS,
            priority_only=w.priority_only,
        )
        for w in hall.windows
    }


def _with_windows(
    hall: Hall,
    code: str,
    name: str,
    windows: list[dict[str, Any]],
    on_duty: list[int] | None = None,
) -> Hall:
    """``hall`` with other windows (and ``on_duty`` over lunch, if they change)."""
    data = hall.model_dump(mode="json")
    data["hall"] = {**data["hall"], "code": code, "name": name}
    data["windows"] = windows
    if on_duty is not None and data["hours"]["lunch"]:
        data["hours"]["lunch"]["on_duty"] = on_duty
    return parse_hall(data)


def pooled_layout(hall: Hall) -> Hall:
    """The same number of windows, every one serving every matter: one pooled line."""
    return _with_windows(
        hall,
        "pooled",
        f"{hall.hall.name}（全部无差别）",
        [
            {
                "number": w.number,
                "name": "全能窗口",
                "kind": "undifferentiated",
                "serves": {"all": True},
            }
            for w in hall.windows
        ],
    )


def apportion(loads: Mapping[str, float], seats: int) -> dict[str, int]:
    """Largest-remainder apportionment of ``seats`` to ``loads``, at least one seat each
    (so ``seats`` must be at least the number of loads)."""
    if seats < len(loads):
        raise ValueError("expected at least one seat per load")
    total = sum(loads.values()) or 1.0
    spare = seats - len(loads)
    quotas = {k: v / total * spare for k, v in loads.items()}
    out = {k: 1 + math.floor(q) for k, q in quotas.items()}
    left = seats - sum(out.values())
    for k in sorted(quotas, key=lambda k: (-(quotas[k] - math.floor(quotas[k])), k))[:left]:
        out[k] += 1
    return out


def department_layout(
    hall: Hall, catalog: Catalog, load_by_department: Mapping[str, float]
) -> Hall:
    """The old hall: the same number of windows, each dedicated to one department, apportioned
    to each department's offered load (erlangs), of the departments whose matters the hall
    handles. Departments too small for a window of their
    own (a share under half a window) share one group of windows, as small departments did.
    As many windows as the hall's stay open over lunch: those serving the most departments."""
    staff = len(hall.windows)
    # the departments of the matters the hall handles (not those it refers elsewhere)
    handled = {m.department for m in catalog.matters if hall.handles.admits(m)}
    loads = {d: v for d, v in load_by_department.items() if v > 0 and d in handled}
    total = sum(loads.values()) or 1.0
    small = sorted(d for d, v in loads.items() if v / total * staff < 0.5)
    groups: dict[str, float] = {d: v for d, v in loads.items() if d not in small}
    members: dict[str, list[str]] = {d: [d] for d in groups}
    if small:
        groups["SMALL"] = sum(loads[d] for d in small)
        members["SMALL"] = small
    while len(groups) > staff:  # fold the smallest group into the shared one
        d = min((g for g in groups if g != "SMALL"), key=lambda g: (groups[g], g))
        groups["SMALL"] = groups.get("SMALL", 0.0) + groups.pop(d)
        members.setdefault("SMALL", []).extend(members.pop(d))
    seats = apportion(groups, staff)
    names = {d.code: d.name for d in catalog.departments}
    windows: list[dict[str, Any]] = []
    for g in sorted(seats, key=lambda g: (-groups[g], g)):
        label = "其他部门窗口" if g == "SMALL" else f"{names.get(g, g)}窗口"
        for _ in range(seats[g]):
            windows.append(
                {
                    "number": len(windows) + 1,
                    "name": label,
                    "kind": "specialised",
                    "serves": {"departments": sorted(members[g])},
                }
            )
    duty = len(hall.hours.lunch.on_duty) if hall.hours.lunch else 0
    broad = sorted(windows, key=lambda w: (-len(w["serves"]["departments"]), w["number"]))
    return _with_windows(
        hall,
        "per-department",
        f"{hall.hall.name}（分部门窗口）",
        windows,
        on_duty=sorted(w["number"] for w in broad[:duty]),  # as many, the broadest
    )
