"""Screenshots of the terminals for the README (``docs/*.svg``), taken the way ``queue-app
demo`` runs: the default hall and the real catalog, a morning seeded, the embedded server,
each terminal driven by Textual's Pilot. The hall's clock is moved to mid-morning (11:00)
so the pictures show a busy hall at any hour this is run.

    python3 tools/screenshots.py [--out docs]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList, Static

from queue_app.demo import SimClock
from queue_app.demo_live import PASSWORD, EmbeddedServer, seed
from queue_app.loaders import default_catalog_path, default_hall_path, load_catalog, load_hall_for
from queue_app.store import Store
from queue_app.tui.app import HallApp
from queue_app.tui.clerk import ClerkScreen
from queue_app.tui.desk import DeskScreen
from queue_app.tui.manager import ManagerScreen

SIZE = (140, 40)


def _eleven_o_clock_zone() -> str:
    offset = 11 - dt.datetime.now(dt.UTC).hour
    return "Etc/GMT" + (f"-{offset}" if offset > 0 else f"+{-offset}" if offset < 0 else "")


async def _until(pilot: Pilot[None], check: Callable[[], object], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the screen did not get ready: {check}")
        await pilot.pause(0.05)
    await pilot.pause(0.5)  # the debounced reload after the last event


async def _shoot(
    url: str,
    role: str,
    user: str,
    out: Path,
    ready: Callable[[HallApp, Pilot[None]], Awaitable[None]],
    window: int | None = None,
) -> None:
    app = HallApp(url, role, window=window, username=user, password=PASSWORD, clock=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        out.write_text(app.export_screenshot(title="queue_app"), encoding="utf-8")
    print(f"wrote {out}")


async def _manager(app: HallApp, pilot: Pilot[None]) -> None:
    def ready() -> bool:
        s = app.screen
        return isinstance(s, ManagerScreen) and s.query_one("#domains", DataTable).row_count > 0

    await _until(pilot, ready)


async def _desk(app: HallApp, pilot: Pilot[None]) -> None:
    await _until(pilot, lambda: isinstance(app.screen, DeskScreen))
    await pilot.press(*"gtgsh")
    hits = app.screen.query_one("#hits", OptionList)
    await _until(pilot, lambda: hits.option_count > 0)


async def _clerk(app: HallApp, pilot: Pilot[None]) -> None:
    def ready() -> bool:
        s = app.screen
        return isinstance(s, ClerkScreen) and "·" in str(s.query_one("#figures", Static).content)

    await _until(pilot, ready)


async def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    catalog = load_catalog(default_catalog_path())
    hall = load_hall_for(default_hall_path(), catalog)
    hall = hall.model_copy(
        update={"hall": hall.hall.model_copy(update={"timezone": _eleven_o_clock_zone()})}
    )
    with tempfile.TemporaryDirectory(prefix="queue-app-shots-") as tmp:
        clock = SimClock(time.time())
        store = Store(f"sqlite:///{Path(tmp) / 'demo.db'}", catalog, hall, clock=clock)
        try:
            seed(store, catalog, hall, clock, tickets=160)
            with EmbeddedServer(store) as server:
                await _shoot(server.url, "manager", "manager", out / "manager.svg", _manager)
                await _shoot(server.url, "desk", "desk", out / "desk.svg", _desk)
                busy = next(
                    w.number
                    for w in store.windows()
                    if w.ticket is not None and w.kind == "undifferentiated"
                )
                await _shoot(
                    server.url, "clerk", f"clerk{busy}", out / "clerk.svg", _clerk, window=busy
                )
        finally:
            store.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs"))
    asyncio.run(main(parser.parse_args().out))
