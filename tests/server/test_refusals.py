"""Every kind of refusal through the server's error handler: its class's status and code, the
one error shape, both messages rendered from the catalogs with the parameters in them."""

from __future__ import annotations

import string
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from queue_app.domain.errors import Refused
from queue_app.server import errors
from tests.unit.test_message_catalogs import REFUSALS

pytestmark = pytest.mark.anyio


def params_of(cls: type[Refused]) -> dict[str, str]:
    names = {n for _, n, _, _ in string.Formatter().parse(cls.message) if n}
    return {n: f"<{n}-42>" for n in names}


@pytest.fixture()
async def raising() -> AsyncIterator[httpx.AsyncClient]:
    """An app with the server's error handlers and one route raising the named refusal."""
    app = FastAPI()
    errors.install(app)
    kinds = {cls.__name__: cls for cls in REFUSALS}

    @app.get("/raise/{name}")
    async def _raise(name: str) -> None:
        cls = kinds[name]
        raise cls(**params_of(cls))

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hall") as client:
        yield client


@pytest.mark.parametrize("cls", REFUSALS, ids=lambda c: c.__name__)
async def test_a_refusal_answers_its_status_code_and_both_messages(
    raising: httpx.AsyncClient, cls: type[Refused]
) -> None:
    r = await raising.get(f"/raise/{cls.__name__}")
    assert r.status_code == cls.status, r.text
    error = r.json()["error"]
    assert set(error) == {"code", "message_zh", "message_en", "field"}
    assert error["code"] == cls.code and error["field"] == cls.field
    for value in params_of(cls).values():
        assert value in error["message_zh"] and value in error["message_en"], error


def test_no_status_table_remains() -> None:
    """The status is the class's: no code-to-status table with a fallback."""
    assert not hasattr(errors, "_STATUS") and not hasattr(errors, "status_for")
