"""The city's view (市级): every hall of the server side by side, a hall past its wait
target in red; Enter opens that hall's manager view, read-only."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Static

from queue_app.api_models import HallAtGlanceOut
from queue_app.tui.live import LiveScreen
from queue_app.tui.widgets import HallHeader, OfflineBanner

OVER = "bold red"


class CityScreen(LiveScreen):
    # the city account's live stream is its own hall's: the others are read on a timer
    REFRESH_S = 10.0
    DEFAULT_CSS = """
    CityScreen #halls { height: 1fr; border: round $primary; }
    CityScreen #city-note { height: 1; background: $boost; }
    """

    def compose(self) -> ComposeResult:
        yield HallHeader()
        yield OfflineBanner()
        yield DataTable(id="halls", cursor_type="row", zebra_stripes=True)
        yield Static(id="city-note")
        yield Footer()

    def on_mount(self) -> None:
        w = self.w
        self.sub_title = w.role("city")
        table = self.query_one("#halls", DataTable)
        table.border_title = w._("Halls")
        table.add_columns(
            w._("Hall"),
            w.pgettext("column", "Waiting"),
            w._("Longest wait"),
            w._("Windows open"),
            w._("Busy"),
            w._("Served"),
            w._("Ratings"),
            w._("Poor"),
            w._("Load balance"),
        )
        self.query_one("#city-note", Static).update(
            w._("Enter: the hall's manager view (read-only) · red: past the hall's wait target")
        )
        super().on_mount()

    async def load(self) -> None:
        city = await self.client.city()
        if city.name:
            self.title = city.name
        table = self.query_one("#halls", DataTable)
        cursor = table.cursor_row
        table.clear()
        for h in city.halls:
            table.add_row(*self._cells(h), key=h.path)
        if city.halls:
            table.move_cursor(row=min(cursor, len(city.halls) - 1))

    def _cells(self, h: HallAtGlanceOut) -> list[Text | str]:
        style = OVER if h.over_target else ""
        longest = (
            self._(
                "{minutes} min (target {target})",
                minutes=round(h.longest_wait_minutes),
                target=round(h.target_wait_minutes),
            )
            if h.longest_wait_minutes is not None
            else "-"
        )
        balance = f"{h.load_balance:.2f}" if h.load_balance is not None else "-"
        return [
            Text(h.name, style=style),
            str(h.waiting),
            Text(longest, style=style),
            str(h.windows_open),
            str(h.windows_busy),
            str(h.served),
            str(h.ratings),
            Text(str(h.poor_ratings), style="red" if h.poor_ratings else ""),
            balance,
        ]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.hall_app.view_hall(event.row_key.value)
