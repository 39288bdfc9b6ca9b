"""The bookable slots of a day (hours, lunch, issuing's end, holidays, half days), the
scope a booking's matters fall in, and the hall file's ``bookings:`` errors, located."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from queue_app.domain.booking_slots import day_slots, scope_for, slot_starting
from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Coverage, Hall
from queue_app.loaders import LoadError, load_hall_for
from tests.bookings import with_bookings
from tests.conftest import FIXTURES

MONDAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def hall(mini_hall: Hall) -> Hall:
    return with_bookings(mini_hall)


def starts(hall: Hall, day: dt.date) -> list[str]:
    return [s.start for s in day_slots(hall, day)]


def test_a_day_runs_from_opening_to_closing_around_lunch(hall: Hall) -> None:
    assert MONDAY.isoweekday() == 1
    morning = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    afternoon = ["13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00"]
    assert starts(hall, MONDAY) == morning + afternoon
    first = day_slots(hall, MONDAY)[0]
    at = dt.datetime(2026, 11, 23, 9, 0, tzinfo=hall.zone).timestamp()
    assert (first.end, first.at, first.end_at) == ("09:30", at, at + 1800)


def test_holidays_half_days_and_weekends(hall: Hall) -> None:
    assert starts(hall, dt.date(2026, 11, 24)) == starts(hall, MONDAY)[:6]  # closes 12:00
    assert starts(hall, dt.date(2026, 11, 25)) == []  # a holiday
    assert starts(hall, dt.date(2026, 11, 28)) == []  # a Saturday
    assert len(starts(hall, dt.date(2026, 11, 26))) == 14


def test_issuing_end_and_other_slot_lengths(mini_hall: Hall) -> None:
    data = mini_hall.model_dump(mode="json")
    data["hours"]["issue_until"] = "16:00"
    from queue_app.domain.hall import parse_hall

    hall = with_bookings(parse_hall(data), slot_minutes=45)
    assert starts(hall, MONDAY) == ["09:00", "09:45", "10:30", "11:15", "13:30", "14:15", "15:00"]


def test_a_slot_is_found_by_its_start_only(hall: Hall) -> None:
    s = day_slots(hall, MONDAY)[3]
    assert slot_starting(hall, s.at) == s
    assert slot_starting(hall, s.at + 60) is None
    lunch = dt.datetime(2026, 11, 23, 12, 0, tzinfo=hall.zone).timestamp()
    assert slot_starting(hall, lunch) is None


def test_matters_fall_in_the_first_scope_covering_them(hall: Hall, mini_catalog: Catalog) -> None:
    cover = Coverage(hall, mini_catalog)
    found = {c: scope_for(hall, cover, frozenset(c.split())) for c in ("M-SBK", "M-SBK M-YL")}
    assert {c: s.name if s else None for c, s in found.items()} == {
        "M-SBK": "social",
        "M-SBK M-YL": "social",
    }
    enterprise = scope_for(hall, cover, frozenset({"M-GT"}))  # window 3 serves 企业开办
    assert enterprise is not None and enterprise.name == "enterprise"
    assert scope_for(hall, cover, frozenset({"M-HZ"})) is None  # 出入境: not bookable
    assert scope_for(hall, cover, frozenset({"M-SBK", "M-HZ"})) is None  # no one window


BAD = [
    (
        {"scopes": [{"name": "x", "domains": ["火星"], "capacity": 2}]},
        "bookings.scopes[0].domains[0]",
        "unknown domain '火星'",
    ),
    (
        {"scopes": [{"name": "x", "windows": "7", "capacity": 2}]},
        "bookings.scopes[0].windows",
        "no window 7",
    ),
    (
        {"scopes": [{"name": "x", "capacity": 2}]},
        "bookings.scopes[0]",
        "expected domains or windows",
    ),
    (
        {"scopes": [{"name": "x", "domains": ["社保"], "capacity": "many"}]},
        "bookings.scopes[0].capacity",
        "expected a whole number",
    ),
    (
        {
            "scopes": [
                {"name": "x", "domains": ["社保"], "capacity": 1},
                {"name": "x", "domains": ["社保"], "capacity": 1},
            ]
        },
        "bookings.scopes[1].name",
        "duplicate scope 'x'",
    ),
    (
        {"half_days": {"2026-12-31": "08:00"}},
        "bookings.half_days.2026-12-31",
        "expected a time after opening",
    ),
    ({"keep_days": 30}, "bookings.keep_days", "at least no_shows.within_days (90)"),
    ({"horizon": 3}, "bookings.horizon", "unknown field"),
]


@pytest.mark.parametrize(
    ("section", "field", "message"), BAD, ids=[b[1] + ":" + b[2][:12] for b in BAD]
)
def test_broken_bookings_sections_fail_with_file_line_and_field(
    tmp_path: Path, mini_catalog: Catalog, section: dict, field: str, message: str
) -> None:
    text = (FIXTURES / "mini_hall.yaml").read_text(encoding="utf-8")
    text += "bookings:\n" + "".join(
        "  " + line + "\n" for line in yaml.safe_dump(section, allow_unicode=True).splitlines()
    )
    path = tmp_path / "hall.yaml"
    path.write_text(text, encoding="utf-8")
    first_line = len((FIXTURES / "mini_hall.yaml").read_text(encoding="utf-8").splitlines()) + 1
    with pytest.raises(LoadError) as e:
        load_hall_for(path, mini_catalog)
    said = str(e.value)
    assert f"{path}:" in said and field in said and message in said, said
    line = int(said.split(f"{path}:")[1].split(":")[0])
    assert line > first_line - 1, said  # in the bookings section, not at the top


def test_a_hall_file_names_its_holidays_and_half_days_as_plain_dates(
    tmp_path: Path, mini_catalog: Catalog
) -> None:
    text = (FIXTURES / "mini_hall.yaml").read_text(encoding="utf-8") + (
        "bookings:\n"
        "  scopes: [{name: social, domains: [社保], capacity: 3}]\n"
        "  holidays: [2026-11-25]\n"
        '  half_days: {2026-11-24: "12:00"}\n'
    )
    path = tmp_path / "hall.yaml"
    path.write_text(text, encoding="utf-8")
    hall = load_hall_for(path, mini_catalog)
    assert hall.bookings.holidays == [dt.date(2026, 11, 25)]
    assert hall.bookings.half_days == {dt.date(2026, 11, 24): "12:00"}
    assert starts(hall, dt.date(2026, 11, 25)) == [] and starts(hall, MONDAY)
