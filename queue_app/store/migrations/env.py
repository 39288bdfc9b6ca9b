"""Alembic's environment for queue_app: it runs on the connection that
``queue_app.store.schema`` passes in ``config.attributes["connection"]`` (inside the
caller's transaction, so no second engine is built), in batch mode on SQLite so that a
revision can ALTER a table there."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

import queue_app.store.tables  # noqa: F401  (the tables join the metadata, for autogenerate)

connection = context.config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError(
        "queue_app's migrations run on a connection given by queue_app.store.schema "
        "(`queue-app db upgrade`), not by the alembic command"
    )


def render_item(kind: str, obj: Any, _context: AutogenContext) -> str | Literal[False]:
    """Drafts say ``sa.String`` for SQLModel's ``AutoString`` (a revision needs no sqlmodel)."""
    if kind == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
