"""``Idempotency-Key`` on POST: the key, who sent it and a digest of the request become a
``Once`` that the store claims in the same transaction as the change, with the response;
a retry, at any later moment, gets that response again (``Idempotent-Replayed: true``)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, Response
from pydantic import BaseModel

from queue_app.domain.refusals import BadIdempotencyKey
from queue_app.store.idempotency import Once, Replay

HEADER = "idempotency-key"
MAX_KEY = 128  # characters
REPLAYED = "Idempotent-Replayed"


@dataclass(frozen=True, slots=True)
class Key:
    """A keyed request: the acting credentials' digest, the key, the request's digest."""

    scope: str
    key: str
    fingerprint: str

    def once(self, status: int, out: Callable[[Any], BaseModel | None]) -> Once:
        """The ``Once`` whose stored response is ``out(result)`` with ``status``."""

        def render(result: Any) -> tuple[int, str]:
            model = out(result)
            return status, model.model_dump_json() if model is not None else ""

        return Once(self.scope, self.key, self.fingerprint, render)


async def request_key(request: Request) -> Key | None:
    """The request's ``Idempotency-Key``, if it has one (1 to 128 printable ASCII
    characters: the server reads headers as Latin-1, so other bytes come out non-ASCII)."""
    raw = request.headers.get(HEADER)
    if raw is None or request.method != "POST":
        return None
    if not (1 <= len(raw) <= MAX_KEY and raw.isascii() and raw.isprintable()):
        raise BadIdempotencyKey(most=MAX_KEY)
    body = await request.body()
    auth = request.headers.get("authorization", "").encode()
    scope = hashlib.sha256(auth).hexdigest()[:32] if auth else "-"
    digest = hashlib.sha256(
        request.method.encode() + b" " + request.url.path.encode() + b"\n" + body
    ).hexdigest()
    return Key(scope, raw, digest)


Keyed = Annotated[Key | None, Depends(request_key)]


def replayed(stored_status: int, body: str) -> Response:
    media = "application/json" if body else None
    return Response(body, status_code=stored_status, media_type=media, headers={REPLAYED: "true"})


def install(app: FastAPI) -> None:
    @app.exception_handler(Replay)
    async def _replay(_: Request, exc: Replay) -> Response:
        return replayed(exc.stored.status_code, exc.stored.body)
