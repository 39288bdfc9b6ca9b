"""``Idempotency-Key`` on POST: a retried request gets the first response, not a second
ticket."""

from __future__ import annotations

import hashlib

from fastapi import Request, Response
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from queue_app.domain.errors import Refused
from queue_app.server.errors import error_json, status_for
from queue_app.store import idempotency

HEADER = "Idempotency-Key"


class IdempotencyMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return await call_next(request)
        if not 1 <= len(key) <= 128:
            return error_json(
                422,
                "invalid_request",
                "幂等键长度应为 1 到 128 个字符",
                "Idempotency-Key must be 1 to 128 characters",
                HEADER,
            )
        svc = request.app.state.service
        body = await request.body()
        digest = hashlib.sha256(
            request.method.encode() + b" " + request.url.path.encode() + b"\n" + body
        ).hexdigest()
        auth = request.headers.get("authorization", "")
        scope = hashlib.sha256(auth.encode()).hexdigest()[:32] if auth else "-"
        try:
            stored = await svc.write(idempotency.claim, svc.store, scope, key, digest)
        except Refused as exc:
            return error_json(status_for(exc.code), exc.code, exc.zh, exc.en, exc.field)
        if stored is not None:
            return Response(
                stored.body,
                status_code=stored.status_code,
                media_type="application/json",
                headers={"Idempotent-Replayed": "true"},
            )
        try:
            response = await call_next(request)
        except Exception:
            await svc.write(idempotency.release, svc.store, scope, key)
            raise
        if response.status_code >= 500:
            await svc.write(idempotency.release, svc.store, scope, key)
            return response
        chunks = [chunk async for chunk in response.body_iterator]  # type: ignore[attr-defined]
        payload = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks)
        await svc.write(
            idempotency.complete, svc.store, scope, key, response.status_code, payload.decode()
        )
        return Response(
            payload,
            status_code=response.status_code,
            media_type=response.media_type or "application/json",
        )
