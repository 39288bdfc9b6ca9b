"""Sending a slip's bytes to its printer: raw TCP (port 9100), USB (python-escpos, which
needs pyusb) or a file the slips are appended to. A printer that cannot take the slip
raises ``PrinterFailure`` with its state (offline or out of paper) and why.

A printer with ``status: true`` is asked for its paper sensor before each slip (DLE EOT 4)
and for its status after it (DLE EOT 1): its answer to the second says it has read the
slip, so the slip counts as printed only then."""

from __future__ import annotations

import contextlib
import os
from typing import Any

from queue_app.domain.hall import PrinterSpec
from queue_app.domain.printer_device import Device, PrinterStatus, parse_device

PAPER_QUERY = b"\x10\x04\x04"  # DLE EOT 4: the roll paper sensor
STATUS_QUERY = b"\x10\x04\x01"  # DLE EOT 1: the printer's status
PAPER_END = 0x60  # bits 5 and 6 of the paper sensor's answer: the paper has run out
TIMEOUT_S = 5.0


class PrinterFailure(Exception):
    def __init__(self, status: PrinterStatus, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _offline(detail: str) -> PrinterFailure:
    return PrinterFailure(PrinterStatus.OFFLINE, detail)


def send(spec: PrinterSpec, data: bytes, timeout: float = TIMEOUT_S) -> None:
    """Print ``data`` on the printer ``spec`` names, or raise ``PrinterFailure``."""
    device = parse_device(spec.device)
    if device.kind == "file":
        _append(device.path, data)
        return
    printer = _open(device, timeout)
    try:
        if spec.status:
            _ask(printer, PAPER_QUERY, "paper sensor", paper=True)
        printer._raw(data)
        if spec.status:
            _ask(printer, STATUS_QUERY, "status")
    except OSError as exc:
        raise _offline(f"{device}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(Exception):  # a connection already gone
            printer.close()


def _append(path: str, data: bytes) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
    except OSError as exc:
        raise _offline(f"file://{path}: {exc.strerror or exc}") from None


def _open(device: Device, timeout: float) -> Any:
    from escpos.exceptions import DeviceNotFoundError
    from escpos.printer import Network, Usb

    printer: Any
    if device.kind == "tcp":
        printer = Network(device.host, device.port, timeout=timeout)
    else:
        if not Usb.is_usable():
            raise _offline(f"{device}: USB printing needs the pyusb package")
        printer = Usb(device.vendor, device.product, timeout=int(timeout * 1000))
    try:
        printer.open()
    except DeviceNotFoundError as exc:
        raise _offline(f"{device}: {_first_line(exc)}") from None
    except Exception as exc:  # a USB back-end's own errors (no access, no such device)
        raise _offline(f"{device}: {_first_line(exc)}") from None
    return printer


def _first_line(exc: Exception) -> str:
    """The gist of a python-escpos error ("Could not open socket for …:\n[Errno 111]
    Connection refused)": its last line, without the closing parenthesis it adds)."""
    text = str(exc).strip().splitlines()
    return text[-1].strip().removesuffix(")") if text else type(exc).__name__


def _ask(printer: Any, query: bytes, what: str, paper: bool = False) -> None:
    printer._raw(query)
    try:
        answer = printer._read()
    except TimeoutError:
        raise _offline(f"no answer from the printer's {what}") from None
    if not answer:
        raise _offline(f"the printer closed the connection before its {what} answered")
    if paper and answer[0] & PAPER_END == PAPER_END:
        raise PrinterFailure(PrinterStatus.PAPER_OUT, "out of paper")
