"""A matter's or bundle's guide (办事指南) as rich text, for the desk and the clerk."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from queue_app.domain.catalog import Catalog, Matter, MatterKind
from queue_app.domain.city import Place, Referrals
from queue_app.domain.hall import Coverage
from queue_app.tui.i18n import Words


def _kind(m: Matter, w: Words) -> str:
    if m.kind is MatterKind.IMMEDIATE:
        return w._("on the spot")
    return w._("promised · {days} working days", days=m.promised_days)


def matter_guide(catalog: Catalog, coverage: Coverage, code: str, w: Words) -> RenderableType:
    m = catalog.matter(code)
    dept = catalog.department_by_code.get(m.department)
    windows = coverage.windows_for(frozenset({code}))
    head = Text()
    head.append(f"{m.name}\n", style="bold")
    head.append(f"{m.code} · {dept.name if dept else m.department} · {m.type.value}\n")
    minutes = w._("{m} minutes", m=f"{m.minutes:g}")
    head.append(f"{_kind(m, w)} · {m.domain} · ~{minutes}\n")
    head.append(
        w._("Windows: {windows}", windows=", ".join(map(str, windows)) or "-") + "\n",
        style="bold green" if windows else "bold red",
    )
    if not m.materials:
        return head
    table = Table(
        title=w._("Materials"), expand=True, show_header=False, box=None, title_justify="left"
    )
    table.add_column("", ratio=6)
    table.add_column("", ratio=2)
    table.add_column("", ratio=1, justify="right")
    for mat in m.materials:
        name = mat.name if mat.required else w._("{material} (if any)", material=mat.name)
        table.add_row(name, mat.form, f"{mat.copies}")
    return Group(head, table)


def _place(text: Text, place: Place, w: Words) -> None:
    """A place to go: its name, then address, hours, phone and note where known."""
    text.append(w._("Go to {place}", place=place.name) + "\n", style="bold")
    for line in (
        w._("Address: {address}", address=place.address) if place.address else "",
        w._("Hours: {hours}", hours=place.hours) if place.hours else "",
        w._("Phone: {phone}", phone=place.phone) if place.phone else "",
        place.note,
    ):
        if line:
            text.append(f"  {line}\n")


def referral_guide(catalog: Catalog, referrals: Referrals, code: str, w: Words) -> Text:
    """A matter this hall does not handle: where it is handled instead (no guide: the
    citizen is told where to go, not what to bring here)."""
    m = catalog.matter(code)
    dept = catalog.department_by_code.get(m.department)
    text = Text()
    text.append(f"{m.name}\n", style="bold")
    text.append(f"{m.code} · {dept.name if dept else m.department} · {m.domain}\n")
    text.append(
        w._("Not handled in this hall: it cannot go on a ticket here") + "\n", style="bold red"
    )
    places = referrals.where(code)
    if not places:
        text.append(w._("No other place of the city is known to handle it") + "\n")
        return text
    _place(text, places[0], w)
    if len(places) > 1:
        text.append(w._("Also at: {places}", places=w.join([p.name for p in places[1:]])) + "\n")
    return text


def referral_label(referrals: Referrals, code: str, w: Words) -> str:
    """A hit on a matter not handled here, as its label ends: where it goes instead."""
    places = referrals.where(code)
    return w._("elsewhere: {place}", place=places[0].name) if places else w._("not handled here")


def bundle_guide(
    catalog: Catalog,
    coverage: Coverage,
    code: str,
    w: Words,
    referrals: Referrals | None = None,
) -> RenderableType:
    """A bundle's guide; its matters this hall does not handle (``referrals``) named with
    where they are handled."""
    b = catalog.bundle_by_code[code]
    windows = coverage.windows_for(frozenset(b.matters))
    text = Text()
    text.append(f"{b.name}\n", style="bold")
    text.append(w._("One visit, several matters") + f" · {b.code}\n")
    if b.description:
        text.append(f"{b.description}\n")
    text.append(
        w._("Windows: {windows}", windows=", ".join(map(str, windows)) or "-") + "\n",
        style="bold green" if windows else "bold red",
    )
    for i, mc in enumerate(b.matters, 1):
        m = catalog.matter_by_code.get(mc)
        text.append(f"{i}. {m.name if m else mc} ({_kind(m, w) if m else mc})\n")
        if referrals is not None and not referrals.handled(mc):
            text.append(f"   {referral_label(referrals, mc, w)}\n", style="bold red")
    return text
