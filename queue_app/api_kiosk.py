"""Response bodies of the self-service kiosk's reads (``/api/kiosk/...``), shared by the
server and the client."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from queue_app.domain.catalog import Audience, Material
from queue_app.domain.city import Place

Kind = Literal["matter", "bundle"]


class ChoiceOut(BaseModel):
    """A big button of the kiosk: a matter or a bundle."""

    kind: Kind
    code: str
    name: str
    audience: Audience
    domain: str  # a matter's domain (主题); a bundle's: ""
    issued: int  # tickets for it in this hall over the menu's days


class KioskMenuOut(BaseModel):
    """The kiosk's themes, each best first: what this hall handles that citizens came for
    most over the last ``days`` business days, then the catalog's common ones."""

    days: int
    person: list[ChoiceOut]  # 个人
    enterprise: list[ChoiceOut]  # 企业
    bundle: list[ChoiceOut]  # 一件事 (a person's and a business's)


class GuideMatterOut(BaseModel):
    code: str
    name: str
    department: str  # its name
    immediate: bool  # 即办件: done at the window; else 承诺件, in ``promised_days``
    promised_days: int
    materials: list[Material]
    handled: bool  # this hall handles it (a bundle's matter may be handled elsewhere)


class GuideWindowOut(BaseModel):
    number: int
    name: str
    open: bool


class KioskGuideOut(BaseModel):
    """What a citizen reads before taking a ticket (办事指南): the matters with their
    materials and promised days, the windows that serve it, the ticket class and how many
    of it wait now. ``handled`` false: no ticket here; ``places`` say where to go."""

    kind: Kind
    code: str
    name: str
    description: str
    handled: bool
    matters: list[GuideMatterOut]
    windows: list[GuideWindowOut]
    class_prefix: str
    class_name: str
    waiting: int  # tickets of that class waiting now
    places: list[Place]  # where it is handled instead (not handled here)
