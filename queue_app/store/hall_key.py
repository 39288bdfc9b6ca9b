"""The hall a connection works for: every transaction is bound to one hall, and every
statement on a hall-owned table filters by (or writes) that hall's key.

    conn = bind(engine.connect(), "district-hall")
    conn.execute(select(ticket_t).where(ticket_t.c.hall == of(conn), ...))

The hall is an execution option of the ``Connection`` object (not of the pooled database
connection underneath), so it ends with the connection.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Insert, Table, func, insert, select
from sqlalchemy import bindparam as bp

OPTION = "queue_app_hall"
PARAM = "hall_key"  # the bound parameter (a column's own name is SQLAlchemy's in a SET)


def bind(conn: Connection, hall: str) -> Connection:
    """``conn``, working for ``hall`` from now on."""
    return conn.execution_options(**{OPTION: hall})


def of(conn: Connection) -> str:
    """The hall ``conn`` works for."""
    hall = conn.get_execution_options().get(OPTION)
    if not isinstance(hall, str):
        raise RuntimeError("a statement on a hall's tables from a connection bound to no hall")
    return hall


def params(conn: Connection, **values: Any) -> dict[str, Any]:
    """Statement parameters with the connection's hall as ``PARAM``."""
    return {PARAM: of(conn), **values}


def mine(table: Table) -> ColumnElement[bool]:
    """``table.hall = :hall_key`` (the hall given as the ``PARAM`` parameter)."""
    return table.c.hall == bp(PARAM)


def inserting(table: Table) -> dict[str, Insert]:
    """An INSERT of one row of ``table`` returning its id, by dialect: on SQLite the id is
    the hall's highest plus one, read in the same statement (``PARAM`` names the hall)."""
    top = select(func.coalesce(func.max(table.c.id), 0) + 1).where(mine(table))
    return {
        "sqlite": insert(table).values(id=top.scalar_subquery()).returning(table.c.id),
        "postgresql": insert(table).returning(table.c.id),
    }


def next_id(conn: Connection, table: Table, count: int = 1) -> list[int] | None:
    """Ids for ``count`` new rows of ``table`` in this hall: on SQLite the hall's highest
    plus one onwards (the writer holds the database, so no one else takes them); None on
    PostgreSQL, where the column's sequence gives them."""
    if conn.dialect.name != "sqlite":
        return None
    top = conn.execute(select(func.max(table.c.id)).where(table.c.hall == of(conn))).scalar()
    first = int(top or 0) + 1
    return list(range(first, first + count))
