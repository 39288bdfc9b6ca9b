"""Alembic owns the schema: the migrations give exactly the models' schema, a database of
release 0.1.0 upgrades with every row intact, and a database behind the code is refused
until ``queue-app db upgrade``. Real SQLite files and a real PostgreSQL."""

from __future__ import annotations

import itertools
import shutil
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, column, create_engine, insert, inspect, select, text
from sqlalchemy import table as sa_table
from sqlmodel import SQLModel
from typer.testing import CliRunner

from queue_app.cli import app
from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.store import Store, make_engine, schema
from queue_app.store.staff import sign_in
from queue_app.store.tables import HALL_OWNED
from tests import hall_key_recorder, processes
from tests.conftest import FIXTURES, Clock, hall_coded, why, with_raters

RELEASE_DB = FIXTURES / "release_0_1_0.db"
RELEASE_PG = FIXTURES / "release_0_1_0_postgresql.sql"
TABLES = sorted(schema.RELEASE_0_1_0_TABLES)
PARKING = ("held_for", "parked_at", "park_note", "handled_before")  # the ticket's, by 0011
CONTACT = ("contact_masked", "contact_sealed")  # the ticket's, by 0012


@pytest.fixture(autouse=True)
def _whole_tables() -> Iterator[None]:
    """These tests read and write whole tables at revisions before and after hall keys (rows
    of no hall, every hall's rows after an upgrade): the hall-key audit leaves them be. The
    store's own statements are audited in every other test."""
    with hall_key_recorder.unaudited("migration tests look at whole tables"):
        yield


@pytest.fixture()
def engine(db_url: str) -> Iterator[Engine]:
    e = make_engine(db_url)
    yield e
    e.dispose()


def schema_diff(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)


def triggers(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname")
            ).scalars()
        )


def rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of release 0.1.0, in a stable order, without the hall key
    (revision 0005's), the ticket items' own ids (which it dropped) and the columns later
    revisions add to its tables (0011's parking, 0012's mobile numbers)."""
    seen = inspect(engine)
    out = {}
    with engine.connect() as conn:
        for t in TABLES:
            dropped = {"hall", "id"} if t == "ticket_item" else {"hall", *PARKING, *CONTACT}
            cols = [c["name"] for c in seen.get_columns(t) if c["name"] not in dropped]
            listed = ", ".join(f'"{c}"' for c in cols)
            stmt = text(f'SELECT {listed} FROM "{t}"')
            out[t] = sorted((tuple(r) for r in conn.execute(stmt)), key=repr)
    return out


def halls(engine: Engine) -> set[str]:
    """The hall keys of every row of every hall-owned table."""
    with engine.connect() as conn:
        return {
            h
            for t in (*TABLES, "hall_state", "sign_in_limit", "window_seat")
            for h in conn.execute(text(f'SELECT DISTINCT hall FROM "{t}"')).scalars()
        }


def test_migrations_give_exactly_the_models_schema(engine: Engine) -> None:
    assert schema.status(engine) == schema.Status(None, schema.head())
    before = schema.upgrade(engine)
    assert before.revision is None
    assert schema.current(engine) == schema.head()
    assert schema_diff(engine) == []
    added = {"hall_state", "sign_in_limit", "window_seat", "day_rollup", "day_rollup_step"}
    added |= {"month_rollup_step", "rating_case", "print_job", "printer_state"}  # 0002 to 0008
    added |= {"notice"}  # 0012
    added |= {"booking", "booking_slot", "booking_closure", "booking_ban"}  # 0013
    assert set(inspect(engine).get_table_names()) == {*TABLES, *added, schema.VERSION_TABLE}
    if engine.dialect.name == "postgresql":
        assert triggers(engine) == ["queue_app_event_notify"]


def test_downgrade_to_base_leaves_nothing_and_upgrade_comes_back(engine: Engine) -> None:
    schema.upgrade(engine)
    schema.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {schema.VERSION_TABLE}
    assert schema.current(engine) is None
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            assert not conn.execute(
                text("SELECT 1 FROM pg_proc WHERE proname = 'queue_app_notify_event'")
            ).scalar()
    schema.upgrade(engine)
    assert schema_diff(engine) == []


def test_head_is_alembics_head_and_the_revisions_are_one_line() -> None:
    script = ScriptDirectory(str(schema.MIGRATIONS))
    assert schema.head() == script.get_current_head()
    revisions = list(script.walk_revisions())  # newest first
    for newer, older in itertools.pairwise(revisions):
        assert newer.down_revision == older.revision
    for r in revisions:
        assert Path(r.path).name.startswith(f"{r.revision}_"), r.path
    assert [r.id for r in schema.history()] == [r.revision for r in revisions]
    assert revisions[-1].revision == schema.RELEASE_0_1_0 and revisions[-1].down_revision is None


def load_release(db_url: str, engine: Engine) -> None:
    """The database of release 0.1.0: on SQLite its file; on PostgreSQL the release's DDL
    (tools/make_release_fixture.py) with the file's rows loaded into it."""
    if engine.dialect.name == "sqlite":
        shutil.copyfile(RELEASE_DB, engine.url.database)
        return
    source = create_engine(f"sqlite:///file:{RELEASE_DB}?mode=ro&uri=true")  # read only
    with engine.begin() as conn:
        conn.exec_driver_sql(RELEASE_PG.read_text(encoding="utf-8"))
        for table in SQLModel.metadata.sorted_tables:  # parents first
            if table.name not in TABLES:
                continue  # added after the release
            with source.connect() as read:  # the release's columns (later ones added since)
                had = {c["name"] for c in inspect(read).get_columns(table.name)}
                columns = [c for c in table.c if c.name in had]
                found = [dict(r) for r in read.execute(select(*columns)).mappings()]
            if found:  # by name: the models' tables have columns the release had not
                named = sa_table(table.name, *(column(c.name) for c in columns))
                conn.execute(insert(named), found)
            if "id" in table.c:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT max(id) FROM {table.name}))"
                    )
                )
    source.dispose()


def test_a_release_0_1_0_database_upgrades_with_every_row_intact(
    db_url: str, engine: Engine, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    load_release(db_url, engine)
    written = rows(engine)
    assert all(written.values()), "every table of the fixture holds rows"
    assert schema.status(engine) == schema.Status("0001", schema.head(), unstamped=True)
    with pytest.raises(schema.SchemaBehind):  # revision 0001, behind the code's
        schema.require_current(engine)

    with pytest.raises(schema.SchemaError, match="name that hall"):  # whose rows are these?
        schema.upgrade(engine)
    assert rows(engine) == written
    before = schema.upgrade(engine, hall=mini_hall.hall.code)
    assert before.unstamped and before.revision == schema.RELEASE_0_1_0
    assert schema.status(engine) == schema.Status(schema.head(), schema.head())
    after = rows(engine)
    # and windows: any (0004); no staff number, no display name (0009)
    assert [r[:-3] for r in after.pop("staff")] == written.pop("staff")
    assert {r[-3:] for r in rows(engine)["staff"]} == {(None, None, None)}
    sessions = after.pop("staff_session")  # and the station (0008): none
    assert [r[:-1] for r in sessions] == written.pop("staff_session")
    assert {r[-1] for r in sessions} == {None}
    assert after == written
    assert halls(engine) == {mini_hall.hall.code}  # every row is the named hall's
    with engine.connect() as conn:  # the release's clerk signed in at window 1 sits there
        seated = conn.execute(text('SELECT "window", username FROM window_seat')).all()
    assert seated == [(1, "clerk1")]
    assert schema_diff(engine) == []  # release 0.1.0's schema is revision 0001
    if engine.dialect.name == "postgresql":
        assert triggers(engine) == ["queue_app_event_notify"]  # the release's, not a second

    clock.advance(hours=25)  # the fixture's second day (2026-11-24), ticket A001 issued
    store = Store(engine, mini_catalog, mini_hall, clock=clock)
    try:
        assert store.issue(["M-SBK"]).ticket.number == "A002"
        assert sign_in(store, "boss", "boss-password", None).role == "manager"
        assert [w.number for w in store.windows() if w.changed] == [4]  # re-profiled
    finally:
        store.dispose()


def _start(url: str, barrier: Any, out: Any) -> None:
    engine = make_engine(url)
    barrier.wait()
    try:
        out.put(schema.upgrade(engine).revision)
    except Exception as exc:  # reported by the test
        out.put(repr(exc))
    engine.dispose()


def test_concurrent_starts_take_turns(engine: Engine, db_url: str) -> None:
    ctx = processes.context()
    starts = 4
    barrier, out = ctx.Barrier(starts), ctx.Queue()
    procs = [ctx.Process(target=_start, args=(db_url, barrier, out)) for _ in range(starts)]
    for p in procs:
        p.start()
    found = Counter(out.get(timeout=300) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    assert found == {None: 1, schema.head(): starts - 1}  # one made it, the rest found it
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).all() == [
            (schema.head(),)
        ]
    assert schema_diff(engine) == []
    if engine.dialect.name == "postgresql":
        assert triggers(engine) == ["queue_app_event_notify"]


def test_store_create_false_does_no_ddl(
    engine: Engine, mini_catalog: Catalog, mini_hall: Hall
) -> None:
    Store(engine, mini_catalog, mini_hall, create=False)
    assert inspect(engine).get_table_names() == []


def test_a_database_without_tables_is_behind(engine: Engine) -> None:
    with pytest.raises(schema.SchemaBehind) as e:
        schema.require_current(engine)
    url = engine.url.render_as_string(hide_password=True)
    assert str(e.value) == (
        f"the database is at revision none (no tables), this code needs {schema.head()}: "
        f"run `queue-app db upgrade --db {url}`"
    )


def test_some_tables_but_not_all_are_refused_and_left_alone(engine: Engine) -> None:
    with engine.begin() as conn:
        SQLModel.metadata.tables["ticket"].create(conn)
    with pytest.raises(schema.SchemaError, match="not business_day, day_counter"):
        schema.upgrade(engine)
    assert inspect(engine).get_table_names() == ["ticket"]


def test_a_revision_this_code_does_not_know_is_refused(engine: Engine) -> None:
    schema.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    for act in (schema.upgrade, schema.require_current):
        with pytest.raises(schema.SchemaError, match="revision 9999, which this code does not"):
            act(engine)
    assert schema.current(engine) == "9999"


# ------------------------------------------------- the code one revision ahead
NEXT = '''"""A note per ticket; a longer issued_by.

Revision ID: {rev}
Revises: {down}
"""

import sqlalchemy as sa
from alembic import op

revision = "{rev}"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.add_column(sa.Column("note", sa.String(40), nullable=False, server_default=""))
        batch.alter_column("issued_by", type_=sa.String(80), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.alter_column("issued_by", type_=sa.String(64), existing_nullable=False)
        batch.drop_column("note")
'''


@contextmanager
def newer_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """This code as the next release will be: its migrations with one revision more (a
    batch ALTER of the ticket table, which SQLite does by copying it: ticket_item refers
    to it)."""
    here = tmp_path / "migrations"
    shutil.copytree(schema.MIGRATIONS, here, ignore=shutil.ignore_patterns("__pycache__"))
    nxt = f"{int(schema.head()) + 1:04d}"
    (here / "versions" / f"{nxt}_ticket_note.py").write_text(
        NEXT.format(rev=nxt, down=schema.head()), encoding="utf-8"
    )
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", here)
        schema._revision_ids.cache_clear()
        schema._script.cache_clear()
        try:
            yield nxt
        finally:
            schema._revision_ids.cache_clear()
            schema._script.cache_clear()


def cli(*args: str) -> Any:
    env = {
        "QUEUE_APP_CATALOG": str(FIXTURES / "mini_catalog.yaml"),
        "QUEUE_APP_HALL": str(FIXTURES / "mini_hall.yaml"),
        "COLUMNS": "200",
    }
    return CliRunner().invoke(app, ["--lang", "en", *args], env=env)  # reads its English


def test_a_database_behind_the_code_is_refused_until_upgraded(
    db_url: str,
    engine: Engine,
    mini_catalog: Catalog,
    mini_hall: Hall,
    clock: Clock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = Store(engine, mini_catalog, mini_hall, clock=clock)  # this release's database
    old.open_window(1)
    old.pause(1, "休息")
    old.issue(["M-SBK"])
    old.dispose()
    written = rows(engine)
    url = engine.url.render_as_string(hide_password=True)

    this = schema.head()
    with newer_code(tmp_path, monkeypatch) as nxt:
        with pytest.raises(schema.SchemaBehind) as e:
            schema.require_current(engine)
        assert (e.value.revision, e.value.head) == (this, nxt)
        served = cli("serve", "--db", db_url, "--port", "1")
        assert served.exit_code == 1
        assert served.output == (
            f"error: the database is at revision {this}, this code needs {nxt}: "
            f"run `queue-app db upgrade --db {url}`\n"
        )
        assert cli("--db", db_url, "window", "list").exit_code == 1  # every command
        assert schema.current(engine) == this and rows(engine) == written  # untouched

        shown = cli("db", "current", "--db", db_url)
        assert shown.exit_code == 0 and f"this release needs {nxt}" in shown.output
        upgraded = cli("db", "upgrade", "--db", db_url)
        assert upgraded.exit_code == 0, upgraded.output
        assert upgraded.output == f"{url}: upgraded from revision {this} to {nxt}\n"
        schema.require_current(engine)
        after = rows(engine)
        assert [r[:-1] for r in after["ticket"]] == written["ticket"]  # and a note, ""
        assert {r[-1] for r in after["ticket"]} == {""}
        assert {t: r for t, r in after.items() if t != "ticket"} == {
            t: r for t, r in written.items() if t != "ticket"
        }
        if engine.dialect.name == "postgresql":
            assert triggers(engine) == ["queue_app_event_notify"]

        engine.dispose()  # from here one connection: the one the downgrade uses
        schema.downgrade(engine, this)  # and back, by the same copy
        assert schema.current(engine) == this
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:  # foreign keys on again for the hall's work
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert rows(engine) == written and schema_diff(engine) == []


def test_0003_sign_in_limit_goes_down_and_up_with_rows_in_place(engine: Engine) -> None:
    schema.upgrade(engine)
    schema.downgrade(engine, "0004")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sign_in_limit (kind, name, failures, last_failure_at, locked_until)"
                " VALUES ('account', 'boss', 5, 1.0, 31.0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO hall_state (id, day, settings_version, open_until, day_closed)"
                " VALUES (1, '2026-12-02', 3, NULL, false)"
            )
        )
    schema.downgrade(engine, "0002")
    assert "sign_in_limit" not in inspect(engine).get_table_names()
    schema.upgrade(engine, hall="h1")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sign_in_limit")).scalar() == 0
        assert conn.execute(text("SELECT day, settings_version FROM hall_state")).all() == [
            ("2026-12-02", 3)
        ]
    assert schema_diff(engine) == []


def test_0004_seats_the_signed_in_clerks_and_goes_down_and_up(engine: Engine) -> None:
    """The newest session at each window takes its seat; an older one at the same window
    (two clerks at once, which 0004 forbids) ends; the rest stay as they were."""
    schema.upgrade(engine)
    schema.downgrade(engine, "0003")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO staff (username, full_name, role, password_hash, disabled,"
                " created_at) VALUES ('c1', '', 'clerk', 'x', false, 1.0),"
                " ('c2', '', 'clerk', 'x', false, 1.0), ('d1', '', 'desk', 'x', false, 1.0)"
            )
        )
        conn.execute(
            text(
                'INSERT INTO staff_session (token_digest, username, role, "window",'
                " created_at, expires_at) VALUES ('t-old', 'c1', 'clerk', 3, 10.0, 9e9),"
                " ('t-new', 'c2', 'clerk', 3, 20.0, 9e9), ('t-c1', 'c1', 'clerk', 4, 5.0, 9e9),"
                " ('t-desk', 'd1', 'desk', NULL, 5.0, 9e9)"
            )
        )
    schema.upgrade(engine, hall="h1")
    with engine.connect() as conn:
        sat = conn.execute(
            text('SELECT "window", token_digest, username FROM window_seat ORDER BY 1')
        ).all()
        left = conn.execute(text("SELECT token_digest FROM staff_session ORDER BY 1")).scalars()
        assert sat == [(3, "t-new", "c2"), (4, "t-c1", "c1")]
        assert list(left) == ["t-c1", "t-desk", "t-new"]
    assert schema_diff(engine) == []
    with engine.begin() as conn:  # a seat goes with its session
        conn.execute(text("DELETE FROM staff_session WHERE token_digest = 't-c1'"))
        assert conn.execute(text("SELECT count(*) FROM window_seat")).scalar() == 1
    schema.downgrade(engine, "0003")
    assert "window_seat" not in inspect(engine).get_table_names()
    assert "windows" not in {c["name"] for c in inspect(engine).get_columns("staff")}
    schema.upgrade(engine, hall="h1")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM window_seat")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM staff")).scalar() == 3
    assert schema_diff(engine) == []


def test_0005_keys_every_row_by_hall_goes_down_with_one_hall_only_and_up_again(
    engine: Engine, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    store = Store(engine, mini_catalog, mini_hall, clock=clock)
    store.open_window(1)
    store.issue(["M-SBK"])
    store.issue(["M-SBK", "M-YL"])
    store.call_next(1)
    written = rows(engine)
    if engine.dialect.name == "postgresql":  # the hall's code is in each event's note
        with engine.connect() as conn:
            body = conn.execute(
                text("SELECT pg_get_functiondef('queue_app_notify_event'::regproc)")
            ).scalar_one()
        assert "'hall', NEW.hall" in body
    second = Store(engine, mini_catalog, hall_coded(mini_hall, "other-hall"), clock=clock)
    second.issue(["M-SBK"])
    with pytest.raises(RuntimeError, match="holds 2 halls"):
        schema.downgrade(engine, "0004")
    assert schema.current(engine) == schema.head()
    with engine.begin() as conn:  # the second hall moved out
        for t in ("ticket_item", "window_seat", *TABLES, "hall_state", "sign_in_limit"):
            conn.execute(text(f"DELETE FROM \"{t}\" WHERE hall = 'other-hall'"))
    assert rows(engine) == written
    store.dispose()
    second.dispose()
    schema.downgrade(engine, "0004")
    assert "hall" not in {c["name"] for c in inspect(engine).get_columns("ticket")}
    assert rows(engine) == written
    schema.upgrade(engine, hall="renamed-hall")
    assert rows(engine) == written and halls(engine) == {"renamed-hall"}
    assert schema_diff(engine) == []


def test_every_key_of_a_halls_table_starts_with_the_hall(engine: Engine) -> None:
    """As migrated (not as modelled): the primary key, every unique key, index and foreign
    key of every hall-owned table begins with ``hall`` (what sharding by hall needs)."""
    schema.upgrade(engine)
    seen = inspect(engine)
    for table in HALL_OWNED:
        name = table.name
        assert seen.get_pk_constraint(name)["constrained_columns"][0] == "hall", name
        for unique in seen.get_unique_constraints(name):
            assert unique["column_names"][0] == "hall", (name, unique)
        for index in seen.get_indexes(name):
            assert index["column_names"][0] == "hall", (name, index)
        for fk in seen.get_foreign_keys(name):
            assert fk["constrained_columns"][0] == fk["referred_columns"][0] == "hall", (name, fk)
    assert {t.name for t in HALL_OWNED} == set(seen.get_table_names()) - {"alembic_version"}


def test_0006_keeps_closed_days_figures_goes_down_and_up_with_every_row(
    engine: Engine, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    """Closing a day keeps its rollups; going down drops only them, every other row stays;
    back up, the day is tallied from its raw rows with the very same figures."""
    from queue_app.domain.report import Period
    from queue_app.domain.rollup import By
    from queue_app.domain.ticket import Outcome

    store = Store(engine, mini_catalog, mini_hall, clock=clock, keep_days=None)
    store.open_window(1, actor="wang")
    store.issue(["M-SBK"])
    store.issue(["M-SBK", "M-YL"])
    clock.advance(minutes=7)
    store.call_next(1, actor="wang")
    store.start(1, actor="wang")
    clock.advance(minutes=5)
    store.finish(1, Outcome.COMPLETED, actor="wang")
    store.close_day(force=True)
    day = store.today()
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT count(*) FROM day_rollup")).scalar_one()
    assert kept > 5
    period = Period.of(day, day)
    figures = {by: store.report(by, period) for by in By}
    written = rows(engine)
    store.dispose()
    schema.downgrade(engine, "0005")
    gone = {"day_rollup", "day_rollup_step", "month_rollup_step"}
    assert not gone & set(inspect(engine).get_table_names())
    assert rows(engine) == written
    schema.upgrade(engine)
    assert rows(engine) == written and schema_diff(engine) == []
    again = Store(engine, mini_catalog, mini_hall, clock=clock, keep_days=None)
    for by, r in figures.items():
        got = again.report(by, period)
        assert [(x.key, x.now.served, x.now.wait_sum, x.now.p90_wait_s) for x in got.lines] == [
            (x.key, x.now.served, x.now.wait_sum, x.now.p90_wait_s) for x in r.lines
        ], by
    again.dispose()


def test_0007_keeps_the_cases_goes_down_and_up_with_every_other_row(
    engine: Engine, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    """A poor rating's case is kept with its steps; going down drops only the cases (every
    other row stays, the ratings too); back up, a new poor rating opens its case again."""
    from queue_app.domain.cases import Show
    from queue_app.domain.ticket import Outcome
    from queue_app.store import case_ops

    def rated(store: Store, level: int) -> str:
        store.issue(["M-SBK"])
        store.call_next(1, actor="wang")
        store.start(1, actor="wang")
        t = store.finish(1, Outcome.COMPLETED, actor="wang")
        store.rate(1, t.number, level, reasons=why(level))
        return t.number

    store = Store(engine, mini_catalog, mini_hall, clock=clock, keep_days=None)
    store.open_window(1, actor="wang")
    rated(store, 1)
    rated(store, 2)
    first, second = (c.id for c in case_ops.listing(store, Show.ALL))
    case_ops.visit(store, first, "属实", True, "boss")
    case_ops.appeal(store, second, "误按", "wang")
    case_ops.decide(store, second, True, "确认误评", "director")
    store.close_day(force=True)
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT count(*) FROM day_rollup")).scalar_one()
        cases = conn.execute(text("SELECT * FROM rating_case ORDER BY id")).all()
    assert len(cases) == 2 and kept > 5
    written = rows(engine)
    store.dispose()
    schema.downgrade(engine, "0006")
    assert "rating_case" not in inspect(engine).get_table_names()
    assert rows(engine) == written
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM day_rollup")).scalar_one() == kept
    schema.upgrade(engine)
    assert rows(engine) == written and schema_diff(engine) == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM rating_case")).scalar_one() == 0
    clock.advance(hours=24)
    again = Store(engine, mini_catalog, mini_hall, clock=clock, keep_days=None)
    again.open_window(1, actor="wang")
    number = rated(again, 1)
    assert [c.number for c in case_ops.listing(again, Show.ALL)] == [number]
    again.dispose()


def test_0009_notice_and_staff_numbers_go_down_and_up_with_every_other_row(
    engine: Engine, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    """The notice and the staff number live in 0009's columns: going down drops them only
    (every other row stays); back up, they are empty and may be set again."""
    from queue_app.store.staff import Role, add_staff, edit_staff, list_staff

    store = Store(engine, mini_catalog, mini_hall, clock=clock, keep_days=None)
    store.open_window(1, actor="wang")
    store.issue(["M-SBK"])
    store.call_next(1, actor="wang")
    add_staff(store, "wang", Role.CLERK, "s3cret-pass", "王小明")
    store.set_notice("今天 16:00 起暂停办理不动产业务", actor="boss")  # its event stays
    written = rows(engine)  # before the staff's new columns hold anything
    edit_staff(store, "wang", staff_number="1024", display_name="王先生")
    assert store.notice() is not None and list_staff(store)[0].staff_number == "1024"
    store.dispose()
    schema.downgrade(engine, "0008")
    seen = inspect(engine)
    assert not {"staff_number", "display_name"} & {c["name"] for c in seen.get_columns("staff")}
    assert "notice" not in {c["name"] for c in seen.get_columns("hall_state")}
    schema.upgrade(engine)
    assert rows(engine) == written and schema_diff(engine) == []
    again = Store(engine, mini_catalog, mini_hall, clock=clock, keep_days=None)
    assert again.notice() is None and again.today() == store.today()
    assert list_staff(again)[0].staff_number is None
    again.set_notice("系统维护，暂停取号", actor="boss")
    assert again.notice() is not None and again.notice().text == "系统维护，暂停取号"  # type: ignore[union-attr]


def test_0008_keeps_sessions_and_print_jobs_goes_down_and_up_with_every_other_row(
    engine: Engine, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    """A desk signed in at its station issues a ticket whose slip is queued; going down
    drops the stations and the print jobs and printer states only (the session and the
    ticket stay); back up, the session has no station and a new slip queues again."""
    from queue_app.domain.hall import PrinterSpec, Station
    from queue_app.store import print_jobs
    from queue_app.store.staff import Role, add_staff, session_for

    hall = mini_hall.model_copy(
        update={
            "printers": {"front": PrinterSpec(device="file:///tmp/slips.bin", paper=58)},
            "stations": [Station(name="desk-1", kind="desk", printer="front")],
        }
    )
    store = Store(engine, mini_catalog, hall, clock=clock, keep_days=None)
    add_staff(store, "desk", Role.DESK, "correct-horse-9")
    session = sign_in(store, "desk", "correct-horse-9", None, station="desk-1")
    assert session_for(store, session.token).station == "desk-1"
    store.issue(["M-SBK"], station="desk-1")
    store.reprint("A001", "front", station="desk-1")
    with engine.connect() as conn:
        jobs = conn.execute(text("SELECT number, copy_no, printer FROM print_job")).all()
    assert sorted(tuple(j) for j in jobs) == [("A001", 1, "front"), ("A001", 2, "front")]
    with engine.begin() as conn:  # a worker recorded the printer's state
        conn.execute(
            text(
                "INSERT INTO printer_state (hall, printer, state, detail, changed_at) "
                "VALUES ('mini-hall', 'front', 'offline', 'refused', 1)"
            )
        )
    written = rows(engine)
    store.dispose()
    schema.downgrade(engine, "0007")
    tables = set(inspect(engine).get_table_names())
    assert not {"print_job", "printer_state"} & tables
    assert "station" not in {c["name"] for c in inspect(engine).get_columns("staff_session")}

    def but_sessions(found: dict[str, list[tuple[Any, ...]]]) -> dict[str, Any]:
        return {t: r for t, r in found.items() if t != "staff_session"}

    down = rows(engine)
    below_0009 = {**written, "staff": [r[:-2] for r in written["staff"]]}  # its staff columns
    assert but_sessions(down) == but_sessions(below_0009)
    assert len(down["staff_session"]) == len(written["staff_session"]) == 1
    schema.upgrade(engine)
    assert but_sessions(rows(engine)) == but_sessions(written) and schema_diff(engine) == []
    again = Store(engine, mini_catalog, hall, clock=clock, keep_days=None)
    assert session_for(again, session.token).station is None
    assert [p.status for p in again.printer_states()] == [print_jobs.PrinterStatus.UNKNOWN]
    issued = again.issue(["M-SBK"], station="desk-1")
    assert [s.waiting for s in again.printer_states()] == [1] and issued.ticket.number == "A002"


def test_0010_keeps_the_channels_and_the_proxies_apart_goes_down_and_up(
    engine: Engine, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    """A closed day with a citizen's rating and a 代评 (window 1 has no 评价器): its kept
    figures count the 代评 apart and its case keeps how the rating came and why. Going down
    to 0009 drops only those columns (every other row stays: the day's own ratings as
    kept); back up, the day's figures read as they were kept, the 代评 column 0."""
    from queue_app.domain.cases import Show
    from queue_app.domain.rating import Channel
    from queue_app.domain.report import Period
    from queue_app.domain.rollup import By
    from queue_app.domain.ticket import Outcome
    from queue_app.store import case_ops

    def served(store: Store, window: int) -> str:
        store.issue(["M-SBK"])
        store.call_next(window, actor="wang")
        store.start(window, actor="wang")
        return store.finish(window, Outcome.COMPLETED, actor="wang").number

    hall = with_raters(mini_hall, "2-4")
    store = Store(engine, mini_catalog, hall, clock=clock, keep_days=None)
    for w in (1, 2):
        store.open_window(w, actor="wang")
    store.rate(2, served(store, 2), 4, actor="pad2")
    proxy = served(store, 1)
    store.rate(1, proxy, 1, actor="wang", reasons=["too_slow"], channel=Channel.STAFF)
    day = store.today()
    store.close_day(force=True)
    [case] = case_ops.listing(store, Show.ALL)
    assert (case.channel, case.reasons) == ("staff", ("too_slow",))
    kept = store.report(By.HALL, Period.of(day, day)).total.now
    assert (dict(kept.ratings), dict(kept.proxied)) == ({4: 1}, {1: 1})
    assert (kept.bad_rate, kept.satisfied_rate) == (0.0, 1.0)  # the citizens' own only
    written = rows(engine)
    store.dispose()

    schema.downgrade(engine, "0009")
    seen = inspect(engine)
    assert not {"channel", "reasons"} & {c["name"] for c in seen.get_columns("rating_case")}
    assert not [c for c in seen.get_columns("day_rollup") if c["name"].startswith("proxy_")]
    assert rows(engine) == written
    with engine.connect() as conn:
        own = conn.execute(text("SELECT rating_4 FROM day_rollup WHERE dim = 'hall'")).scalar()
    assert own == 1
    schema.upgrade(engine)
    assert rows(engine) == written and schema_diff(engine) == []
    again = Store(engine, mini_catalog, hall, clock=clock, keep_days=None)
    back = again.report(By.HALL, Period.of(day, day)).total.now
    assert (dict(back.ratings), dict(back.proxied), back.bad_rate) == ({4: 1}, {}, 0.0)
    [case] = case_ops.listing(again, Show.ALL)
    assert (case.number, case.channel, case.reasons) == (proxy, "", ())


def test_0011_keeps_parked_tickets_goes_down_and_up_with_every_other_row(
    engine: Engine, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    """A parked ticket and a returned one held for its window keep their parking; going
    down drops only those columns (every row stays); back up, the tickets are plain ones
    (nothing parked, nothing held) and parking works again."""
    from queue_app.domain.ticket import Status

    store = Store(engine, mini_catalog, mini_hall, clock=clock, keep_days=None)
    for w in (1, 2):
        store.open_window(w, actor="wang")
    for _ in range(3):
        store.issue(["M-SBK"])
    for w in (1, 2):
        store.call_next(w, actor="wang")
        store.start(w, actor="wang")
    clock.advance(minutes=4)
    store.park(1, "户口本", actor="wang")
    store.park(2, "照片", actor="wang")
    store.unpark("A002")
    with engine.connect() as conn:
        parking = conn.execute(
            text(
                "SELECT number, status, held_for, park_note, handled_before FROM ticket "
                "ORDER BY number"
            )
        ).all()
    assert [tuple(r) for r in parking] == [
        ("A001", "parked", None, "户口本", 240.0),
        ("A002", "waiting", 2, "照片", 240.0),
        ("A003", "waiting", None, "", 0.0),
    ]
    written = rows(engine)
    store.dispose()
    schema.downgrade(engine, "0010")
    columns = {c["name"] for c in inspect(engine).get_columns("ticket")}
    assert not columns & set(PARKING)
    assert "ix_ticket_held" not in {i["name"] for i in inspect(engine).get_indexes("ticket")}
    assert rows(engine) == written
    schema.upgrade(engine)
    assert rows(engine) == written and schema_diff(engine) == []
    again = Store(engine, mini_catalog, mini_hall, clock=clock, keep_days=None)
    a1, a2 = again.ticket("A001"), again.ticket("A002")
    assert (a1.status, a1.window, a1.park_note, a2.held_for, a2.handled_before) == (
        Status.PARKED,
        1,
        "",
        None,
        0.0,
    )
    assert again.call_next(1, actor="wang").number == "A002"  # the hold went: any window
    assert again.unpark("A001").held_for == 1  # and parking works again
    again.dispose()


def test_0012_keeps_tickets_and_notices_goes_down_and_up_with_every_other_row(
    engine: Engine, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    """A ticket with a mobile number keeps it masked and sealed, and a notice row lies in
    the outbox; going down drops those columns and the outbox (every other row stays); back
    up, the schema is the code's and numbers are kept again."""
    store = Store(engine, mini_catalog, mini_hall, clock=clock, keep_days=None)
    store.issue(["M-SBK"], mobile="13812341234")
    store.issue(["M-SBK"])
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO notice (hall, id, sender, kind, day, ref, contact_sealed, "
                "contact_masked, params, created_at, due_at, state, attempts, next_try_at) "
                "VALUES (:h, 'd1', 'sms', 'called', :d, 'A001', 'x', '138****1234', '{}', "
                "1, 1, 'pending', 0, 1)"
            ),
            {"h": store.code, "d": store.ticket("A001").day},
        )
        kept = conn.execute(
            text("SELECT number, contact_masked, contact_sealed IS NOT NULL FROM ticket")
        ).all()
    assert sorted(tuple(r) for r in kept) == [
        ("A001", "138****1234", True),
        ("A002", None, False),
    ]
    written = rows(engine)
    store.dispose()
    schema.downgrade(engine, "0011")
    columns = {c["name"] for c in inspect(engine).get_columns("ticket")}
    assert not columns & set(CONTACT) and "notice" not in inspect(engine).get_table_names()
    assert rows(engine) == written
    schema.upgrade(engine)
    assert rows(engine) == written and schema_diff(engine) == []
    again = Store(engine, mini_catalog, mini_hall, clock=clock, keep_days=None)
    again.issue(["M-SBK"], mobile="139 0000 1111")
    with engine.connect() as conn:
        masked = conn.execute(text("SELECT contact_masked FROM ticket WHERE number = 'A003'"))
        assert masked.scalar_one() == "139****1111"
    again.dispose()


def test_0013_keeps_bookings_goes_down_and_up_with_every_other_row(
    engine: Engine, mini_catalog: Catalog, mini_hall: Hall, clock: Clock
) -> None:
    """A booking, its slot's counter, a closure and a no-show bar lie in their tables;
    going down drops the four tables (every other row stays); back up, the schema is the
    code's and bookings are taken again."""
    from queue_app.store import booking_ops as ops
    from tests.bookings import with_bookings

    hall = with_bookings(mini_hall)
    tomorrow = clock.now + 86400
    store = Store(engine, mini_catalog, hall, clock=clock, keep_days=None)
    store.issue(["M-SBK"], mobile="13812341234")
    code = ops.book(store, ["M-SBK"], tomorrow, "13812341234").code
    ops.close_slots(store, "2026-11-24", "10:00", None, "停电")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO booking_ban (hall, digest, masked, no_shows, until, counted_after) "
                "VALUES (:h, 'd', '139****1111', 3, '2027-02-21', 0)"
            ),
            {"h": store.code},
        )
        counts = {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("booking", "booking_slot", "booking_closure", "booking_ban")
        }
    assert counts == dict.fromkeys(counts, 1)
    written = rows(engine)
    store.dispose()
    schema.downgrade(engine, "0012")
    assert not {"booking", "booking_slot", "booking_closure", "booking_ban"} & set(
        inspect(engine).get_table_names()
    )
    assert rows(engine) == written
    schema.upgrade(engine)
    assert rows(engine) == written and schema_diff(engine) == []
    again = Store(engine, mini_catalog, hall, clock=clock, keep_days=None)
    again_code = ops.book(again, ["M-SBK"], tomorrow, "13812341234").code
    assert len(again_code) == 6 and again_code.isdigit() and code
    again.dispose()
