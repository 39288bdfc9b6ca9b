"""What printed slips cost: the issue of a ticket with its print job written in the same
transaction against one without, and how many slips a second one printer's worker prints
to a real TCP printer on 127.0.0.1 (a listener that decodes each slip as a printer does).

    PYTHONPATH=. python bench/printing.py [--tickets 300] [--slips 200]

The default hall and catalog on a new SQLite file, the store in process.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from queue_app.domain.hall import Hall, PrinterSpec, Station, StationKind
from queue_app.loaders import default_catalog_path, default_hall_path, load_catalog, load_hall_for
from queue_app.server import create_app
from queue_app.server.printers import PrintSettings
from queue_app.store import Store
from tests.printing.escpos_listener import EscposListener


def printing_hall(hall: Hall, device: str, status: bool) -> Hall:
    spec = PrinterSpec(device=device, paper=80, status=status)
    station = Station(name="desk-1", kind=StationKind.DESK, printer="front")
    return hall.model_copy(update={"printers": {"front": spec}, "stations": [station]})


def ms(values: list[float]) -> str:
    q = statistics.quantiles(values, n=100)
    return f"median {statistics.median(values) * 1e3:.2f} ms, p99 {q[98] * 1e3:.2f} ms"


async def throughput(tmp: Path, hall: Hall, slips: int, status: bool) -> float:
    catalog = load_catalog(default_catalog_path())
    printer = EscposListener().start()
    try:
        hall = printing_hall(hall, printer.device, status)
        at = dt.datetime(2026, 12, 2, 10, 0, tzinfo=hall.zone).timestamp()
        store = Store(f"sqlite:///{tmp}/print-{status}.db", catalog, hall, clock=lambda: at)
        code = next(m.code for m in catalog.matters if m.undifferentiated)
        app = create_app(store, public_url="http://192.168.1.10:8600", printing=PrintSettings())
        async with app.running():
            t0 = time.perf_counter()
            for _ in range(slips):
                store.issue([code], station="desk-1", slip=False)
            await asyncio.to_thread(printer.wait_for, slips, 120.0)
            took = time.perf_counter() - t0
        store.dispose()
        assert len(printer.slips) == slips and not printer.errors
        return slips / took
    finally:
        printer.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--slips", type=int, default=200)
    args = parser.parse_args()
    catalog = load_catalog(default_catalog_path())
    hall = load_hall_for(default_hall_path(), catalog)
    with tempfile.TemporaryDirectory() as tmp:
        base = printing_hall(hall, "file:///dev/null", False)
        at = dt.datetime(2026, 12, 2, 10, 0, tzinfo=hall.zone).timestamp()
        store = Store(f"sqlite:///{tmp}/issue.db", catalog, base, clock=lambda: at)
        code = next(m.code for m in catalog.matters if m.undifferentiated)
        results: dict[str | None, list[float]] = {}
        for station in (None, "desk-1", None, "desk-1"):  # each twice: the second counts
            took = []
            for _ in range(args.tickets):
                t0 = time.perf_counter()
                store.issue([code], station=station, slip=False)
                took.append(time.perf_counter() - t0)
            results[station] = took
        store.dispose()
        print(f"issue, no print job:        {ms(results[None])}")
        print(f"issue, with its print job:  {ms(results['desk-1'])}")
        for status in (False, True):
            rate = asyncio.run(throughput(Path(tmp), hall, args.slips, status))
            print(f"printed over TCP (status: {str(status).lower()}): {rate:.0f} slips/s")


if __name__ == "__main__":
    main()
