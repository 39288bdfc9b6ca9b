"""The schema: brought to the code's revision (temporary: create_all until migrations)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import SQLModel

from queue_app.store import tables  # noqa: F401  (the tables' declarations)
from queue_app.store.feed import install_notify_trigger


def upgrade(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)
    install_notify_trigger(engine)
