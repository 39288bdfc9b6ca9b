"""A slip printer's device URL: ``tcp://host[:port]``, ``usb://VID:PID`` or ``file:///path``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal
from urllib.parse import urlsplit

RAW_PORT = 9100  # raw TCP printing (JetDirect)
EXAMPLES = "tcp://192.168.1.50:9100, usb://0416:5011 or file:///var/lib/queue-app/slips.bin"


class PrinterStatus(StrEnum):
    """A slip printer's state as its worker last found it."""

    UNKNOWN = "unknown"  # nothing tried yet
    ONLINE = "online"
    OFFLINE = "offline"  # no connection, a time-out, no such device
    PAPER_OUT = "paper_out"  # its paper sensor says so (a printer with ``status: true``)


class DeviceError(ValueError):
    """A device URL that does not name a printer."""


@dataclass(frozen=True, slots=True)
class Device:
    kind: Literal["tcp", "usb", "file"]
    host: str = ""
    port: int = RAW_PORT
    vendor: int = 0
    product: int = 0
    path: str = ""

    def __str__(self) -> str:
        if self.kind == "tcp":
            return f"tcp://{self.host}:{self.port}"
        if self.kind == "usb":
            return f"usb://{self.vendor:04x}:{self.product:04x}"
        return f"file://{self.path}"


def _hex_id(text: str, what: str, url: str) -> int:
    try:
        value = int(text, 16)
    except ValueError:
        hint = f"expected a hexadecimal USB {what} id in {url!r}; e.g. {EXAMPLES}"
        raise DeviceError(hint) from None
    if not 0 <= value <= 0xFFFF:
        raise DeviceError(f"expected a USB {what} id from 0000 to ffff in {url!r}")
    return value


def parse_device(url: str) -> Device:
    """The device a URL names, or DeviceError saying what is wrong."""
    parts = urlsplit(url)
    if parts.scheme == "tcp":
        try:
            port = parts.port
        except ValueError:
            raise DeviceError(f"expected a port from 1 to 65535 in {url!r}") from None
        if not parts.hostname or parts.path not in ("", "/"):
            raise DeviceError(f"expected tcp://host or tcp://host:port; got {url!r}")
        return Device("tcp", host=parts.hostname, port=port or RAW_PORT)
    if parts.scheme == "usb":
        vendor, sep, product = parts.netloc.partition(":")
        if not sep or parts.path not in ("", "/"):
            raise DeviceError(f"expected usb://VID:PID (hexadecimal); got {url!r}")
        return Device(
            "usb", vendor=_hex_id(vendor, "vendor", url), product=_hex_id(product, "product", url)
        )
    if parts.scheme == "file":
        if parts.netloc or not parts.path.startswith("/"):
            raise DeviceError(f"expected file:///absolute/path; got {url!r}")
        return Device("file", path=parts.path)
    raise DeviceError(f"expected a device URL such as {EXAMPLES}; got {url!r}")
