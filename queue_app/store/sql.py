"""Statements built once and compiled once per dialect, then run on the driver directly.

SQLAlchemy Core builds and caches each statement on every call; on the hot paths of the
hall (issue, call next) that bookkeeping costs more than SQLite itself. A ``Sql`` keeps the
compiled text and the order of its parameters and hands both to the DBAPI cursor.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import CursorResult
from sqlalchemy.sql import ClauseElement


class Sql:
    def __init__(self, stmt: ClauseElement) -> None:
        self.stmt = stmt
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}

    def _compile(self, conn: Connection) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
        name = conn.dialect.name
        hit = self._compiled.get(name)
        if hit is None:
            c = self.stmt.compile(dialect=conn.dialect)
            order = tuple(c.positiontup or ()) if c.positional else None
            defaults = {k: v for k, v in c.params.items() if v is not None}
            hit = self._compiled[name] = (str(c), order, defaults)
        return hit

    def _args(self, conn: Connection, params: dict[str, Any]) -> tuple[str, Any]:
        text, order, defaults = self._compile(conn)
        merged = {**defaults, **params} if defaults else params
        if order is not None:
            return text, tuple(merged[k] for k in order)
        return text, merged

    def __call__(self, conn: Connection, **params: Any) -> CursorResult[Any]:
        text, args = self._args(conn, params)
        return conn.exec_driver_sql(text, args)

    def many(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """The statement once per row (executemany)."""
        if not rows:
            return
        text, _ = self._args(conn, rows[0])
        conn.exec_driver_sql(text, [self._args(conn, r)[1] for r in rows])
