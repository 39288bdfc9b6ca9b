"""What a citizen asks for at the desk, resolved against the catalog: matter codes (full or
a unique prefix) and an optional 一件事 bundle."""

from __future__ import annotations

from collections.abc import Sequence

from queue_app.domain.catalog import Catalog
from queue_app.domain.refusals import (
    AmbiguousMatter,
    DuplicateMatter,
    NoMatters,
    UnknownBundle,
    UnknownMatter,
)

MAX_SHOWN = 8  # candidates named in a refusal


def resolve_matter(catalog: Catalog, ref: str) -> str:
    """A matter code from its full code or a unique prefix of it."""
    ref = ref.strip()
    if ref in catalog.matter_by_code:
        return ref
    hits = [c for c in catalog.matter_by_code if c.startswith(ref)] if ref else []
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise UnknownMatter(code=ref)
    shown = [f"{c} {catalog.matter(c).name}" for c in sorted(hits)[:MAX_SHOWN]]
    more = len(hits) - MAX_SHOWN
    raise AmbiguousMatter(code=ref, matches=[*shown, f"… (+{more})"] if more > 0 else shown)


def resolve(
    catalog: Catalog, matters: Sequence[str], bundle: str | None
) -> tuple[list[str], str | None]:
    """The matter codes of a ticket (the bundle's first, then the others) and its bundle."""
    codes: list[str] = []
    if bundle is not None:
        b = catalog.bundle_by_code.get(bundle.strip().upper())
        if b is None:
            raise UnknownBundle(code=bundle)
        codes.extend(b.matters)
        bundle = b.code
    for ref in matters:
        code = resolve_matter(catalog, ref)
        if code in codes:
            raise DuplicateMatter(code=code)
        codes.append(code)
    if not codes:
        raise NoMatters()
    return codes, bundle
