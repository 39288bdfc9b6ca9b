"""Terminal tests run against the hall's app in this process (see ``inprocess``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import yaml

from queue_app.client import AsyncHallClient
from queue_app.domain.catalog import Catalog
from queue_app.domain.city import Elsewhere, Referral
from queue_app.domain.hall import Hall, Serves, parse_hall
from queue_app.store import Store
from tests.conftest import FIXTURES, Clock
from tests.tui.inprocess import InProcessHall, in_process_hall


@pytest.fixture()
def hall(
    tmp_path: Path, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> Iterator[InProcessHall]:
    """The mini hall on a new SQLite file at 09:00 on a Monday, its staff signed up, no
    window open yet. The clock stands still unless the test moves it."""
    store = Store(f"sqlite:///{tmp_path / 'hall.db'}", mini_catalog, mini_hall, clock=clock)
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


@pytest.fixture()
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture()
async def boss(hall: InProcessHall) -> AsyncIterator[AsyncHallClient]:
    """The hall's app running (its lifespan begun) and the manager signed in to it."""
    async with hall.running(), hall.signed_in("boss") as c:
        yield c
