"""Command fixtures: the mini catalog and hall, and a SQLite file of the test's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES, hall_file, midday_hall


@pytest.fixture()
def mini_env(tmp_path: Path) -> dict[str, str]:
    return {
        "QUEUE_APP_CATALOG": str(FIXTURES / "mini_catalog.yaml"),
        "QUEUE_APP_HALL": str(midday_hall(tmp_path)),  # on the real clock
        "QUEUE_APP_DB": hall_file(tmp_path / "cli.db"),
    }
