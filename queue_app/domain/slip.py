"""A ticket's printed slip, laid out for 58 or 80 mm paper: lines of text in the printer's
columns (a Chinese character takes two), the QR code of the status page and the cut. Pure:
``queue_app.printing`` turns the lines into ESC/POS bytes, the README's image into pixels."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from queue_app.domain.catalog import Catalog

MATERIALS_SHOWN = 5  # materials listed on the slip; the status page lists every one


@dataclass(frozen=True, slots=True)
class Paper:
    """A paper width: the columns of the printer's standard font (12×24 dots) and its dots."""

    mm: int
    columns: int
    dots: int


PAPERS = {58: Paper(58, 32, 384), 80: Paper(80, 48, 576)}


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"


@dataclass(frozen=True, slots=True)
class Line:
    """One thing the printer does: a line of text (``big``: double width and height), a
    rule across the paper, the QR code of ``text``, or the feed and cut."""

    kind: Literal["text", "rule", "qr", "cut"]
    text: str = ""
    align: Align = Align.LEFT
    big: bool = False
    bold: bool = False


@dataclass(frozen=True, slots=True)
class SlipText:
    """What a slip says."""

    hall: str
    issued: str  # the local date and time, "2026-12-02 09:15"
    number: str
    class_name: str
    matters: tuple[str, ...]
    windows: tuple[int, ...]
    ahead: int | None  # None: the ticket no longer waits (a reprint)
    wait_minutes: float | None
    materials: tuple[str, ...]
    url: str | None  # the citizen's status page (the QR code); None: no public URL
    copy_no: int = 1  # 2 and on: a reprint


def cell(c: str) -> int:
    """Columns a character takes on the printer: in its Chinese mode every character
    beyond ASCII is a double-byte code printed in the 24×24 Chinese font, two columns
    (·, □ and （ too, which a terminal may show one column wide)."""
    return 1 if c.isascii() else 2


def cells(text: str) -> int:
    """Columns ``text`` takes on the printer."""
    return sum(cell(c) for c in text)


# no line begins with these: the character before them goes down with them (禁则)
CLOSING = frozenset("，。、；：？！）》」』】〕”’,.;:?!)]}%")


def wrap(text: str, columns: int, indent: int = 0) -> list[str]:
    """``text`` in lines of at most ``columns`` columns; the lines after the first indented
    by ``indent`` spaces. Chinese breaks between any two characters, but a closing mark
    never begins a line (the character before it goes down with it); a run of Latin
    letters and digits is kept whole when it fits on a line."""
    lines: list[str] = []
    line, used = "", 0
    for word in _words(text):
        width = cells(word)
        if used + width > columns and line.strip():
            carried = ""
            if word[0] in CLOSING and len(line.strip()) > 1:
                line, carried = line[:-1], line[-1]
            lines.append(line.rstrip())
            word = carried + word.lstrip()
            line, used = " " * indent, indent
            width = cells(word)
        if width > columns - used:  # a word longer than a line: split it anywhere
            for c in word:
                w = cells(c)
                if used + w > columns:
                    lines.append(line.rstrip())
                    line, used = " " * indent, indent
                line, used = line + c, used + w
            continue
        line, used = line + word, used + width
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def _words(text: str) -> Iterable[str]:
    """Runs of Latin letters and digits (with a leading space) and single other characters."""
    word = ""
    for c in text:
        if c.isascii() and c.isalnum():
            word += c
            continue
        if word:
            yield word
            word = ""
        if c == " ":
            word = " "
        else:
            yield c
    if word:
        yield word


def window_ranges(numbers: Sequence[int]) -> str:
    """``1-10, 22, 23``: runs of three or more as ranges."""
    out: list[str] = []
    ns = sorted(set(numbers))
    i = 0
    while i < len(ns):
        j = i
        while j + 1 < len(ns) and ns[j + 1] == ns[j] + 1:
            j += 1
        if j - i >= 2:
            out.append(f"{ns[i]}-{ns[j]}")
        else:
            out.extend(str(n) for n in ns[i : j + 1])
        i = j + 1
    return ", ".join(out)


def materials_of(catalog: Catalog, codes: Sequence[str]) -> tuple[str, ...]:
    """The required materials of the matters, each once, as "居民身份证（原件）"."""
    seen: dict[str, None] = {}
    for code in codes:
        matter = catalog.matter_by_code.get(code)
        for m in matter.materials if matter else ():
            if m.required:
                seen.setdefault(f"{m.name}（{m.form}）", None)
    return tuple(seen)


def _labelled(label: str, text: str, columns: int) -> list[Line]:
    return [Line("text", t) for t in wrap(f"{label}{text}", columns, indent=cells(label))]


def lay_out(slip: SlipText, paper: Paper) -> list[Line]:
    """The slip's lines for ``paper``: the hall, the instant, the number and class, the
    matters, the windows that may serve it, the people ahead and the wait, a short
    materials checklist, the QR code of the status page, the cut."""
    cols = paper.columns
    center = Align.CENTER
    lines = [Line("text", t, center, bold=True) for t in wrap(slip.hall, cols)]
    lines.append(Line("text", slip.issued, center))
    lines.append(Line("text", slip.number, center, big=True))
    lines += [Line("text", t, center) for t in wrap(slip.class_name, cols)]
    if slip.copy_no > 1:
        lines.append(Line("text", f"（补打 第 {slip.copy_no} 张）", center))
    lines.append(Line("rule"))
    lines.append(Line("text", "办理事项："))
    for name in slip.matters:
        lines += [Line("text", t) for t in wrap(f"·{name}", cols, indent=2)]
    lines += _labelled("可办窗口：", window_ranges(slip.windows) or "—", cols)
    if slip.ahead is not None:
        lines.append(Line("text", f"前面等候：{slip.ahead} 人"))
        wait = "—" if slip.wait_minutes is None else f"约 {round(slip.wait_minutes)} 分钟"
        lines.append(Line("text", f"预计等候：{wait}"))
    if slip.materials:
        lines.append(Line("rule"))
        lines.append(Line("text", "请备齐材料："))
        for m in slip.materials[:MATERIALS_SHOWN]:
            lines += [Line("text", t) for t in wrap(f"□{m}", cols, indent=2)]
        more = len(slip.materials) - MATERIALS_SHOWN
        if more > 0:
            lines += [Line("text", t) for t in wrap(f"  另有 {more} 项，扫码查看", cols, 2)]
    lines.append(Line("rule"))
    if slip.url:
        lines.append(Line("qr", slip.url, center))
        lines.append(Line("text", "扫码查看排队进度", center))
    lines += [Line("text", t, center) for t in wrap("请留意叫号，过号请到导办台", cols)]
    lines.append(Line("cut"))
    return lines


def rule(paper: Paper) -> str:
    return "-" * paper.columns
