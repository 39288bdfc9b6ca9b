"""The hall-key audit's recorder: every statement the test session sends to PostgreSQL, from
the test processes and from every Python process they start (``queue-app serve``, the
commands, the fork server's workers), is checked by ``tests.hall_key_audit`` and each
distinct one recorded; at the session's end the statements without the hall key are listed
and, once the audit is enforced, fail the session.

How it hooks in:
- the session's controller (``pytest_configure`` in tests/conftest.py) makes a directory,
  names it in ``QUEUE_APP_HALL_AUDIT_DIR`` and puts tests/hall_key_site first on
  ``PYTHONPATH``: every process started afterwards inherits both (the xdist workers, and
  what the tests start with the environment of theirs);
- each test process listens to every SQLAlchemy engine (``before_cursor_execute``); the
  other processes do the same through tests/hall_key_site/sitecustomize.py, once they
  import SQLAlchemy;
- the listener audits each distinct statement text once per process (the verdict is
  cached) and appends it to ``<dir>/<pid>.jsonl`` with the test that sent it;
- the controller reads them all at ``pytest_sessionfinish`` (``finish``).

Only PostgreSQL engines are audited, and nothing while an Alembic migration runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Every hall-owned table has its hall column (migration 0005): a statement without the hall
# key fails the test session (QUEUE_APP_HALL_AUDIT=off turns the audit off for a run).
ENFORCED = True

SWITCH_ENV = "QUEUE_APP_HALL_AUDIT"  # off (or 0): no audit; record: not enforced; enforce
DIR_ENV = "QUEUE_APP_HALL_AUDIT_DIR"  # where the session's processes record
TEST_ENV = "QUEUE_APP_HALL_AUDIT_TEST"  # the test that started a process
REPORT_ENV = "QUEUE_APP_HALL_AUDIT_REPORT"  # a file: every violating statement written there
PG_ENV = "QUEUE_APP_TEST_PG"
SITE = Path(__file__).parent / "hall_key_site"
SHOWN_TESTS = 3  # the tests named for a statement in the session's summary

_OFF = ("0", "off", "no", "false")


def wanted() -> bool:
    """On by default wherever the suite runs on PostgreSQL; off with QUEUE_APP_HALL_AUDIT=0."""
    switch = os.environ.get(SWITCH_ENV, "").strip().lower()
    return switch not in _OFF and bool(os.environ.get(PG_ENV))


def enforced() -> bool:
    """Whether a statement without the hall key fails the session (``record``: counted
    and listed only, e.g. while a change is half made)."""
    switch = os.environ.get(SWITCH_ENV, "").strip().lower()
    return switch == "enforce" or (ENFORCED and switch != "record")


def recording_env(env: Mapping[str, str], directory: Path | str) -> dict[str, str]:
    """``env`` for a process whose statements are to be recorded in ``directory``."""
    rest = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(SITE)]
    return {**env, DIR_ENV: str(directory), "PYTHONPATH": os.pathsep.join([str(SITE), *rest])}


def launched_by() -> dict[str, str]:
    """For the environment of a process a test starts: which test that is."""
    return {TEST_ENV: os.environ.get("PYTEST_CURRENT_TEST", "")}


# -- the session's controller -------------------------------------------------------------


def start_session() -> Path | None:
    """The session's directory, made and put in this process's environment (which every
    process started later inherits), if the audit is wanted and no enclosing session has
    one already."""
    if not wanted() or os.environ.get(DIR_ENV):
        return None
    directory = Path(tempfile.mkdtemp(prefix="queue-app-hall-audit-"))
    os.environ.update(recording_env(os.environ, directory))
    return directory


@dataclass
class Finding:
    sql: str
    violations: tuple[str, ...]
    tests: set[str] = field(default_factory=set)
    processes: set[str] = field(default_factory=set)


@dataclass
class Summary:
    statements: dict[str, Finding]
    processes: int
    enforced: bool

    @property
    def violating(self) -> list[Finding]:
        return [f for f in self.statements.values() if f.violations]

    @property
    def failed(self) -> bool:
        return self.enforced and bool(self.violating)

    def lines(self) -> list[str]:
        bad = self.violating
        how = "enforced" if self.enforced else "recorded only: ENFORCED is off"
        head = (
            f"hall-key audit ({how}): {len(self.statements)} distinct statements to "
            f"PostgreSQL from {self.processes} processes, {len(bad)} without the hall key"
        )
        if not self.failed:
            return [head]
        out = [head]
        for f in sorted(bad, key=lambda f: f.sql):
            tests = sorted(f.tests)
            more = f" and {len(tests) - SHOWN_TESTS} more" if len(tests) > SHOWN_TESTS else ""
            out += [
                "",
                f.sql,
                *(f"  - {v}" for v in f.violations),
                f"  sent by: {'; '.join(tests[:SHOWN_TESTS]) or '?'}{more}",
            ]
        return out


def collect(directory: Path) -> Summary:
    """Everything the session's processes recorded in ``directory``."""
    found: dict[str, Finding] = {}
    files = sorted(directory.glob("*.jsonl"))
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                r = json.loads(line)
            except ValueError:  # a process killed halfway through a line: said, not dropped
                r = {"sql": line, "violations": ["a record cut short"], "test": path.name}
            f = found.setdefault(r["sql"], Finding(r["sql"], tuple(r["violations"])))
            f.tests.add(r.get("test") or r.get("process") or "?")
            f.processes.add(r.get("process") or "?")
    return Summary(found, len(files), enforced())


def finish(directory: Path) -> Summary:
    """The session's summary; the directory removed (and every violation written to
    QUEUE_APP_HALL_AUDIT_REPORT's file, if that is set)."""
    summary = collect(directory)
    report = os.environ.get(REPORT_ENV)
    if report:
        rows = [
            {
                "sql": f.sql,
                "violations": list(f.violations),
                "tests": sorted(f.tests),
                "processes": sorted(f.processes),
            }
            for f in sorted(summary.statements.values(), key=lambda f: f.sql)
        ]
        Path(report).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    shutil.rmtree(directory, ignore_errors=True)
    return summary


# -- every process: the listener ----------------------------------------------------------

_installed = False
_verdicts: dict[str, tuple[str, ...] | None] = {}  # statement -> violations (None: not audited)
_recorded: set[tuple[str, str]] = set()  # (directory, statement) written by this process
_writing = threading.Lock()
_quiet = threading.local()  # on: this thread's statements are a test's own look, unaudited


@contextlib.contextmanager
def unaudited(why: str) -> Iterator[None]:
    """A test's own look at a database that is not the store's work and cannot name one
    hall (a whole table before hall keys, every hall's rows after an upgrade): its
    statements, in this thread, are not audited. ``why`` says why, for the reader."""
    assert why
    before = getattr(_quiet, "on", False)
    _quiet.on = True
    try:
        yield
    finally:
        _quiet.on = before


def install() -> None:
    """Listen to every SQLAlchemy engine of this process (once)."""
    global _installed
    if _installed:
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    event.listen(Engine, "before_cursor_execute", _before_cursor_execute)
    _installed = True


def _before_cursor_execute(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> None:
    directory = os.environ.get(DIR_ENV)
    if (
        not directory
        or (directory, statement) in _recorded
        or conn.dialect.name != "postgresql"
        or _in_migration()
        or getattr(_quiet, "on", False)
    ):
        return
    record(Path(directory), statement)


def record(directory: Path, statement: str) -> None:
    """Audit ``statement`` (once per text in this process) and write it to ``directory``."""
    if statement not in _verdicts:
        from tests.hall_key_audit import audit

        verdict = audit(statement)
        _verdicts[statement] = verdict.violations if verdict.audited else None
    violations = _verdicts[statement]
    _recorded.add((str(directory), statement))
    if violations is not None:
        write(directory, statement, violations)


def write(directory: Path, statement: str, violations: tuple[str, ...] | list[str]) -> None:
    line = json.dumps(
        {"sql": statement, "violations": list(violations), "test": _test(), "process": _process()},
        ensure_ascii=False,
    )
    with _writing, open(directory / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as f:
        f.write(line + "\n")


def _in_migration() -> bool:
    """Alembic's environment is running (its proxy installed): a migration's statements."""
    context = sys.modules.get("alembic.context")
    return context is not None and getattr(context, "_proxy", None) is not None


def _test() -> str:
    test = os.environ.get(TEST_ENV) or os.environ.get("PYTEST_CURRENT_TEST") or ""
    mp = sys.modules.get("multiprocessing")
    if test and mp is not None and mp.parent_process() is not None:
        # forked from a fork server, whose environment is that of the test that started it
        return f"{test} or a later test of that worker (a multiprocessing child)"
    return test


def _process() -> str:
    return f"pid {os.getpid()}: {' '.join(sys.orig_argv)[:200]}"
