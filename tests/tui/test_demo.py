"""The embedded demo hall: seeded over the real store, served on 127.0.0.1 by uvicorn in
this process, reached through the client like any terminal."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import httpx

from queue_app.client import HallClient
from queue_app.demo import SimClock
from queue_app.demo_live import (
    CITY_USER,
    KIOSK_USER,
    PASSWORD,
    EmbeddedServer,
    accounts,
    city_accounts,
    city_app,
    seed,
    seed_city,
    with_file_printer,
)
from queue_app.domain.city import Elsewhere
from queue_app.domain.report import Period
from queue_app.domain.rollup import By
from queue_app.history import past_days
from queue_app.history.template import demo_database
from queue_app.loaders import default_catalog_path, default_hall_path, load_catalog, load_hall_for
from queue_app.loaders.files import default_city_path, load_city_halls
from queue_app.store import Store, make_engine
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
            c.sign_in(KIOSK_USER, PASSWORD)  # the /kiosk page's account
            menu = c.kiosk_menu()  # the demo's morning ranks the real catalog's matters
            assert len(menu.person) == len(menu.enterprise) == len(menu.bundle) == 12
            assert menu.person[0].issued > 0 and menu.person[0].issued >= menu.person[1].issued
            c.sign_in("rater1", PASSWORD, 1)  # the 评价器 of window 1: /rate/1
            assert c.rater(1).window == 1
            assert httpx.get(f"{server.url}/rate/1").status_code == 200
            c.sign_in("manager", PASSWORD)
            screen = c.window_screen(1)  # its clerk signed in: masked, with the 工号
            assert screen.clerk is not None
            assert (screen.clerk.name, screen.clerk.staff_number) == ("王**", "1001")
            shown = c.window_screen(2).clerk  # a clerk who chose the name to be shown
            assert shown is not None and (shown.name, shown.staff_number) == ("李先生", "1002")
            staff = {s.username: s for s in c.staff()}
            assert staff["manager"].full_name == "陈志强" and staff["clerk21"].staff_number
            states = Counter(w.state for w in c.windows())
            counts = c.stats().counts
            assert states["closed"] == 2 and states["paused"] == 1, states
            assert states["serving"] + states["calling"] > 5, states
            assert counts["done"] > 30 and counts["waiting"] > 0, counts
    finally:
        store.dispose()


def test_the_demo_city_serves_every_hall_and_the_city_account_sees_them_all(
    tmp_path: Path,
) -> None:
    """What ``queue-app demo`` runs: the halls of windows/city.yaml on one SQLite file,
    each seeded; every account of the picker signs in at its hall; the city account reads
    every hall side by side."""
    catalog = load_catalog(default_catalog_path())
    city, halls = load_city_halls(default_city_path(), catalog)
    zone = midday_timezone()  # the demo runs on the real clock: about noon in every hall
    halls = [
        h.model_copy(update={"hall": h.hall.model_copy(update={"timezone": zone})}) for h in halls
    ]
    clock = SimClock(0.0)
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    stores = [Store(engine, catalog, h, clock=clock) for h in halls]
    try:
        seed_city(stores, catalog, clock, tickets=60)
        app = city_app(stores, Elsewhere.of_city(city, halls, catalog), ("c", city.city.name))
        with EmbeddedServer(app) as server:
            for account in city_accounts(halls):
                with HallClient(server.url + account.hall) as c:
                    c.sign_in(account.username, PASSWORD, account.window)
            with HallClient(server.url) as c:
                c.sign_in(CITY_USER, PASSWORD)
                seen = c.city()
        assert seen.name == city.city.name
        assert [h.code for h in seen.halls] == [h.hall.code for h in halls]
        assert all(h.served > 0 and h.windows_open > 0 for h in seen.halls), seen.halls
    finally:
        for s in stores:
            s.dispose()


def test_the_demo_starts_with_past_days_kept_between_runs(tmp_path: Path) -> None:
    """The demo's database holds each hall's past business days (two here, light), made
    once in the cache and copied after; today's morning follows them."""
    catalog = load_catalog(default_catalog_path())
    _, halls = load_city_halls(default_city_path(), catalog)
    zone = midday_timezone()
    township = halls[2].model_copy(
        update={"hall": halls[2].hall.model_copy(update={"timezone": zone})}
    )
    made = demo_database(tmp_path / "a.db", catalog, [township], tmp_path, days=2, scale=0.3)
    again = demo_database(tmp_path / "b.db", catalog, [township], tmp_path, days=2, scale=0.3)
    assert made > 0 and again == 0  # the second start copies the first's days
    clock = SimClock(0.0)
    store = Store(f"sqlite:///{tmp_path / 'b.db'}", catalog, township, clock=clock)
    try:
        seed(store, catalog, township, clock, tickets=20)
        days = past_days(township, 2, dt.date.fromisoformat(store.today()))
        past = store.report(By.HALL, Period.of(days[0], days[-1])).total.now
        assert past.issued == made and past.served > 0 and past.rated > 0
    finally:
        store.dispose()


def test_the_demo_desk_prints_its_slips_to_a_file_printer(tmp_path: Path) -> None:
    """The demo's hall gets a desk station with a file printer (the hall file names none):
    the demo desk signs in there, and each ticket it issues is a slip in the file, its QR
    code the status page under the server's URL."""
    from queue_app.printing.decode import decode, slips
    from tests.server.threaded import wait_until

    catalog = load_catalog(default_catalog_path())
    hall = load_hall_for(default_hall_path(), catalog)
    hall = hall.model_copy(
        update={"hall": hall.hall.model_copy(update={"timezone": midday_timezone()})}
    )
    assert hall.printers == {}  # the default hall file's printers are commented out
    hall = with_file_printer(hall, tmp_path / "slips")
    slip_file = tmp_path / "slips" / "slips-district-hall.bin"
    clock = SimClock(0.0)
    store = Store(f"sqlite:///{tmp_path / 'demo.db'}", catalog, hall, clock=clock)
    try:
        seed(store, catalog, hall, clock, tickets=20)
        (desk,) = [a for a in accounts(hall) if a.role == "desk"]
        assert desk.station == "desk-1"
        port = EmbeddedServer(store).port
        app = city_app([store], None, public_url=f"http://127.0.0.1:{port}")
        with EmbeddedServer(app, port) as server, HallClient(server.url) as c:
            c.sign_in(desk.username, PASSWORD, None, desk.station)
            code = next(m.code for m in catalog.matters if m.undifferentiated)
            issued = [c.issue([code]) for _ in range(2)]

            wait_until(lambda: len(slips(decode(slip_file.read_bytes()))) == 2)
            printed = slips(decode(slip_file.read_bytes()))
            qrs = [[p.text for p in slip if p.kind == "qr"] for slip in printed]
        assert qrs == [[f"{server.url}/t/{i.token}"] for i in issued]
    finally:
        store.dispose()
