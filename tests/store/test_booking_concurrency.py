"""The last places of a slot booked by many OS processes at once, on SQLite and
PostgreSQL: never more bookings than places, every refusal a ``slot_full``, the counter
equal to the bookings made."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from queue_app.domain.booking_slots import day_slots
from queue_app.domain.errors import Refused
from queue_app.loaders import load_catalog, load_hall_for
from queue_app.store import Store
from queue_app.store import booking_ops as ops
from queue_app.store.tables import booking_slot_t, booking_t
from tests import processes
from tests.bookings import booking_hall_file
from tests.conftest import FIXTURES

pytestmark = pytest.mark.slow
WORKERS, TRIES, CAPACITY = 4, 6, 5  # 24 attempts at 5 places


def _open(url: str, hall_path: str) -> Store:
    catalog = load_catalog(FIXTURES / "mini_catalog.yaml")
    return Store(url, catalog, load_hall_for(hall_path, catalog))


def _booker(url: str, hall_path: str, worker: int, at: float, barrier: Any, out: Any) -> None:
    store = _open(url, hall_path)
    barrier.wait()
    made, full = [], 0
    for i in range(TRIES):
        try:
            made.append(ops.book(store, ["M-SBK"], at, f"1380000{worker:02d}{i:02d}").code)
        except Refused as exc:
            assert exc.code == "slot_full", exc
            full += 1
    out.put((made, full))
    store.dispose()


def test_the_last_places_are_never_overbooked(db_url: str, tmp_path: Path) -> None:
    hall_path = booking_hall_file(tmp_path, CAPACITY)
    store = _open(db_url, str(hall_path))  # migrates the database once, before the race
    tomorrow = dt.date.fromisoformat(store.today()) + dt.timedelta(days=1)
    slot = day_slots(store.hall, tomorrow)[2]
    ctx = processes.context()
    barrier, out = ctx.Barrier(WORKERS), ctx.Queue()
    procs = [
        ctx.Process(target=_booker, args=(db_url, str(hall_path), w, slot.at, barrier, out))
        for w in range(WORKERS)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    codes = [c for made, _ in results for c in made]
    assert len(codes) == CAPACITY and len(set(codes)) == CAPACITY
    assert sum(full for _, full in results) == WORKERS * TRIES - CAPACITY
    with store.engine.connect() as conn:
        mine = store.code
        booked = conn.execute(
            select(func.count()).select_from(booking_t).where(booking_t.c.hall == mine)
        ).scalar_one()
        taken = conn.execute(
            select(booking_slot_t.c.taken).where(booking_slot_t.c.hall == mine)
        ).scalar_one()
    assert booked == taken == CAPACITY
    assert [
        v.free for d in ops.offer(store, ["M-SBK"]).days for v in d.slots if v.slot == slot
    ] == [0]
    store.dispose()
