"""The self-service kiosk's start screen: the hall's common matters and 一件事 bundles, by
theme (个人, 企业, 一件事).

A theme's buttons are the matters this hall handles that citizens took tickets for most in
the recent days, then the catalog's common ones (``common``), then the rest in catalog
order; a bundle is offered only when this hall handles every one of its matters (the
desk would refuse it otherwise).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum

from queue_app.domain.catalog import Audience, Bundle, Catalog, Matter

# domains whose matters are a business's; a citizen's otherwise (社保, 户籍, 出入境 …)
ENTERPRISE_DOMAINS = frozenset({"企业开办", "企业经营许可", "工程建设"})
# in another domain, a matter naming one of these is a business's ("单位参保证明"), unless
# it speaks of a person of it ("企业职工基本养老保险正常退休申请")
ENTERPRISE_WORDS = (
    *("企业", "公司", "单位", "个体工商户", "合作社", "经营", "机构"),
    *("道路运输", "超限运输", "化学品", "一照一码"),
)
PERSON_WORDS = ("企业职工", "个人")
PER_THEME = 12


class Theme(StrEnum):
    PERSON = "person"  # 个人
    ENTERPRISE = "enterprise"  # 企业
    BUNDLE = "bundle"  # 一件事


def audiences(catalog: Catalog) -> dict[str, Audience]:
    """Whether each matter is a citizen's or a business's (the catalog does not say): by
    its domain; else a person named in it; else the bundles it is part of, when they are
    all a business's; else words of its name naming a business."""
    in_bundles: dict[str, set[Audience]] = {}
    for b in catalog.bundles:
        for code in b.matters:
            in_bundles.setdefault(code, set()).add(b.audience)
    return {m.code: _audience(m, in_bundles.get(m.code, set())) for m in catalog.matters}


def _audience(m: Matter, bundled: set[Audience]) -> Audience:
    if m.domain in ENTERPRISE_DOMAINS:
        return Audience.ENTERPRISE
    if any(w in m.name for w in PERSON_WORDS):
        return Audience.PERSON
    if bundled == {Audience.ENTERPRISE}:
        return Audience.ENTERPRISE
    if any(w in m.name for w in ENTERPRISE_WORDS):
        return Audience.ENTERPRISE
    return Audience.PERSON


@dataclass(frozen=True, slots=True)
class Choice:
    """One big button: a matter or a bundle, and how often it was issued lately."""

    kind: str  # "matter" or "bundle"
    code: str
    name: str
    audience: Audience
    domain: str  # the matter's domain; a bundle's: ""
    issued: int


@dataclass(frozen=True, slots=True)
class Menu:
    themes: dict[Theme, list[Choice]]


def _rank(issued: int, common: bool, order: int) -> tuple[int, int, int]:
    return (-issued, 0 if common else 1, order)


def kiosk_menu(
    catalog: Catalog,
    handled: Collection[str],
    matters_issued: Mapping[str, int],
    bundles_issued: Mapping[str, int],
    per_theme: int = PER_THEME,
) -> Menu:
    """Each theme's buttons, best first (at most ``per_theme`` each): only what this hall
    handles (``handled``: matter codes), ranked by the tickets issued lately."""
    ranked: dict[Theme, list[tuple[tuple[int, int, int], Choice]]] = {t: [] for t in Theme}
    of = audiences(catalog)
    for i, m in enumerate(catalog.matters):
        if m.code not in handled:
            continue
        n = matters_issued.get(m.code, 0)
        aud = of[m.code]
        theme = Theme.ENTERPRISE if aud is Audience.ENTERPRISE else Theme.PERSON
        ranked[theme].append((_rank(n, m.common, i), _matter(m, aud, n)))
    for i, b in enumerate(catalog.bundles):
        if all(code in handled for code in b.matters):
            n = bundles_issued.get(b.code, 0)
            ranked[Theme.BUNDLE].append((_rank(n, b.national, i), _bundle(b, n)))
    return Menu(
        {t: [c for _, c in sorted(rs, key=lambda r: r[0])][:per_theme] for t, rs in ranked.items()}
    )


def _matter(m: Matter, audience: Audience, issued: int) -> Choice:
    return Choice("matter", m.code, m.name, audience, m.domain, issued)


def _bundle(b: Bundle, issued: int) -> Choice:
    return Choice("bundle", b.code, b.name, b.audience, "", issued)
