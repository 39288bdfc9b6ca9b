"""Request and response bodies of the slip printers' API (``/api/printers``, reprints),
shared by the server and the client. Instants are POSIX seconds (UTC)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from queue_app.api_models import _In

PrinterState = Literal["unknown", "online", "offline", "paper_out"]


class PrinterOut(BaseModel):
    """A slip printer of the hall file as its worker last found it."""

    name: str
    device: str  # tcp://host:port, usb://VID:PID or file:///path
    paper: int  # 58 or 80 (mm)
    state: PrinterState
    detail: str  # the last error ("" when printing)
    changed_at: float | None  # when the state last changed
    waiting: int  # today's slips not printed yet
    last_printed_at: float | None
    stations: list[str]  # the desks and kiosks printing here


class ReprintIn(_In):
    printer: Annotated[str, Field(min_length=1, max_length=40)] | None = None  # else the station's


class PrintJobOut(BaseModel):
    """A slip queued at a printer."""

    number: str
    copy_no: int  # 1: the first slip; 2 and on: reprints
    printer: str
    queued_at: float
