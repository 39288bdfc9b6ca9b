"""Booking the last places of one slot from many threads at once, in process on the
store (no HTTP): requests per second (bookings made and ``slot_full`` refusals together)
and the bookings made, which must equal the places. Each run uses a fresh database.

    python bench/bookings.py [DATABASE_URL] [--threads 8] [--tries 100] [--places 200]

Default: a SQLite file in a temporary directory; give a PostgreSQL URL to measure it."""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import threading
import time
from pathlib import Path

from queue_app.domain.booking_slots import day_slots
from queue_app.domain.errors import Refused
from queue_app.domain.hall import parse_hall
from queue_app.loaders import load_catalog, load_hall_for
from queue_app.store import Store
from queue_app.store import booking_ops as ops

FIXTURES = Path(__file__).parent.parent / "tests" / "fixtures"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("url", nargs="?")
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--tries", type=int, default=100)
    p.add_argument("--places", type=int, default=200)
    a = p.parse_args()
    url = a.url or f"sqlite:///{tempfile.mkdtemp(prefix='bench-bookings-')}/hall.db"
    catalog = load_catalog(FIXTURES / "mini_catalog.yaml")
    data = load_hall_for(FIXTURES / "mini_hall.yaml", catalog).model_dump(mode="json")
    data["hours"]["weekdays"] = [1, 2, 3, 4, 5, 6, 7]
    scope = {"name": "social", "domains": ["社保"], "capacity": a.places}
    data["bookings"] = {"scopes": [scope], "per_number_per_day": 20}
    hall = parse_hall(data)
    store = Store(url, catalog, hall)
    if not store.sqlite:  # a fresh hall on a PostgreSQL database used before
        from sqlalchemy import delete

        from queue_app.store.tables import booking_slot_t, booking_t

        with store.engine.begin() as conn:
            conn.execute(delete(booking_t).where(booking_t.c.hall == store.code))
            conn.execute(delete(booking_slot_t).where(booking_slot_t.c.hall == store.code))
    tomorrow = dt.date.fromisoformat(store.today()) + dt.timedelta(days=1)
    slot = day_slots(hall, tomorrow)[0]
    start = threading.Barrier(a.threads + 1)
    made, full = [0] * a.threads, [0] * a.threads

    def booker(w: int) -> None:
        start.wait()
        for i in range(a.tries):
            try:
                ops.book(store, ["M-SBK"], slot.at, f"13{w:03d}{i:06d}")
                made[w] += 1
            except Refused as exc:
                assert exc.code == "slot_full", exc
                full[w] += 1

    threads = [threading.Thread(target=booker, args=(w,)) for w in range(a.threads)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    took = time.perf_counter() - t0
    requests = sum(made) + sum(full)
    print(
        f"{store.engine.dialect.name}: {a.threads} threads, {requests} requests in {took:.2f} s "
        f"= {requests / took:.0f} requests/s; made {sum(made)} of {a.places} places, "
        f"refused full {sum(full)}"
    )
    assert sum(made) == a.places
    store.dispose()


if __name__ == "__main__":
    main()
