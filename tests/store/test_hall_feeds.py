"""The halls of a process on one PostgreSQL database share one listening connection and
thread: each hall's followers hear its events and no other's, and the listener stops when
the last follower leaves."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.store import Store, make_engine
from queue_app.store.feed import feeds_of
from tests.conftest import Clock, hall_coded


@pytest.fixture()
def engine(db_url: str) -> Iterator[Engine]:
    if not db_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    e = make_engine(db_url)
    yield e
    e.dispose()


def listeners() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "queue-listen" and t.is_alive())


def until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)  # polling what the listener's thread appends


def test_one_listener_for_every_hall_each_hearing_its_own(
    engine: Engine, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    a, b = (Store(engine, mini_catalog, hall_coded(mini_hall, c), clock=clock) for c in ("a", "b"))
    heard: dict[str, list[Any]] = {"a": [], "b": [], "a2": []}
    before = listeners()
    feeds = feeds_of(engine)
    followers = [
        feeds.join("a", heard["a"].append, lambda: None),
        feeds.join("b", heard["b"].append, lambda: None),
        feeds.join("a", heard["a2"].append, lambda: None),  # a second server of hall a
    ]
    assert listeners() == before + 1
    a.issue(["M-SBK"])
    a.issue(["M-SBK"])
    b.issue(["M-SBK"])
    until(lambda: len(heard["b"]) == 1 and len(heard["a"]) == len(heard["a2"]) == 2, "events")
    assert {e["hall"] for e in heard["a"]} == {"a"} and heard["b"][0]["hall"] == "b"
    for f in followers:
        feeds.leave(f)
    until(lambda: listeners() == before, "the listener stops with the last follower")
    assert feeds_of(engine) is not feeds  # a new one for whoever follows next
