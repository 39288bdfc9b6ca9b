"""The terminal application: sign in, then one role's screen, following the hall live."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual import work
from textual.app import App
from textual.reactive import reactive

from queue_app.client import ApiError, AsyncHallClient, ServerEvent
from queue_app.domain.catalog import Catalog
from queue_app.domain.city import Elsewhere, Referrals, referrals_of
from queue_app.domain.hall import Coverage, Hall
from queue_app.search import CatalogSearch
from queue_app.tui.i18n import Words
from queue_app.tui.live import LiveScreen, follow

ROLES = ("desk", "clerk", "manager", "display", "city")


class HallApp(App[None]):
    """One terminal of the hall: ``role`` is desk, clerk (at ``window``), manager or
    display. It reaches the hall through ``client``, built by the caller (the command line
    over the network, tests in process) and closed when the terminal ends; every time on
    screen is measured from ``clock`` (POSIX seconds). With ``username`` and ``password``
    it signs in at once, else it asks. A slip's QR code points at ``public_url``. A desk
    signs in at its ``station`` of the hall file: its tickets' slips print at the
    station's printer, whose state it shows."""

    TITLE = "queue_app"
    BINDINGS = [("ctrl+q", "quit", "Quit")]
    _city: tuple[AsyncHallClient, Hall | None, Coverage | None, Referrals | None] | None = None
    online: reactive[bool] = reactive(True)

    def __init__(
        self,
        client: AsyncHallClient,
        role: str,
        *,
        public_url: str,
        clock: Callable[[], float] = time.time,
        window: int | None = None,
        lang: str = "zh",
        username: str | None = None,
        password: str | None = None,
        station: str | None = None,
    ) -> None:
        super().__init__()
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
        self.role, self.window = role, window
        self.station = station  # a desk's station of the hall file (its slip printer)
        self.words = Words(lang)
        self.client = client
        self.clock = clock
        self.server = public_url.rstrip("/")
        self._credentials = (username, password) if username and password else None
        self.hall: Hall | None = None
        self.catalog: Catalog | None = None
        self.coverage: Coverage | None = None
        self.finder: CatalogSearch | None = None
        self.referrals: Referrals | None = None  # what the hall does not handle, and where
        self.last_event: ServerEvent | None = None  # the newest from the live stream
        self.title = self.words._("Government service hall · queue")

    def on_mount(self) -> None:
        if self._credentials:
            self.begin(*self._credentials)
        else:
            from queue_app.tui.signin import SignInScreen

            self.push_screen(SignInScreen())

    @work(group="sign-in", exclusive=True, exit_on_error=False)
    async def begin(self, username: str, password: str) -> None:
        """Sign in, fetch the hall and catalog, open the role's screen, follow events."""
        try:
            await self.client.sign_in(username, password, self.window, self.station)
            self.hall = await self.client.hall()
            self.catalog = await self.client.catalog()
        except ApiError as exc:
            self.notify(exc.message(self.words.lang), severity="error")
            from queue_app.tui.signin import SignInScreen

            if not isinstance(self.screen, SignInScreen):
                self.push_screen(SignInScreen())
            return
        self.coverage = Coverage(self.hall, self.catalog)
        self.finder = CatalogSearch(self.catalog)
        await self.fetch_referrals()
        await self.switch_to_role()
        self.follow_events()

    def signed_out(self, said: str) -> None:
        """The session ended elsewhere (signed out, the seat released by a manager, the
        account disabled): back to the sign-in screen, saying so."""
        from queue_app.tui.signin import SignInScreen

        self.client.token = None
        self.notify(said, severity="error", timeout=10)
        if not isinstance(self.screen, SignInScreen):
            self.switch_screen(SignInScreen())

    async def switch_to_role(self) -> None:
        from queue_app.tui.city import CityScreen
        from queue_app.tui.clerk import ClerkScreen
        from queue_app.tui.desk import DeskScreen
        from queue_app.tui.display import DisplayScreen
        from queue_app.tui.manager import ManagerScreen

        screens = {
            "desk": DeskScreen,
            "clerk": ClerkScreen,
            "manager": ManagerScreen,
            "display": DisplayScreen,
            "city": CityScreen,
        }
        screen = screens[self.role]()
        if len(self.screen_stack) > 1:
            await self.switch_screen(screen)
        else:
            await self.push_screen(screen)

    @work(group="city", exclusive=True, exit_on_error=False)
    async def view_hall(self, path: str) -> None:
        """From the city's view: the manager view of the hall at ``path``, read-only, with
        the city account's token (``back_to_city`` returns)."""
        from queue_app.tui.manager import ManagerScreen

        client = self.client.at(path)
        try:
            hall = await client.hall()
        except ApiError as exc:
            self.notify(exc.message(self.words.lang), severity="error")
            await client.aclose()
            return
        self._city = (self.client, self.hall, self.coverage, self.referrals)
        self.client, self.hall = client, hall
        self.coverage = Coverage(hall, self.catalog) if self.catalog else None
        await self.fetch_referrals()
        self.follow_events()  # that hall's stream in place of the city account's own
        await self.push_screen(ManagerScreen(read_only=True))

    async def back_to_city(self) -> None:
        """Leave a hall's read-only view for the city's."""
        if self._city is None:
            return
        hall_client = self.client
        self.client, self.hall, self.coverage, self.referrals = self._city
        self._city = None
        self.follow_events()
        await self.pop_screen()
        await hall_client.aclose()

    @work(group="live", exclusive=True, exit_on_error=False)
    async def follow_events(self) -> None:
        await follow(self.client, self._hall_changed, self._set_online)

    def _hall_changed(self, event: ServerEvent) -> None:
        self.last_event = event
        if event.event in ("hall_changed", "snapshot"):  # a snapshot: changes may be missed
            self.refresh_layout(event)
            return
        self._tell_screens(event)

    def _tell_screens(self, event: ServerEvent) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, LiveScreen):
                screen.hall_changed(event)

    @work(group="layout", exclusive=True, exit_on_error=False)
    async def refresh_layout(self, event: ServerEvent) -> None:
        """Fetch the hall in effect again (what windows serve, the targets), then let the
        screens reload with it."""
        try:
            hall = await self.client.hall()
        except ApiError:
            pass  # offline: the stream reconnects and its snapshot brings us back here
        else:
            self.hall = hall
            if self.catalog is not None:
                self.coverage = Coverage(hall, self.catalog)
                await self.fetch_referrals()
        self._tell_screens(event)

    async def fetch_referrals(self) -> None:
        """Where the matters the hall (as in effect) does not handle are handled; from the
        layout alone (not handled here, no place named) if the server cannot say."""
        try:
            self.referrals = (await self.client.referrals()).referrals()
        except ApiError:  # an older server, or gone since: what was known, else the layout
            if self.referrals is None and self.hall is not None and self.coverage is not None:
                elsewhere = Elsewhere(self.coverage.catalog)
                self.referrals = referrals_of(self.hall, elsewhere, self.coverage)

    def _set_online(self, online: bool) -> None:
        self.online = online

    async def on_unmount(self) -> None:
        await self.client.aclose()
