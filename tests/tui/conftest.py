"""Terminal tests run against the hall's app in this process (see ``inprocess``)."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import yaml

from queue_app.client import AsyncHallClient
from queue_app.domain.catalog import Catalog
from queue_app.domain.city import Elsewhere, Referral
from queue_app.domain.hall import Hall, Serves, parse_hall
from queue_app.server import create_app
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from tests.conftest import FIXTURES, SHANGHAI, Clock, with_raters
from tests.tui.history import at, play, play_days
from tests.tui.inprocess import PW, STAFF, InProcessHall, in_process_hall

TODAY = dt.date(2026, 11, 25)  # a Wednesday: the history's live day
HISTORY = [  # the last week of October, then every weekday of November before today
    d
    for d in (dt.date(2026, 10, 26) + dt.timedelta(days=i) for i in range(30))
    if d.weekday() < 5 and d < TODAY
]


@pytest.fixture()
def hall(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    mini_catalog: Catalog,
    mini_hall: Hall,
    clock: Clock,
) -> Iterator[InProcessHall]:
    """The mini hall on a new SQLite file at 09:00 on a Monday, its staff signed up, no
    window open yet. The clock stands still unless the test moves it. A 评价器 at every
    window, unless the test is marked ``raters("2-4")``."""
    marked = request.node.get_closest_marker("raters")
    layout = with_raters(mini_hall, marked.args[0]) if marked else mini_hall
    store = Store(f"sqlite:///{tmp_path / 'hall.db'}", mini_catalog, layout, clock=clock)
    hall = in_process_hall(store, clock)
    try:
        yield hall
    finally:
        hall.app.state.service.close()  # its writer thread (a snapshot test runs no lifespan)
        store.dispose()


@pytest.fixture()
def city_hall(
    tmp_path: Path, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> Iterator[InProcessHall]:
    """The mini hall (no window serves 不动产; its ``handles`` leaves out 食品经营许可) in a
    city with a 不动产 centre and no place for 食品经营许可."""
    data = mini_hall.model_dump(mode="json")
    data["handles"] = {"except_matters": ["M-SP"]}
    here = parse_hall(data)
    estate = yaml.safe_load((FIXTURES / "mini_hall.yaml").read_text(encoding="utf-8"))
    estate["hall"] = {
        "code": "estate",
        "name": "不动产登记中心",
        "address": "北大街 8 号",
        "phone": "0826-1234567",
    }
    estate["ticket_classes"] = [{"prefix": "A", "name": "综合业务"}]
    estate["windows"] = [
        {"number": 1, "name": "不动产", "kind": "specialised", "serves": {"domains": ["不动产"]}}
    ]
    police = Referral(name="出入境大厅", handles=Serves(domains=["出入境"]))
    elsewhere = Elsewhere(mini_catalog, [here, parse_hall(estate)], [police])
    store = Store(f"sqlite:///{tmp_path / 'hall.db'}", mini_catalog, here, clock=clock)
    hall = in_process_hall(store, clock, elsewhere=elsewhere)
    try:
        yield hall
    finally:
        hall.app.state.service.close()
        store.dispose()


@pytest.fixture(scope="session")
def history_file(
    tmp_path_factory: pytest.TempPathFactory, mini_catalog: Catalog, mini_hall: Hall
) -> tuple[Path, float]:
    """Once per test process: the mini hall's past weeks (``HISTORY``, played to their
    end) and today's morning to 10:30, its staff signed up; the file and the clock's time."""
    path = tmp_path_factory.mktemp("history") / "hall.db"
    clock = Clock(dt.datetime.combine(HISTORY[0], dt.time(8), SHANGHAI))
    store = Store(f"sqlite:///{path}", mini_catalog, mini_hall, clock=clock)
    rng = random.Random(20261125)
    play_days(store, clock, HISTORY, rng)
    arrivals = sorted(at(TODAY, 9) + 5400 * rng.random() for _ in range(9))
    play(store, clock, TODAY, arrivals, rng, [1, 3, 4], until=at(TODAY, 10, 30))
    for username, role in STAFF:
        add_staff(store, username, Role(role), PW)
    store.dispose()
    return path, clock.now


@pytest.fixture()
def history(
    tmp_path: Path, history_file: tuple[Path, float], mini_catalog: Catalog, mini_hall: Hall
) -> Iterator[InProcessHall]:
    """A copy of the hall with history (``history_file``), its clock standing at 10:30 today."""
    made, now = history_file
    shutil.copy(made, tmp_path / "hall.db")
    clock = Clock()
    clock.now = now
    store = Store(f"sqlite:///{tmp_path / 'hall.db'}", mini_catalog, mini_hall, clock=clock)
    hall = InProcessHall(store, clock, create_app(store))
    try:
        yield hall
    finally:
        hall.app.state.service.close()
        store.dispose()


@pytest.fixture()
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture()
async def boss(hall: InProcessHall) -> AsyncIterator[AsyncHallClient]:
    """The hall's app running (its lifespan begun) and the manager signed in to it."""
    async with hall.running(), hall.signed_in("boss") as c:
        yield c
