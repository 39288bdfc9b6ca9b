"""The matter catalog: departments, matters (事项), bundles (一件事一次办)."""

from __future__ import annotations

from collections import Counter
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from queue_app.domain.errors import Problem
from queue_app.domain.validation import parse_model

Code = Annotated[str, Field(min_length=1, max_length=80)]


class MatterType(StrEnum):
    LICENSING = "行政许可"
    PAYMENT = "行政给付"
    CONFIRMATION = "行政确认"
    REWARD = "行政奖励"
    ADJUDICATION = "行政裁决"
    OTHER_POWER = "其他行政权力"
    PUBLIC_SERVICE = "公共服务"


class MatterKind(StrEnum):
    IMMEDIATE = "即办件"
    PROMISED = "承诺件"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Department(_Strict):
    code: Annotated[str, Field(pattern=r"^[A-Z]{2,6}$")]
    name: Annotated[str, Field(min_length=2)]


class Material(_Strict):
    name: Annotated[str, Field(min_length=1)]
    form: Literal["原件", "复印件", "原件及复印件", "电子件"]
    copies: Annotated[int, Field(ge=1, le=20)]
    required: bool = True
    note: str = ""


class Matter(_Strict):
    """One matter (事项) as the hall handles it."""

    code: Code
    name: Annotated[str, Field(min_length=2)]
    department: str
    type: Annotated[MatterType, Field(strict=False)]
    domain: str
    kind: Annotated[MatterKind, Field(strict=False)]
    promised_days: Annotated[int, Field(ge=0, le=365)]
    legal_days: Annotated[int, Field(ge=0, le=365)] | None = None
    minutes: Annotated[float, Field(gt=0, le=480)]
    minutes_estimated: bool
    undifferentiated: bool
    main_item: str | None = None
    common: bool = False
    keywords: list[str] = []
    materials: list[Material] = []


class Audience(StrEnum):
    ENTERPRISE = "enterprise"
    PERSON = "person"


class Bundle(_Strict):
    """一件事一次办: several matters on one ticket, served in one sitting."""

    code: Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{1,39}$")]
    name: Annotated[str, Field(min_length=2)]
    audience: Annotated[Audience, Field(strict=False)]
    national: bool = False
    description: str = ""
    keywords: list[str] = []
    matters: Annotated[list[str], Field(min_length=2)]


class CatalogInfo(_Strict):
    name: str
    region_code: str = ""
    version: str = ""
    source: str = ""


class Catalog(BaseModel):
    """The whole catalog, validated, with look-ups by code."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    catalog: CatalogInfo
    domains: list[str]
    departments: list[Department]
    matters: list[Matter]
    bundles: list[Bundle] = []

    @cached_property
    def matter_by_code(self) -> dict[str, Matter]:
        return {m.code: m for m in self.matters}

    @cached_property
    def bundle_by_code(self) -> dict[str, Bundle]:
        return {b.code: b for b in self.bundles}

    @cached_property
    def department_by_code(self) -> dict[str, Department]:
        return {d.code: d for d in self.departments}

    def matter(self, code: str) -> Matter:
        return self.matter_by_code[code]

    def stats(self) -> dict[str, int]:
        return {
            "matters": len(self.matters),
            "departments": len(self.departments),
            "domains": len(self.domains),
            "bundles": len(self.bundles),
            "enterprise_bundles": sum(b.audience is Audience.ENTERPRISE for b in self.bundles),
            "person_bundles": sum(b.audience is Audience.PERSON for b in self.bundles),
            "immediate": sum(m.kind is MatterKind.IMMEDIATE for m in self.matters),
            "promised": sum(m.kind is MatterKind.PROMISED for m in self.matters),
            "undifferentiated": sum(m.undifferentiated for m in self.matters),
            "with_materials": sum(bool(m.materials) for m in self.matters),
        }


def _duplicates(items: list[str]) -> set[str]:
    return {k for k, n in Counter(items).items() if n > 1}


def _cross_check(cat: Catalog) -> list[Problem]:
    problems: list[Problem] = []
    for key, values in (
        ("domains", list(cat.domains)),
        ("departments", [d.code for d in cat.departments]),
        ("matters", [m.code for m in cat.matters]),
        ("bundles", [b.code for b in cat.bundles]),
    ):
        dups = _duplicates(values)
        seen: set[str] = set()
        for i, v in enumerate(values):
            if v in dups:
                if v in seen:
                    field: tuple[str | int, ...] = (
                        (key, i) if key == "domains" else (key, i, "code")
                    )
                    problems.append(Problem(field, f"duplicate code {v!r} (already used above)"))
                seen.add(v)
    domains = set(cat.domains)
    depts = {d.code for d in cat.departments}
    for i, m in enumerate(cat.matters):
        if m.department not in depts:
            problems.append(
                Problem(
                    ("matters", i, "department"),
                    f"unknown department {m.department!r}; expected one of the "
                    "codes under 'departments'",
                )
            )
        if m.domain not in domains:
            problems.append(
                Problem(
                    ("matters", i, "domain"),
                    f"unknown domain {m.domain!r}; expected one of {sorted(domains)}",
                )
            )
        if m.kind is MatterKind.IMMEDIATE and m.promised_days != 0:
            problems.append(
                Problem(
                    ("matters", i, "promised_days"), f"expected 0 for 即办件; got {m.promised_days}"
                )
            )
        if m.kind is MatterKind.PROMISED and m.promised_days < 1:
            problems.append(
                Problem(
                    ("matters", i, "promised_days"),
                    f"expected at least 1 for 承诺件; got {m.promised_days}",
                )
            )
        if m.legal_days is not None and m.legal_days < m.promised_days:
            problems.append(
                Problem(
                    ("matters", i, "legal_days"),
                    f"expected at least promised_days ({m.promised_days}); got {m.legal_days}",
                )
            )
    codes = {m.code for m in cat.matters}
    for i, b in enumerate(cat.bundles):
        for j, code in enumerate(b.matters):
            if code not in codes:
                problems.append(
                    Problem(
                        ("bundles", i, "matters", j),
                        f"bundle {b.code} names unknown matter {code!r}",
                    )
                )
        for code in _duplicates(list(b.matters)):
            problems.append(
                Problem(("bundles", i, "matters"), f"bundle {b.code} lists matter {code!r} twice")
            )
    return problems


def parse_catalog(data: object) -> Catalog:
    """Validate a catalog document (already parsed from YAML); raise InvalidData if broken."""
    return parse_model(Catalog, data, "catalog", _cross_check)
