"""What every sheet of the workbook shares: the cell formats, tables with a header band,
column widths that fit Chinese text, native charts over a table's columns, print set-up."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

Say = Callable[[str], str]  # a msgid in the reader's language
Value = float | int | str | dt.date | None

NUMBER_FORMATS = {
    "int": "#,##0",
    "min": "0.0",  # minutes
    "hours": "0.0",
    "share": "0.0%",
    "change": "+0.0%;-0.0%;0.0%",
    "ratio": "0.00",  # 忙闲均衡度
    "date": "yyyy-mm-dd",
    "rank": "0",
    "text": "@",
}
BLUE, PALE, GRID = "#1F4E79", "#DDEBF7", "#A6A6A6"


class Styles:
    """The workbook's formats: a header, a body and a total row format per number kind."""

    def __init__(self, wb: Workbook) -> None:
        border = {"border": 1, "border_color": GRID, "valign": "vcenter"}
        self.title = wb.add_format({"bold": True, "font_size": 16, "font_color": BLUE})
        self.note = wb.add_format({"font_color": "#595959"})
        self.section = wb.add_format({"bold": True, "font_size": 12, "font_color": BLUE})
        self.header = wb.add_format(
            {**border, "bold": True, "bg_color": PALE, "text_wrap": True, "align": "center"}
        )
        self.band = wb.add_format(
            {**border, "bold": True, "bg_color": BLUE, "font_color": "white", "align": "center"}
        )
        self.body = {
            k: wb.add_format({**border, "num_format": f}) for k, f in NUMBER_FORMATS.items()
        }
        for k in ("date", "rank"):
            self.body[k].set_align("center")
        self.total = {
            k: wb.add_format({**border, "num_format": f, "bold": True, "top": 2})
            for k, f in NUMBER_FORMATS.items()
        }
        self.widths: dict[tuple[str, int], float] = {}

    def fit(self, ws: Worksheet, col: int, width: float) -> None:
        """Column ``col`` at least ``width`` wide (two tables may share a column)."""
        key = (ws.name, col)
        if width > self.widths.get(key, 0.0):
            self.widths[key] = width
            ws.set_column(col, col, width)


@dataclass(frozen=True, slots=True)
class Col:
    """A table column: its header msgid, its number kind, its width (None: fit the text)."""

    header: str
    kind: str = "int"
    width: float | None = 10.0


def text_width(s: str) -> float:
    """Excel columns count characters; a Chinese one takes about two."""
    return sum(2.0 if unicodedata.east_asian_width(c) in "WF" else 1.1 for c in s)


def cell(ws: Worksheet, row: int, col: int, v: Value, fmt: Any) -> None:
    """A number as a number, a day as a date, text as text, nothing as a blank cell."""
    if v is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(v, dt.date):
        ws.write_datetime(row, col, dt.datetime.combine(v, dt.time()), fmt)
    elif isinstance(v, str):
        ws.write_string(row, col, v, fmt)
    else:
        ws.write_number(row, col, v, fmt)


def table(
    ws: Worksheet,
    st: Styles,
    say: Say,
    at: tuple[int, int],
    cols: Sequence[Col],
    rows: Sequence[Sequence[Value]],
    total: Sequence[Value] | None = None,
    bands: Sequence[tuple[str, int]] = (),
) -> int:
    """A table at ``at`` (row, column): an optional band row (msgid, columns spanned),
    the headers, the rows and a bold total; sets the widths; the row after it."""
    row, col0 = at
    if bands:
        left = col0
        for name, span in bands:
            if span > 1:
                ws.merge_range(row, left, row, left + span - 1, say(name) if name else "", st.band)
            else:
                ws.write_string(row, left, say(name) if name else "", st.band)
            left += span
        row += 1
    lines = 1
    for i, c in enumerate(cols):
        ws.write_string(row, col0 + i, say(c.header), st.header)
        texts = [say(c.header)] + [str(r[i]) for r in rows if isinstance(r[i], str)]
        width = c.width or min(max(text_width(t) for t in texts) + 2, 48)
        st.fit(ws, col0 + i, width)
        lines = max(lines, math.ceil(text_width(say(c.header)) / (width - 1.5)))
    ws.set_row(row, 15 * min(lines, 4) + 3)
    for r in rows:
        row += 1
        for i, (c, v) in enumerate(zip(cols, r, strict=True)):
            cell(ws, row, col0 + i, v, st.body[c.kind])
    if total is not None:
        row += 1
        for i, (c, v) in enumerate(zip(cols, total, strict=True)):
            cell(ws, row, col0 + i, v, st.total[c.kind])
    return row + 1


def key_table(
    ws: Worksheet,
    st: Styles,
    say: Say,
    at: tuple[int, int],
    headers: Sequence[str],
    rows: Sequence[tuple[str, str, Sequence[Value]]],
    kinds: Mapping[int, str] | None = None,
) -> int:
    """A table of named rows, each with its own number kind: (msgid, kind, values);
    ``kinds``: the kind of a value column whatever the row's (its index among values)."""
    row, col0 = at
    for i, h in enumerate(headers):
        ws.write_string(row, col0 + i, say(h) if h else "", st.header)
        st.fit(ws, col0 + i, 11.0)
    st.fit(ws, col0, max(text_width(say(name)) for name, _, _ in rows) + 2)
    for name, kind, values in rows:
        row += 1
        ws.write_string(row, col0, say(name), st.body["text"])
        for i, v in enumerate(values):
            cell(ws, row, col0 + 1 + i, v, st.body[(kinds or {}).get(i, kind)])
    return row + 1


@dataclass(frozen=True, slots=True)
class Series:
    """A chart's series: the column of values (sheet column), its name, line or column."""

    col: int
    name: str
    line: bool = False
    secondary: bool = False


def chart(
    wb: Workbook,
    sheet: str,
    title: str,
    rows: tuple[int, int],
    cats: int,
    series: Sequence[Series],
    axes: tuple[str, str | None] = ("", None),
    kind: str = "column",
    size: tuple[int, int] = (720, 320),
) -> Any:
    """A native chart over rows ``rows`` (first, last) of ``sheet``: categories from
    column ``cats``; columns (or bars) on the left axis, lines on the right one."""
    first, last = rows
    base = wb.add_chart({"type": kind})
    lines = wb.add_chart({"type": "line"}) if any(s.line for s in series) else None
    palette = ["#4472C4", "#ED7D31", "#A5A5A5", "#FFC000", "#5B9BD5", "#70AD47"]
    for i, s in enumerate(series):
        spec: dict[str, Any] = {
            "name": s.name,
            "categories": [sheet, first, cats, last, cats],
            "values": [sheet, first, s.col, last, s.col],
        }
        if s.line:
            spec |= {
                "y2_axis": s.secondary,
                "line": {"color": palette[i], "width": 2},
                "marker": {"type": "circle", "size": 4, "fill": {"color": palette[i]}},
            }
            assert lines is not None
            lines.add_series(spec)
        else:
            spec |= {"fill": {"color": palette[i]}, "gap": 60}
            base.add_series(spec)
    if lines is not None:
        lines.set_y2_axis({"name": axes[1] or "", "major_gridlines": {"visible": False}})
        base.combine(lines)
    base.set_title({"name": title, "name_font": {"size": 12, "bold": True}})
    grid = {"visible": True, "line": {"color": "#D9D9D9"}}
    base.set_y_axis({"name": axes[0], "major_gridlines": grid})
    if kind == "bar":  # the names down the side in the table's order, the values below
        base.set_y_axis({"reverse": True, "crossing": "max"})
        base.set_x_axis({"name": axes[0], "major_gridlines": grid})
    elif last - first > 12:
        base.set_x_axis({"num_font": {"rotation": -45}})
    base.set_legend({"position": "bottom"} if len(series) > 1 else {"none": True})
    base.set_size({"width": size[0], "height": size[1]})
    return base


def page(
    ws: Worksheet,
    headers: tuple[int, int],
    freeze: tuple[int, int] | None = None,
    fit: tuple[int, int] = (1, 0),
) -> None:
    """Frozen headers (the rows and columns above and left of ``freeze``), and printed
    landscape on A4 ``fit`` pages wide and tall (0: as many as it takes), the header rows
    (first, last) and the frozen columns on every page."""
    if freeze is not None:
        ws.freeze_panes(*freeze)
        ws.repeat_columns(0, freeze[1] - 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(*fit)
    ws.repeat_rows(*headers)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.set_footer("&C&P / &N")
