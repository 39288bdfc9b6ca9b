"""Hall keys: every table's first column is the hall's code, first in its keys.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

A database of an earlier revision holds one hall: its rows become the rows of the hall
the upgrade is run for (``queue-app --hall FILE db upgrade``, or the first server to
start); one with rows and no hall named is refused. Ticket items lose their own id (the
ticket and the position name one) and the hall state its constant one.

PostgreSQL is changed in place (the id sequences and the NOTIFY trigger stay; the trigger
now says which hall); SQLite's tables are copied into new ones, as SQLite changes keys.
Down again only while the database holds one hall.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from queue_app.store.schema import SchemaError

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

HALL = "hall"
Column = Callable[[], "sa.Column[Any]"]


@dataclass
class Shape:
    """A table's columns and keys at one revision."""

    columns: list[Column]
    pk: tuple[str, ...]
    uniques: dict[str, tuple[str, ...]] = field(default_factory=dict)
    indexes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # name: (columns, table referred to, its columns, ON DELETE)
    fks: dict[str, tuple[tuple[str, ...], str, tuple[str, ...], str | None]] = field(
        default_factory=dict
    )


def _c(name: str, kind: sa.types.TypeEngine[Any], null: bool = False) -> Column:
    """A column (made anew for each table built of it)."""
    return lambda: sa.Column(name, kind, nullable=null, autoincrement=False)


S, N, F, B = sa.String, sa.Integer(), sa.Float(), sa.Boolean()  # text, number, float, bool

# The tables at revision 0004, parents before the tables referring to them.
BEFORE: dict[str, Shape] = {
    "business_day": Shape(
        [_c("day", S(10)), _c("closed_at", F, True), _c("closed_by", S(64))], ("day",)
    ),
    "day_counter": Shape([_c("day", S(10)), _c("prefix", S(2)), _c("value", N)], ("day", "prefix")),
    "event": Shape(
        [
            _c("id", N),
            _c("at", F),
            _c("day", S(10)),
            _c("kind", S(20)),
            _c("ticket_id", N, True),
            _c("ticket_number", S(8), True),
            _c("window", N, True),
            _c("actor", S(64)),
            _c("detail", S()),
        ],
        ("id",),
        indexes={"ix_event_day": ("day",), "ix_event_ticket_id": ("ticket_id",)},
    ),
    "hall_setting": Shape(
        [_c("key", S(40)), _c("value", S()), _c("set_at", F), _c("set_by", S(64))], ("key",)
    ),
    "hall_state": Shape(
        [
            _c("id", N),
            _c("day", S(10)),
            _c("settings_version", N),
            _c("open_until", F, True),
            _c("day_closed", B),
        ],
        ("id",),
    ),
    "hall_window": Shape(
        [
            _c("number", N),
            _c("status", S(8)),
            _c("reason", S(80)),
            _c("current_ticket", N, True),
            _c("updated_at", F),
        ],
        ("number",),
    ),
    "idempotency": Shape(
        [
            _c("scope", S(64)),
            _c("key", S(128)),
            _c("fingerprint", S(64)),
            _c("status_code", N, True),
            _c("body", S()),
            _c("created_at", F),
        ],
        ("scope", "key"),
    ),
    "sign_in_limit": Shape(
        [
            _c("kind", S(8)),
            _c("name", S(64)),
            _c("failures", N),
            _c("last_failure_at", F),
            _c("locked_until", F, True),
        ],
        ("kind", "name"),
    ),
    "staff": Shape(
        [
            _c("username", S(40)),
            _c("full_name", S(40)),
            _c("role", S(10)),
            _c("password_hash", S(200)),
            _c("disabled", B),
            _c("created_at", F),
            _c("windows", S(200), True),
        ],
        ("username",),
    ),
    "staff_session": Shape(
        [
            _c("token_digest", S(64)),
            _c("username", S(40)),
            _c("role", S(10)),
            _c("window", N, True),
            _c("created_at", F),
            _c("expires_at", F),
        ],
        ("token_digest",),
        indexes={"ix_staff_session_username": ("username",)},
    ),
    "ticket": Shape(
        [
            _c("id", N),
            _c("day", S(10)),
            _c("number", S(8)),
            _c("prefix", S(2)),
            _c("seq", N),
            _c("status", S(12)),
            _c("version", N),
            _c("priority", S(12), True),
            _c("is_priority", B),
            _c("channel", S(12)),
            _c("appointment_at", F, True),
            _c("queue_key", F),
            _c("issued_at", F),
            _c("called_at", F, True),
            _c("started_at", F, True),
            _c("finished_at", F, True),
            _c("window", N, True),
            _c("target_window", N, True),
            _c("target_domain", S(40), True),
            _c("recalls", N),
            _c("bundle", S(40), True),
            _c("matters", S()),
            _c("token", S(32)),
            _c("issued_by", S(64)),
        ],
        ("id",),
        uniques={"uq_ticket_day_number": ("day", "number"), "ticket_token_key": ("token",)},
        indexes={
            "ix_ticket_appointment": ("day", "status", "appointment_at"),
            "ix_ticket_queue": ("day", "status", "is_priority", "queue_key"),
        },
    ),
    "window_profile": Shape(
        [_c("number", N), _c("profile", S()), _c("set_at", F), _c("set_by", S(64))],
        ("number",),
    ),
    "ticket_item": Shape(
        [
            _c("id", N),
            _c("ticket_id", N),
            _c("position", N),
            _c("matter", S(80)),
            _c("outcome", S(12), True),
        ],
        ("id",),
        indexes={"ix_ticket_item_ticket_id": ("ticket_id",)},
        fks={"ticket_item_ticket_id_fkey": (("ticket_id",), "ticket", ("id",), None)},
    ),
    "window_seat": Shape(
        [_c("window", N), _c("token_digest", S(64)), _c("username", S(40)), _c("since", F)],
        ("window",),
        uniques={"window_seat_token_digest_key": ("token_digest",)},
        indexes={"ix_window_seat_username": ("username",)},
        fks={
            "window_seat_token_digest_fkey": (
                ("token_digest",),
                "staff_session",
                ("token_digest",),
                "CASCADE",
            )
        },
    ),
}
# New names for keys whose old name says less than it now holds.
_RENAMED = {
    "ticket_token_key": "uq_ticket_token",
    "window_seat_token_digest_key": "uq_window_seat_session",
    "ticket_item_ticket_id_fkey": "fk_ticket_item_ticket",
    "window_seat_token_digest_fkey": "fk_window_seat_session",
}
_DROPPED = {"hall_state": ("id",), "ticket_item": ("id",)}  # ids no longer needed
_NEW_PK = {"hall_state": (), "ticket_item": ("ticket_id", "position")}  # after the hall


def _keyed(name: str, old: Shape) -> Shape:
    """The table at revision 0005: the hall first in the table and in every key."""
    gone = _DROPPED.get(name, ())

    def h(cols: tuple[str, ...]) -> tuple[str, ...]:
        return (HALL, *cols)

    return Shape(
        [_c(HALL, S(40)), *(c for c in old.columns if c().name not in gone)],
        h(_NEW_PK.get(name, old.pk)),
        {_RENAMED.get(k, k): h(v) for k, v in old.uniques.items()},
        {k: h(v) for k, v in old.indexes.items() if k != "ix_ticket_item_ticket_id"},
        {_RENAMED.get(k, k): (h(c), t, h(rc), d) for k, (c, t, rc, d) in old.fks.items()},
    )


AFTER = {name: _keyed(name, shape) for name, shape in BEFORE.items()}

NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION queue_app_notify_event() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('queue_app_events', json_build_object(
    'hall', {hall}, 'id', NEW.id, 'kind', NEW.kind, 'ticket', NEW.ticket_number,
    'window', NEW."window", 'at', NEW.at)::text);
  RETURN NEW;
END $$ LANGUAGE plpgsql
"""


class HallNotNamed(SchemaError):
    """Rows without a hall, and no hall named to give them to."""


def upgrade() -> None:
    hall = context.config.attributes.get("hall")
    if hall is None and _has_rows():
        raise HallNotNamed(
            "the database holds a hall's rows from before hall keys: name that hall's layout "
            "to upgrade it (`queue-app --hall FILE db upgrade`, or start its server)"
        )
    fill = {(t, HALL): sa.literal(hall or "") for t in AFTER}
    _reshape(BEFORE, AFTER, fill)
    if _postgresql():
        op.execute(NOTIFY_FUNCTION.format(hall="NEW.hall"))


def downgrade() -> None:
    halls = _halls()
    if len(halls) > 1:
        raise RuntimeError(
            f"the database holds {len(halls)} halls ({', '.join(sorted(halls))}); revision "
            "0004 holds one: move the others out first"
        )
    fill = {("hall_state", "id"): sa.literal(1), ("ticket_item", "id"): None}
    _reshape(AFTER, BEFORE, fill)
    if _postgresql():
        op.execute(NOTIFY_FUNCTION.format(hall="NULL").replace("'hall', NULL, ", ""))


# ------------------------------------------------------------------ the change
def _postgresql() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def _has_rows() -> bool:
    conn = op.get_bind()
    return any(
        conn.execute(sa.text(f'SELECT 1 FROM "{t}" LIMIT 1')).first() is not None for t in BEFORE
    )


def _halls() -> set[str]:
    conn = op.get_bind()
    found: set[str] = set()
    for t in AFTER:
        found.update(conn.execute(sa.text(f'SELECT DISTINCT hall FROM "{t}"')).scalars())
    return found


def _table(name: str, shape: Shape, meta: sa.MetaData) -> sa.Table:
    args: list[Any] = [c() for c in shape.columns]
    if shape.pk:
        args.append(sa.PrimaryKeyConstraint(*shape.pk, name=f"{name}_pkey"))
    args += [sa.UniqueConstraint(*cols, name=n) for n, cols in shape.uniques.items()]
    args += [
        sa.ForeignKeyConstraint(list(c), [f"{t}.{x}" for x in rc], name=n, ondelete=d)
        for n, (c, t, rc, d) in shape.fks.items()
    ]
    args += [sa.Index(n, *cols) for n, cols in shape.indexes.items()]
    return sa.Table(name, meta, *args)


Fill = Mapping[tuple[str, str], sa.ColumnElement[Any] | None]


def _reshape(old: dict[str, Shape], new: dict[str, Shape], fill: Fill) -> None:
    if _postgresql():
        _reshape_in_place(old, new, fill)
    else:
        _reshape_by_copy(old, new, fill)


def _reshape_in_place(old: dict[str, Shape], new: dict[str, Shape], fill: Fill) -> None:
    """PostgreSQL: keys dropped, columns added (filled) or dropped, keys made anew."""
    conn = op.get_bind()
    seen = sa.inspect(conn)
    for name in reversed(list(old)):  # foreign keys first: they hold the keys they use
        for fk in seen.get_foreign_keys(name):
            op.drop_constraint(str(fk["name"]), name, type_="foreignkey")
    for name in old:
        for uq in seen.get_unique_constraints(name):
            op.drop_constraint(str(uq["name"]), name, type_="unique")
        for ix in seen.get_indexes(name):
            if not ix.get("duplicates_constraint"):  # those went with their constraint
                op.drop_index(str(ix["name"]), table_name=name)
        pk = seen.get_pk_constraint(name)["name"]
        if pk:
            op.drop_constraint(pk, name, type_="primary")
    meta = sa.MetaData()
    for name, shape in new.items():
        target = _table(name, shape, meta)
        had = {c().name for c in old[name].columns}
        for col in target.columns:
            if col.name in had:
                continue
            value = fill.get((name, col.name))
            if value is None:  # an id to number the rows by
                op.execute(f'ALTER TABLE "{name}" ADD COLUMN "{col.name}" SERIAL')
                continue
            op.add_column(name, sa.Column(col.name, col.type, nullable=True))
            conn.execute(sa.table(name, sa.column(col.name)).update().values({col.name: value}))
            op.alter_column(name, col.name, nullable=False)
        for gone in had - {c.name for c in target.columns}:
            op.drop_column(name, gone)
    for name, shape in new.items():
        op.create_primary_key(f"{name}_pkey", name, list(shape.pk))
        for n, cols in shape.uniques.items():
            op.create_unique_constraint(n, name, list(cols))
        for n, cols in shape.indexes.items():
            op.create_index(n, name, list(cols))
    for name, shape in new.items():
        for n, (c, t, rc, d) in shape.fks.items():
            op.create_foreign_key(n, name, t, list(c), list(rc), ondelete=d)


def _reshape_by_copy(old: dict[str, Shape], new: dict[str, Shape], fill: Fill) -> None:
    """SQLite: each table renamed aside, made anew, its rows copied in, the old one dropped
    (foreign keys are off meanwhile and checked at the end: ``schema._locked``)."""
    conn = op.get_bind()
    seen = sa.inspect(conn)
    for name in old:
        for ix in seen.get_indexes(name):  # index names are the database's, not the table's
            op.drop_index(str(ix["name"]), table_name=name)
        op.rename_table(name, f"{name}__old")
    meta = sa.MetaData()
    for name, shape in new.items():
        target = _table(name, shape, meta)
        target.create(conn)
        had = {c().name for c in old[name].columns}
        cols = [c for c in target.columns if c.name in had or fill.get((name, c.name)) is not None]
        source = sa.table(f"{name}__old", *(sa.column(c.name) for c in cols if c.name in had))
        values = [source.c[c.name] if c.name in had else fill[(name, c.name)] for c in cols]
        picked = sa.select(*(v for v in values if v is not None))  # each of ``cols`` has one
        conn.execute(target.insert().from_select([c.name for c in cols], picked))
    for name in reversed(list(old)):
        op.drop_table(f"{name}__old")
