"""A picture of what a printer prints from an ESC/POS stream (``decode``), for the README
and for looking at a file printer's slips: the printer's dot grid (12×24 dots a Latin
character, 24×24 a Chinese one, doubled when big) and the QR code's modules, in a CJK font.

    python -m queue_app.printing.picture SLIPS.bin OUT.png [--paper 58|80]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from queue_app.domain.slip import PAPERS, Paper, cell
from queue_app.printing.decode import Printed, decode, slips

FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
CELL_W, CELL_H = 12, 24  # dots of a half-width character (font A)
MARGIN = 16  # white around the paper's printable width, as the roll shows it
GAP = 24  # between slips side by side


def _font(size: int) -> ImageFont.FreeTypeFont:
    for path in FONTS:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    raise FileNotFoundError(f"no CJK font found (looked for {', '.join(FONTS)})")


def _qr(text: str, module: int) -> Image.Image:
    code = qrcode.QRCode(
        border=0, box_size=module, error_correction=qrcode.constants.ERROR_CORRECT_L
    )
    code.add_data(text)
    code.make(fit=True)
    made: Image.Image = code.make_image(fill_color="black", back_color="white").get_image()
    return made.convert("L")


def picture(slip: Sequence[Printed], paper: Paper) -> Image.Image:
    """One slip on its paper, in grey."""
    fonts = {1: _font(CELL_H), 2: _font(CELL_H * 2)}
    rows: list[tuple[str, object]] = []
    height = MARGIN * 2
    for p in slip:
        if p.kind == "qr":
            img = _qr(p.text, p.qr_module)
            rows.append(("qr", (p, img)))
            height += img.height
        else:
            rows.append(("text", p))
            height += CELL_H * (2 if p.big else 1)
    page = Image.new("L", (paper.dots + 2 * MARGIN, height), 255)
    draw = ImageDraw.Draw(page)
    y = MARGIN
    for kind, item in rows:
        if kind == "qr":
            p, img = item  # type: ignore[misc]
            x = MARGIN + (paper.dots - img.width) // 2 if p.align == "center" else MARGIN
            page.paste(img, (x, y))
            y += img.height
            continue
        p = item  # type: ignore[assignment]
        scale = 2 if p.big else 1
        width = sum(cell(c) * CELL_W * scale for c in p.text)
        x = MARGIN
        if p.align == "center":
            x += max(0, (paper.dots - width) // 2)
        elif p.align == "right":
            x += max(0, paper.dots - width)
        for c in p.text:
            draw.text(
                (x, y),
                c,
                font=fonts[scale],
                fill=0,
                stroke_width=1 if p.bold else 0,
                stroke_fill=0,
            )
            x += cell(c) * CELL_W * scale
        y += CELL_H * scale
    return page


def pictures(slips_: Sequence[Sequence[Printed]], papers: Sequence[Paper]) -> Image.Image:
    """Slips side by side (each on its paper), on a light background."""
    pages = [picture(s, p) for s, p in zip(slips_, papers, strict=True)]
    width = sum(p.width for p in pages) + GAP * (len(pages) + 1)
    height = max(p.height for p in pages) + 2 * GAP
    out = Image.new("L", (width, height), 225)
    x = GAP
    for page in pages:
        out.paste(page, (x, GAP))
        x += page.width + GAP
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stream", type=Path, help="ESC/POS bytes (a file printer's file)")
    parser.add_argument("out", type=Path, help="the PNG to write")
    parser.add_argument("--paper", type=int, choices=sorted(PAPERS), default=80)
    parser.add_argument("--last", type=int, default=3, help="how many of the last slips")
    args = parser.parse_args(argv)
    cut = slips(decode(args.stream.read_bytes()))[-args.last :]
    if not cut:
        parser.error(f"{args.stream} holds no whole slip")
    pictures(cut, [PAPERS[args.paper]] * len(cut)).save(args.out)


if __name__ == "__main__":
    main()
