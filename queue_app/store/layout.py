"""The hall in effect: the layout file with the changes managers made at run time (what a
window serves, the wait targets), read from the database so every process sharing it
dispatches by the same rules."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from queue_app.domain.catalog import Catalog
from queue_app.domain.dispatch import DispatchWindow
from queue_app.domain.hall import Coverage, Hall, Targets
from queue_app.domain.layouts import dispatch_windows
from queue_app.domain.profiles import WindowProfile, in_effect
from queue_app.store.tables import profile_t, setting_t

TARGETS = "targets"


@dataclass(frozen=True)
class Layout:
    """The hall in effect and what dispatch needs of it."""

    hall: Hall
    coverage: Coverage
    dispatch: dict[int, DispatchWindow]
    changed: frozenset[int]  # windows serving otherwise than the layout file says


class Layouts:
    """Builds the layout in effect from the rows of ``window_profile`` and ``hall_setting``,
    once per distinct set of rows (the rows are read on every use: a few at most)."""

    def __init__(self, hall: Hall, catalog: Catalog) -> None:
        self.file = hall
        self.catalog = catalog
        self._cache: dict[tuple[tuple[int, str], ...], Layout] = {}
        self.plain = self._build(())

    def _build(self, rows: tuple[tuple[int, str], ...]) -> Layout:
        changes = {
            n: WindowProfile.model_validate_json(v)
            for n, v in rows
            if n in self.file.window_by_number
        }
        hall = in_effect(self.file, changes)
        coverage = Coverage(hall, self.catalog)
        return Layout(hall, coverage, dispatch_windows(hall, coverage), frozenset(changes))

    @staticmethod
    def _rows(conn: Connection) -> tuple[tuple[int, str], ...]:
        return tuple(
            (int(r.number), str(r.profile))
            for r in conn.execute(
                select(profile_t.c.number, profile_t.c.profile).order_by(profile_t.c.number)
            )
        )

    def _get(self, rows: tuple[tuple[int, str], ...]) -> Layout:
        if not rows:
            return self.plain
        hit = self._cache.get(rows)
        if hit is None:
            if len(self._cache) > 64:  # changes are rare; never let this grow unbounded
                self._cache.clear()
            hit = self._cache[rows] = self._build(rows)
        return hit

    def current(self, conn: Connection) -> Layout:
        return self._get(self._rows(conn))

    def as_in_file(self, number: int, profile: WindowProfile) -> bool:
        """Whether ``profile`` is what the layout file gives window ``number``."""
        return profile == WindowProfile.of(self.file.window_by_number[number])

    def with_change(self, conn: Connection, number: int, profile: WindowProfile | None) -> Layout:
        """The layout in effect were window ``number`` given ``profile`` (None: the layout
        file's own)."""
        rows = dict(self._rows(conn))
        if profile is None or self.as_in_file(number, profile):
            rows.pop(number, None)
        else:
            rows[number] = profile.model_dump_json()
        return self._get(tuple(sorted(rows.items())))

    def targets(self, conn: Connection) -> Targets:
        value = conn.execute(select(setting_t.c.value).where(setting_t.c.key == TARGETS)).scalar()
        return Targets.model_validate_json(value) if value else self.file.targets
