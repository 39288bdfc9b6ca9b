"""One error shape for everything (issue 13, item 4): NUL and half surrogates in any text a
request carries are 422 on both databases; an unexpected failure is JSON with a request
id; a database that cannot be written is 503 with its own code, and the server goes on
once it can write again."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text

from queue_app.server import HallServer
from queue_app.store import Store

pytestmark = pytest.mark.anyio
BAD = {"NUL": "A\x00B", "half surrogate": "A\ud800B"}


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def text_paths(schema: dict[str, Any], spec: dict[str, Any], path: tuple = ()) -> Iterator[tuple]:
    """The path of every text in a request body's schema (an array's first item, a map's
    key "k"): each a place where a request can carry text."""
    schema = _resolve(schema, spec)
    for alt in schema.get("anyOf", []) + schema.get("allOf", []):
        yield from text_paths(alt, spec, path)
    if schema.get("type") == "string" and "enum" not in schema:
        yield path
    for name, prop in schema.get("properties", {}).items():
        yield from text_paths(prop, spec, (*path, name))
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        yield from text_paths(schema["items"], spec, (*path, 0))
    if isinstance(schema.get("additionalProperties"), dict):
        yield (*path, "\x00key")  # a map's key is text too
        yield from text_paths(schema["additionalProperties"], spec, (*path, "k"))


def body_with(path: tuple, value: str) -> Any:
    """The smallest JSON body with ``value`` at ``path``."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        return [body_with(rest, value)]
    if head == "\x00key":
        return {value: "x"}
    return {head: body_with(rest, value)}


def dotted(path: tuple) -> str:
    return ".".join("A\\x00B" if p == "\x00key" else str(p) for p in path)


@pytest.fixture()
def bodies(app: HallServer) -> list[tuple[str, str, tuple]]:
    spec = app.openapi()
    found = []
    for route, ops in spec["paths"].items():
        for method, op in ops.items():
            content = op.get("requestBody", {}).get("content", {}).get("application/json")
            if content:
                for path in text_paths(content["schema"], spec):
                    found.append((method.upper(), route, path))
    return found


async def test_every_text_in_every_request_body_refuses_nul_and_half_surrogates(
    api: httpx.AsyncClient, store: Store, bodies: list[tuple[str, str, tuple]]
) -> None:
    assert len(bodies) >= 15 and any(r == "/api/auth/sign-in" for _, r, _ in bodies)
    before = len(store.events(limit=100_000))
    for method, route, path in bodies:
        url = route.format(
            window=1, number="A001", username="mgr", case_id=1, token="t" * 22, code="123456"
        )
        for name, bad in BAD.items():
            # ensure_ascii: the half surrogate goes as the \\ud800 escape JSON allows
            raw = json.dumps(body_with(path, bad))
            r = await api.request(
                method, url, content=raw, headers={"Content-Type": "application/json"}
            )
            where = f"{method} {url} {dotted(path)} ({name})"
            assert r.status_code == 422, (where, r.status_code, r.text)
            err = r.json()["error"]
            assert err["code"] == "bad_text", (where, err)
            expected = dotted(path).replace("A\\x00B", "A\\x00B" if name == "NUL" else "A\\ud800B")
            assert err["field"] == expected, (where, err)
    assert len(store.events(limit=100_000)) == before  # nothing changed


async def test_text_in_the_path_and_the_query_refuses_nul(api: httpx.AsyncClient) -> None:
    for url in (
        "/api/tickets/A%00",
        "/api/tickets/A%00/events",
        "/api/tickets/A%00/cancel",
        "/api/catalog/search?q=%00",
        "/api/staff/a%00b/windows",
    ):
        method = "POST" if url.endswith(("cancel", "windows")) else "GET"
        body = {"windows": None} if url.endswith("windows") else None
        r = await api.request(method, url, json=body)
        assert r.status_code == 422, (url, r.text)
        assert r.json()["error"]["code"] == "bad_text", (url, r.text)


async def test_an_idempotency_key_must_be_printable_ascii(api: httpx.AsyncClient) -> None:
    for key in ("k\x01ey", "ключ", "x" * 129):
        r = await api.post(
            "/api/tickets",
            json={"matters": ["M-SBK"]},
            headers={"Idempotency-Key": key.encode("utf-8")},  # raw bytes, as sent
        )
        assert r.status_code == 422 and r.json()["error"]["field"] == "Idempotency-Key", r.text
    r = await api.post(
        "/api/tickets", json={"matters": ["M-SBK"]}, headers={"Idempotency-Key": "k-1"}
    )
    assert r.status_code == 201, r.text


@pytest.fixture()
async def loose(app: HallServer, api: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """The manager's client, with app exceptions answered rather than raised in the test."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://hall", headers=dict(api.headers)
    ) as client:
        yield client


def drop_the_event_log(store: Store) -> None:
    """A table gone under the running server: a failure nothing foresaw."""
    cascade = " CASCADE" if store.engine.dialect.name == "postgresql" else ""
    with store.engine.begin() as conn:
        conn.execute(text(f"DROP TABLE event{cascade}"))


async def test_an_unexpected_failure_is_json_with_a_request_id_in_the_log(
    loose: httpx.AsyncClient, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    drop_the_event_log(store)
    with caplog.at_level(logging.ERROR, logger="queue_app.server"):
        r = await loose.post("/api/tickets", json={"matters": ["M-SBK"]})
    assert r.status_code == 500 and r.headers["content-type"] == "application/json"
    err = r.json()["error"]
    rid = r.headers["X-Request-ID"]
    assert err["code"] == "server_error" and rid in err["message_en"] and rid in err["message_zh"]
    (record,) = [rec for rec in caplog.records if rid in rec.getMessage()]
    assert record.exc_info is not None  # the traceback is in the log, not in the answer
    assert "Traceback" not in r.text and "event" not in r.text.lower()


async def test_the_clients_request_id_is_kept(loose: httpx.AsyncClient, store: Store) -> None:
    drop_the_event_log(store)
    r = await loose.post(
        "/api/tickets", json={"matters": ["M-SBK"]}, headers={"X-Request-ID": "desk-7-42"}
    )
    assert r.status_code == 500 and r.headers["X-Request-ID"] == "desk-7-42"


class Storage:
    """The store's connections made read-only, or (SQLite) unable to grow the file by a
    page: what a read-only file or a full disk does to the database. Each change takes
    effect on the connections made after it (the pool is emptied)."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine
        self._read_only = self._full = False
        self.pages = 0
        event.listen(self.engine, "connect", self._connect)

    def set(self, *, read_only: bool = False, full: bool = False) -> None:
        self._read_only, self._full = read_only, full
        self.engine.dispose()

    def _connect(self, dbapi_conn: Any, _record: Any) -> None:
        if self.engine.dialect.name != "sqlite":
            mode = "on" if self._read_only else "off"
            with dbapi_conn.cursor() as cur:
                cur.execute(f"SET default_transaction_read_only = {mode}")
            dbapi_conn.commit()
            return
        dbapi_conn.execute(f"PRAGMA query_only={'ON' if self._read_only else 'OFF'}")
        if self._full and not self.pages:
            self.pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count={self.pages if self._full else 1 << 30}")


async def issue_many(api: httpx.AsyncClient, n: int) -> list[httpx.Response]:
    return [await api.post("/api/tickets", json={"matters": ["M-SBK"]}) for _ in range(n)]


async def test_a_read_only_database_is_503_and_the_server_goes_on_when_writable(
    loose: httpx.AsyncClient, store: Store
) -> None:
    storage = Storage(store)
    storage.set(read_only=True)
    r = await loose.post("/api/tickets", json={"matters": ["M-SBK"]})
    assert r.status_code == 503, r.text
    err = r.json()["error"]
    assert err["code"] == "storage_read_only" and "writable" in err["message_en"], err
    assert (await loose.get("/api/tickets")).status_code == 200  # reads go on
    storage.set()
    r = await loose.post("/api/tickets", json={"matters": ["M-SBK"]})
    assert r.status_code == 201, r.text


async def test_a_full_disk_is_503_and_the_server_goes_on_when_there_is_room(
    loose: httpx.AsyncClient, store: Store
) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("a full disk is simulated with SQLite's max_page_count")
    storage = Storage(store)
    storage.set(full=True)
    answers = await issue_many(loose, 200)  # until a page is needed that the file may not get
    refused = [r for r in answers if r.status_code != 201]
    assert refused, "the file never filled"
    assert {r.status_code for r in refused} == {503}
    assert {r.json()["error"]["code"] for r in refused} == {"storage_full"}
    storage.set()
    r = await loose.post("/api/tickets", json={"matters": ["M-SBK"]})
    assert r.status_code == 201, r.text


async def test_a_server_started_on_a_read_only_database_serves_once_it_is_writable(
    app: HallServer, loose: httpx.AsyncClient, store: Store
) -> None:
    storage = Storage(store)
    storage.set(read_only=True)
    app.state.service._starting = None  # as a server that had not started yet
    async with app.running():  # starts: no exception, a line in the log
        r = await loose.post("/api/tickets", json={"matters": ["M-SBK"]})
        assert r.status_code == 503 and r.json()["error"]["code"] == "storage_read_only"
        storage.set()
        r = await loose.post("/api/tickets", json={"matters": ["M-SBK"]})
        assert r.status_code == 201, r.text
