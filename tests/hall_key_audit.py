"""The hall-key audit's checker: does one SQL statement, as sent to PostgreSQL's driver,
keep to one hall on every hall-owned table it touches?

Multi-hall tenancy gives every hall-owned table a leading ``hall`` column that starts its
primary key and every unique key, so the schema can be sharded by hall (Citus and the like);
every statement on such a table must then say which hall. ``audit`` parses the statement
with sqlglot (PostgreSQL dialect, psycopg's ``%(name)s`` / ``%s`` placeholders) and
reports each reference to a hall-owned table that is not held to its hall:

- SELECT, UPDATE, DELETE (and every subquery, CTE, UNION branch, derived table): a
  predicate ``<table or alias>.hall = <parameter or literal>`` or ``hall IN (<parameters or
  literals>)`` or ``hall = ANY(<parameter>)``, ANDed at the top of the WHERE or of an inner
  join's ON (a LEFT JOIN's ON holds only the joined table); or ``<t>.hall = <u>.hall`` with
  a table ``u`` (of this query or an enclosing one) that is held so. An OR holds a table
  only if each of its branches does: one that lets other halls through does not.
- INSERT: the column list names ``hall``; an ``ON CONFLICT (...)`` target names it too
  (every unique key starts with it); an INSERT ... SELECT's query is audited as above.

Not audited: DDL (CREATE, ALTER, DROP, TRUNCATE, COMMENT, GRANT), transaction control,
SET/SHOW/LOCK, and statements on no hall-owned table (``alembic_version``, the catalogs,
``SELECT 1``, advisory locks). A statement that cannot be parsed, or parses as something
this checker does not know, is a violation: nothing passes unread.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

# sqlglot's own word on what it parses only as a Command: the verdict says what matters
logging.getLogger("sqlglot").setLevel(logging.ERROR)

HALL_TABLES = frozenset(
    {
        "ticket",
        "ticket_item",
        "hall_window",
        "window_profile",
        "hall_setting",
        "hall_state",
        "day_counter",
        "business_day",
        "event",
        "idempotency",
        "staff",
        "window_seat",
        "staff_session",
        "sign_in_limit",
        "day_rollup",
        "day_rollup_step",
        "month_rollup_step",
        "rating_case",
        "print_job",
        "printer_state",
        "notice",
        "booking",
        "booking_slot",
        "booking_closure",
        "booking_ban",
    }
)
# the store's tables that are no hall's (catalog-level ones, when there are): not audited
NOT_HALL_TABLES: frozenset[str] = frozenset()  # alembic_version is no model's
HALL_COLUMN = "hall"
CATALOG_SCHEMAS = frozenset({"pg_catalog", "information_schema"})

# statements that are not audited, by their first word (DDL, transaction control, session
# settings): checked before parsing (sqlglot parses some of them only as an opaque Command)
_NOT_AUDITED = re.compile(
    r"\s*(?:CREATE|ALTER|DROP|TRUNCATE|COMMENT|GRANT|REVOKE|BEGIN|START|COMMIT|END|ROLLBACK"
    r"|ABORT|SAVEPOINT|RELEASE|PREPARE\s+TRANSACTION|SET|RESET|SHOW|LOCK|DISCARD|LISTEN"
    r"|UNLISTEN|NOTIFY|VACUUM|ANALYZE|CHECKPOINT)\b",
    re.IGNORECASE,
)
# (sqlglot counts INSERT among its DDL nodes: the queries are checked for first)
_NOT_AUDITED_NODES = (
    *(exp.Create, exp.Drop, exp.Alter, exp.TruncateTable),
    *(exp.Transaction, exp.Commit, exp.Rollback, exp.Set),
)
_QUERY = (exp.Select, exp.SetOperation)
_DML = (exp.Insert, exp.Update, exp.Delete)


@dataclass(frozen=True)
class Verdict:
    audited: bool  # False: a statement of a kind the audit leaves alone (DDL, BEGIN, ...)
    violations: tuple[str, ...] = ()


_LEADING_COMMENT = re.compile(r"\s*(?:--[^\n]*(?:\n|$)|/\*.*?\*/)", re.DOTALL)


def audit(sql: str) -> Verdict:
    """The verdict on one statement as the driver receives it (or on a script of several:
    each is audited)."""
    head = _without_leading_comments(sql)
    if _NOT_AUDITED.match(head) and ";" not in head.rstrip().rstrip(";"):
        return Verdict(audited=False)
    # a literal % is doubled in the pyformat paramstyle; sqlglot reads the single one
    text = sql.replace("%%", "%") if "%%" in sql else sql
    try:
        trees = sqlglot.parse(text, read="postgres")
    except SqlglotError as e:
        return Verdict(True, (f"cannot be parsed ({type(e).__name__}: {_first_line(e)})",))
    found: list[str] = []
    audited = False
    for tree in trees:
        if tree is None or isinstance(tree, _NOT_AUDITED_NODES):
            continue
        if isinstance(tree, exp.Command) and _NOT_AUDITED.match(str(tree.this)):
            continue  # e.g. CREATE FUNCTION, which sqlglot does not parse further
        audited = True
        if isinstance(tree, (*_QUERY, *_DML)):
            _Auditor(found).statement(tree, ())
        else:
            found.append(f"not understood: parsed as {type(tree).__name__}")
    return Verdict(audited, tuple(dict.fromkeys(found)))


def _without_leading_comments(sql: str) -> str:
    pos = 0
    while m := _LEADING_COMMENT.match(sql, pos):
        pos = m.end()
    return sql[pos:]


def violations(sql: str) -> tuple[str, ...]:
    return audit(sql).violations


def _first_line(e: Exception) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else ""


@dataclass(eq=False)
class _Source:
    """A hall-owned table where a query reads it: its name, and the name its columns use."""

    table: str
    name: str
    held: bool = False
    joined_to: list[_Source] = field(default_factory=list)  # the same hall as these


# the hall-owned tables visible to a subquery: those of each enclosing query (innermost
# first), by the name their columns use there
_Scope = dict[str, _Source]


class _Auditor:
    def __init__(self, found: list[str]) -> None:
        self.found = found

    # -- statements --------------------------------------------------------------------

    def statement(self, node: exp.Expr, outer: tuple[_Scope, ...]) -> None:
        if isinstance(node, exp.Subquery):
            self.statement(node.this, outer)
        elif isinstance(node, exp.SetOperation):
            self.ctes(node, outer)
            self.statement(node.left, outer)
            self.statement(node.right, outer)
        elif isinstance(node, exp.Select):
            self.select(node, outer)
        elif isinstance(node, exp.Insert):
            self.insert(node, outer)
        elif isinstance(node, (exp.Update, exp.Delete)):
            self.update_or_delete(node, outer)
        elif isinstance(node, exp.Values):
            self.subqueries(node, outer)
        else:
            self.found.append(f"not understood: a {type(node).__name__} as a query")

    def ctes(self, node: exp.Expr, outer: tuple[_Scope, ...]) -> None:
        with_ = node.args.get("with_")
        if with_ is not None:
            for cte in with_.expressions:
                self.statement(cte.this, outer)

    def select(self, node: exp.Select, outer: tuple[_Scope, ...]) -> None:
        self.ctes(node, outer)
        local: _Scope = {}
        conditions: list[tuple[exp.Expr, list[_Source] | None]] = []
        from_ = node.args.get("from_")
        if from_ is not None:
            for item in [from_.this, *from_.expressions]:
                self.source(item, local, outer)
        for join in node.args.get("joins") or []:
            joined = self.source(join.this, local, outer)
            on = join.args.get("on")
            if on is not None:
                side = (join.side or "").upper()
                if not side:  # inner: the ON holds every table
                    conditions.append((on, None))
                elif side == "LEFT":  # only the joined table's rows
                    conditions.append((on, joined))
                elif side == "RIGHT":  # only those of the tables before it
                    conditions.append((on, [s for s in local.values() if s not in joined]))
                # FULL: none
                self.subqueries(on, (local, *outer))
        where = node.args.get("where")
        if where is not None:
            conditions.append((where.this, None))
        self.hold(local, outer, conditions, kind="SELECT")
        self.subqueries(node, (local, *outer), skip=("from_", "joins", "with_"))

    def insert(self, node: exp.Insert, outer: tuple[_Scope, ...]) -> None:
        self.ctes(node, outer)
        target = node.this
        columns: list[str] | None = None
        if isinstance(target, exp.Schema):
            columns = [c.name.lower() for c in target.expressions]
            target = target.this
        if isinstance(target, exp.Table) and _hall_owned(target):
            if columns is None or HALL_COLUMN not in columns:
                self.found.append(f"INSERT INTO {target.name} without the {HALL_COLUMN} column")
            conflict = node.args.get("conflict")
            keys = conflict.args.get("conflict_keys") if conflict is not None else None
            if keys and HALL_COLUMN not in [k.name.lower() for k in keys]:
                self.found.append(
                    f"INSERT INTO {target.name} ON CONFLICT on a key without {HALL_COLUMN}"
                )
        query = node.args.get("expression")
        if query is not None:
            self.statement(query, outer)
        for key in ("conflict", "returning", "where"):
            if node.args.get(key) is not None:
                self.subqueries(node.args[key], outer)

    def update_or_delete(self, node: exp.Update | exp.Delete, outer: tuple[_Scope, ...]) -> None:
        self.ctes(node, outer)
        kind = "UPDATE" if isinstance(node, exp.Update) else "DELETE"
        local: _Scope = {}
        tables: list[exp.Expr] = [node.this]
        if isinstance(node, exp.Update) and node.args.get("from_") is not None:
            tables += [node.args["from_"].this, *node.args["from_"].expressions]
        if isinstance(node, exp.Delete):
            tables += node.args.get("using") or []
        for table in tables:
            self.source(table, local, outer)
        where = node.args.get("where")
        conditions: list[tuple[exp.Expr, list[_Source] | None]] = []
        if where is not None:
            conditions.append((where.this, None))
        self.hold(local, outer, conditions, kind=kind)
        self.subqueries(node, (local, *outer), skip=("this", "from_", "using", "with_"))

    # -- sources and their halls -------------------------------------------------------

    def source(self, item: exp.Expr, local: _Scope, outer: tuple[_Scope, ...]) -> list[_Source]:
        """Register a FROM/JOIN item; the hall-owned tables it adds to this query."""
        if isinstance(item, exp.Table):
            if isinstance(item.this, exp.Identifier) and _hall_owned(item):
                s = _Source(item.name, item.alias_or_name)
                local[s.name] = s
                return [s]
            self.subqueries(item, (local, *outer))  # e.g. a table function's arguments
            return []
        if isinstance(item, exp.Subquery):
            inner = (local, *outer) if item.args.get("lateral") else outer
            self.statement(item.this, inner)
            return []
        if isinstance(item, exp.Lateral):
            self.subqueries(item, (local, *outer))
            return []
        if isinstance(item, exp.Values):
            self.subqueries(item, outer)
            return []
        self.found.append(f"not understood: a {type(item).__name__} in FROM")
        return []

    def hold(
        self,
        local: _Scope,
        outer: tuple[_Scope, ...],
        conditions: list[tuple[exp.Expr, list[_Source] | None]],
        kind: str,
    ) -> None:
        """Mark which of this query's tables the conditions hold to one hall; report the
        others. ``conditions``: each with the tables it may hold (None: all)."""
        scopes = (local, *outer)
        for condition, only in conditions:
            held, pairs = self.facts(condition, scopes)
            for s in held:
                if only is None or s in only:
                    s.held = True
            for a, b in pairs:  # a LEFT JOIN's ON: only its table takes the other's hall
                if only is None or a in only:
                    a.joined_to.append(b)
                if only is None or b in only:
                    b.joined_to.append(a)
        for s in local.values():
            if not _reaches_held(s):
                alias = f" (as {s.name})" if s.name != s.table else ""
                self.found.append(f"{s.table}{alias} in {kind}: no {HALL_COLUMN} key")

    def facts(
        self, cond: exp.Expr, scopes: tuple[_Scope, ...]
    ) -> tuple[set[_Source], list[tuple[_Source, _Source]]]:
        """The tables ``cond`` holds to given halls, and the pairs whose halls it equates."""
        cond = _bare(cond)
        if isinstance(cond, exp.And):
            h1, p1 = self.facts(cond.this, scopes)
            h2, p2 = self.facts(cond.expression, scopes)
            return h1 | h2, p1 + p2
        if isinstance(cond, exp.Or):  # held only where every branch holds it
            h1, _ = self.facts(cond.this, scopes)
            h2, _ = self.facts(cond.expression, scopes)
            return h1 & h2, []
        if isinstance(cond, exp.EQ):
            left, right = _bare(cond.this), _bare(cond.expression)
            a, b = _hall_of(left, scopes), _hall_of(right, scopes)
            if a is not None and b is not None:
                return set(), [(a, b)]
            if a is not None and _is_value(right):
                return {a}, []
            if b is not None and _is_value(left):
                return {b}, []
            if a is not None and isinstance(right, exp.Any) and _is_value(_bare(right.this)):
                return {a}, []
            return set(), []
        if isinstance(cond, exp.In) and not cond.args.get("query"):
            a = _hall_of(_bare(cond.this), scopes)
            values = cond.expressions
            if a is not None and values and all(_is_value(_bare(v)) for v in values):
                return {a}, []
        return set(), []

    def subqueries(
        self, node: exp.Expr, scopes: tuple[_Scope, ...], skip: Iterable[str] = ()
    ) -> None:
        """Audit the queries nested in ``node``'s expressions (not in the parts skipped)."""
        skipped = set(skip)
        for key, value in node.args.items():
            if key in skipped:
                continue
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, exp.Expr):
                    for query in _outermost_queries(child):
                        self.statement(query, scopes)


def _hall_owned(table: exp.Table) -> bool:
    return table.name.lower() in HALL_TABLES and table.db.lower() not in CATALOG_SCHEMAS


def _bare(e: exp.Expr) -> exp.Expr:
    while isinstance(e, (exp.Paren, exp.Cast)):
        e = e.this
    return e


def _is_value(e: exp.Expr) -> bool:
    """A value the statement's caller gives: a parameter or a literal."""
    return isinstance(e, (exp.Placeholder, exp.Parameter, exp.Literal))


def _hall_of(e: exp.Expr, scopes: tuple[_Scope, ...]) -> _Source | None:
    """The table whose hall column ``e`` is, if it is one (an unqualified ``hall`` belongs
    to the one hall-owned table of the innermost query that has any)."""
    if not isinstance(e, exp.Column) or e.name.lower() != HALL_COLUMN:
        return None
    qualifier = e.table
    for scope in scopes:
        if qualifier:
            if qualifier in scope:
                return scope[qualifier]
        elif scope:
            return next(iter(scope.values())) if len(scope) == 1 else None
    return None


def _reaches_held(s: _Source) -> bool:
    seen = {id(s)}
    todo = [s]
    while todo:
        cur = todo.pop()
        if cur.held:
            return True
        for other in cur.joined_to:
            if id(other) not in seen:
                seen.add(id(other))
                todo.append(other)
    return False


def _outermost_queries(node: exp.Expr) -> Iterator[exp.Expr]:
    """The queries in ``node`` not nested in another one of them (``node`` itself too)."""
    if isinstance(node, (*_QUERY, *_DML)):
        yield node
        return
    for child in node.iter_expressions():
        yield from _outermost_queries(child)
