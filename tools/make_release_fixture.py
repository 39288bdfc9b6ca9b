"""Write the database fixtures of release 0.1.0, the last release before migrations.

``python3 tools/make_release_fixture.py`` takes the release's code out of git (commit
3218291, by ``git archive``) into a temporary directory and runs it there to write:

- ``tests/fixtures/release_0_1_0.db``: a SQLite file written through the release's own
  ``Store`` API: a day of tickets issued, called, started, finished, transferred, marked
  no-show, cancelled and rated, the day closed (which restores the windows' profiles) and the next
  day's first ticket and window re-profiled; staff
  accounts and a signed-in session; a window re-profiled; the wait targets set; an
  idempotency record. Every table holds rows.
- ``tests/fixtures/release_0_1_0_postgresql.sql``: the DDL the release's ``create_all`` and
  NOTIFY trigger emit on PostgreSQL (compiled by the release's code), so the PostgreSQL
  upgrade test starts from the release's schema and loads the file's rows into it.

tests/store/test_migrations.py upgrades both to the newest revision and checks every row.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

RELEASE_COMMIT = "3218291"
REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
SQLITE_OUT = FIXTURES / "release_0_1_0.db"
PG_OUT = FIXTURES / "release_0_1_0_postgresql.sql"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commit", default=RELEASE_COMMIT, help="the release's commit")
    parser.add_argument("--in-release", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_release:  # running on the release's code (see below)
        write_sqlite(Path(args.in_release), SQLITE_OUT)
        write_postgresql_ddl(PG_OUT)
        return
    with tempfile.TemporaryDirectory(prefix="queue-app-release-") as tmp:
        archive = Path(tmp) / "release.tar"
        subprocess.run(
            [
                "git",
                "-C",
                str(REPO),
                "archive",
                "-o",
                str(archive),
                args.commit,
                "queue_app",
                "tests/fixtures",
            ],
            check=True,
        )
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        env = {**os.environ, "PYTHONPATH": tmp}
        subprocess.run(
            [sys.executable, __file__, "--in-release", tmp], check=True, env=env, cwd=tmp
        )
    print(f"wrote {SQLITE_OUT.relative_to(REPO)} and {PG_OUT.relative_to(REPO)}")


def write_sqlite(release: Path, out: Path) -> None:
    """A day of the mini hall through the release's Store API."""
    import datetime as dt
    import sqlite3

    import queue_app
    from queue_app.domain.hall import Targets
    from queue_app.domain.profiles import WindowProfile
    from queue_app.domain.ticket import Outcome, Priority
    from queue_app.loaders import load_catalog, load_hall_for
    from queue_app.store import Store, idempotency, staff

    assert Path(queue_app.__file__).is_relative_to(release), "not the release's code"
    catalog = load_catalog(release / "tests/fixtures/mini_catalog.yaml")
    hall = load_hall_for(release / "tests/fixtures/mini_hall.yaml", catalog)
    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    now = [start.timestamp()]

    def tick(minutes: float) -> None:
        now[0] += 60 * minutes

    out.unlink(missing_ok=True)
    store = Store(f"sqlite:///{out}", catalog, hall, clock=lambda: now[0])
    staff.add_staff(store, "boss", staff.Role.MANAGER, "boss-password", "王经理")
    staff.add_staff(store, "desk1", staff.Role.DESK, "desk-password")
    staff.add_staff(store, "clerk1", staff.Role.CLERK, "clerk-password", "李")
    staff.add_staff(store, "gone", staff.Role.CLERK, "gone-password")
    staff.disable_staff(store, "gone")
    staff.sign_in(store, "clerk1", "clerk-password", window=1)
    for w in hall.windows:
        store.open_window(w.number, actor="boss")
    store.set_targets(Targets(wait_minutes=15, serve_minutes=30), actor="boss")
    store.issue(["M-SBK"], actor="desk1")  # A001
    tick(1)
    store.issue(bundle="QY-KBCYD", actor="desk1")  # B001
    tick(1)
    store.issue(["M-YL"], priority=Priority.ELDERLY, actor="desk1")  # V001
    store.issue(["M-HZ"], actor="desk1")  # A002, 出入境
    store.issue(["M-SBK"], actor="desk1")  # A003
    store.issue(["M-SBK"], appointment_at=now[0] + 600, actor="desk1")  # Y001
    tick(2)
    store.call_next(1, actor="clerk1")  # V001
    store.start(1, actor="clerk1")
    tick(6)
    store.finish(1, Outcome.COMPLETED, actor="clerk1")
    store.rate(1, "V001", 5, actor="clerk1")
    store.call_next(3)  # B001
    store.start(3)
    tick(4)
    store.finish(3, {"M-GT": Outcome.COMPLETED, "M-SP": Outcome.ACCEPTED})
    store.call_next(2)  # Y001 (its slot has begun)
    store.start(2)
    store.transfer(2, to_window=1, reason="转1号窗口")
    store.call_next(4)
    store.recall(4)
    store.no_show(4)
    store.cancel("A003", actor="desk1", reason="群众离开")
    store.pause(2, "休息")
    store.set_profile(2, WindowProfile.of(hall.window_by_number[3]), actor="boss")
    claimed = idempotency.claim(store, "desk1", "desk1-0001", "POST /api/tickets 0f3c")
    assert claimed is None
    idempotency.complete(store, "desk1", "desk1-0001", 201, '{"number": "A003"}')
    tick(60 * 8)
    store.close_day(actor="boss", force=True)
    tick(60 * 16)
    store.open_window(1, actor="boss")
    store.issue(["M-SBK"], actor="desk1")  # the next day's A001
    store.set_profile(4, WindowProfile.of(hall.window_by_number[1]), actor="boss")
    store.dispose()
    with sqlite3.connect(out) as db:
        empty = [
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == 0
        ]
        assert not empty, f"tables left empty: {empty}"
        db.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
    with sqlite3.connect(out) as db:
        db.execute("PRAGMA page_size=1024")  # a small file
        db.execute("VACUUM")


def write_postgresql_ddl(out: Path) -> None:
    """The release's tables, indexes and NOTIFY trigger as PostgreSQL DDL."""
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateIndex, CreateTable
    from sqlmodel import SQLModel

    import queue_app.store.tables  # noqa: F401  (the tables join the metadata)
    from queue_app.store import feed

    dialect = postgresql.dialect()
    statements = []
    for table in SQLModel.metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=dialect)).strip())
        statements += [
            str(CreateIndex(ix).compile(dialect=dialect)).strip()
            for ix in sorted(table.indexes, key=lambda ix: ix.name or "")
        ]
    statements += [feed._FUNCTION_SQL.strip(), feed._TRIGGER_SQL.strip()]
    header = f"-- queue_app 0.1.0 ({RELEASE_COMMIT}) on PostgreSQL: tools/make_release_fixture.py\n"
    out.write_text(header + "".join(f"{s};\n\n" for s in statements), encoding="utf-8")


if __name__ == "__main__":
    main()
