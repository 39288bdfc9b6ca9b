"""Large type for the clerk's and the display's ticket numbers."""

from __future__ import annotations

import string

from rich.cells import cell_len

from queue_app.tui.bigtype import beside, big


def test_every_letter_and_digit_has_a_glyph_three_cells_square() -> None:
    for ch in string.ascii_uppercase + string.digits:
        rows = big(ch)
        assert [cell_len(r) for r in rows] == [3, 3, 3], ch
        assert "".join(rows).strip(), f"{ch} drew nothing"
    glyphs = {big(ch) for ch in string.ascii_uppercase + string.digits}
    assert len(glyphs) >= 34  # only O/0 and S/5 may look alike


def test_plain_words_sit_on_the_middle_row_and_every_row_is_as_wide() -> None:
    top, mid, bottom = beside("请 ", big("A023"), " 号 到 ", big("5"), " 号窗口")
    assert cell_len(top) == cell_len(mid) == cell_len(bottom)
    assert mid.startswith("请 ") and mid.endswith(" 号窗口") and not top.strip().startswith("请")
    assert big("a1") == big("A1")  # lower case drawn as upper
