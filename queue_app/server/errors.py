"""One error shape for every refusal: code, message in Chinese and English, the field."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from queue_app.domain.errors import Refused


class ErrorBody(BaseModel):
    code: str
    message_zh: str
    message_en: str
    field: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


# Refusals that mean "no such thing" or "your input is wrong"; every other refusal is a
# conflict with the current state (409).
_STATUS = {
    "not_signed_in": 401,
    "bad_credentials": 401,
    "forbidden": 403,
    "window_required": 422,
    "weak_password": 422,
    "bad_username": 422,
    "bad_role": 422,
    "no_such_staff": 404,
    "unknown_parameter": 422,
    "no_such_ticket": 404,
    "no_such_window": 404,
    "no_such_matter": 404,
    "unknown_matter": 422,
    "ambiguous_matter": 422,
    "duplicate_matter": 422,
    "no_matters": 422,
    "unknown_bundle": 422,
    "unknown_domain": 422,
    "bad_outcome": 422,
    "bad_priority": 422,
    "outcome_missing": 422,
    "transfer_target": 422,
    "reason_required": 422,
    "no_window": 422,
    "no_voice": 404,
    "invalid_request": 422,
    "bad_until": 422,
    "future_day": 422,
}


async def known_query_only(request: Request) -> None:
    """Refuse query parameters the route does not declare (a typo must not pass unseen)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    allowed = {p.alias for p in dependant.query_params} if dependant is not None else set()
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise Refused(
            "unknown_parameter",
            f"未知的查询参数：{unknown[0]!r}",
            f"unknown query parameter {unknown[0]!r}",
            unknown[0],
        )


def status_for(code: str) -> int:
    return _STATUS.get(code, 409)


def error_body(code: str, zh: str, en: str, field: str | None = None) -> str:
    """The JSON of a refusal, as ``error_json`` answers it."""
    body = {"error": {"code": code, "message_zh": zh, "message_en": en, "field": field}}
    return json.dumps(body, ensure_ascii=False)


def error_json(
    status: int,
    code: str,
    zh: str,
    en: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"code": code, "message_zh": zh, "message_en": en, "field": field}}
    return JSONResponse(body, status_code=status, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(Refused)
    async def _refused(_: Request, exc: Refused) -> JSONResponse:
        return error_json(status_for(exc.code), exc.code, exc.zh, exc.en, exc.field)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        field = _field(tuple(first.get("loc", ())))
        msg = str(first.get("msg", "invalid value"))
        return error_json(
            422,
            "invalid_request",
            f"请求参数有误：{field}：{msg}",
            f"invalid request: {field}: {msg}",
            field,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        zh = {
            404: "没有这个地址",
            405: "不支持该请求方法",
            401: "请先登录",
            403: "无权执行此操作",
        }.get(exc.status_code, "请求有误")
        return error_json(
            exc.status_code,
            f"http_{exc.status_code}",
            zh,
            str(exc.detail),
            headers=getattr(exc, "headers", None),
        )
