"""A city's halls, and where a matter one hall does not handle is handled instead.

A city file lists the halls of a city (each by its layout file) and ``referrals``: places
outside those halls (a 车管所, a tax bureau) with the matters they handle. A hall's desk
refers a citizen whose matter it does not handle to another hall of the city that handles
it, else to a referral that does, else says only that it is not handled here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from queue_app.domain.catalog import Catalog, Matter
from queue_app.domain.errors import Problem
from queue_app.domain.hall import EMPTY_SERVES, Coverage, Hall, Hours, Serves, check_serves
from queue_app.domain.validation import parse_model

WEEKDAYS_ZH = "一二三四五六日"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class CityInfo(_Strict):
    code: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$")]
    name: Annotated[str, Field(min_length=1)]


class CityHall(_Strict):
    """A hall of the city: its layout file (relative to the city file, or absolute)."""

    file: Annotated[str, Field(min_length=1)]


class Referral(_Strict):
    """A place outside the city's halls and the matters it handles (``handles``: the same
    rules as a window's ``serves``)."""

    name: Annotated[str, Field(min_length=1)]
    address: str = ""
    phone: str = ""
    hours: str = ""  # as a citizen reads them: 周一至周五 09:00-17:00
    note: str = ""  # anything else to say (bring the original certificate …)
    handles: Serves


class City(_Strict):
    """A validated city file."""

    city: CityInfo
    halls: Annotated[list[CityHall], Field(min_length=1)]
    referrals: list[Referral] = []

    @property
    def hall_files(self) -> list[str]:
        """The halls' layout files, as the file names them (``load_city`` resolves them
        against the city file's folder)."""
        return [h.file for h in self.halls]


def _cross_check(city: City) -> list[Problem]:
    problems: list[Problem] = []
    files = Counter(h.file for h in city.halls)
    seen: set[str] = set()
    for i, h in enumerate(city.halls):
        if files[h.file] > 1 and h.file in seen:
            problems.append(
                Problem(("halls", i, "file"), f"hall file {h.file!r} listed twice (above)")
            )
        seen.add(h.file)
    for i, r in enumerate(city.referrals):
        if r.handles.is_empty():
            problems.append(Problem(("referrals", i, "handles"), EMPTY_SERVES))
    return problems


def parse_city(data: object) -> City:
    """Validate a city document; raise InvalidData if broken."""
    return parse_model(City, data, "city file", _cross_check)


def check_city_against_catalog(city: City, catalog: Catalog) -> list[Problem]:
    """References from the referrals into the catalog that do not resolve."""
    problems: list[Problem] = []
    for i, r in enumerate(city.referrals):
        problems += check_serves(r.handles, catalog, ("referrals", i, "handles"))
    return problems


def check_city_halls(halls: Sequence[Hall]) -> list[Problem]:
    """Halls of one city sharing a code (their servers, boards and referrals would mix)."""
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for i, h in enumerate(halls):
        code = h.hall.code
        if code in first:
            problems.append(
                Problem(
                    ("halls", i, "file"),
                    f"hall code {code!r} is already the code of halls[{first[code]}]",
                )
            )
        else:
            first[code] = i
    return problems


# ------------------------------------------------------------------ where a matter goes
def hours_text(hours: Hours) -> str:
    """A layout's opening hours as a citizen reads them: 周一至周五 09:00-17:30（12:00-13:30
    午休）."""
    days = sorted(set(hours.weekdays))
    names = [f"周{WEEKDAYS_ZH[d - 1]}" for d in days]
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        said = f"{names[0]}至{names[-1]}"
    else:
        said = "、".join(names)
    text = f"{said} {hours.open}-{hours.close}"
    if hours.lunch is not None:
        text += f"（{hours.lunch.start}-{hours.lunch.end} 午休）"
    return text


@dataclass(frozen=True, slots=True)
class Place:
    """Where a citizen is sent: another hall of the city (``hall`` its code) or one of the
    city file's referrals (``hall`` None; ``key`` ``referral-<n>``)."""

    key: str
    name: str
    address: str = ""
    phone: str = ""
    hours: str = ""
    note: str = ""
    hall: str | None = None


class Elsewhere:
    """The places a city has for matters: its halls (what each handles, from its layout)
    and its referrals. Without a city, no place: a hall then only knows what it does not
    handle."""

    def __init__(
        self,
        catalog: Catalog,
        halls: Sequence[Hall] = (),
        referrals: Sequence[Referral] = (),
    ) -> None:
        self.catalog = catalog
        self._halls: list[tuple[Place, frozenset[str], Serves]] = [
            (
                Place(
                    key=h.hall.code,
                    name=h.hall.name,
                    address=h.hall.address,
                    phone=h.hall.phone,
                    hours=hours_text(h.hours),
                    hall=h.hall.code,
                ),
                Coverage(h, catalog).handled,
                Serves(
                    domains=h.handles.domains,
                    departments=h.handles.departments,
                    matters=h.handles.matters,
                ),
            )
            for h in halls
        ]
        self._referrals: list[tuple[Place, Serves]] = [
            (
                Place(
                    key=f"referral-{i}",
                    name=r.name,
                    address=r.address,
                    phone=r.phone,
                    hours=r.hours,
                    note=r.note,
                ),
                r.handles,
            )
            for i, r in enumerate(referrals)
        ]

    @classmethod
    def of_city(cls, city: City, halls: Sequence[Hall], catalog: Catalog) -> Elsewhere:
        return cls(catalog, halls, city.referrals)

    def places_for(self, matter: Matter, *, besides: str | None = None) -> list[Place]:
        """Where ``matter`` is handled, best first: the halls of the city that handle it
        (not the hall ``besides``): those whose ``handles`` names it (a centre for it) first,
        then the city file's order; else the referrals that handle it."""
        halls = [
            (not named.accepts(matter), i, p)
            for i, (p, handled, named) in enumerate(self._halls)
            if p.hall != besides and matter.code in handled
        ]
        if halls:
            return [p for _, _, p in sorted(halls, key=lambda t: (t[0], t[1]))]
        return [p for p, rule in self._referrals if rule.accepts(matter)]


@dataclass(frozen=True, slots=True)
class Referrals:
    """What one hall does not handle, and where each of those matters is handled."""

    hall: str  # the hall's code
    places: dict[str, Place]  # by key: every place named below
    not_handled: dict[str, tuple[str, ...]]  # matter code -> place keys, best first; () nowhere

    def handled(self, matter: str) -> bool:
        return matter not in self.not_handled

    def where(self, matter: str) -> list[Place]:
        """Where ``matter`` is handled instead, best first ([] where handled here, or
        nowhere this city knows)."""
        return [self.places[k] for k in self.not_handled.get(matter, ())]


def referrals_of(hall: Hall, elsewhere: Elsewhere, coverage: Coverage | None = None) -> Referrals:
    """The referrals of ``hall`` (as in effect: ``coverage`` of it, if already built)."""
    catalog = elsewhere.catalog
    handled = (coverage or Coverage(hall, catalog)).handled
    places: dict[str, Place] = {}
    not_handled: dict[str, tuple[str, ...]] = {}
    for m in catalog.matters:
        if m.code in handled:
            continue
        found = elsewhere.places_for(m, besides=hall.hall.code)
        for p in found:
            places.setdefault(p.key, p)
        not_handled[m.code] = tuple(p.key for p in found)
    return Referrals(hall.hall.code, places, not_handled)
