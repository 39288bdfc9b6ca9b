"""``Idempotency-Key`` on POST: a retried request gets the first response, not a second
ticket. A plain ASGI middleware: requests without the header pass straight through."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from queue_app.domain.errors import Refused
from queue_app.server.errors import status_for
from queue_app.store import idempotency

HEADER = b"idempotency-key"


async def _send_json(send: Send, status: int, body: bytes, replayed: bool = False) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if replayed:
        headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _error(status: int, code: str, zh: str, en: str, field: str) -> tuple[int, bytes]:
    body = {"error": {"code": code, "message_zh": zh, "message_en": en, "field": field}}
    return status, json.dumps(body, ensure_ascii=False).encode()


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        key = headers.get(HEADER)
        if key is None:
            await self.app(scope, receive, send)
            return
        if not 1 <= len(key) <= 128:
            await _send_json(
                send,
                *_error(
                    422,
                    "invalid_request",
                    "幂等键长度应为 1 到 128 个字符",
                    "Idempotency-Key must be 1 to 128 characters",
                    "Idempotency-Key",
                ),
            )
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        auth = headers.get(b"authorization", b"")
        scope_id = hashlib.sha256(auth).hexdigest()[:32] if auth else "-"
        digest = hashlib.sha256(
            scope["method"].encode() + b" " + scope["path"].encode() + b"\n" + body
        ).hexdigest()
        svc = scope["app"].state.service
        try:
            stored = await svc.write(idempotency.claim, svc.store, scope_id, key.decode(), digest)
        except Refused as exc:
            await _send_json(
                send,
                *_error(
                    status_for(exc.code), exc.code, exc.zh, exc.en, exc.field or "Idempotency-Key"
                ),
            )
            return
        if stored is not None:
            await _send_json(send, stored.status_code, stored.body.encode(), replayed=True)
            return

        sent = False

        async def replay_body() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        status = 500
        chunks: list[bytes] = []
        start: dict[str, Any] = {}

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            await self.app(scope, replay_body, capture)
        except Exception:
            await svc.write(idempotency.release, svc.store, scope_id, key.decode())
            raise
        payload = b"".join(chunks)
        if status >= 500:
            await svc.write(idempotency.release, svc.store, scope_id, key.decode())
        else:
            await svc.write(
                idempotency.complete, svc.store, scope_id, key.decode(), status, payload.decode()
            )
        await send(start)
        await send({"type": "http.response.body", "body": payload})
