"""The embedded demo hall: seeded over the real store, served on 127.0.0.1 by uvicorn in
this process, reached through the client like any terminal."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from queue_app.client import HallClient
from queue_app.demo import SimClock
from queue_app.demo_live import PASSWORD, EmbeddedServer, accounts, seed
from queue_app.loaders import default_catalog_path, default_hall_path, load_catalog, load_hall_for
from queue_app.store import Store
from tests.conftest import midday_timezone


def test_the_demo_hall_has_a_morning_and_every_window_state(tmp_path: Path) -> None:
    catalog = load_catalog(default_catalog_path())
    hall = load_hall_for(default_hall_path(), catalog)
    # the demo runs on the real clock: put the hall where it is about noon (two full hours)
    hall = hall.model_copy(
        update={"hall": hall.hall.model_copy(update={"timezone": midday_timezone()})}
    )
    clock = SimClock(0.0)
    store = Store(f"sqlite:///{tmp_path / 'demo.db'}", catalog, hall, clock=clock)
    try:
        seed(store, catalog, hall, clock, tickets=150)
        assert clock.live  # the server runs on real time
        with EmbeddedServer(store) as server, HallClient(server.url) as c:
            for account in accounts(hall):  # every demo account signs in
                c.sign_in(account.username, PASSWORD, account.window)
            c.sign_in("manager", PASSWORD)
            states = Counter(w.state for w in c.windows())
            counts = c.stats().counts
            assert states["closed"] == 2 and states["paused"] == 1, states
            assert states["serving"] + states["calling"] > 5, states
            assert counts["done"] > 30 and counts["waiting"] > 0, counts
    finally:
        store.dispose()
