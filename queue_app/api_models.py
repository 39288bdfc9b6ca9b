"""Request and response bodies of the HTTP API, shared by the server and the client.

Instants are POSIX seconds (UTC).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from queue_app.domain.city import Place, Referrals
from queue_app.domain.hall import Targets, WindowKind
from queue_app.domain.profiles import WindowProfile
from queue_app.domain.rating import RATING_LABELS, REASON_LABELS, GivenRating
from queue_app.domain.refusals import BadText
from queue_app.domain.text import first_bad_text
from queue_app.domain.ticket import (
    NOTE_LENGTH,
    OUTCOME_LABELS,
    PRIORITY_LABELS,
    STATUS_LABELS,
    Outcome,
    Priority,
    Status,
    Ticket,
)
from queue_app.domain.window_state import WindowStatus, WindowView


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        """Every text in a request body, however deep: no NUL, no half surrogate."""
        where = first_bad_text(data)
        if where is not None:
            raise BadText(where=where, field=where)
        return data


class IssueIn(_In):
    matters: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=80)]], Field(max_length=30)
    ] = []
    bundle: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    priority: Annotated[Priority, Field(strict=False)] | None = None  # enums from JSON text
    appointment_at: Annotated[float, Field(ge=0, le=4e9)] | None = None
    # the citizen's mobile number for the notices (请到 X 号窗口, 过号, 前面还有 N 位)
    mobile: Annotated[str, Field(min_length=1, max_length=40)] | None = None


class ExpectIn(_In):
    """Optionally name the ticket you mean: refused if the window holds another."""

    ticket: Annotated[str, Field(min_length=2, max_length=8)] | None = None


class FinishIn(ExpectIn):
    outcome: Annotated[Outcome, Field(strict=False)] | None = None  # for every matter
    outcomes: (
        dict[Annotated[str, Field(max_length=80)], Annotated[Outcome, Field(strict=False)]] | None
    ) = None


class TransferIn(ExpectIn):
    to_window: Annotated[int, Field(ge=1, le=999)] | None = None
    to_domain: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    reason: Annotated[str, Field(max_length=200)] = ""


class ParkIn(ExpectIn):
    """补材料: what the citizen went to fetch (a short note for the clerk and the desk)."""

    note: Annotated[str, Field(max_length=NOTE_LENGTH)] = ""


class UnparkIn(_In):
    """The parked ticket whose citizen is back."""

    ticket: Annotated[str, Field(min_length=2, max_length=8)]


class ReasonIn(_In):
    reason: Annotated[str, Field(max_length=200)] = ""


class PauseIn(_In):
    reason: Annotated[str, Field(min_length=1, max_length=80)]


class ProfileIn(_In):
    """What a window is to serve from now on; none: what the layout file says."""

    profile: WindowProfile | None = None


class TargetsIn(_In):
    """The hall's wait and service targets from now on; none: the layout file's."""

    targets: Targets | None = None


class ProfileChoice(BaseModel):
    """A profile of the layout file, with the windows the file gives it."""

    profile: WindowProfile
    windows: list[int]


Reasons = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=40)]],
    Field(
        max_length=10,
        description="with 2 不满意 and 1 非常不满意, one or more of: " + ", ".join(REASON_LABELS),
    ),
]


class RatingIn(_In):
    ticket: Annotated[str, Field(min_length=2, max_length=8)]
    level: Annotated[int, Field(ge=1, le=5, description="5 非常满意 … 1 非常不满意")]
    reasons: Reasons = []


class CitizenRatingIn(_In):
    """The citizen's own rating on the status page (the ticket is the page's)."""

    level: Annotated[int, Field(ge=1, le=5, description="5 非常满意 … 1 非常不满意")]
    reasons: Reasons = []


class RatingOut(BaseModel):
    """A visit's 好差评 as given."""

    level: int
    level_label: str  # 非常满意 … 非常不满意
    reasons: list[str]  # codes, in the national order (``domain.rating.REASON_LABELS``)
    channel: str | None  # device, status, staff (代评); None: given before channels were kept
    by_staff: bool  # 代评: entered by staff for the citizen

    @classmethod
    def of(cls, r: GivenRating) -> RatingOut:
        return cls(
            level=r.level,
            level_label=RATING_LABELS[r.level],
            reasons=list(r.reasons),
            channel=r.channel.value if r.channel else None,
            by_staff=r.by_staff,
        )


class RaterVisitOut(BaseModel):
    """The visit a 评价器 may rate: finished at its window last."""

    number: str
    finished_at: float
    rating: RatingOut | None  # given already (by the device, or on the status page)


class RaterOut(BaseModel):
    """What a 评价器 shows: its window, how long it stays awake for a finished visit, the
    visit finished there last, the server's time."""

    window: int
    hall: str
    awake_seconds: int
    visit: RaterVisitOut | None
    now: float


class CloseDayIn(_In):
    force: bool = False
    day: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None  # a past day


class OpenLateIn(_In):
    # POSIX seconds, later today; None: back to the hall's hours
    until: Annotated[float, Field(ge=0, le=4_102_444_800)] | None


class OpenLateOut(BaseModel):
    until: float | None


class SignInIn(_In):
    username: Annotated[str, Field(min_length=1, max_length=40)]
    password: Annotated[str, Field(min_length=1, max_length=200)]
    window: Annotated[int, Field(ge=1, le=999)] | None = None
    # the desk or kiosk of the hall file signed in at: its tickets' slips print there
    station: Annotated[str, Field(min_length=1, max_length=40)] | None = None


class SignInLockOut(BaseModel):
    kind: Literal["account", "address"]
    name: str
    failures: int
    until: float


class SessionOut(BaseModel):
    username: str
    role: str
    window: int | None
    expires_at: float
    token: str | None = None  # only in the answer to sign-in
    station: str | None = None  # the desk or kiosk signed in at (its printer prints)


class StaffOut(BaseModel):
    username: str
    full_name: str
    role: str
    disabled: bool
    windows: list[int] | None = None  # the windows the account may sit at; None: any
    staff_number: str | None = None  # 工号
    display_name: str | None = None  # the name public screens show, when the hall set one


class StaffWindowsIn(_In):
    """The windows an account may sit at from now on; null: any window."""

    windows: (
        Annotated[list[Annotated[int, Field(ge=1, le=999)]], Field(min_length=1, max_length=999)]
        | None
    )


class SeatOut(BaseModel):
    """Who sits at a window (signed in there): the one session that may operate it."""

    window: int
    username: str
    full_name: str
    since: float


def _names(info: ValidationInfo) -> Mapping[str, str]:
    """The catalog's matter names, given as the validation context ``{"names": ...}``."""
    return (info.context or {}).get("names", {})


class EventOut(BaseModel):
    """One entry of a ticket's history: what happened, at which window, by whom."""

    kind: str
    window: int | None
    actor: str
    at: float


class ItemOut(BaseModel):
    """One matter of a ticket (validated from ``domain.ticket.Item``)."""

    model_config = ConfigDict(from_attributes=True)

    matter: str
    name: str = ""  # the catalog's name (from the context's names)
    outcome: Outcome | None
    outcome_label: str | None = None

    @model_validator(mode="after")
    def _labelled(self, info: ValidationInfo) -> ItemOut:
        self.name = self.name or _names(info).get(self.matter, self.matter)
        if self.outcome is not None and self.outcome_label is None:
            self.outcome_label = OUTCOME_LABELS[self.outcome]
        return self


class TicketOut(BaseModel):
    """A ticket (validated from ``domain.ticket.Ticket``, with the matters' names given as
    the context: ``TicketOut.of``)."""

    model_config = ConfigDict(from_attributes=True)

    day: str
    number: str
    status: Status
    status_label: str = ""
    priority: Priority | None
    priority_label: str | None = None
    bundle: str | None
    items: list[ItemOut]
    window: int | None
    target_window: int | None
    target_domain: str | None
    recalls: int
    issued_at: float
    called_at: float | None
    started_at: float | None
    finished_at: float | None
    held_for: int | None = None  # back from fetching a material: that window calls it first
    parked_at: float | None = None  # 补材料: when it was parked
    park_note: str = ""  # what the citizen went to fetch

    @model_validator(mode="after")
    def _labelled(self) -> TicketOut:
        self.status_label = self.status_label or STATUS_LABELS[self.status]
        if self.priority is not None and self.priority_label is None:
            self.priority_label = PRIORITY_LABELS[self.priority]
        return self

    @classmethod
    def of(cls, t: Ticket, names: Mapping[str, str]) -> TicketOut:
        return cls.model_validate(t, context={"names": names})


class _FromDomain(BaseModel):
    """A response validated straight from a domain or read-model object's attributes."""

    model_config = ConfigDict(from_attributes=True)


class IssuedOut(_FromDomain):
    """A new ticket and its slip (validated from the store's ``Issued``)."""

    ticket: TicketOut
    class_name: str
    ahead: int
    windows: list[int]
    estimated_wait_minutes: float | None
    token: str  # for the citizen's status page (the QR code on the slip)

    @classmethod
    def of(cls, issued: Any, names: Mapping[str, str]) -> IssuedOut:
        return cls.model_validate(issued, context={"names": names})


class CallOut(BaseModel):
    ticket: TicketOut | None  # None: nothing this window may serve is waiting


class WindowOut(_FromDomain):
    """A window with its state and ticket (validated from the read model's ``WindowInfo``)."""

    number: int
    name: str
    kind: WindowKind
    status: WindowStatus
    state: WindowView  # closed, idle, calling, serving, paused
    reason: str
    ticket: TicketOut | None
    updated_at: float
    changed: bool = False  # serves otherwise than the layout file says (a manager's change)

    @classmethod
    def of(cls, w: Any, names: Mapping[str, str]) -> WindowOut:
        return cls.model_validate(w, context={"names": names})


class WindowStateOut(BaseModel):
    """A window's state (validated straight from ``domain.window_state.WindowState``)."""

    model_config = ConfigDict(from_attributes=True)

    number: int
    status: WindowStatus
    reason: str


class CountsOut(BaseModel):
    day: str
    counts: dict[str, int]


class WindowFiguresOut(_FromDomain):
    window: int
    served: int
    bundles: int
    mean_handling_minutes: float | None
    busy_minutes: float
    open_minutes: float
    utilisation: float | None  # busy / open
    ratings: int
    mean_rating: float | None


class WindowStatsOut(_FromDomain):
    day: str
    windows: list[WindowFiguresOut]
    load_balance: float | None  # spread of busy time over its mean across open windows
    bundles_served: int


class DomainWaitOut(_FromDomain):
    domain: str
    called: int  # tickets of the domain called today
    mean_wait_minutes: float  # from issue to first call


class DomainWaitsOut(_FromDomain):
    day: str
    domains: list[DomainWaitOut]  # longest mean wait first


class QueueSeriesOut(BaseModel):
    day: str
    start: float  # POSIX seconds of the first point's bucket
    bucket_minutes: float
    waiting: list[int]  # the line's length at the end of each bucket


class HourNeedOut(_FromDomain):
    start: float  # the hour's first instant (POSIX seconds)
    arrivals: int
    rate_per_hour: float
    load: float  # erlangs
    needed: int  # windows for a p90 wait within the target (Erlang C, one pooled line)


class StaffingOut(_FromDomain):
    """Windows needed this day hour by hour against the windows open now."""

    day: str
    target_minutes: float
    hold_minutes: float  # learned minutes a ticket holds a window
    open_windows: int
    hours: list[HourNeedOut]
    p90_now: float | None  # the latest hour's load on the open windows; None: cannot keep up

    @field_validator("p90_now", mode="before")
    @classmethod
    def _finite(cls, v: float | None) -> float | None:
        return v if v is None or math.isfinite(v) else None


class CloseDayOut(BaseModel):
    expired: int
    parked: int = 0  # of them, parked (补材料) when the day closed: not served


class HitOut(BaseModel):
    kind: str
    code: str
    name: str
    score: float


class ReferralsOut(BaseModel):
    """The matters this hall does not handle: each code with the keys of the ``places``
    that handle it, best first (none: not handled here, and no place known). A place is
    another hall of the city (``hall``: its code) or one the city file names (``hall``
    null)."""

    hall: str
    places: list[Place]
    not_handled: dict[str, list[str]]

    @classmethod
    def of(cls, r: Referrals) -> ReferralsOut:
        return cls(
            hall=r.hall,
            places=list(r.places.values()),
            not_handled={code: list(keys) for code, keys in r.not_handled.items()},
        )

    def referrals(self) -> Referrals:
        """As the domain's record (the desk asks it of each hit)."""
        return Referrals(
            hall=self.hall,
            places={p.key: p for p in self.places},
            not_handled={code: tuple(keys) for code, keys in self.not_handled.items()},
        )


# ---- public: the citizen's status page (GET /api/status/{token}) and the hall's look
class Look(BaseModel):
    """How the hall's pages look (from the layout's ``display`` section)."""

    hall: str
    title: str
    theme: str
    accent: str | None


class StatusOut(BaseModel):
    look: Look
    day: str
    number: str
    class_name: str
    status: str
    status_label: str
    matters: list[str]
    bundle: str | None  # the 一件事's name
    ahead: int | None  # waiting: people before this ticket for the same windows
    estimated_wait_minutes: float | None  # waiting, with a window open that may serve it
    window: int | None  # called or serving: where to go
    target_window: int | None  # transferred and waiting for this window
    recalls: int
    final: bool  # nothing more will change (finished, cancelled, the day closed)
    now: float
    rating: RatingOut | None = None  # the visit's 好差评, once given (by any channel)
    can_rate: bool = False  # finished and not rated yet: the page offers the rating


# ---- public: the display board (GET /api/display)
class BoardCall(BaseModel):
    ticket: str
    window: int
    at: float
    recall: bool = False


class ClassWaiting(BaseModel):
    prefix: str
    name: str
    waiting: int


class WindowStripItem(BaseModel):
    """One window on the board's strip: its state and the number it calls or serves."""

    window: int
    state: WindowView  # closed, idle, calling, serving, paused
    ticket: str | None  # calling or serving


class NoShowOut(BaseModel):
    """A 过号 number of today: the citizen may come back to the desk to be re-queued."""

    ticket: str
    window: int | None
    at: float


class DisplayOut(BaseModel):
    look: Look
    speak: bool
    server_voice: bool  # GET /api/voice/{number}/{window}.wav renders calls
    timezone: str
    day: str
    now: float
    version: int  # the newest event already reflected here (compare with the stream's ids)
    windows: list[int]  # the windows this board shows
    current: list[BoardCall]  # windows calling now (called, not yet served), newest first
    recent: list[BoardCall]  # the last ten calls, newest first
    waiting: list[ClassWaiting]
    waiting_total: int
    strip: list[WindowStripItem]  # every window of this board, by number
    no_shows: list[NoShowOut]  # today's 过号, newest first (at most 30)
    no_show_count: int
    notice: str | None  # the line a manager set for the boards


class ServesOut(BaseModel):
    """What a window serves now, in the catalog's words (its flags named by the page)."""

    all: bool
    undifferentiated: bool
    domains: list[str]
    departments: list[str]  # the departments' names
    matters: list[str]  # the matters' names


class ClerkOut(BaseModel):
    """Who sits at the window, as the hall shows it: a name (masked unless the hall shows
    full names, or the display name the hall set) and the staff number (工号)."""

    name: str
    staff_number: str | None


class WindowScreenOut(BaseModel):
    """The small screen above a window (/window/<n>)."""

    look: Look
    timezone: str
    now: float
    version: int
    window: int
    name: str
    kind: WindowKind
    state: WindowView  # closed, idle, calling, serving, paused
    reason: str  # paused: why
    ticket: str | None  # calling or serving
    recalls: int
    serves: ServesOut
    changed: bool  # serves otherwise than the layout file says (re-profiled)
    clerk: ClerkOut | None


class NoticeIn(_In):
    """The boards' notice line from now on; null or blank: none."""

    text: Annotated[str, Field(max_length=1000)] | None = None


class NoticeOut(BaseModel):
    text: str | None
    set_at: float | None
    set_by: str | None


class StaffEditIn(_In):
    """What to change of an account (a field left out stays as it is; null or "" clears
    the staff number or the display name)."""

    full_name: Annotated[str, Field(max_length=40)] | None = None
    staff_number: Annotated[str, Field(max_length=40)] | None = None
    display_name: Annotated[str, Field(max_length=40)] | None = None


class HallAtGlanceOut(BaseModel):
    """One hall of the city today (``over_target``: its longest wait is past its target)."""

    code: str
    name: str
    path: str  # where the hall is on this server ("/halls/<code>")
    day: str
    waiting: int
    longest_wait_minutes: float | None
    windows_open: int
    windows_busy: int
    served: int
    ratings: int
    poor_ratings: int  # 不满意 and 非常不满意
    load_balance: float | None
    target_wait_minutes: float
    over_target: bool


class CityOut(BaseModel):
    """Every hall this server serves, side by side."""

    code: str
    name: str
    halls: list[HallAtGlanceOut]
