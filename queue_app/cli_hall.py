"""Where the command line's ticket, window and day commands act: on the database directly
(``LocalHall``) or on a running hall server through the client (``RemoteHall``). Both
answer with the API's models, so every command prints the same thing either way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from queue_app.api_models import IssuedOut, TicketOut, WindowOut, WindowStateOut
from queue_app.client import HallClient
from queue_app.domain.hall import Targets
from queue_app.domain.profiles import WindowProfile
from queue_app.domain.refusals import NoSuchWindow
from queue_app.domain.ticket import Outcome, Priority
from queue_app.store import Store

Outcomes = Outcome | Mapping[str, Outcome]


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    kind: str
    window: int | None
    actor: str
    at: float


class HallOps(Protocol):
    def issue(
        self, matters: list[str], bundle: str | None, priority: Priority | None
    ) -> IssuedOut: ...
    def ticket(self, number: str, day: str | None) -> TicketOut: ...
    def history(self, t: TicketOut) -> list[HistoryEntry] | None: ...
    def waiting(self, window: int | None, domain: str | None) -> list[TicketOut]: ...
    def cancel(self, number: str, reason: str) -> TicketOut: ...
    def requeue(self, number: str) -> TicketOut: ...
    def call_next(self, window: int) -> TicketOut | None: ...
    def recall(self, window: int) -> TicketOut: ...
    def start(self, window: int) -> TicketOut: ...
    def finish(self, window: int, outcomes: Outcomes) -> TicketOut: ...
    def transfer(
        self, window: int, to_window: int | None, to_domain: str | None, reason: str
    ) -> TicketOut: ...
    def no_show(self, window: int) -> TicketOut: ...
    def open_window(self, window: int) -> WindowStateOut: ...
    def close_window(self, window: int) -> WindowStateOut: ...
    def pause(self, window: int, reason: str) -> WindowStateOut: ...
    def resume(self, window: int) -> WindowStateOut: ...
    def windows(self) -> list[WindowOut]: ...
    def counts(self) -> tuple[str, dict[str, int]]: ...
    def close_day(self, force: bool, day: str | None) -> dict[str, Any]: ...

    def open_late(self, until: float | None) -> float | None: ...
    def serve_like(self, window: int, like: int | None) -> WindowProfile: ...
    def targets(self) -> Targets: ...
    def set_targets(self, targets: Targets | None) -> Targets: ...


def _no_window(number: int) -> NoSuchWindow:
    return NoSuchWindow(number=number, field="like")


class LocalHall:
    """The database itself; ``actor`` names who acts in the event log."""

    def __init__(self, store: Store, actor: str) -> None:
        self.store, self.actor = store, actor
        self.names = {m.code: m.name for m in store.catalog.matters}

    def _t(self, t: Any) -> TicketOut:
        return TicketOut.of(t, self.names)

    def issue(self, matters: list[str], bundle: str | None, priority: Priority | None) -> IssuedOut:
        issued = self.store.issue(matters, bundle=bundle, priority=priority, actor=self.actor)
        return IssuedOut.of(issued, self.names)

    def ticket(self, number: str, day: str | None) -> TicketOut:
        return self._t(self.store.ticket(number, day))

    def history(self, t: TicketOut) -> list[HistoryEntry] | None:
        return [
            HistoryEntry(e.kind, e.window, e.actor, e.at)
            for e in self.store.events(day=t.day, ticket=t.number)
        ]

    def waiting(self, window: int | None, domain: str | None) -> list[TicketOut]:
        return [self._t(t) for t in self.store.waiting(window=window, domain=domain)]

    def cancel(self, number: str, reason: str) -> TicketOut:
        return self._t(self.store.cancel(number, actor=self.actor, reason=reason))

    def requeue(self, number: str) -> TicketOut:
        return self._t(self.store.requeue(number, actor=self.actor))

    def call_next(self, window: int) -> TicketOut | None:
        t = self.store.call_next(window, actor=self.actor)
        return self._t(t) if t else None

    def recall(self, window: int) -> TicketOut:
        return self._t(self.store.recall(window, actor=self.actor))

    def start(self, window: int) -> TicketOut:
        return self._t(self.store.start(window, actor=self.actor))

    def finish(self, window: int, outcomes: Outcomes) -> TicketOut:
        return self._t(self.store.finish(window, outcomes, actor=self.actor))

    def transfer(
        self, window: int, to_window: int | None, to_domain: str | None, reason: str
    ) -> TicketOut:
        t = self.store.transfer(
            window, to_window=to_window, to_domain=to_domain, reason=reason, actor=self.actor
        )
        return self._t(t)

    def no_show(self, window: int) -> TicketOut:
        return self._t(self.store.no_show(window, actor=self.actor))

    def open_window(self, window: int) -> WindowStateOut:
        return WindowStateOut.model_validate(self.store.open_window(window, actor=self.actor))

    def close_window(self, window: int) -> WindowStateOut:
        return WindowStateOut.model_validate(self.store.close_window(window, actor=self.actor))

    def pause(self, window: int, reason: str) -> WindowStateOut:
        return WindowStateOut.model_validate(self.store.pause(window, reason, actor=self.actor))

    def resume(self, window: int) -> WindowStateOut:
        return WindowStateOut.model_validate(self.store.resume(window, actor=self.actor))

    def windows(self) -> list[WindowOut]:
        return [WindowOut.of(w, self.names) for w in self.store.windows()]

    def counts(self) -> tuple[str, dict[str, int]]:
        return self.store.today(), self.store.counts()

    def close_day(self, force: bool, day: str | None) -> dict[str, Any]:
        return self.store.close_day(actor=self.actor, force=force, day=day)

    def open_late(self, until: float | None) -> float | None:
        return self.store.open_late(until, actor=self.actor)

    def serve_like(self, window: int, like: int | None) -> WindowProfile:
        layout = self.store.hall.window_by_number
        if like is not None and like not in layout:
            raise _no_window(like)
        profile = WindowProfile.of(layout[like]) if like is not None else None
        return self.store.set_profile(window, profile, actor=self.actor)

    def targets(self) -> Targets:
        return self.store.hall_in_effect().targets

    def set_targets(self, targets: Targets | None) -> Targets:
        return self.store.set_targets(targets, actor=self.actor)


class RemoteHall:
    """A running hall server, reached with a signed-in client (the server logs the
    signed-in account as the actor)."""

    def __init__(self, client: HallClient) -> None:
        self.client = client

    def issue(self, matters: list[str], bundle: str | None, priority: Priority | None) -> IssuedOut:
        return self.client.issue(
            matters, bundle=bundle, priority=priority.value if priority else None
        )

    def ticket(self, number: str, day: str | None) -> TicketOut:
        return self.client.ticket(number, day)

    def history(self, t: TicketOut) -> list[HistoryEntry] | None:
        return None  # the API shows tickets, not the staff who handled them

    def waiting(self, window: int | None, domain: str | None) -> list[TicketOut]:
        return self.client.tickets(window=window, domain=domain)

    def cancel(self, number: str, reason: str) -> TicketOut:
        return self.client.cancel(number, reason)

    def requeue(self, number: str) -> TicketOut:
        return self.client.requeue(number)

    def call_next(self, window: int) -> TicketOut | None:
        return self.client.call_next(window)

    def recall(self, window: int) -> TicketOut:
        return self.client.recall(window)

    def start(self, window: int) -> TicketOut:
        return self.client.start(window)

    def finish(self, window: int, outcomes: Outcomes) -> TicketOut:
        if isinstance(outcomes, Outcome):
            return self.client.finish(window, outcome=outcomes.value)
        return self.client.finish(window, outcomes={k: v.value for k, v in outcomes.items()})

    def transfer(
        self, window: int, to_window: int | None, to_domain: str | None, reason: str
    ) -> TicketOut:
        return self.client.transfer(window, to_window=to_window, to_domain=to_domain, reason=reason)

    def no_show(self, window: int) -> TicketOut:
        return self.client.no_show(window)

    def open_window(self, window: int) -> WindowStateOut:
        return self.client.open_window(window)

    def close_window(self, window: int) -> WindowStateOut:
        return self.client.close_window(window)

    def pause(self, window: int, reason: str) -> WindowStateOut:
        return self.client.pause(window, reason)

    def resume(self, window: int) -> WindowStateOut:
        return self.client.resume(window)

    def windows(self) -> list[WindowOut]:
        return self.client.windows()

    def counts(self) -> tuple[str, dict[str, int]]:
        c = self.client.stats()
        return c.day, c.counts

    def close_day(self, force: bool, day: str | None) -> dict[str, Any]:
        return self.client.close_day(force, day).model_dump()

    def open_late(self, until: float | None) -> float | None:
        return self.client.open_late(until).until

    def serve_like(self, window: int, like: int | None) -> WindowProfile:
        if like is None:
            return self.client.set_profile(window, None)
        for choice in self.client.hall_profiles():
            if like in choice.windows:
                return self.client.set_profile(window, choice.profile)
        raise _no_window(like)

    def targets(self) -> Targets:
        return self.client.hall().targets

    def set_targets(self, targets: Targets | None) -> Targets:
        return self.client.set_targets(targets)
