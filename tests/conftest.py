"""Shared fixtures: the test catalog and hall, a controllable clock, stores on real databases.

Store tests run on a real SQLite file and, when ``QUEUE_APP_TEST_PG`` names a PostgreSQL
server (``.ci/run`` starts one), on a real PostgreSQL too. Under CI the PostgreSQL runs
are required: a missing server fails them rather than skipping them.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import gc
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from argon2 import PasswordHasher
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.loaders import load_catalog, load_hall_for, parse_cache
from queue_app.store import Store, make_engine, passwords, schema
from tests import hall_key_recorder

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
PG_ENV = "QUEUE_APP_TEST_PG"

# parsed catalogs are kept in a cache of the test run's own (this process's and the commands
# it starts), not in the user's
_CACHE = tempfile.mkdtemp(prefix="queue-app-test-cache-")
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
os.environ["QUEUE_APP_CACHE_DIR"] = _CACHE
parse_cache.use_dir(Path(_CACHE))

# passwords hashed in the test processes with Argon2id's cheapest parameters: a sign-in at
# the OWASP level costs 70 ms, and the suite signs in thousands of times. The servers the
# tests start as processes keep the real level (and re-hash these at their first sign-in);
# tests/server/test_sign_in_limits.py checks the level and the re-hash.
passwords.use_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


# the longest test files run first: two workers then end together rather than one
# finishing a long browser or multi-process file alone at the end
LONGEST_FIRST = (
    "tests/web/test_pages.py",
    "tests/web/test_dashboard.py",
    "tests/store/test_concurrency.py",
    "tests/server/test_crash.py",
    "tests/server/test_two_servers.py",
    "tests/web/test_page_languages.py",
    "tests/cli/test_languages.py",
    "tests/sim/test_erlang_validation.py",
    "tests/tui/test_tmux.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::")[0]
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the order within a file and among the rest is kept


# The garbage collector: a test process holds a large heap of long-lived objects (the
# application, Textual, schemathesis's strategies, hypothesis), and each full collection
# walked all of it (0.3 s each: 44 of them in 713 tests of unit, tui and server, with the
# younger ones 15 of those tests' 52 s of CPU; 6 of 42 s with the settings below).
# Once collected, that heap is frozen (never walked again: it lives until the process ends)
# and the young generations are collected less often (up to 10,000 new objects, not 700,
# before a first collection). Unreachable cycles are still freed, only in larger batches.
GC_THRESHOLDS = (10_000, 20, 10)


def pytest_collection_finish(session: pytest.Session) -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


# the hall-key audit (tests/hall_key_recorder.py): the session's controller makes the
# directory that its processes record in; each test process listens to its engines
_AUDIT_DIR = pytest.StashKey[Path | None]()
_AUDIT_SUMMARY = pytest.StashKey[hall_key_recorder.Summary]()


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        config.stash[_AUDIT_DIR] = hall_key_recorder.start_session()
    if os.environ.get(hall_key_recorder.DIR_ENV):
        hall_key_recorder.install()


def pytest_sessionfinish(session: pytest.Session) -> None:
    directory = session.config.stash.get(_AUDIT_DIR, None)
    if directory is None:
        return
    summary = hall_key_recorder.finish(directory)
    session.config.stash[_AUDIT_SUMMARY] = summary
    if summary.failed and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    summary = terminalreporter.config.stash.get(_AUDIT_SUMMARY, None)
    if summary is not None:
        terminalreporter.write_sep("-", "hall-key audit", red=summary.failed)
        for line in summary.lines():
            terminalreporter.write_line(line)


class Clock:
    """A clock the test moves by hand; starts 2026-11-23 09:00 in the hall's zone."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        start = start or dt.datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
        self.now = start.timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float = 0, *, minutes: float = 0, hours: float = 0) -> None:
        self.now += seconds + 60 * minutes + 3600 * hours


def hall_coded(hall: Hall, code: str, name: str | None = None) -> Hall:
    """``hall`` as another hall: its code (and name) changed, the rest as it is."""
    info = {"code": code} if name is None else {"code": code, "name": name}
    return hall.model_copy(update={"hall": hall.hall.model_copy(update=info)})


def with_raters(hall: Hall, devices: str) -> Hall:
    """``hall`` with a 评价器 at the windows ``devices`` says ("all", "none", "2-4")."""
    from queue_app.domain.hall import parse_hall

    data = hall.model_dump(mode="json")
    data["ratings"]["devices"] = devices
    return parse_hall(data)


@pytest.fixture(scope="session")
def mini_catalog() -> Catalog:
    return load_catalog(FIXTURES / "mini_catalog.yaml")


@pytest.fixture(scope="session")
def mini_hall(mini_catalog: Catalog) -> Hall:
    return load_hall_for(FIXTURES / "mini_hall.yaml", mini_catalog)


@pytest.fixture(scope="session")
def real_catalog() -> Catalog:
    return load_catalog(REPO / "matters_catalog.yaml")


def midday_timezone() -> str:
    """A fixed-offset zone where it is now about noon, so that a test running on the real
    clock never sees the business day change under it (CI may run at any hour)."""
    offset = 12 - dt.datetime.now(dt.UTC).hour  # -11 .. +12 hours east of UTC
    return "Etc/GMT" + (f"-{offset}" if offset > 0 else f"+{-offset}" if offset < 0 else "")


def midday_hall(directory: Path) -> Path:
    """The mini hall in the ``midday_timezone`` (for servers on the real clock)."""
    data = yaml.safe_load((FIXTURES / "mini_hall.yaml").read_text(encoding="utf-8"))
    data["hall"]["timezone"] = midday_timezone()
    data["hours"]["weekdays"] = [1, 2, 3, 4, 5, 6, 7]  # tests run on any day of the week
    path = directory / "mini_hall_midday.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def undifferentiated_hall(tmp_path: Path, windows: int) -> Path:
    """The mini hall rewritten with ``windows`` windows that all accept the
    undifferentiated matters (for many clerks working at once), in the
    ``midday_timezone`` (these tests run on the real clock)."""
    data = yaml.safe_load((FIXTURES / "mini_hall.yaml").read_text(encoding="utf-8"))
    data["hall"]["timezone"] = midday_timezone()
    data["hours"]["weekdays"] = [1, 2, 3, 4, 5, 6, 7]
    data["windows"] = [
        {
            "number": n,
            "name": "无差别综合窗口",
            "kind": "undifferentiated",
            "serves": {"undifferentiated": True},
        }
        for n in range(1, windows + 1)
    ]
    path = tmp_path / f"hall_{windows}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture()
def clock() -> Clock:
    return Clock()


def pg_base_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url and os.environ.get("CI"):
        pytest.fail(f"CI needs PostgreSQL: set {PG_ENV} (.ci/run starts the server)")
    return url


@functools.cache
def _worker_pg_url(base: str) -> str:
    """A database of this xdist worker's own, created on first use."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    u = make_url(base)
    name = f"{u.database}_{worker}"
    admin = create_engine(u, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return u.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database on each backend: empty, or, for a test that takes the ``store``
    fixture (which would migrate it at once), at the schema's head with no rows (copied
    from a migrated file, or truncated: quicker than migrating each time)."""
    at_head = "store" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "hall.db"
        if at_head:
            shutil.copyfile(_sqlite_at_head(), path)
        yield f"sqlite:///{path}"
        return
    base = pg_base_url()
    if not base:
        pytest.skip(f"PostgreSQL not configured ({PG_ENV})")
    url = _worker_pg_url(base)
    if not (at_head and _truncated_at_head(url)):
        clean_pg(url)
    yield url


_TEMPLATES = tempfile.mkdtemp(prefix="queue-app-test-db-")
atexit.register(shutil.rmtree, _TEMPLATES, ignore_errors=True)


def _sqlite_at_head() -> Path:
    """A SQLite file migrated to the head once for this process, with no rows."""
    path = Path(_TEMPLATES) / "at_head.db"
    if not path.exists():
        engine = make_engine(f"sqlite:///{path}.new")
        schema.upgrade(engine)
        engine.dispose()  # the WAL folded into the file
        os.replace(f"{path}.new", path)
    return path


def hall_file(path: Path) -> str:
    """A hall's SQLite file at ``path``, as ``queue-app db upgrade`` makes it (the migrated
    file copied), and its URL: the commands and ``serve`` open only a database made first."""
    shutil.copyfile(_sqlite_at_head(), path)
    return f"sqlite:///{path}"


@functools.cache
def _admin_engine(url: str) -> Engine:
    """One engine per database for the fixtures' own statements: a connection kept (idle,
    in autocommit, holding no lock) rather than a new one made per test."""
    return create_engine(url, isolation_level="AUTOCOMMIT", pool_size=1, max_overflow=0)


def _truncated_at_head(url: str) -> bool:
    """Empty every table if the database is at the head with exactly the models' tables
    (True); else leave it as it is (False: it must be dropped and made again).

    The rows go by DELETE (children first) and the id sequences restart, in one transaction:
    the tables are then as a TRUNCATE ... RESTART IDENTITY leaves them, some forty times
    quicker for tables of a test's few rows (a TRUNCATE makes every table's files anew)."""
    tables = [t.name for t in SQLModel.metadata.sorted_tables]
    with _admin_engine(url).connect() as conn:
        found = set(
            conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
        )
        if found != {*tables, schema.VERSION_TABLE}:
            return False
        version = conn.execute(text(f"SELECT version_num FROM {schema.VERSION_TABLE}"))
        if version.scalars().all() != [schema.head()]:
            return False
        sequences = conn.execute(
            text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
        ).scalars()
        emptied = [f'DELETE FROM "{t}"' for t in reversed(tables)]
        restarted = [f'ALTER SEQUENCE "{q}" RESTART' for q in sequences]
        try:
            with hall_key_recorder.unaudited("the fixture empties every hall's rows"):
                conn.exec_driver_sql("; ".join(["BEGIN", *emptied, *restarted, "COMMIT"]))
        except DBAPIError:  # rows a DELETE cannot remove (it is rolled back): start anew
            conn.exec_driver_sql("ROLLBACK")
            return False
        return True


def clean_pg(url: str) -> None:
    """A clean slate: the public schema dropped with everything in it (tables,
    ``alembic_version``, the trigger function) and made again as PostgreSQL makes it."""
    with _admin_engine(url).connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        conn.execute(text("GRANT USAGE ON SCHEMA public TO PUBLIC"))


@pytest.fixture()
def store(db_url: str, mini_catalog: Catalog, mini_hall: Hall, clock: Clock) -> Iterator[Store]:
    s = Store(db_url, mini_catalog, mini_hall, clock=clock)
    for w in mini_hall.windows:
        s.open_window(w.number, actor="setup")
    yield s
    s.dispose()


def why(level: int) -> tuple[str, ...]:
    """The reasons a rating of ``level`` is given with: one for 不满意 and 非常不满意."""
    return ("poor_attitude",) if level <= 2 else ()
