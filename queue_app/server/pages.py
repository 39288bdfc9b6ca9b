"""The web pages of the hall server: the display board (/display) for the wall TV, the
screen above each window (/window/<n>), the big screen (/dashboard, the 大屏 on the
manager's wall), the self-service kiosk (/kiosk), the citizen's status page (/t/<token>,
the QR code on the slip), the 评价器 (/rate/<window>, the tablet facing the citizen at
a window) and the citizen's booking pages (/book: 预约 a visit from a phone; /book/<code>:
the booking, its check-in, cancel and move).

Plain HTML, CSS and JavaScript packaged in ``queue_app/web`` and served from memory: no
build step, nothing fetched from outside the server (the hall network is closed; the
Content-Security-Policy below holds every page to its own origin). The one library, the
big screen's charts (Apache ECharts), is vendored under ``web/vendor`` (see NOTICE).

Each page is in the reader's language (``?lang=zh|en``, else the browser's Accept-Language,
else Chinese), from the gettext catalogs of ``queue_app.i18n``: the HTML is a Jinja
template whose words are ``_("...")``, and the words of the scripts (``_("...")`` in
``web/*.js``) go into the page as JSON, which ``Hall._`` in common.js looks up.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request, Response

from queue_app.domain.rating import POOR_LEVELS, RATING_WORDS, REASON_WORDS
from queue_app.i18n import LOCALES, translations
from queue_app.server.context import Svc, hall_of
from queue_app.server.public import TOKEN

if TYPE_CHECKING:
    from markupsafe import Markup

pages = APIRouter(include_in_schema=False)

TYPES = {
    "html": "text/html; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "svg": "image/svg+xml",
}
ASSETS = frozenset(
    {
        *("common.js", "common.css", "icon.svg"),
        *("display.js", "display.css", "status.js", "status.css"),
        *("dashboard.js", "dashboard.css", "window.js", "window.css"),
        *("kiosk.js", "kiosk.css"),
        *("rating.js", "rating.css", "rate.js", "rate.css"),
        *("book.js", "book.css"),
    }
)
VENDOR = {"echarts.common.min.js": "vendor/echarts/echarts.common.min.js"}  # /web/vendor/...
BOOKING_CODE = re.compile(r"^[0-9]{6}$")  # a booking's code: 6 digits
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "media-src 'self'; connect-src 'self'; font-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


HTML_LANG = {"zh": "zh-CN", "en": "en"}  # the app's languages as the pages' lang attribute
DEFAULT_LANG = "zh"


def _read(name: str) -> bytes:
    return resources.files("queue_app").joinpath("web", *name.split("/")).read_bytes()


def _tagged(body: bytes) -> tuple[bytes, str]:
    return body, '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


@cache
def _file(name: str) -> tuple[bytes, str]:
    return _tagged(_read(name))


# ------------------------------------------------------------------ language
def _primary(tag: str) -> str:
    return tag.strip().replace("_", "-").split("-")[0].lower()


def _accepted(header: str) -> list[str]:
    """The language tags of an Accept-Language header, most wanted first (q=0 left out);
    a malformed weight counts as 0."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if tag.strip() and q > 0:
            ranked.append((-q, i, tag))
    return [tag for _, _, tag in sorted(ranked)]


def page_lang(request: Request) -> str:
    """The page's language: ``?lang=`` when it names one of ours (``zh``, ``en``, also
    ``zh-CN``, ``en-US``), else the browser's first of ours, else Chinese."""
    browser = _accepted(request.headers.get("accept-language", ""))
    wanted = [request.query_params.get("lang", ""), *browser]
    return next((p for p in map(_primary, wanted) if p in LOCALES), DEFAULT_LANG)


@cache
def script_msgids() -> tuple[str, ...]:
    """The msgids of the pages' scripts, as ``pybabel extract`` finds them (babel.cfg)."""
    from babel.messages.extract import extract

    found: dict[str, None] = {}
    for name in sorted(n for n in ASSETS if n.endswith(".js")):
        with resources.files("queue_app").joinpath("web", name).open("rb") as f:
            for _line, msg, _comments, _context in extract("javascript", f):
                found[msg if isinstance(msg, str) else msg[0]] = None
    return tuple(found)


def _fill(text: str, **parts: str) -> Markup:
    """``text`` (escaped) with each ``{name}`` replaced by the given markup."""
    from markupsafe import Markup, escape

    return escape(text).format(**{k: Markup(v) for k, v in parts.items()})


@cache
def _page(name: str, lang: str, root: str) -> tuple[bytes, str]:
    """The page ``name`` rendered in ``lang``, for the hall at path ``root`` ("" or
    ``/halls/<code>``: the page's links and requests start with it)."""
    from jinja2 import Environment

    gettext = translations(lang).gettext
    template = Environment(autoescape=True).from_string(_read(name).decode("utf-8"))
    html = template.render(
        lang=HTML_LANG[lang],
        root=root,
        _=gettext,
        fill=_fill,
        strings={m: gettext(m) for m in script_msgids()},  # {{ strings|tojson }}
        rating=_rating_choices(gettext),  # {{ rating|tojson }}: the 好差评's levels, reasons
    )
    return _tagged(html.encode("utf-8"))


def _rating_choices(gettext: Callable[[str], str]) -> dict[str, Any]:
    """The five levels (best first) and the reasons of the two lowest, in the page's
    language, from the domain's lists."""
    return {
        "levels": [{"level": lv, "label": gettext(w)} for lv, w in RATING_WORDS.items()],
        "poor": sorted(POOR_LEVELS),
        "reasons": [{"code": c, "label": gettext(w)} for c, w in REASON_WORDS.items()],
    }


def _serve(
    request: Request, name: str, status: int = 200, extra: dict[str, str] | None = None
) -> Response:
    headers = {
        "Cache-Control": "no-cache",  # revalidate: a new release shows at once
        "X-Content-Type-Options": "nosniff",
        **(extra or {}),
    }
    if name.endswith(".html"):
        lang = page_lang(request)
        body, etag = _page(name, lang, request.scope.get("root_path", ""))
        headers["Content-Security-Policy"] = CSP
        headers["Content-Language"] = HTML_LANG[lang]
        headers["Vary"] = "Accept-Language"
    else:
        body, etag = _file(name)
    headers["ETag"] = etag
    if status == 200 and request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(
        body, status_code=status, media_type=TYPES[name.rsplit(".", 1)[1]], headers=headers
    )


@pages.get("/display")
async def display_page(request: Request) -> Response:
    """The hall's display board, full screen on a wall TV."""
    return _serve(request, "display.html")


@pages.get("/window/{window}")
async def window_page(request: Request, svc: Svc, window: str) -> Response:
    """The screen above window ``window``; for a window the hall has not, the page with
    404 (it says so)."""
    known = window.isdigit() and int(window) in svc.store.hall.window_by_number
    return _serve(request, "window.html", 200 if known else 404)


@pages.get("/dashboard")
async def dashboard_page(request: Request) -> Response:
    """The hall's big screen (大屏): the line, the windows, today and the last 30 days."""
    return _serve(request, "dashboard.html")


@pages.get("/kiosk")
async def kiosk_page(request: Request) -> Response:
    """The self-service kiosk (自助取号机): a touch screen, portrait or landscape, signed in
    once with a kiosk account (``?station=NAME``: the printer station it stands at)."""
    return _serve(request, "kiosk.html")


@pages.get("/t/{token}")
async def status_page(request: Request, token: str) -> Response:
    """The citizen's status page. The page asks /api/status/<token> for the ticket; a
    token of the wrong shape gets the page with 404 (it shows 'no longer valid')."""
    private = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
    return _serve(request, "status.html", 200 if TOKEN.match(token) else 404, private)


@pages.get("/rate/{window}")
async def rate_page(request: Request, window: str) -> Response:
    """The 评价器 of window ``window``: a tablet facing the citizen. It signs in once as
    the window's rater account, wakes when the clerk finishes a visit and offers the five
    levels; an unknown window gets the page with 404 (it says so)."""
    hall = hall_of(request.scope)
    known = window.isdigit() and int(window) in hall.service.store.hall.window_by_number
    return _serve(request, "rate.html", 200 if known else 404, {"X-Robots-Tag": "noindex"})


@pages.get("/book")
async def book_page(request: Request) -> Response:
    """预约: a citizen books a half-hour slot for their matters from a phone and gets the
    booking's 6-digit code, its QR and the link to its page."""
    return _serve(request, "book.html", 200, {"X-Robots-Tag": "noindex"})


@pages.get("/book/{code}")
async def booking_page(request: Request, code: str) -> Response:
    """The booking ``code``: its slot and state, cancel, move and check-in. A code of the
    wrong shape gets the page with 404 (it says there is no such booking)."""
    private = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
    return _serve(request, "book.html", 200 if BOOKING_CODE.match(code) else 404, private)


@pages.get("/web/{name}")
async def asset(request: Request, name: str) -> Response:
    if name not in ASSETS:
        raise HTTPException(404, "Not Found")
    return _serve(request, name)


@pages.get("/web/vendor/{name}")
async def vendored(request: Request, name: str) -> Response:
    """A library the pages use, as its package ships it."""
    if name not in VENDOR:
        raise HTTPException(404, "Not Found")
    return _serve(request, VENDOR[name])
