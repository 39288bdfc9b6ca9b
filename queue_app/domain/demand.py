"""A demand profile: who comes to the hall over a day, for the simulator and the staffing
advisor. Validated like the hall layout (pydantic, then cross-checks against the catalog);
the loader reports every problem with file, line and field."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from queue_app.domain.catalog import Catalog
from queue_app.domain.errors import Problem
from queue_app.domain.validation import parse_model

HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Rate = Annotated[float, Field(ge=0, le=100_000)]
Share = Annotated[float, Field(ge=0, le=1)]
Weight = Annotated[float, Field(ge=0, le=1_000_000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Distribution(StrEnum):
    LOGNORMAL = "lognormal"
    EXPONENTIAL = "exponential"


class Arrivals(_Strict):
    """Citizens per hour from each time of day until the next one listed (piecewise constant,
    a Poisson process within each piece), times ``scale``. Only arrivals between the hall's
    opening and its ``issue_until`` (else its close) get a ticket."""

    per_hour: Annotated[dict[HHMM, Rate], Field(min_length=1)]
    scale: Annotated[float, Field(gt=0, le=100)] = 1.0


class Bundles(_Strict):
    """一件事 tickets: their share of all tickets, and which bundles (relative weights)."""

    share: Share = 0.0
    weights: dict[str, Weight] = {}
    default_weight: Weight = 1.0  # for bundles not listed; 0 = only the listed ones


class NoShow(_Strict):
    rate: Share = 0.0
    minutes: Annotated[float, Field(ge=0, le=60)] = 2.0  # the window waits through recalls


class Handling(_Strict):
    """Time at the window. Each matter's true mean is its catalog minutes times a factor
    drawn once per simulation (log-normal, ``catalog_error`` its sigma: the catalog is only a
    prior); each visit draws around that mean."""

    distribution: Annotated[Distribution, Field(strict=False)] = Distribution.LOGNORMAL
    sigma: Annotated[float, Field(ge=0, le=3)] = 0.5
    catalog_error: Annotated[float, Field(ge=0, le=2)] = 0.0
    minutes_scale: Annotated[float, Field(gt=0, le=10)] = 1.0  # counter time ÷ catalog minutes
    bundle_factor: Annotated[float, Field(gt=0, le=2)] = 1.0
    walk_minutes: Annotated[float, Field(ge=0, le=30)] = 0.0
    mean_minutes: Annotated[float, Field(gt=0, le=480)] | None = None  # override: same mean


class Breaks(_Strict):
    """Clerk breaks: each window pauses this often per half day (staggered), once its ticket
    in hand is done."""

    per_half_day: Annotated[int, Field(ge=0, le=6)] = 0
    minutes: Annotated[float, Field(ge=0, le=120)] = 15.0


class Punctuality(_Strict):
    """When a booked citizen checks in, in minutes from the slot's start (negative: early):
    normal with this mean and spread, kept within the check-in window (30 minutes before
    to 15 after)."""

    mean_minutes: Annotated[float, Field(ge=-30, le=15)] = -8.0
    sd_minutes: Annotated[float, Field(ge=0, le=30)] = 6.0


class Bookings(_Strict):
    """Citizens who book a slot instead of walking in: a share of the demand, each booking
    the slot of the time they would have come; a share of bookings never come (the rest of
    them check in around the slot's start and are served as appointments)."""

    share: Share = 0.0
    slot_minutes: Annotated[int, Field(ge=5, le=240)] = 30
    arrive: Punctuality = Punctuality()
    no_show: Share = 0.1


class DemandInfo(_Strict):
    name: Annotated[str, Field(min_length=1)]
    description: str = ""


class Demand(_Strict):
    """A validated demand profile."""

    demand: DemandInfo
    arrivals: Arrivals
    mix: Annotated[dict[str, Weight], Field(min_length=1)]
    common_weight: Annotated[float, Field(ge=0, le=1000)] = 1.0
    bundles: Bundles = Bundles()
    priority_share: Share = 0.0
    no_show: NoShow = NoShow()
    handling: Handling = Handling()
    breaks: Breaks = Breaks()
    bookings: Bookings = Bookings()
    # windows staffed over lunch on such a day, the broadest first; None: the hall's own
    # lunch duty (its hours.lunch.on_duty)
    lunch_windows: Annotated[int, Field(ge=0, le=999)] | None = None

    def with_booking_share(self, share: float) -> Demand:
        """This demand with another share of bookings (0..1)."""
        if not 0 <= share <= 1:
            raise ValueError(f"booking share: expected 0..1; got {share}")
        return self.model_copy(
            update={"bookings": self.bookings.model_copy(update={"share": share})}
        )

    def rate_segments(self) -> list[tuple[int, int, float]]:
        """(start second, end second, citizens per second) over the day, scaled."""
        keys = sorted(self.arrivals.per_hour)
        out = []
        for i, k in enumerate(keys):
            start = _seconds(k)
            end = _seconds(keys[i + 1]) if i + 1 < len(keys) else 24 * 3600
            out.append((start, end, self.arrivals.per_hour[k] * self.arrivals.scale / 3600))
        return out

    def expected_arrivals(self, start: int = 0, end: int = 24 * 3600) -> float:
        """Citizens expected between two seconds of the day."""
        return sum(max(0, min(e, end) - max(s, start)) * r for s, e, r in self.rate_segments())


def _seconds(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 3600 + int(m) * 60


def _cross_check(d: Demand) -> list[Problem]:
    problems: list[Problem] = []
    if not any(v > 0 for v in d.arrivals.per_hour.values()):
        problems.append(
            Problem(("arrivals", "per_hour"), "expected at least one hour with arrivals > 0")
        )
    if not any(v > 0 for v in d.mix.values()) and d.bundles.share < 1:
        problems.append(Problem(("mix",), "expected at least one domain with a weight > 0"))
    if d.bundles.share > 0 and not (
        d.bundles.default_weight > 0 or any(d.bundles.weights.values())
    ):
        problems.append(
            Problem(("bundles", "weights"), "bundles.share > 0 needs some bundle with weight > 0")
        )
    return problems


def parse_demand(data: object) -> Demand:
    """Validate a demand profile document; raise InvalidData if broken."""
    return parse_model(Demand, data, "demand profile", _cross_check)


def check_demand_against_catalog(demand: Demand, catalog: Catalog) -> list[Problem]:
    """Domains and bundles the profile names that the catalog does not have."""
    problems: list[Problem] = []
    domains = set(catalog.domains)
    for d in demand.mix:
        if d not in domains:
            problems.append(
                Problem(("mix", d), f"unknown domain {d!r}; expected one of {sorted(domains)}")
            )
    for b in demand.bundles.weights:
        if b not in catalog.bundle_by_code:
            problems.append(
                Problem(
                    ("bundles", "weights", b),
                    f"unknown bundle {b!r}; expected a bundle code of the catalog (e.g. QY-QYKB)",
                )
            )
    return problems
