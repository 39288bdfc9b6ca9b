"""Statements built once, compiled once per dialect, and run on the driver's cursor.

SQLAlchemy Core builds a cache key and a result object on every call; on the hot paths of
the hall (issue, call next) that bookkeeping costs more than SQLite itself. A ``Sql`` keeps
the compiled text and the order of its parameters, runs it on the DBAPI cursor of the
connection's current transaction, and returns rows with attribute access.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql import ClauseElement


class Result:
    """The few result shapes the store needs, over plain driver rows."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def all(self) -> list[Any]:
        return self._rows

    def one(self) -> Any:
        if len(self._rows) != 1:
            raise LookupError(f"expected one row, got {len(self._rows)}")
        return self._rows[0]

    def one_or_none(self) -> Any:
        return self._rows[0] if self._rows else None

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalars(self) -> Iterator[Any]:
        return (r[0] for r in self._rows)


class Sql:
    def __init__(self, stmt: ClauseElement) -> None:
        self.stmt = stmt
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}
        self._row_types: dict[tuple[str, ...], type] = {}

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

    def _row_type(self, description: Sequence[Any]) -> type:
        names = tuple(d[0] for d in description)
        t = self._row_types.get(names)
        if t is None:
            t = self._row_types[names] = namedtuple("Row", names)  # type: ignore[misc]
        return t

    def __call__(self, conn: Connection, **params: Any) -> Result:
        text, args = self._args(conn, params)
        if not conn.in_transaction():
            conn.begin()
        cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cur.execute(text, args)
            if cur.description is None:
                return Result([], cur.rowcount)
            make = self._row_type(cur.description)
            return Result([make(*r) for r in cur.fetchall()], cur.rowcount)
        finally:
            cur.close()

    def many(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """The statement once per row (executemany)."""
        if not rows:
            return
        text, _ = self._args(conn, rows[0])
        if not conn.in_transaction():
            conn.begin()
        cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cur.executemany(text, [self._args(conn, r)[1] for r in rows])
        finally:
            cur.close()
