"""A booking as the forecast sees it: when its citizen is due, and for what. Pure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Booked:
    slot_start: float
    matters: tuple[str, ...]
