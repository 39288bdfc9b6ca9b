"""The slip printers as the desk and the manager see them: one short line each."""

from __future__ import annotations

from queue_app.api_printing import PrinterOut
from queue_app.tui.i18n import N_, Words

STATE_WORDS = {
    "unknown": N_("not used yet"),
    "online": N_("online"),
    "offline": N_("offline"),
    "paper_out": N_("out of paper"),
}
TROUBLE = ("offline", "paper_out")


def printer_line(p: PrinterOut, w: Words) -> str:
    """``front: offline (3 waiting) tcp://…: Connection refused``."""
    said = w._(
        "printer {name}: {state} ({n} waiting)",
        name=p.name,
        state=w._(STATE_WORDS[p.state]),
        n=p.waiting,
    )
    if p.state in TROUBLE and p.detail and p.state != "paper_out":
        said += f" · {p.detail}"
    return said


def printers_line(printers: list[PrinterOut], w: Words) -> str:
    return " · ".join(printer_line(p, w) for p in printers)


def in_trouble(printers: list[PrinterOut]) -> bool:
    return any(p.state in TROUBLE for p in printers)
