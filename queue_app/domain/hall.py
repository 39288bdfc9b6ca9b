"""The hall layout: windows, what each serves, opening hours, ticket classes."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field

from queue_app.domain.booking_rules import BookingRules, booking_problems
from queue_app.domain.catalog import Catalog, Matter
from queue_app.domain.dispatch import Policy
from queue_app.domain.errors import Problem
from queue_app.domain.notice_rules import NoticeRules
from queue_app.domain.printer_device import DeviceError, parse_device
from queue_app.domain.refusals import BadWindowList
from queue_app.domain.validation import parse_model
from queue_app.domain.window_sets import parse_windows, windows_text

PRINTER_NAME = r"^[a-z0-9][a-z0-9_-]{0,39}$"
STATION_NAME = r"^[a-z0-9][a-z0-9_-]{0,39}$"
HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class WindowKind(StrEnum):
    UNDIFFERENTIATED = "undifferentiated"  # 无差别综合窗口
    DOMAIN = "domain"  # 分领域综合窗口, e.g. 企业开办
    SPECIALISED = "specialised"  # 专业窗口: 出入境, 不动产 ...
    GREEN = "green"  # 绿色通道


class Serves(_Strict):
    """What a window may accept; the union of every rule given."""

    all: bool = False
    undifferentiated: bool = False
    domains: list[str] = []
    departments: list[str] = []
    matters: list[str] = []

    def is_empty(self) -> bool:
        return not (
            self.all or self.undifferentiated or self.domains or self.departments or self.matters
        )

    def accepts(self, matter: Matter) -> bool:
        return (
            self.all
            or (self.undifferentiated and matter.undifferentiated)
            or matter.domain in self.domains
            or matter.department in self.departments
            or matter.code in self.matters
        )


class Window(_Strict):
    number: Annotated[int, Field(ge=1, le=999)]
    name: Annotated[str, Field(min_length=1)]
    kind: Annotated[WindowKind, Field(strict=False)]
    serves: Serves
    priority_only: bool = False


class Lunch(_Strict):
    start: HHMM
    end: HHMM
    on_duty: list[int] = []  # windows staffed over lunch (午间不打烊); the others close


class Hours(_Strict):
    weekdays: list[Annotated[int, Field(ge=1, le=7)]] = [1, 2, 3, 4, 5]
    open: HHMM
    close: HHMM
    issue_until: HHMM | None = None
    lunch: Lunch | None = None


class TicketClass(_Strict):
    """A ticket prefix and the rule that picks it; the one without a rule is the default."""

    prefix: Annotated[str, Field(pattern=r"^[A-Z]{1,2}$")]
    name: Annotated[str, Field(min_length=1)]
    priority: bool = False
    appointment: bool = False
    domains: list[str] = []

    @property
    def is_default(self) -> bool:
        return not (self.priority or self.appointment or self.domains)


class Targets(_Strict):
    wait_minutes: Annotated[int, Field(ge=1, le=600)] = 20
    serve_minutes: Annotated[int, Field(ge=1, le=600)] = 40


class RatingRules(_Strict):
    """好差评 cases (``domain.cases``): the working days, counted over the hall's opening
    weekdays, that a poor rating's 回访核实 and its 整改 may take. The national rule's are 1
    and 15 (国办发〔2019〕51号); a province's rule may set others."""

    visit_days: Annotated[int, Field(ge=1, le=30)] = 1
    fix_days: Annotated[int, Field(ge=1, le=90)] = 15
    # the windows with a 评价器 (a tablet facing the citizen): "all", "none" or a list as
    # staff write one ("1-5,8"). Where there is none, staff may enter a 代评.
    devices: Annotated[str, Field(min_length=1, max_length=200)] = "all"
    # how long a 评价器 stays awake for a visit just finished (then it sleeps)
    device_awake_seconds: Annotated[int, Field(ge=1, le=600)] = 60

    def device_windows(self, windows: Iterable[int]) -> frozenset[int]:
        """The windows (of ``windows``, the hall's) that have a 评价器."""
        said = self.devices.strip().lower()
        if said == "all":
            return frozenset(windows)
        if said == "none":
            return frozenset()
        return parse_windows(said)


class DispatchSettings(_Strict):
    policy: Annotated[Policy, Field(strict=False)] = Policy.OLDEST
    aging_minutes: Annotated[int, Field(ge=1, le=240)] = 15


class HallInfo(_Strict):
    code: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$")]
    name: Annotated[str, Field(min_length=1)]
    timezone: str = "Asia/Shanghai"
    # where the hall is and how to reach it, as another hall's desk tells a citizen it sends
    # here (its hours are the layout's ``hours``)
    address: str = ""
    phone: str = ""


class Handles(_Strict):
    """Which of the matters its windows serve a hall handles (办理); the others a desk refers
    elsewhere (the city file says where). Empty: every matter some window serves. The
    ``domains``, ``departments`` and ``matters`` given narrow it to those; the ``except_*``
    ones take theirs out (a window serving ``all`` does not make a hall a 车管所)."""

    domains: list[str] = []
    departments: list[str] = []
    matters: list[str] = []
    except_domains: list[str] = []
    except_departments: list[str] = []
    except_matters: list[str] = []

    def admits(self, matter: Matter) -> bool:
        """Whether the hall handles ``matter``, were some window to serve it."""
        if (self.domains or self.departments or self.matters) and not (
            matter.domain in self.domains
            or matter.department in self.departments
            or matter.code in self.matters
        ):
            return False
        return not (
            matter.domain in self.except_domains
            or matter.department in self.except_departments
            or matter.code in self.except_matters
        )


class Theme(StrEnum):
    """Colour themes of the web display board and the citizen status page."""

    DARK = "dark"  # white and amber on black: the classic hall board
    LIGHT = "light"  # dark on white, for bright halls
    RED = "red"  # gold on deep red (政务红)
    BLUE = "blue"  # white and gold on deep blue (政务蓝)


class Display(_Strict):
    """The web display board (/display) of this hall; every field is optional."""

    title: Annotated[str, Field(min_length=1, max_length=40)] | None = None  # else the hall name
    windows: list[Annotated[int, Field(ge=1, le=999)]] = []  # the calls shown; empty: every window
    theme: Annotated[Theme, Field(strict=False)] = Theme.DARK
    accent: Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$")] | None = (
        None  # overrides the theme's
    )
    speak: bool = True  # speak each call (a hall with several boards may let only one speak)
    # the clerk's name on the window screens: "masked" (张*, the default) or "full" (张伟)
    staff_names: Literal["masked", "full"] = "masked"


class PrinterSpec(_Strict):
    """A slip printer (ESC/POS): where it is and its paper. ``device``: ``tcp://host[:port]``
    (raw TCP, port 9100 by default), ``usb://VID:PID`` (hexadecimal ids) or
    ``file:///path`` (the slips appended to a file). ``status``: ask the printer for its
    paper sensor before each slip (DLE EOT 4) and hold the slips while it is out of paper."""

    device: Annotated[str, Field(min_length=1, max_length=300)]
    paper: Literal[58, 80] = 80
    status: bool = False


class StationKind(StrEnum):
    DESK = "desk"  # 导办台: a clerk issues tickets
    KIOSK = "kiosk"  # 自助取号机: the citizen does


class Station(_Strict):
    """A desk or kiosk that issues tickets and the printer its slips go to (none: the
    station prints no slips). A session names its station at sign-in."""

    name: Annotated[str, Field(pattern=STATION_NAME)]
    kind: Annotated[StationKind, Field(strict=False)]
    printer: str | None = None


class Hall(_Strict):
    """A validated hall layout."""

    hall: HallInfo
    hours: Hours
    targets: Targets = Targets()
    recall_limit: Annotated[int, Field(ge=0, le=20)] = 5
    dispatch: DispatchSettings = DispatchSettings()
    ratings: RatingRules = RatingRules()
    ticket_classes: Annotated[list[TicketClass], Field(min_length=1)]
    windows: Annotated[list[Window], Field(min_length=1)]
    handles: Handles = Handles()
    display: Display = Display()
    printers: dict[Annotated[str, Field(pattern=PRINTER_NAME)], PrinterSpec] = {}
    stations: list[Station] = []
    notices: NoticeRules = NoticeRules()  # what citizens with a mobile number are told
    bookings: BookingRules = BookingRules()  # 预约: bookable slots (none without scopes)

    @cached_property
    def station_by_name(self) -> dict[str, Station]:
        return {s.name: s for s in self.stations}

    @cached_property
    def window_by_number(self) -> dict[int, Window]:
        return {w.number: w for w in self.windows}

    @cached_property
    def rater_windows(self) -> frozenset[int]:
        """The windows with a 评价器 (``ratings.devices``)."""
        return self.ratings.device_windows(self.window_by_number)

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.hall.timezone)

    def business_day(self, now: dt.datetime) -> dt.date:
        """The hall's local date at instant ``now`` (an aware datetime)."""
        return now.astimezone(self.zone).date()

    def ticket_class(self, matters: list[Matter], priority: bool, appointment: bool) -> TicketClass:
        """The first class whose rule matches the ticket; the default class otherwise."""
        for tc in self.ticket_classes:
            if tc.priority and priority:
                return tc
            if tc.appointment and appointment:
                return tc
            if tc.domains and matters and all(m.domain in tc.domains for m in matters):
                return tc
        return next(tc for tc in self.ticket_classes if tc.is_default)


def _device_problems(hall: Hall) -> list[Problem]:
    """``ratings.devices``: "all", "none", or windows of the hall."""
    where = ("ratings", "devices")
    try:
        found = hall.ratings.device_windows(hall.window_by_number)
    except BadWindowList:
        return [
            Problem(
                where,
                f'expected "all", "none" or window numbers such as "1-5,8"; '
                f"got {hall.ratings.devices!r}",
            )
        ]
    unknown = sorted(found - set(hall.window_by_number))
    if unknown:
        return [Problem(where, f"no such window in this hall: {windows_text(unknown)}")]
    return []


def _cross_check(hall: Hall) -> list[Problem]:
    problems: list[Problem] = []
    try:
        ZoneInfo(hall.hall.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            Problem(
                ("hall", "timezone"),
                f"expected an IANA time zone such as 'Asia/Shanghai'; got {hall.hall.timezone!r}",
            )
        )
    h = hall.hours
    if h.close <= h.open:
        problems.append(Problem(("hours", "close"), f"expected a time after open ({h.open})"))
    if h.issue_until is not None and not h.open < h.issue_until <= h.close:
        problems.append(
            Problem(
                ("hours", "issue_until"),
                f"expected a time between open ({h.open}) and close ({h.close})",
            )
        )
    if h.lunch is not None and not h.open < h.lunch.start < h.lunch.end < h.close:
        problems.append(
            Problem(("hours", "lunch"), "expected open < lunch.start < lunch.end < close")
        )
    if hall.ratings.fix_days < hall.ratings.visit_days:
        problems.append(
            Problem(
                ("ratings", "fix_days"),
                f"expected at least visit_days ({hall.ratings.visit_days}): the return visit "
                f"comes before the rectification; got {hall.ratings.fix_days}",
            )
        )
    problems += _device_problems(hall)
    numbers = Counter(w.number for w in hall.windows)
    seen: set[int] = set()
    for i, w in enumerate(hall.windows):
        if numbers[w.number] > 1 and w.number in seen:
            problems.append(
                Problem(
                    ("windows", i, "number"),
                    f"duplicate window number {w.number} (already used above)",
                )
            )
        seen.add(w.number)
        if w.serves.is_empty():
            problems.append(Problem(("windows", i, "serves"), EMPTY_SERVES))
    prefixes = Counter(tc.prefix for tc in hall.ticket_classes)
    seen_p: set[str] = set()
    for i, tc in enumerate(hall.ticket_classes):
        if prefixes[tc.prefix] > 1 and tc.prefix in seen_p:
            problems.append(
                Problem(
                    ("ticket_classes", i, "prefix"),
                    f"duplicate prefix {tc.prefix!r} (already used above)",
                )
            )
        seen_p.add(tc.prefix)
    for i, n in enumerate(h.lunch.on_duty if h.lunch else []):
        if n not in numbers:
            problems.append(
                Problem(("hours", "lunch", "on_duty", i), f"this hall has no window {n}")
            )
    for i, n in enumerate(hall.display.windows):
        if n not in numbers:
            problems.append(Problem(("display", "windows", i), f"this hall has no window {n}"))
    problems += _check_printing(hall)
    problems += booking_problems(hall.bookings, {w.number for w in hall.windows}, h.open)
    defaults = [i for i, tc in enumerate(hall.ticket_classes) if tc.is_default]
    if len(defaults) != 1:
        problems.append(
            Problem(
                ("ticket_classes",),
                f"expected exactly one default class (no priority, appointment "
                f"or domains rule); found {len(defaults)}",
            )
        )
    return problems


def _check_printing(hall: Hall) -> list[Problem]:
    """Printers' devices that do not parse; stations named twice or naming no printer."""
    problems: list[Problem] = []
    for name, spec in hall.printers.items():
        try:
            parse_device(spec.device)
        except DeviceError as exc:
            problems.append(Problem(("printers", name, "device"), str(exc)))
    seen: set[str] = set()
    for i, st in enumerate(hall.stations):
        if st.name in seen:
            problems.append(
                Problem(("stations", i, "name"), f"duplicate station {st.name!r} (already above)")
            )
        seen.add(st.name)
        if st.printer is not None and st.printer not in hall.printers:
            known = sorted(hall.printers) or "none"
            problems.append(
                Problem(
                    ("stations", i, "printer"),
                    f"no printer {st.printer!r} under printers; this hall has {known}",
                )
            )
    return problems


def parse_hall(data: object) -> Hall:
    """Validate a hall layout document; raise InvalidData if broken."""
    return parse_model(Hall, data, "hall layout", _cross_check)


EMPTY_SERVES = "expected at least one of all, undifferentiated, domains, departments, matters"


def check_serves(serves: Serves, catalog: Catalog, at: tuple[str | int, ...]) -> list[Problem]:
    """References from a window's ``serves`` rule (at path ``at``) into the catalog that do
    not resolve."""
    known = (
        ("domains", set(catalog.domains), "domain"),
        ("departments", set(catalog.department_by_code), "department code"),
        ("matters", set(catalog.matter_by_code), "matter code"),
    )
    problems: list[Problem] = []
    for field, valid, what in known:
        for j, ref in enumerate(getattr(serves, field)):
            if ref not in valid:
                hint = f"; the catalog has {sorted(valid)}" if field == "domains" else ""
                problems.append(Problem((*at, field, j), f"unknown {what} {ref!r}{hint}"))
    return problems


def check_handles(handles: Handles, catalog: Catalog) -> list[Problem]:
    """References from a hall's ``handles`` into the catalog that do not resolve."""
    problems: list[Problem] = []
    for prefix in ("", "except_"):
        picked = Serves(
            domains=getattr(handles, f"{prefix}domains"),
            departments=getattr(handles, f"{prefix}departments"),
            matters=getattr(handles, f"{prefix}matters"),
        )
        for p in check_serves(picked, catalog, ("handles",)):
            field, j = p.path[1], p.path[2]
            problems.append(Problem(("handles", f"{prefix}{field}", j), p.message))
    return problems


def check_against_catalog(hall: Hall, catalog: Catalog) -> list[Problem]:
    """References from the hall into the catalog that do not resolve, and windows left
    with nothing to serve by what the hall handles."""
    problems: list[Problem] = []
    for i, w in enumerate(hall.windows):
        problems += check_serves(w.serves, catalog, ("windows", i, "serves"))
    problems += check_handles(hall.handles, catalog)
    if not problems:
        for i, w in enumerate(hall.windows):
            served = [m for m in catalog.matters if w.serves.accepts(m)]
            if served and not any(hall.handles.admits(m) for m in served):
                problems.append(
                    Problem(
                        ("windows", i, "serves"),
                        f"window {w.number} serves nothing this hall handles (see 'handles')",
                    )
                )
    domains = set(catalog.domains)
    for i, scope in enumerate(hall.bookings.scopes):
        for j, d in enumerate(scope.domains):
            if d not in domains:
                problems.append(
                    Problem(
                        ("bookings", "scopes", i, "domains", j),
                        f"unknown domain {d!r}; the catalog has {sorted(domains)}",
                    )
                )
    for i, tc in enumerate(hall.ticket_classes):
        for j, d in enumerate(tc.domains):
            if d not in domains:
                problems.append(
                    Problem(
                        ("ticket_classes", i, "domains", j),
                        f"unknown domain {d!r}; the catalog has {sorted(domains)}",
                    )
                )
    return problems


class Coverage:
    """Which matters each window of a hall accepts, resolved against a catalog: those its
    ``serves`` names that the hall handles."""

    def __init__(self, hall: Hall, catalog: Catalog) -> None:
        self.hall = hall
        self.catalog = catalog
        handled = [m for m in catalog.matters if hall.handles.admits(m)]
        self.by_window: dict[int, frozenset[str]] = {}
        for w in hall.windows:
            self.by_window[w.number] = frozenset(m.code for m in handled if w.serves.accepts(m))

    def window_accepts(self, number: int, matters: frozenset[str] | set[str]) -> bool:
        return matters <= self.by_window.get(number, frozenset())

    def windows_for(self, matters: frozenset[str] | set[str]) -> list[int]:
        return [n for n, cov in self.by_window.items() if matters <= cov]

    @cached_property
    def handled(self) -> frozenset[str]:
        """The codes of the matters this hall handles: some window accepts them."""
        return frozenset().union(*self.by_window.values())

    def unserved(self) -> list[Matter]:
        """Matters no window of this hall accepts."""
        return [m for m in self.catalog.matters if m.code not in self.handled]
