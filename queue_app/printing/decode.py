"""What a printer makes of an ESC/POS stream: the lines of text (GB18030 in Chinese mode),
the QR codes (GS ( k: the data stored, printed) and the cuts, with each line's alignment,
size and weight. Covers the commands ``render`` sends and a printer's usual set-up ones;
any other control byte is an error, so a test sees a stream it did not expect. Fed a piece
at a time, as a printer reads its socket: ``queries`` are the status requests (DLE EOT n)
a printer answers at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ESC, GS, FS, DLE, LF = 0x1B, 0x1D, 0x1C, 0x10, 0x0A


class DecodeError(ValueError):
    """A byte stream that is not the ESC/POS this decoder knows."""


@dataclass(frozen=True, slots=True)
class Printed:
    """One printed thing: a line of text, a QR code (its data), a cut."""

    kind: Literal["text", "qr", "cut"]
    text: str = ""
    align: Literal["left", "center", "right"] = "left"
    big: bool = False
    bold: bool = False
    qr_module: int = 3  # dots per QR module


@dataclass
class Decoder:
    printed: list[Printed] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)  # DLE EOT n, in order
    _buf: bytes = b""
    _line: bytearray = field(default_factory=bytearray)
    _align: Literal["left", "center", "right"] = "left"
    _big: bool = False
    _bold: bool = False
    _qr_data: bytes = b""
    _qr_module: int = 3
    chinese: bool = False

    def feed(self, data: bytes) -> list[int]:
        """Decode what ``data`` completes; the status queries it held (to answer now)."""
        self._buf += data
        asked: list[int] = []
        i = 0
        buf = self._buf
        while i < len(buf):
            n = self._step(buf, i, asked)
            if n == 0:  # an incomplete command: wait for more
                break
            i += n
        self._buf = buf[i:]
        self.queries += asked
        return asked

    def finish(self) -> list[Printed]:
        """Everything printed; an unfinished command or line at the end is an error."""
        if self._buf:
            raise DecodeError(f"the stream ends inside a command: {self._buf[:16]!r}")
        if self._line:
            self._flush()
        return self.printed

    def _flush(self) -> None:
        try:
            text = bytes(self._line).decode("gb18030")
        except UnicodeDecodeError as exc:
            raise DecodeError(f"not GB18030 text: {bytes(self._line)!r} ({exc})") from None
        self.printed.append(Printed("text", text, self._align, self._big, self._bold))
        self._line.clear()

    def _step(self, b: bytes, i: int, asked: list[int]) -> int:
        c = b[i]
        need = len(b) - i
        if c == LF:
            self._flush()
            return 1
        if c >= 0x20 or c == 0x0D:
            if c != 0x0D:
                self._line.append(c)
            return 1
        if need < 2:
            return 0
        op = b[i + 1]
        if c == ESC:
            if op == ord("@"):
                self._align, self._big, self._bold, self.chinese = "left", False, False, False
                return 2
            if need < 3:
                return 0
            arg = b[i + 2]
            if op == ord("!"):
                self._big = bool(arg & 0x30 == 0x30)
            elif op == ord("E"):
                self._bold = bool(arg & 1)
            elif op == ord("a"):
                self._align = ("left", "center", "right")[arg % 48 if arg >= 48 else arg]
            elif op == ord("d"):
                if self._line:
                    self._flush()
            elif op not in (ord("-"), ord("M"), ord("G")):
                raise DecodeError(f"unknown command ESC {op:#04x}")
            return 3
        if c == FS:
            if op == ord("&"):
                self.chinese = True
            elif op == ord("."):
                self.chinese = False
            else:
                raise DecodeError(f"unknown command FS {op:#04x}")
            return 2
        if c == DLE:
            if op != 0x04:
                raise DecodeError(f"unknown command DLE {op:#04x}")
            if need < 3:
                return 0
            asked.append(b[i + 2])
            return 3
        if c == GS:
            if op == ord("V"):
                if need < 3:
                    return 0
                size = 4 if b[i + 2] in (65, 66) else 3
                if need < size:
                    return 0
                if self._line:
                    self._flush()
                self.printed.append(Printed("cut"))
                return size
            if op in (ord("!"), ord("B")):
                if need < 3:
                    return 0
                if op == ord("!"):
                    self._big = b[i + 2] == 0x11
                return 3
            if op == ord("("):
                if need < 5:
                    return 0
                size = 5 + b[i + 3] + 256 * b[i + 4]
                if need < size:
                    return 0
                if b[i + 2] == ord("k"):
                    self._qr(b[i + 5 : i + size])
                return size
            raise DecodeError(f"unknown command GS {op:#04x}")
        raise DecodeError(f"unknown control byte {c:#04x}")

    def _qr(self, body: bytes) -> None:
        """GS ( k with cn '1' (QR): store the data (P), print it (Q), module size (C)."""
        if len(body) < 2 or body[0] != ord("1"):
            raise DecodeError(f"GS ( k for a symbol other than a QR code: {body[:4]!r}")
        fn = body[1]
        if fn == ord("P"):
            self._qr_data = body[3:]
        elif fn == ord("C"):
            self._qr_module = body[2]
        elif fn == ord("Q"):
            text = self._qr_data.decode("utf-8")
            self.printed.append(Printed("qr", text, self._align, qr_module=self._qr_module))


def slips(printed: list[Printed]) -> list[list[Printed]]:
    """The printed things cut into slips (each ending at a cut; what follows the last cut
    is not a slip yet)."""
    out: list[list[Printed]] = []
    current: list[Printed] = []
    for p in printed:
        if p.kind == "cut":
            out.append(current)
            current = []
        else:
            current.append(p)
    return out


def decode(data: bytes) -> list[Printed]:
    """Everything ``data`` prints."""
    d = Decoder()
    d.feed(data)
    return d.finish()
