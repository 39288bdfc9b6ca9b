"""How many live-event streams may be open at once. Anonymous ones (display boards, citizens'
status pages) are capped per client address and in all; streams of a signed-in account
(the terminals) have a cap of their own, so a flood of anonymous ones never locks the
staff out. Past a cap the stream is refused with 503 and ``Retry-After``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from queue_app.domain.refusals import TooManyStaffStreams, TooManyStreams, TooManyStreamsFromAddress


@dataclass(frozen=True, slots=True)
class StreamCaps:
    """The caps (the settings ``event_streams_per_address``, ``event_streams`` and
    ``staff_event_streams``), and the ``Retry-After`` of a refusal."""

    per_address: int = 10
    anonymous: int = 200
    staff: int = 1000
    retry_after_s: int = 10


class Slot:
    """One open stream's place under its cap, given back once by ``release``."""

    __slots__ = ("_slots", "address", "staff")

    def __init__(self, slots: StreamSlots, address: str, staff: bool) -> None:
        self._slots: StreamSlots | None = slots
        self.address, self.staff = address, staff

    def release(self) -> None:
        if self._slots is not None:
            self._slots._give_back(self)
            self._slots = None


class StreamSlots:
    """The streams open now, counted against ``caps`` (used on the event loop only)."""

    def __init__(self, caps: StreamCaps | None = None) -> None:
        self.caps = caps or StreamCaps()
        self.staff = 0
        self.anonymous = 0
        self.by_address: Counter[str] = Counter()

    def take(self, address: str | None, *, staff: bool) -> Slot:
        """A slot for a new stream from ``address``, or ``TooManyStreams`` (503)."""
        where, seconds = address or "", self.caps.retry_after_s
        if staff:
            if self.staff >= self.caps.staff:
                raise TooManyStaffStreams(seconds=seconds)
            self.staff += 1
        else:
            if self.by_address[where] >= self.caps.per_address:
                raise TooManyStreamsFromAddress(seconds=seconds)
            if self.anonymous >= self.caps.anonymous:
                raise TooManyStreams(seconds=seconds)
            self.anonymous += 1
            self.by_address[where] += 1
        return Slot(self, where, staff)

    def _give_back(self, slot: Slot) -> None:
        if slot.staff:
            self.staff -= 1
            return
        self.anonymous -= 1
        self.by_address[slot.address] -= 1
        if not self.by_address[slot.address]:
            del self.by_address[slot.address]
