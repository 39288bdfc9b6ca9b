"""The mini hall with bookings (预约): 社保 matters bookable, two places a slot; a webhook
sender, so that notices are written; and a copy of it as a hall file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from queue_app.domain.hall import Hall, parse_hall
from tests.conftest import FIXTURES, midday_timezone

BOOKINGS: dict[str, Any] = {
    "scopes": [
        {"name": "social", "domains": ["社保"], "capacity": 2},
        {"name": "enterprise", "windows": "3", "capacity": 1},
    ],
    "holidays": ["2026-11-25"],
    "half_days": {"2026-11-24": "12:00"},
}
SENDERS = {"sms": {"url": "http://127.0.0.1:9/hook", "secret_env": "QUEUE_APP_TEST_SMS"}}


def with_bookings(hall: Hall, **changes: Any) -> Hall:
    """``hall`` with the bookings above (``changes`` over them) and a notice sender."""
    data = hall.model_dump(mode="json")
    data["bookings"] = {**BOOKINGS, **changes}
    data["notices"]["senders"] = SENDERS
    return parse_hall(data)


def booking_hall_file(directory: Path, capacity: int) -> Path:
    """The mini hall with one bookable scope as a file, in the ``midday_timezone`` and open
    every day (for processes on the real clock)."""
    data = yaml.safe_load((FIXTURES / "mini_hall.yaml").read_text(encoding="utf-8"))
    data["hall"]["timezone"] = midday_timezone()
    data["hours"]["weekdays"] = [1, 2, 3, 4, 5, 6, 7]
    data["bookings"] = {
        "scopes": [{"name": "social", "domains": ["社保"], "capacity": capacity}],
        "per_number_per_day": 5,
    }
    path = directory / "booking_hall.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path
