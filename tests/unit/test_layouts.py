"""The comparison layouts: the pooled bound and the old per-department hall."""

from __future__ import annotations

import pytest

from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Coverage
from queue_app.domain.layouts import apportion, department_layout, dispatch_windows, pooled_layout
from queue_app.loaders import load_hall_for
from tests.conftest import REPO


def test_apportion_is_largest_remainder_with_one_seat_each() -> None:
    assert apportion({"a": 6.0, "b": 3.0, "c": 1.0}, 10) == {"a": 5, "b": 3, "c": 2}
    assert sum(apportion({"a": 1.0, "b": 1.0, "c": 1.0}, 7).values()) == 7
    with pytest.raises(ValueError):
        apportion({"a": 1.0, "b": 1.0}, 1)


def test_layouts_keep_the_staff_and_cover_the_catalog(real_catalog: Catalog) -> None:
    hall = load_hall_for(REPO / "windows" / "default.yaml", real_catalog)
    pooled = pooled_layout(hall)
    assert len(pooled.windows) == 23 and all(w.serves.all for w in pooled.windows)
    loads = {d.code: 1.0 + i for i, d in enumerate(real_catalog.departments)}
    old = department_layout(hall, real_catalog, loads)
    assert len(old.windows) == 23
    cov = Coverage(old, real_catalog)
    # every matter the hall handles: not those it refers elsewhere (住房公积金, 车驾管)
    assert {m.domain for m in cov.unserved()} == {"住房公积金", "车驾管"}
    assert cov.handled == Coverage(hall, real_catalog).handled
    # every matter goes to the windows of its own department only
    for m in real_catalog.matters[::25]:
        for n in cov.windows_for({m.code}):
            assert m.department in old.window_by_number[n].serves.departments
    # the biggest department of those the hall handles got the most windows
    handled = {m.department for m in real_catalog.matters if hall.handles.admits(m)}
    big = max(handled, key=loads.__getitem__)
    counts = {d: sum(d in w.serves.departments for w in old.windows) for d in loads}
    assert counts[big] == max(counts.values())
    dws = dispatch_windows(hall, Coverage(hall, real_catalog))
    assert dws[17].restricted and not dws[1].restricted and len(dws) == 23
