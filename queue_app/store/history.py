"""Room for past days: before the history player plays days through the store's
operations, the hall's database is checked and its business day set back to the first of
them (the store plays days forward, each from its first operation)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from queue_app.domain.refusals import HallInUseLater, HistoryDaysTaken
from queue_app.domain.window_state import WindowStatus
from queue_app.store import settings
from queue_app.store.tables import day_t, hall_state_t, profile_t, ticket_t, window_t
from queue_app.store.uow import Tx

if TYPE_CHECKING:
    from queue_app.store.store import Store

T, D = ticket_t.c, day_t.c


def make_room(store: Store, first: str, last: str) -> None:
    """Ready the hall for days ``first`` to ``last``: refused, changing nothing, when one of
    them holds tickets or was closed, or when the hall is in use on a later day (tickets
    then, a window open or serving otherwise than its layout); else its business day goes
    back to ``first`` if it is later."""

    def op(tx: Tx) -> None:
        conn, hall = tx.conn, tx.hall
        taken = [
            conn.execute(
                select(func.min(T.day)).where(T.hall == hall, T.day >= first, T.day <= last)
            ).scalar(),
            conn.execute(
                select(func.min(D.day)).where(D.hall == hall, D.day >= first, D.day <= last)
            ).scalar(),
        ]
        found = [d for d in taken if d is not None]
        if found:
            raise HistoryDaysTaken(day=min(found))
        state = settings.state(conn)
        if state is None or state.day <= first:
            return
        later = conn.execute(select(func.min(T.day)).where(T.hall == hall, T.day > last)).scalar()
        open_windows = conn.execute(
            select(func.count())
            .select_from(window_t)
            .where(window_t.c.hall == hall, window_t.c.status != WindowStatus.CLOSED.value)
        ).scalar()
        changed = conn.execute(
            select(func.count()).select_from(profile_t).where(profile_t.c.hall == hall)
        ).scalar()
        if later is not None or open_windows or changed:
            raise HallInUseLater(day=later or state.day)
        conn.execute(
            update(hall_state_t)
            .where(hall_state_t.c.hall == hall)
            .values(day=first, open_until=None, day_closed=False)
        )

    store.uow.run(op)


def last_closed(store: Store) -> str | None:
    """The hall's latest closed business day, if any."""
    with store.uow.read() as tx:
        found = select(func.max(D.day)).where(D.hall == tx.hall)
        return tx.conn.execute(found).scalar()
