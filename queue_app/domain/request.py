"""What a citizen asks for at the desk, resolved against the catalog: matter codes (full or
a unique prefix) and an optional 一件事 bundle."""

from __future__ import annotations

from collections.abc import Sequence

from queue_app.domain.catalog import Catalog
from queue_app.domain.errors import Refused


def resolve_matter(catalog: Catalog, ref: str) -> str:
    """A matter code from its full code or a unique prefix of it."""
    ref = ref.strip()
    if ref in catalog.matter_by_code:
        return ref
    hits = [c for c in catalog.matter_by_code if c.startswith(ref)] if ref else []
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise Refused(
            "unknown_matter",
            f"目录中没有编码为 {ref!r} 的事项",
            f"no matter with code {ref!r} in the catalog",
            "matters",
        )
    raise Refused(
        "ambiguous_matter",
        f"编码 {ref!r} 对应 {len(hits)} 个事项，请写完整：{_candidates(catalog, hits)}",
        f"code {ref!r} matches {len(hits)} matters; give more of it: "
        f"{_candidates(catalog, hits, '; ')}",
        "matters",
    )


SHOWN_CANDIDATES = 5


def _candidates(catalog: Catalog, codes: list[str], sep: str = "；") -> str:
    """The first few matters a prefix names, code and name, for the user to pick from."""
    shown = sep.join(f"{c} {catalog.matter(c).name}" for c in sorted(codes)[:SHOWN_CANDIDATES])
    more = len(codes) - SHOWN_CANDIDATES
    return shown + (f"{sep}… (+{more})" if more > 0 else "")


def resolve(
    catalog: Catalog, matters: Sequence[str], bundle: str | None
) -> tuple[list[str], str | None]:
    """The matter codes of a ticket (the bundle's first, then the others) and its bundle."""
    codes: list[str] = []
    if bundle is not None:
        b = catalog.bundle_by_code.get(bundle.strip().upper())
        if b is None:
            raise Refused(
                "unknown_bundle",
                f"没有编码为 {bundle!r} 的一件事套餐",
                f"no bundle with code {bundle!r}",
                "bundle",
            )
        codes.extend(b.matters)
        bundle = b.code
    for ref in matters:
        code = resolve_matter(catalog, ref)
        if code in codes:
            raise Refused(
                "duplicate_matter", f"事项 {code} 重复", f"matter {code} is listed twice", "matters"
            )
        codes.append(code)
    if not codes:
        raise Refused(
            "no_matters",
            "请至少选择一个事项或一件事套餐",
            "a ticket needs at least one matter or a bundle",
            "matters",
        )
    return codes, bundle
