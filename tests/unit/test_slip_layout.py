"""The printed slip: its hall-file section (printers, stations) with located errors, its
layout at 58 and 80 mm (a Chinese character two columns wide), and its ESC/POS bytes as a
printer reads them (GB18030 text, the native QR code, the cut)."""

from __future__ import annotations

from pathlib import Path

import pytest

from queue_app.domain.hall import PrinterSpec, StationKind
from queue_app.domain.printer_device import Device, DeviceError, parse_device
from queue_app.domain.slip import PAPERS, SlipText, cells, lay_out, window_ranges, wrap
from queue_app.loaders import LoadError, load_hall
from queue_app.printing.decode import DecodeError, decode, slips
from queue_app.printing.render import render
from tests.conftest import FIXTURES

PRINTING = """
printers:
  front: {device: "tcp://192.168.1.50", paper: 58}
  kiosk_printer: {device: "usb://0416:5011", status: true}
  spool: {device: "file:///var/tmp/slips.bin"}
stations:
  - {name: desk-1, kind: desk, printer: front}
  - {name: kiosk-1, kind: kiosk, printer: kiosk_printer}
  - {name: desk-2, kind: desk}
"""


def test_the_hall_file_names_printers_and_stations(tmp_path: Path) -> None:
    text = (FIXTURES / "mini_hall.yaml").read_text(encoding="utf-8")
    path = tmp_path / "hall.yaml"
    path.write_text(text + PRINTING, encoding="utf-8")
    hall = load_hall(path)
    assert hall.printers["front"] == PrinterSpec(device="tcp://192.168.1.50", paper=58)
    assert hall.printers["kiosk_printer"].paper == 80 and hall.printers["kiosk_printer"].status
    assert [(s.name, s.kind, s.printer) for s in hall.stations] == [
        ("desk-1", StationKind.DESK, "front"),
        ("kiosk-1", StationKind.KIOSK, "kiosk_printer"),
        ("desk-2", StationKind.DESK, None),
    ]
    assert parse_device("tcp://192.168.1.50") == Device("tcp", host="192.168.1.50", port=9100)
    assert parse_device("usb://0416:5011") == Device("usb", vendor=0x0416, product=0x5011)
    assert parse_device("file:///var/tmp/slips.bin") == Device("file", path="/var/tmp/slips.bin")
    assert load_hall(FIXTURES / "mini_hall.yaml").printers == {}


@pytest.mark.parametrize(
    ("section", "line", "message"),
    [
        (
            'printers:\n  front: {device: "lpt1"}\n',
            2,
            "printers.front.device: expected a device URL such as tcp://",
        ),
        (
            'printers:\n  front: {device: "tcp://printer:99999"}\n',
            2,
            "printers.front.device: expected a port from 1 to 65535",
        ),
        (
            'printers:\n  front: {device: "usb://04x6:5011"}\n',
            2,
            "printers.front.device: expected a hexadecimal USB vendor id",
        ),
        (
            'printers:\n  front: {device: "file://relative.bin"}\n',
            2,
            "printers.front.device: expected file:///absolute/path",
        ),
        (
            'printers:\n  front: {device: "tcp://p", paper: 76}\n',
            2,
            "printers.front.paper: expected 58 or 80; got 76",
        ),
        (
            'printers:\n  front: {device: "tcp://p", colour: red}\n',
            2,
            "printers.front.colour: unknown field",
        ),
        (
            "stations:\n  - {name: desk-1, kind: desk, printer: back}\n",
            2,
            "stations[0] (desk-1).printer: no printer 'back' under printers; this hall has none",
        ),
        (
            "stations:\n  - {name: desk-1, kind: till}\n",
            2,
            "stations[0] (desk-1).kind: expected 'desk' or 'kiosk'; got 'till'",
        ),
        (
            "stations:\n  - {name: desk-1, kind: desk}\n  - {name: desk-1, kind: kiosk}\n",
            3,
            "stations[1] (desk-1).name: duplicate station 'desk-1'",
        ),
        (
            "stations:\n  - {name: Desk One, kind: desk}\n",
            2,
            "stations[0] (Desk One).name: expected small letters, digits, hyphens and _ (1-40)",
        ),
    ],
)
def test_a_bad_printer_or_station_is_located_in_the_file(
    tmp_path: Path, section: str, line: int, message: str
) -> None:
    text = (FIXTURES / "mini_hall.yaml").read_text(encoding="utf-8")
    path = tmp_path / "hall.yaml"
    path.write_text(text + section, encoding="utf-8")
    with pytest.raises(LoadError) as e:
        load_hall(path)
    said = str(e.value)
    assert message in said, said
    assert said.startswith(f"{path}:{len(text.splitlines()) + line}:"), said


def test_device_errors_say_what_is_expected() -> None:
    for bad in ("tcp://", "usb://0416", "usb://10000:1", "http://printer"):
        with pytest.raises(DeviceError):
            parse_device(bad)


def test_wrapping_counts_a_chinese_character_as_two_columns() -> None:
    assert cells("社保ab") == 6
    lines = wrap("·企业开办一件事（设立登记、公章刻制、发票申领）ABC123 456", 20, indent=2)
    assert all(cells(t) <= 20 for t in lines)
    assert lines[0] == "·企业开办一件事（设"  # · and （ are double-byte: two columns
    assert all(t.startswith("  ") for t in lines[1:])
    assert "".join(t.strip() for t in lines).replace(" ", "") == (
        "·企业开办一件事（设立登记、公章刻制、发票申领）ABC123456"
    )
    assert wrap("ABC123 456789", 8) == ["ABC123", "456789"]  # a Latin word kept whole
    assert wrap("一二三四，五", 8) == ["一二三", "四，五"]  # no line begins with "，"
    assert window_ranges([23, 1, 2, 3, 4, 22, 7]) == "1-4, 7, 22, 23"


SLIP = SlipText(
    hall="广安区政务服务中心（城南新区综合服务大厅）",
    issued="2026-12-02 09:15",
    number="A023",
    class_name="综合业务",
    matters=("企业开办一件事：设立登记、公章刻制、发票申领、社保登记", "社会保障卡申领"),
    windows=(1, 2, 3, 4, 5, 22, 23),
    ahead=7,
    wait_minutes=12.6,
    materials=tuple(f"材料{i}（原件）" for i in range(7)),
    url="http://192.168.1.10:8600/t/Xy-42abcdefghijklmnopq",
)


@pytest.mark.parametrize(("mm", "columns"), [(58, 32), (80, 48)])
def test_the_slip_fits_its_paper_and_prints_as_laid_out(mm: int, columns: int) -> None:
    paper = PAPERS[mm]
    lines = lay_out(SLIP, paper)
    for line in lines:
        if line.kind == "text":
            width = cells(line.text) * (2 if line.big else 1)
            assert width <= columns, (mm, line.text)
    (printed,) = slips(decode(render(lines, paper)))
    text = [p.text for p in printed if p.kind == "text" and p.text]  # not the feed after QR
    laid = [x.text if x.kind == "text" else "-" * columns for x in lines if x.kind != "qr"]
    assert text == laid[:-1]  # every line as laid out (the last is the cut)
    assert [p.text for p in printed if p.kind == "qr"] == [SLIP.url]
    assert ("A023", True) in [(p.text, p.big) for p in printed]
    assert "前面等候：7 人" in text and "预计等候：约 13 分钟" in text
    assert "-" * columns in text
    assert "  另有 2 项，扫码查看" in text  # five materials shown, the rest on the page
    joined = "".join(t.strip() for t in text)
    assert "企业开办一件事：设立登记、公章刻制、发票申领、社保登记" in joined


def test_58_and_80_mm_wrap_differently() -> None:
    narrow = [line.text for line in lay_out(SLIP, PAPERS[58]) if line.kind == "text"]
    wide = [line.text for line in lay_out(SLIP, PAPERS[80]) if line.kind == "text"]
    assert narrow[0] == "广安区政务服务中心（城南新区综合" and narrow[1] == "服务大厅）"
    assert wide[0] == SLIP.hall
    assert len(narrow) > len(wide)


def test_the_bytes_are_gb18030_a_native_qr_command_and_a_cut() -> None:
    data = render(lay_out(SLIP, PAPERS[80]), PAPERS[80])
    assert "广安区".encode("gb18030") in data
    assert b"\x1c&" in data  # Chinese character mode
    stored = b"\x1d(k" + (len(SLIP.url) + 3).to_bytes(2, "little") + b"1P0" + SLIP.url.encode()
    assert stored in data and b"\x1d(k\x03\x001Q0" in data  # stored, then printed
    assert data.endswith(b"\x1dV\x00")  # the full cut
    with pytest.raises(DecodeError):
        decode(data[:-2])  # a stream cut short in a command is no slip
    with pytest.raises(DecodeError, match="unknown command ESC 0x74"):
        decode(b"\x1bt\x10abc\n")  # a code-page switch this printer never gets


def test_the_default_hall_files_printers_work_once_uncommented(tmp_path: Path) -> None:
    """windows/default.yaml (and its packaged copy, the same file) carries a commented
    printers and stations section that loads as it stands once its #s are removed."""
    from tests.conftest import REPO

    text = (REPO / "windows" / "default.yaml").read_text(encoding="utf-8")
    packaged = REPO / "queue_app" / "data" / "windows" / "default.yaml"
    assert packaged.read_text(encoding="utf-8") == text
    start = text.index("# printers:\n")
    end = text.index("\n\n", start)
    block = text[start:end]
    uncommented = "\n".join(line.removeprefix("# ") for line in block.splitlines())
    path = tmp_path / "default.yaml"
    path.write_text(text[:start] + uncommented + text[end:], encoding="utf-8")
    hall = load_hall(path)
    assert hall.printers["front-desk"].device == "file:///tmp/queue-app-slips.bin"
    assert [(s.name, s.printer) for s in hall.stations] == [("desk-1", "front-desk")]
    assert load_hall(REPO / "windows" / "default.yaml").printers == {}


def test_a_usb_printer_that_is_not_there_is_offline_with_its_address() -> None:
    """No such USB device on this machine (or no USB back-end): the worker sees the printer
    offline, with the device named, and keeps the slip for a later try."""
    from queue_app.printing.devices import PrinterFailure, send
    from queue_app.printing.devices import PrinterStatus as Status

    with pytest.raises(PrinterFailure) as failed:
        send(PrinterSpec(device="usb://0416:5011"), b"\x1b@slip")
    assert failed.value.status is Status.OFFLINE
    assert failed.value.detail.startswith("usb://0416:5011: ")
