"""Offering ``choose_next`` only the head of each group of interchangeable tickets gives the
same choice as offering it the whole line, for every window and every policy."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queue_app.domain.catalog import Catalog
from queue_app.domain.dispatch import Candidate, Policy, choose_next
from queue_app.domain.hall import Hall, parse_hall
from queue_app.sim.engine import Layout


@pytest.fixture(scope="module")
def layouts(real_catalog: Catalog, default_hall: Hall) -> dict[Policy, list[Layout]]:
    data = default_hall.model_dump(mode="json")
    data["windows"][-1]["priority_only"] = True  # a green window that serves priority only
    strict_green = parse_hall(data)
    return {
        p: [Layout(h, real_catalog, policy=p) for h in (default_hall, strict_green)] for p in Policy
    }


def ticket_kinds(catalog: Catalog) -> list[tuple[str, ...]]:
    singles = [(m.code,) for m in catalog.matters[::7]]
    return singles + [tuple(b.matters) for b in catalog.bundles[::9]]


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_heads_choose_as_the_whole_line(
    data: st.DataObject, layouts: dict[Policy, list[Layout]], real_catalog: Catalog
) -> None:
    policy = data.draw(st.sampled_from(list(Policy)))
    lay = data.draw(st.sampled_from(layouts[policy]))
    kinds = ticket_kinds(real_catalog)
    n = data.draw(st.integers(1, 60))
    line: list[Candidate] = []
    groups: dict[tuple, list[Candidate]] = {}
    for i in range(n):
        kind = data.draw(st.sampled_from(kinds))
        pri = data.draw(st.integers(0, 4)) == 0
        key, _, fs, domains = lay.group_key(kind, pri)
        # places in line may tie: ids break the tie, as in production
        qk = float(data.draw(st.integers(0, 40)) * 60)
        c = Candidate(i + 1, fs, qk, pri, None, None, None, domains)
        line.append(c)
        groups.setdefault(key, []).append(c)
    heads = [min(g, key=lambda c: (c.queue_key, c.id)) for g in groups.values()]
    now = 41 * 60.0 + data.draw(st.integers(0, 30 * 60))
    open_ws = data.draw(st.lists(st.sampled_from(lay.dws), unique=True, max_size=len(lay.dws)))
    for w in lay.dws:
        kw = dict(policy=policy, open_windows=open_ws, aging_seconds=lay.aging)
        assert choose_next(w, heads, now, **kw) == choose_next(w, line, now, **kw)


def test_grouping_is_not_trivial(layouts: dict[Policy, list[Layout]]) -> None:
    # the test above would prove nothing if every ticket were its own group
    lay = layouts[Policy.OLDEST][0]
    codes = sorted(lay.coverage.by_window[1])[:200]
    keys = {lay.group_key((c,), p)[0] for c in codes for p in (False, True)}
    assert len(keys) < 40
