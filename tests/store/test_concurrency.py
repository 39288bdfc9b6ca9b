"""Many OS processes on one database: every ticket called exactly once, no number twice."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from queue_app.domain.ticket import Outcome
from queue_app.loaders import load_catalog, load_hall_for
from queue_app.store import Store
from tests import processes
from tests.conftest import FIXTURES, undifferentiated_hall

pytestmark = pytest.mark.slow
WORKERS = 4  # processes: twice the cores of the machines the suite runs on


def _open_store(url: str, hall_path: str) -> Store:
    catalog = load_catalog(FIXTURES / "mini_catalog.yaml")
    return Store(url, catalog, load_hall_for(hall_path, catalog))


def _caller(url: str, hall_path: str, window: int, barrier: Any, out: Any) -> None:
    store = _open_store(url, hall_path)
    barrier.wait()
    got: list[int] = []
    wrong = 0  # times this window was told "nobody waiting" while tickets were left
    while True:
        t = store.call_next(window, actor=f"clerk{window}")
        if t is None:
            time.sleep(0.5)  # let claims in flight on other windows commit
            if store.counts()["waiting"] == 0:
                break
            wrong += 1
            continue
        got.append(t.id)
        store.start(window)
        store.finish(window, Outcome.COMPLETED)
        # a moment at the counter before the next call: processes hammering SQLite's
        # lock back to back can leave one losing every race (its busy wait backs off)
        time.sleep(0.002)
    out.put((window, got, wrong))
    store.dispose()


def _issuer(url: str, hall_path: str, n: int, barrier: Any, out: Any) -> None:
    store = _open_store(url, hall_path)
    barrier.wait()
    # no slips (the people ahead and the wait are reads after the write): the writes come
    # back to back, the hardest case for the daily counter
    tickets = (store.issue(["M-SBK"], slip=False).ticket for _ in range(n))
    out.put([(t.id, t.number) for t in tickets])
    store.dispose()


def _run(target: Any, args_for: list[tuple]) -> list[Any]:
    ctx = processes.context()
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


def scarce_hall(tmp_path: Path, windows: int) -> Path:
    """The undifferentiated hall with every window restricted and the scarce policy: every
    call weighs the whole line (no paged walk)."""
    path = undifferentiated_hall(tmp_path, windows)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["dispatch"] = {"policy": "scarce"}
    for w in data["windows"]:
        w["kind"] = "specialised"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("layout", ["oldest", "scarce"])
def test_processes_call_next_over_the_whole_line(db_url: str, tmp_path: Path, layout: str) -> None:
    hall = undifferentiated_hall if layout == "oldest" else scarce_hall
    hall_path = str(hall(tmp_path, WORKERS))
    store = _open_store(db_url, hall_path)
    for w in range(1, WORKERS + 1):
        store.open_window(w)
    n = 300 if layout == "oldest" else 120  # the scarce policy weighs the whole line per call
    # the line is made without slips: their forecast reads the whole line (quadratic here)
    issued = {store.issue(["M-SBK" if i % 3 else "M-YL"], slip=False).ticket.id for i in range(n)}
    assert len(issued) == n

    results = _run(_caller, [(db_url, hall_path, w) for w in range(1, WORKERS + 1)])

    called = [tid for _, ids, _ in results for tid in ids]
    dupes = [tid for tid, n in Counter(called).items() if n > 1]
    assert dupes == [], f"tickets called twice: {dupes[:10]}"
    assert set(called) == issued, "tickets lost"
    if layout == "oldest":  # 300 tickets: every window gets its turn at the lock
        assert all(len(ids) > 0 for _, ids, _ in results), "a window never got a ticket"
    assert [wrong for _, _, wrong in results] == [0] * WORKERS, "'nobody waiting' while some were"
    counts = store.counts()
    assert counts["done"] == n and counts["waiting"] == 0
    called_events = [e for e in store.events(limit=100_000) if e.kind == "called"]
    assert len(called_events) == n
    assert Counter(e.ticket_number for e in called_events).most_common(1)[0][1] == 1
    store.dispose()


def test_processes_issuing_at_once_never_repeat_a_number(db_url: str, tmp_path: Path) -> None:
    hall_path = str(undifferentiated_hall(tmp_path, WORKERS))
    store = _open_store(db_url, hall_path)
    each = 150  # 600 in all (numbers past 999: tests/store/test_store_lifecycle.py)
    results = _run(_issuer, [(db_url, hall_path, each) for _ in range(WORKERS)])
    numbers = [number for chunk in results for _, number in chunk]
    total = each * WORKERS
    assert len(numbers) == total
    assert len(set(numbers)) == total, "a number was issued twice"
    seqs = sorted(int(n[1:]) for n in numbers)
    assert seqs == list(range(1, total + 1)), "numbering has gaps or repeats"
    assert store.counts()["waiting"] == total
    store.dispose()


@pytest.mark.parametrize("policy", ["oldest", "scarce"])
def test_a_call_in_flight_hides_only_its_own_ticket(
    db_url: str, tmp_path: Path, policy: str
) -> None:
    """While window 1's call-next holds its transaction open, window 2 calling next gets
    the next ticket: not "nobody waiting" (rows locked while read would hide them all)."""
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite runs one writer at a time: window 2 simply waits its turn")
    hall_path = (
        scarce_hall(tmp_path, 2) if policy == "scarce" else undifferentiated_hall(tmp_path, 2)
    )
    catalog = load_catalog(FIXTURES / "mini_catalog.yaml")
    hall = load_hall_for(hall_path, catalog)
    holding, release = threading.Event(), threading.Event()

    class Paused(Store):
        """A store whose call-next stops, transaction open, once it has chosen."""

        def _claim_first(self, *args: Any, **kwargs: Any) -> Any:
            choice = super()._claim_first(*args, **kwargs)
            if choice is not None:  # claimed (locked): hold the transaction open
                holding.set()
                assert release.wait(30)
            return choice

    store = Store(db_url, catalog, hall)
    paused = Paused(db_url, catalog, hall, create=False)
    try:
        for w in (1, 2):
            store.open_window(w)
        first, second, _ = (store.issue(["M-SBK"]).ticket for _ in range(3))
        got: list[Any] = []
        in_flight = threading.Thread(target=lambda: got.append(paused.call_next(1)))
        in_flight.start()
        assert holding.wait(30)
        t2 = store.call_next(2)
        release.set()
        in_flight.join(30)
        assert t2 is not None and t2.number == second.number
        assert got[0] is not None and got[0].number == first.number
    finally:
        release.set()
        paused.dispose()
        store.dispose()
