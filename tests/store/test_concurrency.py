"""Many OS processes on one database: every ticket called exactly once, no number twice."""

from __future__ import annotations

import multiprocessing as mp
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from queue_app.domain.ticket import Outcome
from queue_app.loaders import load_catalog, load_hall_for
from queue_app.store import Store
from tests.conftest import FIXTURES, undifferentiated_hall

pytestmark = pytest.mark.slow
WORKERS = 8


def _open_store(url: str, hall_path: str) -> Store:
    catalog = load_catalog(FIXTURES / "mini_catalog.yaml")
    return Store(url, catalog, load_hall_for(hall_path, catalog))


def _caller(url: str, hall_path: str, window: int, barrier: Any, out: Any) -> None:
    store = _open_store(url, hall_path)
    barrier.wait()
    got: list[int] = []
    while (t := store.call_next(window, actor=f"clerk{window}")) is not None:
        got.append(t.id)
        store.start(window)
        store.finish(window, Outcome.COMPLETED)
    out.put((window, got))
    store.dispose()


def _issuer(url: str, hall_path: str, n: int, barrier: Any, out: Any) -> None:
    store = _open_store(url, hall_path)
    barrier.wait()
    out.put([(t.id, t.number) for t in (store.issue(["M-SBK"]).ticket for _ in range(n))])
    store.dispose()


def _run(target: Any, args_for: list[tuple]) -> list[Any]:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(len(args_for))
    out = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*a, barrier, out)) for a in args_for]
    for p in procs:
        p.start()
    results = [out.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return results


def test_eight_processes_call_next_over_2000_tickets(db_url: str, tmp_path: Path) -> None:
    hall_path = str(undifferentiated_hall(tmp_path, WORKERS))
    store = _open_store(db_url, hall_path)
    for w in range(1, WORKERS + 1):
        store.open_window(w)
    issued = {store.issue(["M-SBK" if i % 3 else "M-YL"]).ticket.id for i in range(2000)}
    assert len(issued) == 2000

    results = _run(_caller, [(db_url, hall_path, w) for w in range(1, WORKERS + 1)])

    called = [tid for _, ids in results for tid in ids]
    dupes = [tid for tid, n in Counter(called).items() if n > 1]
    assert dupes == [], f"tickets called twice: {dupes[:10]}"
    assert set(called) == issued, "tickets lost"
    assert all(len(ids) > 0 for _, ids in results), "a window never got a ticket"
    counts = store.counts()
    assert counts["done"] == 2000 and counts["waiting"] == 0
    called_events = [e for e in store.events(limit=100_000) if e.kind == "called"]
    assert len(called_events) == 2000
    assert Counter(e.ticket_number for e in called_events).most_common(1)[0][1] == 1
    store.dispose()


def test_eight_processes_issuing_at_once_never_repeat_a_number(db_url: str, tmp_path: Path) -> None:
    hall_path = str(undifferentiated_hall(tmp_path, WORKERS))
    store = _open_store(db_url, hall_path)
    results = _run(_issuer, [(db_url, hall_path, 250) for _ in range(WORKERS)])
    numbers = [number for chunk in results for _, number in chunk]
    assert len(numbers) == 2000
    assert len(set(numbers)) == 2000, "a number was issued twice"
    seqs = sorted(int(n[1:]) for n in numbers)
    assert seqs == list(range(1, 2001)), "numbering has gaps or repeats"
    assert store.counts()["waiting"] == 2000
    store.dispose()
