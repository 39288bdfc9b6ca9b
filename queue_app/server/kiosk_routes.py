"""The self-service kiosk's reads: its menu of common matters by theme, a matter's or a
bundle's guide before issuing, and the QR code of a slip's status page (the kiosk issues
through ``POST /api/tickets`` as the desk does, with an Idempotency-Key per attempt)."""

from __future__ import annotations

import io
from typing import Annotated, Any
from weakref import WeakKeyDictionary

import segno
from fastapi import APIRouter, Depends, Query, Request, Response

from queue_app.api_kiosk import (
    ChoiceOut,
    GuideMatterOut,
    GuideWindowOut,
    KioskGuideOut,
    KioskMenuOut,
)
from queue_app.domain.catalog import Catalog, Matter, MatterKind
from queue_app.domain.city import Place, Referrals
from queue_app.domain.kiosk import Choice, Theme, kiosk_menu
from queue_app.domain.refusals import MatterOrBundle, UnknownBundle, UnknownMatter, UnknownSlip
from queue_app.domain.window_state import WindowStatus
from queue_app.server.auth import Issuer
from queue_app.server.context import Svc, hall_of
from queue_app.server.errors import ErrorResponse, known_query_only
from queue_app.server.public import NO_STORE, TOKEN
from queue_app.server.service import HallService
from queue_app.store.read.kiosk import IssuedLately

MENU_DAYS = 14  # the recent business days whose tickets rank the buttons
LATELY_TTL_S = 30.0  # how long those counts are kept (on the hall's clock)

router = APIRouter(
    prefix="/api",
    responses={s: {"model": ErrorResponse} for s in (401, 403, 404, 422)},
    dependencies=[Depends(known_query_only)],
)
Code = Annotated[str | None, Query(min_length=1, max_length=40)]


def _choice(c: Choice) -> ChoiceOut:
    return ChoiceOut(
        kind=c.kind,  # type: ignore[arg-type]
        code=c.code,
        name=c.name,
        audience=c.audience,
        domain=c.domain,
        issued=c.issued,
    )


@router.get("/kiosk/menu")
async def menu(svc: Svc, who: Issuer) -> KioskMenuOut:
    """The kiosk's big buttons by theme: the matters this hall handles (as in effect)
    that were issued most over the last 14 business days, then the catalog's common ones;
    the bundles whose every matter is handled here. The counts are read at most every
    30 s (every kiosk asks again after each ticket)."""
    hall = await svc.read(svc.store.hall_in_effect)
    referrals = await svc.read(svc.referrals, hall)
    lately = await _lately(svc)
    catalog = svc.store.catalog
    handled = {m.code for m in catalog.matters if referrals.handled(m.code)}
    m = kiosk_menu(catalog, handled, lately.matters, lately.bundles)
    out = {t: [_choice(c) for c in m.themes[t]] for t in Theme}
    return KioskMenuOut(
        days=MENU_DAYS,
        person=out[Theme.PERSON],
        enterprise=out[Theme.ENTERPRISE],
        bundle=out[Theme.BUNDLE],
    )


_read_lately: WeakKeyDictionary[HallService, tuple[float, IssuedLately]] = WeakKeyDictionary()


async def _lately(svc: HallService) -> IssuedLately:
    now = svc.store.clock()
    kept = _read_lately.get(svc)
    if kept is not None and now - kept[0] < LATELY_TTL_S:
        return kept[1]
    lately = await svc.read(svc.store.issued_lately, MENU_DAYS)
    _read_lately[svc] = (now, lately)
    return lately


@router.get("/kiosk/guide")
async def guide(svc: Svc, who: Issuer, matter: Code = None, bundle: Code = None) -> KioskGuideOut:
    """A matter's or a bundle's guide (give one): its matters' materials and promised
    days, the windows that serve it (open or not), its ticket class and how many of that
    class wait now; where it is handled instead when this hall does not handle it."""
    if (matter is None) == (bundle is None):
        raise MatterOrBundle()
    catalog = svc.store.catalog
    hall = await svc.read(svc.store.hall_in_effect)
    if matter is not None:
        if matter not in catalog.matter_by_code:
            raise UnknownMatter(code=matter, field="matter")
        codes, name, description = [matter], catalog.matter(matter).name, ""
    else:
        b = catalog.bundle_by_code.get(bundle or "")
        if b is None:
            raise UnknownBundle(code=bundle or "")
        codes, name, description = list(b.matters), b.name, b.description
    referrals = await svc.read(svc.referrals, hall)
    handled = all(referrals.handled(c) for c in codes)
    matters = [catalog.matter(c) for c in codes]
    serving = {  # as Coverage says, for these matters only
        w.number
        for w in hall.windows
        if handled and all(hall.handles.admits(m) and w.serves.accepts(m) for m in matters)
    }
    infos = await svc.read(svc.store.windows)
    _calls, waiting = await svc.read(svc.store.board, (), 1)
    tc = hall.ticket_class(matters, priority=False, appointment=False)
    return KioskGuideOut(
        kind="matter" if matter is not None else "bundle",
        code=matter or bundle or "",
        name=name,
        description=description,
        handled=handled,
        matters=[_matter(catalog, m, referrals) for m in matters],
        windows=[
            GuideWindowOut(number=w.number, name=w.name, open=w.status is WindowStatus.OPEN)
            for w in infos
            if w.number in serving
        ],
        class_prefix=tc.prefix,
        class_name=tc.name,
        waiting=waiting.get(tc.prefix, 0),
        places=[] if handled else _places(referrals, codes),
    )


def _matter(catalog: Catalog, m: Matter, referrals: Referrals) -> GuideMatterOut:
    dept = catalog.department_by_code.get(m.department)
    return GuideMatterOut(
        code=m.code,
        name=m.name,
        department=dept.name if dept else m.department,
        immediate=m.kind is MatterKind.IMMEDIATE,
        promised_days=m.promised_days,
        materials=m.materials,
        handled=referrals.handled(m.code),
    )


def _places(referrals: Referrals, codes: list[str]) -> list[Place]:
    """Where the matters not handled here go, best first, each place once."""
    seen: dict[str, Place] = {}
    for c in codes:
        for p in referrals.where(c):
            seen.setdefault(p.key, p)
    return list(seen.values())


def status_url(request: Request, token: str) -> str:
    """The status page of a slip, as a citizen's phone reaches it: under the server's
    public URL when it was given one, else the address the kiosk itself used."""
    base = hall_of(request.scope).public_url or str(request.base_url)
    return f"{base.rstrip('/')}/t/{token}"


@router.get(
    "/status/{token}/qr.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
async def status_qr(svc: Svc, request: Request, token: str) -> Any:
    """The QR code (SVG) of a live slip's status page, for the kiosk's screen; public as
    the page it points at is. 404 for a token that is unknown or of another day."""
    if not TOKEN.match(token) or await svc.read(svc.store.ticket_by_token, token) is None:
        raise UnknownSlip()
    out = io.BytesIO()
    segno.make(status_url(request, token), error="m").save(
        out, kind="svg", scale=10, border=2, xmldecl=False, svgns=True
    )
    return Response(out.getvalue(), media_type="image/svg+xml", headers=NO_STORE)
