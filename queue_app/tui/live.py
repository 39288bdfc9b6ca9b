"""Following the server: the live-event loop with back-off, and the screen base class that
reloads (debounced) when the hall changes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual import work
from textual.screen import Screen
from textual.timer import Timer

from queue_app.client import ApiError, AsyncHallClient, ServerEvent

if TYPE_CHECKING:
    from queue_app.tui.app import HallApp
    from queue_app.tui.i18n import Words

T = TypeVar("T")
BACKOFF_START_S, BACKOFF_MAX_S = 0.5, 10.0
DEBOUNCE_S = 0.1  # events arriving together cause one reload


async def follow(
    client: AsyncHallClient,
    on_event: Callable[[ServerEvent], None],
    on_online: Callable[[bool], None],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Forever: stream the server's events to ``on_event``; on a snapshot (every connect)
    report online, when the stream breaks report offline and reconnect with back-off (at
    least as long as a refusal's ``Retry-After``: too many streams open)."""
    delay = BACKOFF_START_S
    while True:
        wait = 0.0
        try:
            async for ev in client.events():
                if ev.event == "snapshot":
                    on_online(True)
                    delay = BACKOFF_START_S
                if ev.event == "resync":
                    break  # fell behind: reconnect; the snapshot reloads everything
                on_event(ev)
        except ApiError as exc:
            wait = exc.retry_after or 0.0
        on_online(False)
        await sleep(max(delay, wait))
        delay = min(delay * 2, BACKOFF_MAX_S)


class LiveScreen(Screen[None]):
    """A screen showing server state: ``load()`` fetches it; a change in the hall reloads
    it within ``DEBOUNCE_S`` (many events, one reload); actions run one at a time."""

    _pending: Timer | None = None
    busy = False
    # reload this often with no event at all, where the screen shows times that run on
    # (minutes waited or served, colour past a target): a quiet hall must not look frozen
    REFRESH_S: float | None = None

    @property
    def hall_app(self) -> HallApp:
        return self.app  # type: ignore[return-value]

    @property
    def client(self) -> AsyncHallClient:
        return self.hall_app.client

    @property
    def w(self) -> Words:
        """The terminal's words in its language."""
        return self.hall_app.words

    def _(self, msgid: str, /, **params: Any) -> str:
        """``msgid`` in the terminal's language, its ``{params}`` filled in."""
        return self.hall_app.words._(msgid, **params)

    def __init__(self) -> None:
        super().__init__()
        self.w.bindings(self)

    def on_mount(self) -> None:
        self.reload()
        if self.REFRESH_S:
            self.set_interval(self.REFRESH_S, self.reload)

    @property
    def reload_pending(self) -> bool:
        """A change came in and the reload it causes has not begun yet."""
        return self._pending is not None

    def hall_changed(self, event: ServerEvent) -> None:
        if self._pending is None:
            self._pending = self.set_timer(DEBOUNCE_S, self._reload_now)

    def _reload_now(self) -> None:
        self._pending = None
        self.reload()

    @work(group="reload", exclusive=True, exit_on_error=False)
    async def reload(self) -> None:
        try:
            await self.load()
        except ApiError as exc:
            if exc.code == "not_signed_in":
                self.hall_app.signed_out(exc.message(self.w.lang))
            elif exc.code != "unreachable":  # unreachable: the banner says so already
                self.notify(exc.message(self.w.lang))

    async def load(self) -> None:
        raise NotImplementedError

    async def act(self, action: Callable[[], Awaitable[T]]) -> T | None:
        """Send one change at a time (a second key press while one is in flight does
        nothing, so nothing is sent twice); a refusal is shown, not raised."""
        if self.busy:
            return None
        self.busy = True
        try:
            return await action()
        except ApiError as exc:
            if exc.code == "not_signed_in":
                self.hall_app.signed_out(exc.message(self.w.lang))
            else:
                self.notify(exc.message(self.w.lang), severity="error", timeout=6)
            return None
        finally:
            self.busy = False
