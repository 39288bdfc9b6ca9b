"""The README's picture of printed slips (docs/images/slips.png): tickets issued at the
default hall (its real catalog) over a real store, each slip made as the printer's worker
makes it (``slip_text``, ``lay_out``, ``render``), decoded back from its ESC/POS bytes as a
printer reads them, and drawn on 80 and 58 mm paper.

    PYTHONPATH=. python3 tools/slip_image.py [docs/images/slips.png]
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from queue_app.domain.hall import PrinterSpec, Station, StationKind
from queue_app.domain.slip import PAPERS, lay_out
from queue_app.loaders import default_catalog_path, default_hall_path, load_catalog, load_hall_for
from queue_app.printing.decode import decode, slips
from queue_app.printing.picture import pictures
from queue_app.printing.render import render
from queue_app.store import Store
from queue_app.store.print_jobs import next_job
from queue_app.store.print_jobs import printed as printed_job
from queue_app.store.slips import slip_text

PUBLIC = "http://192.168.1.10:8600"


def main(out: Path) -> None:
    catalog = load_catalog(default_catalog_path())
    hall = load_hall_for(default_hall_path(), catalog)
    spec = PrinterSpec(device="file:///dev/null", paper=80)
    hall = hall.model_copy(
        update={
            "printers": {"front": spec},
            "stations": [Station(name="desk-1", kind=StationKind.DESK, printer="front")],
        }
    )
    at = dt.datetime(2026, 12, 2, 9, 40, tzinfo=hall.zone).timestamp()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/hall.db", catalog, hall, clock=lambda: at)
        for w in hall.windows[:8]:
            store.open_window(w.number, actor="manager")
        common = [m.code for m in catalog.matters if m.undifferentiated and m.materials]
        for code in common[:9]:
            store.issue([code])
        bundle = next(b for b in catalog.bundles if b.audience == "enterprise")
        store.issue(bundle=bundle.code, station="desk-1")
        store.issue([common[3]], station="desk-1")
        printed = []
        for paper in (PAPERS[80], PAPERS[58]):
            with store.uow.read() as tx:
                job = next_job(tx.conn, "front", store.today())
            assert job is not None
            data = render(lay_out(slip_text(store, job, PUBLIC), paper), paper)
            (slip,) = slips(decode(data))
            printed.append(slip)
            store.uow.run(lambda tx, job=job: printed_job(tx, job, "tools"))
        store.dispose()
    pictures(printed, [PAPERS[80], PAPERS[58]]).save(out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images/slips.png"))
