"""Hall settings that change at run time, and the hall's running state.

The layout in effect is the layout file with the changes managers made (what a window
serves, the wait targets), kept in ``window_profile`` and ``hall_setting``. Every such
change moves ``hall_state.settings_version``; each process reads that one row per
operation and rebuilds its layout only when the version has moved, so every process
sharing the database dispatches by the same rules without re-reading them each time.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy import bindparam as bp

from queue_app.domain.catalog import Catalog
from queue_app.domain.dispatch import DispatchWindow
from queue_app.domain.hall import Coverage, Hall, Targets
from queue_app.domain.layouts import dispatch_windows
from queue_app.domain.profiles import WindowProfile, in_effect
from queue_app.store.hall_key import mine, of, params
from queue_app.store.tables import hall_state_t, profile_t, setting_t, ticket_t
from queue_app.store.uow import Conflict

TARGETS = "targets"
S = hall_state_t.c
P = profile_t.c
_STATE = select(S.day, S.settings_version, S.open_until, S.day_closed).where(mine(hall_state_t))
_NEXT_DAY = (
    update(hall_state_t)
    .where(mine(hall_state_t), S.day == bp("old"))
    .values(day=bp("new"), open_until=None, day_closed=False)
)
_BUMP = (
    update(hall_state_t)
    .where(mine(hall_state_t))
    .values(settings_version=S.settings_version + 1)
    .returning(S.settings_version)
)


@dataclass(frozen=True, slots=True)
class HallState:
    day: str  # the business day the hall is in (rolled over to)
    settings_version: int
    open_until: float | None  # issuing open until this instant, beyond the hours
    day_closed: bool  # closed by hand: no more tickets today


@dataclass(frozen=True)
class Layout:
    """The hall in effect and what dispatch needs of it."""

    hall: Hall
    coverage: Coverage
    dispatch: dict[int, DispatchWindow]
    changed: frozenset[int]  # windows serving otherwise than the layout file says
    targets: Targets


def state(conn: Connection) -> HallState | None:
    row = conn.execute(_STATE, params(conn)).one_or_none()
    if row is None:
        return None
    return HallState(row.day, row.settings_version, row.open_until, bool(row.day_closed))


def ensure_state(conn: Connection, day: str) -> None:
    """The state row, if there is none yet: at the latest day tickets were issued on (a
    database upgraded with a day left open ends it at the next operation), else ``day``."""
    if state(conn) is None:
        hall = of(conn)
        latest = conn.execute(
            select(func.max(ticket_t.c.day)).where(ticket_t.c.hall == hall)
        ).scalar()
        day = min(day, latest) if latest else day
        conn.execute(
            insert(hall_state_t).values(hall=hall, day=day, settings_version=0, day_closed=False)
        )


def next_day(conn: Connection, old: str, new: str) -> None:
    """Move the hall from business day ``old`` to ``new`` (a twin roll-over by another
    process makes this one run again)."""
    if conn.execute(_NEXT_DAY, params(conn, old=old, new=new)).rowcount != 1:
        raise Conflict(f"day {old} -> {new}")


def open_until(conn: Connection, until: float | None) -> None:
    conn.execute(update(hall_state_t).where(S.hall == of(conn)).values(open_until=until))


def close_current_day(conn: Connection) -> None:
    conn.execute(update(hall_state_t).where(S.hall == of(conn)).values(day_closed=True))


@dataclass(frozen=True, slots=True)
class Notice:
    """The notice line a manager set for the hall's boards."""

    text: str
    at: float
    by: str


def notice(conn: Connection) -> Notice | None:
    row = conn.execute(
        select(S.notice, S.notice_at, S.notice_by).where(mine(hall_state_t)), params(conn)
    ).one_or_none()
    if row is None or not row.notice:
        return None
    return Notice(str(row.notice), float(row.notice_at or 0.0), str(row.notice_by or ""))


def put_notice(conn: Connection, text: str | None, at: float, by: str) -> None:
    """Set the hall's notice line (None: no notice)."""
    conn.execute(
        update(hall_state_t)
        .where(S.hall == of(conn))
        .values(notice=text, notice_at=at if text else None, notice_by=by if text else None)
    )


def bump(conn: Connection) -> int:
    """Say the settings changed (every process rebuilds its layout)."""
    return int(conn.execute(_BUMP, params(conn)).scalar_one())


def profile_rows(conn: Connection) -> tuple[tuple[int, str], ...]:
    rows = conn.execute(select(P.number, P.profile).where(P.hall == of(conn)).order_by(P.number))
    return tuple((int(r.number), str(r.profile)) for r in rows)


def put_profile(conn: Connection, number: int, profile: str | None, at: float, by: str) -> None:
    hall = of(conn)
    conn.execute(delete(profile_t).where(P.hall == hall, P.number == number))
    if profile is not None:
        conn.execute(
            insert(profile_t).values(
                hall=hall, number=number, profile=profile, set_at=at, set_by=by
            )
        )


def clear_profiles(conn: Connection) -> list[int]:
    """Every window back to its layout file's profile; the windows that had another."""
    hall = of(conn)
    changed = list(conn.execute(select(P.number).where(P.hall == hall)).scalars())
    if changed:
        conn.execute(delete(profile_t).where(P.hall == hall))
    return changed


def put_targets(conn: Connection, targets: str | None, at: float, by: str) -> None:
    hall = of(conn)
    conn.execute(delete(setting_t).where(setting_t.c.hall == hall, setting_t.c.key == TARGETS))
    if targets is not None:
        conn.execute(
            insert(setting_t).values(hall=hall, key=TARGETS, value=targets, set_at=at, set_by=by)
        )


class Layouts:
    """The layout in effect, rebuilt only when the settings version moves."""

    def __init__(self, hall: Hall, catalog: Catalog) -> None:
        self.file = hall
        self.catalog = catalog
        self.plain = self.build((), None)
        self._version = -1
        self._current = self.plain
        self._lock = threading.Lock()

    def build(self, rows: tuple[tuple[int, str], ...], targets: str | None) -> Layout:
        """The layout with the given profile rows and targets (JSON) over the file's."""
        changes = {
            n: WindowProfile.model_validate_json(v)
            for n, v in rows
            if n in self.file.window_by_number
        }
        hall = in_effect(self.file, changes)
        coverage = Coverage(hall, self.catalog)
        chosen = Targets.model_validate_json(targets) if targets else self.file.targets
        return Layout(hall, coverage, dispatch_windows(hall, coverage), frozenset(changes), chosen)

    def current(self, conn: Connection, version: int) -> Layout:
        """The layout in effect at settings ``version`` (read from the rows if it moved)."""
        with self._lock:
            if version == self._version:
                return self._current
        targets = conn.execute(
            select(setting_t.c.value).where(
                setting_t.c.hall == of(conn), setting_t.c.key == TARGETS
            )
        )
        layout = self.build(profile_rows(conn), targets.scalar())
        with self._lock:
            self._version, self._current = version, layout
        return layout

    def as_in_file(self, number: int, profile: WindowProfile) -> bool:
        """Whether ``profile`` is what the layout file gives window ``number``."""
        return profile == WindowProfile.of(self.file.window_by_number[number])

    def with_change(self, conn: Connection, number: int, profile: WindowProfile | None) -> Layout:
        """The layout in effect were window ``number`` given ``profile`` (None: the layout
        file's own)."""
        rows = dict(profile_rows(conn))
        if profile is None or self.as_in_file(number, profile):
            rows.pop(number, None)
        else:
            rows[number] = profile.model_dump_json()
        return self.build(tuple(sorted(rows.items())), None)
