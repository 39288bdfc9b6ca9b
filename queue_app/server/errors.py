"""One error shape for every refusal: code, message in Chinese and English, the field.

A refusal's HTTP status is its class's ``status``; its messages are rendered from the
message catalogs (``queue_app.i18n``)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from queue_app.domain.errors import N_, Refused, Text
from queue_app.domain.refusals import BadText, BodyTooLarge, InvalidRequest, UnknownParameter
from queue_app.domain.text import bad_text
from queue_app.i18n import messages, render


class ErrorBody(BaseModel):
    code: str
    message_zh: str
    message_en: str
    field: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


# Starlette's own refusals (no route, wrong method, ...): the code is http_<status>
HTTP_MESSAGES = {
    401: N_("Sign in first"),
    403: N_("You may not do this"),
    404: N_("There is no such address"),
    405: N_("This address does not take this method"),
}
HTTP_OTHER = N_("The request is wrong")


async def known_query_only(request: Request) -> None:
    """Refuse query parameters the route does not declare (a typo must not pass unseen),
    and a path or query value with a NUL or half a surrogate pair (as in request bodies)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    allowed = {p.alias for p in dependant.query_params} if dependant is not None else set()
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise UnknownParameter(name=unknown[0], field=unknown[0])
    for name, value in (*request.path_params.items(), *request.query_params.multi_items()):
        if isinstance(value, str) and bad_text(value):
            raise BadText(where=name, field=name)


def _body(code: str, zh: str, en: str, field: str | None) -> dict[str, Any]:
    return {"error": {"code": code, "message_zh": zh, "message_en": en, "field": field}}


def error_body(exc: Refused) -> str:
    """The JSON of a refusal, as ``error_json`` answers it."""
    return json.dumps(_body(exc.code, *messages(exc), exc.field), ensure_ascii=False)


def error_json(exc: Refused) -> JSONResponse:
    return JSONResponse(
        _body(exc.code, *messages(exc), exc.field),
        status_code=exc.status,
        headers=exc.headers() or None,
    )


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(Refused)
    async def _refused(_: Request, exc: Refused) -> JSONResponse:
        return error_json(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        field = _field(tuple(first.get("loc", ())))
        problem = str(first.get("msg", "invalid value"))
        return error_json(InvalidRequest(where=field, problem=problem, field=field))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 413 and str(exc.detail).isdigit():  # body_limit, streamed
            return error_json(BodyTooLarge(most=int(exc.detail)))
        text = Text(HTTP_MESSAGES.get(exc.status_code, HTTP_OTHER))
        return JSONResponse(
            _body(f"http_{exc.status_code}", render(text, "zh"), render(text, "en"), None),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )
