"""The hall-key audit's checker (tests/hall_key_audit.py) on statements as PostgreSQL's
driver receives them: SQLAlchemy Core compiled for postgresql+psycopg (expanding IN lists
expanded as at execution), and raw text. Each rule has a statement that breaks it and the
same statement with the hall key."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    bindparam,
    cast,
    delete,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.postgresql import psycopg
from sqlalchemy.schema import CreateIndex, CreateTable, DropTable, Index
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.elements import BindParameter
from sqlmodel import SQLModel

import queue_app.store.tables  # noqa: F401  (the store's tables join the metadata)
from tests.hall_key_audit import HALL_TABLES, NOT_HALL_TABLES, audit, violations

md = MetaData()
ticket = Table(
    "ticket",
    md,
    Column("hall", String(40)),
    Column("id", Integer, primary_key=True),
    Column("day", String(10)),
    Column("status", String(12)),
    Column("window", Integer),
)
item = Table(
    "ticket_item",
    md,
    Column("hall", String(40)),
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer),
    Column("matter", String(80)),
)
counter = Table(
    "day_counter",
    md,
    Column("hall", String(40), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("prefix", String(2), primary_key=True),
    Column("value", Integer),
)
# not hall-owned: needs no hall key, and cannot give one
version = Table("alembic_version", md, Column("version_num", String(32), primary_key=True))
matter = Table("matter_catalog", md, Column("code", String(80)), Column("name", String(80)))

T, TI, C = ticket.c, item.c, counter.c
# the hall's code, a parameter as the store will bind it
H: BindParameter[str] = bindparam("hall", "h1")
DIALECT = psycopg.dialect()


def sent(stmt: ClauseElement, **params: Any) -> str:
    """``stmt`` as psycopg receives it (expanding parameters expanded with ``params``)."""
    compiled = stmt.compile(dialect=DIALECT)
    if "POSTCOMPILE" in compiled.string:
        return compiled.construct_expanded_state(params).statement  # type: ignore[attr-defined]
    return compiled.string


def test_every_table_of_the_store_is_classed() -> None:
    """A table added to the store is either the hall's (keyed, audited) or said not to be."""
    tables = {t.name for t in SQLModel.metadata.sorted_tables}
    assert tables - NOT_HALL_TABLES == HALL_TABLES


t1, t2 = ticket.alias("t1"), ticket.alias("t2")
waiting = select(T.id).where(T.status == "waiting")
cte_bad = select(T.id).cte("open_ids")
cte_good = select(T.id).where(T.hall == H).cte("open_ids")

# (what the rule is, a statement breaking it, the same with the hall key)
PAIRS: list[tuple[str, object, object]] = [
    (
        "select: where",
        select(T.id).where(T.id == 7),
        select(T.id).where(T.id == 7, T.hall == H),
    ),
    (
        "select: hall IN a list (expanded)",
        select(T.id).where(T.status.in_(bindparam("st", expanding=True))),
        select(T.id).where(T.hall.in_(bindparam("halls", expanding=True))),
    ),
    (
        "select: a literal hall",
        select(func.count()).select_from(ticket),
        select(func.count()).select_from(ticket).where(T.hall == "h1"),
    ),
    (
        "select: CAST around the hall column",
        select(T.id).where(cast(T.day, Integer) > 3),
        select(T.id).where(cast(T.day, Integer) > 3, cast(T.hall, String) == H),
    ),
    (
        "select: an OR that lets other halls through",
        select(T.id).where(or_(T.hall == H, T.status == "waiting")),
        select(T.id).where(
            or_(and_(T.hall == H, T.status == "waiting"), and_(T.hall == H, T.id == 1))
        ),
    ),
    (
        "select: the hall compared with something not a value",
        select(T.id).where(T.hall == T.day),
        select(T.id).where(T.hall == H, T.hall != T.day),
    ),
    (
        "select: the hall compared with a subquery's answer",
        select(T.id).where(T.hall == select(TI.hall).where(TI.hall == H).scalar_subquery()),
        select(T.id).where(T.hall == H),
    ),
    (
        "select: NOT around the hall key",
        select(T.id).where(~(T.hall == H)),
        select(T.id).where(T.hall == H, ~(T.status == "done")),
    ),
    (
        "join: the joined table's hall not equated",
        select(T.id, TI.matter).join(item, TI.ticket_id == T.id).where(T.hall == H),
        select(T.id, TI.matter)
        .join(item, and_(TI.ticket_id == T.id, TI.hall == T.hall))
        .where(T.hall == H),
    ),
    (
        "join: each table filtered instead",
        select(T.id, TI.matter).join(item, TI.ticket_id == T.id).where(TI.hall == H),
        select(T.id, TI.matter).join(item, TI.ticket_id == T.id).where(T.hall == H, TI.hall == H),
    ),
    (
        "join: halls equated but none given",
        select(T.id, TI.matter).join(item, and_(TI.ticket_id == T.id, TI.hall == T.hall)),
        select(T.id, TI.matter)
        .join(item, and_(TI.ticket_id == T.id, TI.hall == T.hall))
        .where(TI.hall == H),
    ),
    (
        "join: the hall key in an inner join's ON",
        select(T.id, TI.matter).join(item, and_(TI.ticket_id == T.id, T.hall == H)),
        select(T.id, TI.matter).join(item, and_(TI.ticket_id == T.id, T.hall == H, TI.hall == H)),
    ),
    (
        "left join: its ON holds the joined table only",
        select(T.id, TI.matter).outerjoin(item, and_(TI.ticket_id == T.id, TI.hall == H)),
        select(T.id, TI.matter)
        .outerjoin(item, and_(TI.ticket_id == T.id, TI.hall == T.hall))
        .where(T.hall == H),
    ),
    (
        "left join: the joined table's hall does not hold the preserved one",
        select(T.id, TI.matter).outerjoin(
            item, and_(TI.ticket_id == T.id, TI.hall == T.hall, TI.hall == H)
        ),
        select(T.id, TI.matter)
        .outerjoin(item, and_(TI.ticket_id == T.id, TI.hall == T.hall, TI.hall == H))
        .where(T.hall == H),
    ),
    (
        "left join: the same, the equation written the other way",
        select(T.id, TI.matter).outerjoin(
            item, and_(TI.ticket_id == T.id, T.hall == TI.hall, TI.hall == H)
        ),
        select(T.id, TI.matter)
        .outerjoin(item, and_(TI.ticket_id == T.id, T.hall == TI.hall))
        .where(T.hall == H),
    ),
    (
        "right join: its ON holds the tables before it only",
        "SELECT t.id FROM ticket t RIGHT OUTER JOIN ticket_item i ON i.ticket_id = t.id "
        "AND i.hall = %(h)s AND t.hall = %(h)s",
        "SELECT t.id FROM ticket t RIGHT OUTER JOIN ticket_item i ON i.ticket_id = t.id "
        "AND i.hall = t.hall WHERE i.hall = %(h)s",
    ),
    (
        "full join: its ON holds neither table",
        select(T.id, TI.matter)
        .join(item, and_(TI.ticket_id == T.id, T.hall == H), full=True)
        .where(TI.hall == H),
        select(T.id, TI.matter)
        .join(item, TI.ticket_id == T.id, full=True)
        .where(TI.hall == H, T.hall == H),
    ),
    (
        "self-join of aliases: each alias on its own",
        select(t1.c.id, t2.c.id).join(t2, t2.c.id == t1.c.id).where(t1.c.hall == H),
        select(t1.c.id, t2.c.id)
        .join(t2, and_(t2.c.id == t1.c.id, t2.c.hall == t1.c.hall))
        .where(t1.c.hall == H),
    ),
    (
        "join with a table that is not the hall's",
        select(TI.id, matter.c.name).join(matter, matter.c.code == TI.matter),
        select(TI.id, matter.c.name).join(matter, matter.c.code == TI.matter).where(TI.hall == H),
    ),
    (
        "subquery in WHERE",
        select(T.id).where(T.hall == H, T.id.in_(select(TI.ticket_id).where(TI.matter == "m"))),
        select(T.id).where(
            T.hall == H, T.id.in_(select(TI.ticket_id).where(TI.matter == "m", TI.hall == H))
        ),
    ),
    (
        "correlated subquery: the outer table's hall",
        select(T.id).where(exists().where(TI.ticket_id == T.id, TI.hall == T.hall)),
        select(T.id).where(T.hall == H, exists().where(TI.ticket_id == T.id, TI.hall == T.hall)),
    ),
    (
        "scalar subquery in the select list",
        select(T.id, select(func.count()).where(TI.ticket_id == T.id).scalar_subquery()).where(
            T.hall == H
        ),
        select(
            T.id,
            select(func.count()).where(TI.ticket_id == T.id, TI.hall == T.hall).scalar_subquery(),
        ).where(T.hall == H),
    ),
    (
        "derived table in FROM",
        select(waiting.subquery().c.id),
        select(waiting.where(T.hall == H).subquery().c.id),
    ),
    (
        "CTE",
        select(cte_bad.c.id),
        select(cte_good.c.id),
    ),
    (
        "UNION: every branch",
        union_all(select(T.id).where(T.hall == H), select(TI.id)),
        union_all(select(T.id).where(T.hall == H), select(TI.id).where(TI.hall == H)),
    ),
    (
        "FOR UPDATE SKIP LOCKED OF ticket",
        select(T.id).where(T.id == 7).with_for_update(skip_locked=True, of=ticket),
        select(T.id).where(T.id == 7, T.hall == H).with_for_update(skip_locked=True, of=ticket),
    ),
    (
        "insert: the column list",
        insert(ticket).values(id=1, day="2026-11-23"),
        insert(ticket).values(hall=H, id=1, day="2026-11-23"),
    ),
    (
        "insert: several rows, RETURNING",
        insert(ticket).values([{"id": 1}, {"id": 2}]).returning(T.id),
        insert(ticket).values([{"hall": "h1", "id": 1}, {"hall": "h1", "id": 2}]).returning(T.id),
    ),
    (
        "insert ... on conflict: the conflict target",
        pg_insert(counter)
        .values(hall=H, day="d", prefix="A", value=literal_column("1"))
        .on_conflict_do_update(index_elements=[C.day, C.prefix], set_={"value": C.value + 1})
        .returning(C.value),
        pg_insert(counter)
        .values(hall=H, day="d", prefix="A", value=literal_column("1"))
        .on_conflict_do_update(
            index_elements=[C.hall, C.day, C.prefix], set_={"value": C.value + 1}
        )
        .returning(C.value),
    ),
    (
        "insert ... select: the query too",
        insert(item).from_select(["hall", "ticket_id"], select(T.hall, T.id)),
        insert(item).from_select(["hall", "ticket_id"], select(T.hall, T.id).where(T.hall == H)),
    ),
    (
        "update",
        update(ticket).where(T.id == 7).values(status="called"),
        update(ticket).where(T.id == 7, T.hall == H).values(status="called"),
    ),
    (
        "update: a subquery in SET",
        update(ticket)
        .where(T.hall == H)
        .values(window=select(func.max(TI.id)).where(TI.ticket_id == T.id).scalar_subquery()),
        update(ticket)
        .where(T.hall == H)
        .values(
            window=select(func.max(TI.id))
            .where(TI.ticket_id == T.id, TI.hall == T.hall)
            .scalar_subquery()
        ),
    ),
    (
        "update ... from another hall table",
        update(ticket).where(T.hall == H, TI.ticket_id == T.id).values(status=TI.matter),
        update(ticket)
        .where(T.hall == H, TI.ticket_id == T.id, TI.hall == T.hall)
        .values(status=TI.matter),
    ),
    (
        "delete",
        delete(item).where(TI.ticket_id == 7),
        delete(item).where(TI.ticket_id == 7, TI.hall == H),
    ),
    (
        "delete ... using another hall table",
        delete(item).where(TI.ticket_id == T.id, T.day < "2026-01-01", TI.hall == H),
        delete(item).where(TI.ticket_id == T.id, T.day < "2026-01-01", TI.hall == H, T.hall == H),
    ),
    # raw text, as ``text()`` or ``exec_driver_sql`` sends it
    (
        "text(): unqualified hall of the one table",
        text("SELECT id FROM ticket WHERE id = :id"),
        text("SELECT id FROM ticket WHERE hall = :hall AND id = :id"),
    ),
    (
        "raw: psycopg's positional %s",
        "SELECT id FROM ticket WHERE id = %s",
        "SELECT id FROM ticket WHERE hall = %s AND id = %s",
    ),
    (
        "raw: hall = ANY(an array parameter)",
        "SELECT t.id FROM ticket AS t WHERE t.status = ANY(%(st)s)",
        "SELECT t.id FROM ticket AS t WHERE t.hall = ANY(%(halls)s)",
    ),
    (
        "raw: a literal % doubled, schema-qualified table",
        "SELECT id FROM public.ticket WHERE day LIKE '2026-%%'",
        "SELECT id FROM public.ticket WHERE day LIKE '2026-%%' AND public.ticket.hall = %s",
    ),
    (
        "raw: comma join",
        "SELECT t.id FROM ticket t, ticket_item i WHERE i.ticket_id = t.id AND t.hall = %s",
        "SELECT t.id FROM ticket t, ticket_item i WHERE i.ticket_id = t.id AND t.hall = %s"
        " AND i.hall = t.hall",
    ),
    (
        "raw: SQLAlchemy's insertmanyvalues batch",
        "INSERT INTO event (kind, at) SELECT p0::VARCHAR, p1::FLOAT FROM (VALUES "
        "(%(kind__0)s, %(at__0)s, 0), (%(kind__1)s, %(at__1)s, 1)) AS imp_sen(p0, p1, "
        "sen_counter) ORDER BY sen_counter RETURNING event.id, event.id AS id__1",
        "INSERT INTO event (hall, kind, at) SELECT p0::VARCHAR, p1::VARCHAR, p2::FLOAT FROM "
        "(VALUES (%(hall__0)s, %(kind__0)s, %(at__0)s, 0), (%(hall__1)s, %(kind__1)s, "
        "%(at__1)s, 1)) AS imp_sen(p0, p1, p2, sen_counter) ORDER BY sen_counter "
        "RETURNING event.id, event.id AS id__1",
    ),
    (
        "raw: a data-modifying CTE",
        "WITH gone AS (DELETE FROM staff_session WHERE expires < %s RETURNING id) "
        "SELECT count(*) FROM gone",
        "WITH gone AS (DELETE FROM staff_session WHERE hall = %s AND expires < %s "
        "RETURNING id) SELECT count(*) FROM gone",
    ),
    (
        "raw: insert without a column list",
        "INSERT INTO hall_setting VALUES (%s, %s, %s)",
        "INSERT INTO hall_setting (hall, key, value) VALUES (%s, %s, %s)",
    ),
]


def as_sent(stmt: object) -> str:
    return stmt if isinstance(stmt, str) else sent(stmt, st=["a", "b"], halls=["h1", "h2"])  # type: ignore[arg-type]


@pytest.mark.parametrize(("rule", "bad", "good"), PAIRS, ids=[p[0] for p in PAIRS])
def test_each_rule_fails_without_the_hall_key_and_passes_with_it(
    rule: str, bad: object, good: object
) -> None:
    bad_sql, good_sql = as_sent(bad), as_sent(good)
    assert violations(bad_sql), f"{rule}: passed without the hall key:\n{bad_sql}"
    assert violations(good_sql) == (), f"{rule}: refused with the hall key:\n{good_sql}"


def test_violations_name_the_table_and_the_alias() -> None:
    sql = sent(select(t1.c.id, t2.c.id).join(t2, t2.c.id == t1.c.id).where(t1.c.hall == H))
    assert violations(sql) == ("ticket (as t2) in SELECT: no hall key",)
    found = violations(sent(select(T.id, TI.matter).join(item, TI.ticket_id == T.id)))
    assert found == ("ticket in SELECT: no hall key", "ticket_item in SELECT: no hall key")
    assert violations(sent(update(ticket).values(status="x"))) == ("ticket in UPDATE: no hall key",)
    assert violations(sent(delete(ticket))) == ("ticket in DELETE: no hall key",)
    assert violations(sent(insert(ticket).values(id=1))) == (
        "INSERT INTO ticket without the hall column",
    )


def test_what_the_driver_receives_parses() -> None:
    """The shapes SQLAlchemy sends: bind casts, RETURNING, ON CONFLICT DO UPDATE, FOR
    UPDATE SKIP LOCKED OF, expanded IN lists, LIMIT/OFFSET parameters, quoted names."""
    stmt = (
        select(T.id, T["window"])
        .where(T.hall == H, T.status.in_(bindparam("st", expanding=True)))
        .order_by(T.id)
        .limit(bindparam("lim"))
        .offset(bindparam("off"))
        .with_for_update(skip_locked=True, of=ticket)
    )
    sql = sent(stmt, hall="h1", st=["waiting", "called", "serving"], lim=10, off=0)
    assert "%(st_3)s" in sql and "SKIP LOCKED" in sql and '"window"' in sql
    assert audit(sql).audited and violations(sql) == ()


@pytest.mark.parametrize(
    "sql",
    [
        CreateTable(ticket),
        CreateIndex(Index("ix_ticket_day", T.hall, T.day)),
        DropTable(ticket),
        "ALTER TABLE ticket ADD COLUMN hall VARCHAR(40)",
        'TRUNCATE "ticket", "ticket_item" RESTART IDENTITY CASCADE',
        "BEGIN",
        "COMMIT",
        "ROLLBACK",
        "SAVEPOINT sa_savepoint_1",
        "RELEASE SAVEPOINT sa_savepoint_1",
        "ROLLBACK TO SAVEPOINT sa_savepoint_1",
        "SET TIME ZONE 'UTC'",
        "show standard_conforming_strings",
        "LOCK TABLE ticket IN EXCLUSIVE MODE",
        "-- a comment first\n/* and another */ CREATE INDEX ix ON ticket (day)",
        # a script of DDL, as tests/fixtures/release_0_1_0_postgresql.sql
        "CREATE TABLE staff (username VARCHAR(40));\n"
        "CREATE OR REPLACE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  RETURN NEW;\n"
        "END $$ LANGUAGE plpgsql;\n"
        "CREATE TRIGGER t AFTER INSERT ON staff FOR EACH ROW EXECUTE FUNCTION f();\n",
    ],
)
def test_ddl_and_transaction_control_are_not_audited(sql: object) -> None:
    assert audit(as_sent(sql)).audited is False


@pytest.mark.parametrize(
    "sql",
    [
        select(version.c.version_num),
        update(version).values(version_num="0005"),
        select(matter.c.name).where(matter.c.code == "m"),
        "SELECT 1",
        "select pg_catalog.version()",
        "select current_schema()",
        "SELECT pg_advisory_xact_lock(hashtext(%(k)s))",
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
        "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = %(schema)s",
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
        "SELECT 1 FROM pg_catalog.ticket",  # a catalog's, not the hall's, of that name
    ],
)
def test_statements_on_no_hall_table_pass(sql: object) -> None:
    verdict = audit(as_sent(sql))
    assert verdict.audited and verdict.violations == ()


@pytest.mark.parametrize(
    ("sql", "says"),
    [
        ("SELEC id FROM ticket", "cannot be parsed"),
        ("SELECT id FROM ticket WHERE (", "cannot be parsed"),
        ("blah blah", "not understood"),
        ("EXPLAIN SELECT id FROM ticket", "not understood"),
        ("-- a comment\nSELEC id FROM ticket", "cannot be parsed"),
        ("CREATE TABLE x (id INT); SELECT id FROM ticket", "ticket in SELECT"),  # each
    ],
)
def test_what_cannot_be_read_is_a_violation(sql: str, says: str) -> None:
    found = violations(sql)
    assert len(found) == 1 and found[0].startswith(says), found


def test_an_unexpanded_in_list_is_no_hall_key() -> None:
    """Never sent so (SQLAlchemy expands the list first); were it, it would be refused."""
    sql = select(T.id).where(T.hall.in_(bindparam("h", expanding=True))).compile().string
    assert "__[POSTCOMPILE_h]" in sql
    assert violations(sql)
