"""The reference hall server for bench/http_load.py: a minimal FastAPI + SQLite app.

    python bench/reference_app.py --port N --db FILE [--seed N]

An atomic daily counter and an ``UPDATE ... RETURNING`` claim; SQLite in WAL with a busy
timeout, writes in BEGIN IMMEDIATE on one writer thread and reads on the thread pool (as
``queue-app serve`` does on SQLite), uvicorn started with the settings of ``queue-app
serve``. ``--seed N`` pre-fills N waiting tickets. An Idempotency-Key header is ignored.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

SCHEMA = """
CREATE TABLE IF NOT EXISTS counter (day TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ticket (id INTEGER PRIMARY KEY, day TEXT NOT NULL,
    number INTEGER NOT NULL, matters TEXT NOT NULL, status TEXT NOT NULL, window INTEGER);
CREATE INDEX IF NOT EXISTS ticket_line ON ticket (status, id);
INSERT OR IGNORE INTO counter VALUES ('today', 0);
"""
CLAIM = """UPDATE ticket SET status = 'called', window = ? WHERE id = (SELECT id FROM ticket
    WHERE status = 'waiting' ORDER BY id LIMIT 1) RETURNING id, number"""


class IssueIn(BaseModel):
    matters: list[str]


def make_app(db: str) -> FastAPI:
    local = threading.local()
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="writer")

    def conn() -> sqlite3.Connection:
        if not hasattr(local, "c"):
            local.c = sqlite3.connect(db, isolation_level=None)  # transactions by hand
            local.c.execute("PRAGMA busy_timeout = 30000")  # as queue_app's engine
            local.c.execute("PRAGMA synchronous = NORMAL")
        return local.c

    def write(sql_steps: Any) -> Any:
        c = conn()
        c.execute("BEGIN IMMEDIATE")
        try:
            result = sql_steps(c)
        except BaseException:
            c.execute("ROLLBACK")
            raise
        c.execute("COMMIT")
        return result

    def issue_tx(c: sqlite3.Connection, matters: str) -> tuple[int, int]:
        n = c.execute("UPDATE counter SET value = value + 1 WHERE day = 'today' RETURNING value")
        number = n.fetchone()[0]
        cur = c.execute(
            "INSERT INTO ticket (day, number, matters, status) VALUES ('today', ?, ?, 'waiting')",
            (number, matters),
        )
        return int(cur.lastrowid or 0), number

    def ahead(tid: int) -> int:
        q = "SELECT count(*) FROM ticket WHERE status = 'waiting' AND id < ?"
        return int(conn().execute(q, (tid,)).fetchone()[0])

    async def on_writer(fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(writer, fn, *args)

    app = FastAPI()

    @app.get("/api/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/issue", status_code=201)
    async def issue(body: IssueIn) -> dict[str, int]:
        tid, number = await on_writer(write, lambda c: issue_tx(c, " ".join(body.matters)))
        return {"number": number, "ahead": await run_in_threadpool(ahead, tid)}

    @app.post("/call-next/{window}")
    async def call_next(window: int) -> dict[str, Any]:
        row = await on_writer(write, lambda c: c.execute(CLAIM, (window,)).fetchone())
        return {"ticket": {"id": row[0], "number": row[1]} if row else None}

    @app.post("/no-show/{window}")
    async def no_show(window: int) -> dict[str, int]:
        q = "UPDATE ticket SET status = 'no_show' WHERE status = 'called' AND window = ?"
        return {"changed": await on_writer(write, lambda c: c.execute(q, (window,)).rowcount)}

    return app


def prepare(db: str, seed: int) -> None:
    """Schema, WAL, and ``seed`` waiting tickets."""
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA journal_mode = WAL")
        c.executescript(SCHEMA)
        rows = [("today", n, "seed", "waiting") for n in range(1, seed + 1)]
        c.executemany("INSERT INTO ticket (day, number, matters, status) VALUES (?,?,?,?)", rows)
        c.execute("UPDATE counter SET value = value + ? WHERE day = 'today'", (seed,))
    c.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--db", required=True, help="SQLite file")
    ap.add_argument("--seed", type=int, default=0, help="waiting tickets to pre-fill")
    args = ap.parse_args()
    prepare(args.db, args.seed)
    # the settings of `queue-app serve` (queue_app/cli.py)
    uvicorn.run(
        make_app(args.db),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        timeout_graceful_shutdown=2,
    )


if __name__ == "__main__":
    main()
