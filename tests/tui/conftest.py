"""Terminal tests run against the hall's app in this process (see ``inprocess``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from queue_app.client import AsyncHallClient
from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.store import Store
from tests.conftest import Clock
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
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture()
async def boss(hall: InProcessHall) -> AsyncIterator[AsyncHallClient]:
    """The hall's app running (its lifespan begun) and the manager signed in to it."""
    async with hall.running(), hall.signed_in("boss") as c:
        yield c
