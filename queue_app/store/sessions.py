"""Sign-in sessions that ended: removed at day close and at a server's start."""

from __future__ import annotations

from sqlalchemy import Connection, delete

from queue_app.store.hall_key import of
from queue_app.store.tables import session_t


def purge_sessions(conn: Connection, now: float) -> int:
    return conn.execute(
        delete(session_t).where(session_t.c.hall == of(conn), session_t.c.expires_at < now)
    ).rowcount
