"""The web pages of the hall server: the display board (/display) for the wall TV and the
citizen's status page (/t/<token>, the QR code on the slip).

Plain HTML, CSS and JavaScript packaged in ``queue_app/web`` and served from memory: no
build step, nothing fetched from outside the server (the hall network is closed; the
Content-Security-Policy below holds every page to its own origin).
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

from fastapi import APIRouter, HTTPException, Request, Response

from queue_app.server.public import TOKEN

pages = APIRouter(include_in_schema=False)

TYPES = {
    "html": "text/html; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "svg": "image/svg+xml",
}
ASSETS = frozenset(
    {"common.js", "common.css", "display.js", "display.css", "status.js", "status.css", "icon.svg"}
)
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "media-src 'self'; connect-src 'self'; font-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


@cache
def _file(name: str) -> tuple[bytes, str]:
    body = resources.files("queue_app").joinpath("web", name).read_bytes()
    return body, '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def _serve(
    request: Request, name: str, status: int = 200, extra: dict[str, str] | None = None
) -> Response:
    body, etag = _file(name)
    headers = {
        "ETag": etag,
        "Cache-Control": "no-cache",  # revalidate: a new release shows at once
        "X-Content-Type-Options": "nosniff",
        **(extra or {}),
    }
    if name.endswith(".html"):
        headers["Content-Security-Policy"] = CSP
    if status == 200 and request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(
        body, status_code=status, media_type=TYPES[name.rsplit(".", 1)[1]], headers=headers
    )


@pages.get("/display")
async def display_page(request: Request) -> Response:
    """The hall's display board, full screen on a wall TV."""
    return _serve(request, "display.html")


@pages.get("/t/{token}")
async def status_page(request: Request, token: str) -> Response:
    """The citizen's status page. The page asks /api/status/<token> for the ticket; a
    token of the wrong shape gets the page with 404 (it shows 'no longer valid')."""
    private = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
    return _serve(request, "status.html", 200 if TOKEN.match(token) else 404, private)


@pages.get("/web/{name}")
async def asset(request: Request, name: str) -> Response:
    if name not in ASSETS:
        raise HTTPException(404, "Not Found")
    return _serve(request, name)
