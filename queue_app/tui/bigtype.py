"""Large type for ticket numbers and windows: a 3x3 font of box-drawing characters for
A-Z and 0-9 (any prefix a hall may choose), legible across a counter or a hall."""

from __future__ import annotations

from rich.cells import cell_len

_GLYPHS = {
    "0": ("┏━┓", "┃ ┃", "┗━┛"),
    "1": ("╺┓ ", " ┃ ", "╺┻╸"),
    "2": ("╺━┓", "┏━┛", "┗━╸"),
    "3": ("╺━┓", " ━┫", "╺━┛"),
    "4": ("╻ ╻", "┗━┫", "  ╹"),
    "5": ("┏━╸", "┗━┓", "╺━┛"),
    "6": ("┏━╸", "┣━┓", "┗━┛"),
    "7": ("╺━┓", "  ┃", "  ╹"),
    "8": ("┏━┓", "┣━┫", "┗━┛"),
    "9": ("┏━┓", "┗━┫", "╺━┛"),
    "A": ("┏━┓", "┣━┫", "╹ ╹"),
    "B": ("┳━┓", "┣━┫", "┻━┛"),
    "C": ("┏━╸", "┃  ", "┗━╸"),
    "D": ("┳━┓", "┃ ┃", "┻━┛"),
    "E": ("┏━╸", "┣━ ", "┗━╸"),
    "F": ("┏━╸", "┣━ ", "╹  "),
    "G": ("┏━╸", "┃╺┓", "┗━┛"),
    "H": ("╻ ╻", "┣━┫", "╹ ╹"),
    "I": ("╺┳╸", " ┃ ", "╺┻╸"),
    "J": ("  ╻", "  ┃", "┗━┛"),
    "K": ("╻ ╻", "┣━┛", "╹ ╹"),
    "L": ("╻  ", "┃  ", "┗━╸"),
    "M": ("┏┳┓", "┃╹┃", "╹ ╹"),
    "N": ("┏━┓", "┃ ┃", "╹ ╹"),
    "O": ("┏━┓", "┃ ┃", "┗━┛"),
    "P": ("┏━┓", "┣━┛", "╹  "),
    "Q": ("┏━┓", "┃ ┃", "┗━╋"),
    "R": ("┏━┓", "┣┳┛", "╹┗╸"),
    "S": ("┏━╸", "┗━┓", "╺━┛"),
    "T": ("╺┳╸", " ┃ ", " ╹ "),
    "U": ("╻ ╻", "┃ ┃", "┗━┛"),
    "V": ("╻ ╻", "╲ ╱", " ╹ "),
    "W": ("╻ ╻", "┃┃┃", "┗┻┛"),
    "X": ("╲ ╱", " ╳ ", "╱ ╲"),
    "Y": ("╲ ╱", " ┃ ", " ╹ "),
    "Z": ("╺━┓", " ╱ ", "┗━╸"),
}
_BLANK = ("   ", "   ", "   ")


def big(text: str) -> tuple[str, str, str]:
    """``text`` in large type: three rows (a character without a glyph is left blank)."""
    glyphs = [_GLYPHS.get(ch, _BLANK) for ch in text.upper()]
    top, mid, bottom = (" ".join(g[row] for g in glyphs) for row in range(3))
    return top, mid, bottom


def beside(*parts: str | tuple[str, str, str]) -> tuple[str, str, str]:
    """Large type and plain words in one block of three rows: plain words sit on the
    middle row, padded above and below to their width on screen."""
    rows: list[list[str]] = [[], [], []]
    for part in parts:
        block = (
            (" " * cell_len(part), part, " " * cell_len(part)) if isinstance(part, str) else part
        )
        for row, text in zip(rows, block, strict=True):
            row.append(text)
    top, mid, bottom = ("".join(r) for r in rows)
    return top, mid, bottom


def rows(lines: list[str]) -> tuple[str, str, str]:
    """Up to two lines of plain words beside large type: on its middle and bottom rows,
    padded to one width."""
    mid, bottom = ([*lines, "", ""])[:2]
    width = max(cell_len(mid), cell_len(bottom))
    pad = " " * width
    return pad, mid + " " * (width - cell_len(mid)), bottom + " " * (width - cell_len(bottom))
