"""The citizen's 好差评 rating of a finished visit (国办发〔2019〕51号): five levels, and for
the two lowest the reasons picked from the national 差评 categories; once per visit, by
whichever channel comes first.

Channels: the 评价器 facing the citizen at the window (``device``), the citizen's status
page (``status``), or staff entering it on the citizen's word where the window has no
评价器 (``staff``, 代评: reported apart from the citizens' own ratings). Ratings logged
before channels were kept have none: the citizen's own, pressed at the clerk terminal."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from queue_app.domain.errors import N_
from queue_app.domain.refusals import (
    AlreadyRated,
    BadRating,
    NotFinishedHere,
    NotFinishedYet,
    ReasonsNotForThisLevel,
    ReasonsRequired,
    UnknownReason,
)
from queue_app.domain.ticket import Status, Ticket

RATING_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
RATING_WORDS = {  # the same levels as msgids, for the edges to translate
    5: N_("very satisfied"),
    4: N_("satisfied"),
    3: N_("fairly satisfied"),
    2: N_("dissatisfied"),
    1: N_("very dissatisfied"),
}
POOR_LEVELS = frozenset({1, 2})  # 不满意, 非常不满意: a 差评, given with its reasons

# the 差评 reasons the national 好差评 system offers at a window, code → label
REASON_LABELS = {
    "guide_unclear": "办事指南不清晰",
    "too_many_materials": "需要提交的材料过多/重复",
    "poor_attitude": "服务态度差",
    "too_slow": "办理时间长/多次跑",
    "unskilled": "窗口人员业务不熟",
    "other": "其他",
}
REASON_WORDS = {
    "guide_unclear": N_("the service guide is unclear"),
    "too_many_materials": N_("too many or repeated materials"),
    "poor_attitude": N_("poor service attitude"),
    "too_slow": N_("took too long, or several trips"),
    "unskilled": N_("the clerk did not know the business"),
    "other": N_("other"),
}


class Channel(StrEnum):
    """Who gave a rating, and where."""

    DEVICE = "device"  # 评价器: the citizen, at the window
    STATUS = "status"  # the citizen, on the status page
    STAFF = "staff"  # 代评: staff, on the citizen's word, at a window without a 评价器

    @property
    def by_staff(self) -> bool:
        return self is Channel.STAFF


@dataclass(frozen=True, slots=True)
class GivenRating:
    """A visit's rating as logged: its level, reasons, channel (None: logged before
    channels were kept, the citizen's own) and who gave it (the account, or "citizen")."""

    level: int
    reasons: tuple[str, ...]
    channel: Channel | None
    by: str

    @property
    def by_staff(self) -> bool:
        """A 代评: entered by staff, counted apart from the citizens' own ratings."""
        return self.channel is Channel.STAFF

    @classmethod
    def of_detail(cls, detail: Mapping[str, Any], by: str) -> GivenRating:
        """From a ``rated`` event's detail."""
        channel = detail.get("channel")
        return cls(
            level=int(detail["level"]),
            reasons=tuple(detail.get("reasons") or ()),
            channel=Channel(channel) if channel else None,
            by=by,
        )


def check_reasons(level: int, reasons: Iterable[str]) -> tuple[str, ...]:
    """The reasons of a rating of ``level``, in the national order: one at least for 不满意
    and 非常不满意, none for the others; each a known code, each once."""
    picked = set(reasons)
    for r in sorted(picked):
        if r not in REASON_LABELS:
            raise UnknownReason(reason=r, reasons=", ".join(REASON_LABELS))
    if level in POOR_LEVELS and not picked:
        raise ReasonsRequired(level=level, reasons=", ".join(REASON_LABELS))
    if level not in POOR_LEVELS and picked:
        raise ReasonsNotForThisLevel(level=level)
    return tuple(r for r in REASON_LABELS if r in picked)


def check_rating(
    t: Ticket,
    window: int | None,
    level: int,
    already_rated: bool,
    reasons: Collection[str] = (),
) -> tuple[str, ...]:
    """A rating is one of five levels (the lowest two with their reasons), given once, for a
    visit finished (at ``window``, when the channel is a window's). Its reasons, in order."""
    if level not in RATING_LABELS:
        raise BadRating(level=level)
    picked = check_reasons(level, reasons)
    if window is None:
        if t.status is not Status.DONE:
            raise NotFinishedYet(number=t.number)
    elif t.status is not Status.DONE or t.window != window:
        raise NotFinishedHere(number=t.number, window=window)
    if already_rated:
        raise AlreadyRated(number=t.number)
    return picked
