"""Reads for the self-service kiosk: what this hall issued tickets for lately."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from queue_app.store.hall_key import of
from queue_app.store.tables import ticket_t


@dataclass(frozen=True, slots=True)
class IssuedLately:
    matters: dict[str, int]  # matter code -> tickets carrying it (a bundle's included)
    bundles: dict[str, int]  # bundle code -> tickets


def issued_since(conn: Connection, since: str) -> IssuedLately:
    """The tickets issued from business day ``since`` on, counted by matter and bundle
    (grouped in the database: one row per distinct set of matters)."""
    rows = conn.execute(
        select(ticket_t.c.bundle, ticket_t.c.matters, func.count())
        .where(ticket_t.c.hall == of(conn), ticket_t.c.day >= since)
        .group_by(ticket_t.c.bundle, ticket_t.c.matters)
    ).all()
    matters: Counter[str] = Counter()
    bundles: Counter[str] = Counter()
    for bundle, codes, n in rows:
        for code in str(codes).split():
            matters[code] += int(n)
        if bundle:
            bundles[str(bundle)] += int(n)
    return IssuedLately(dict(matters), dict(bundles))
