"""A matter's or bundle's guide (办事指南) as rich text, for the desk and the clerk."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from queue_app.domain.catalog import Catalog, Matter, MatterKind
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


def bundle_guide(catalog: Catalog, coverage: Coverage, code: str, w: Words) -> RenderableType:
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
    return text
