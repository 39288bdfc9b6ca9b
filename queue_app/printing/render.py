"""A slip's lines (``queue_app.domain.slip``) as ESC/POS bytes, through python-escpos.

Chinese text goes out as GB18030 bytes in the printer's Chinese character mode (FS &).
python-escpos's ``text`` encodes through its "magic" code-page switcher, which sends
GB18030 only for lines holding a character of U+4E00–U+9FA5 and otherwise picks a
single-byte code page (ESC t) a Chinese printer does not have (a line of full-width
punctuation would print as "?"); so every line is encoded here and written raw. The QR
code is the printer's own (GS ( k, ``native=True``): the phone reads the very URL sent.
"""

from __future__ import annotations

from collections.abc import Sequence

from escpos.printer import Dummy

from queue_app.domain.slip import Align, Line, Paper, rule

ENCODING = "gb18030"
INIT = b"\x1b@"  # ESC @: initialise
CHINESE_ON = b"\x1c&"  # FS &: Chinese (double-byte) character mode
QR_MODULE = {58: 6, 80: 8}  # dots per QR module: some 200 and 260 dots for a status URL


def render(lines: Sequence[Line], paper: Paper) -> bytes:
    """The bytes that print ``lines`` on ``paper``, ending with a feed and a full cut."""
    p = Dummy()
    p._raw(INIT + CHINESE_ON)
    for line in lines:
        align = "center" if line.align is Align.CENTER else "left"
        if line.kind == "text":
            big = line.big
            if big:
                p.set(align=align, bold=line.bold, double_height=True, double_width=True)
            else:
                p.set(align=align, bold=line.bold, normal_textsize=True)
            p._raw(line.text.encode(ENCODING) + b"\n")
        elif line.kind == "rule":
            p.set(align="left", bold=False, normal_textsize=True)
            p._raw(rule(paper).encode(ENCODING) + b"\n")
        elif line.kind == "qr":
            p.set(align=align, bold=False, normal_textsize=True)
            p.qr(line.text, native=True, size=QR_MODULE[paper.mm])
            p._raw(b"\n")
        else:
            p.cut()
    return bytes(p.output)
