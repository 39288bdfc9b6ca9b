"""Fixtures for the simulator: the real catalog, the default hall, the default demand."""

from __future__ import annotations

import pytest

from queue_app.domain.catalog import Catalog
from queue_app.domain.demand import Demand
from queue_app.domain.hall import Hall
from queue_app.loaders import load_demand_for, load_hall_for
from tests.conftest import REPO


@pytest.fixture(scope="session")
def default_hall(real_catalog: Catalog) -> Hall:
    return load_hall_for(REPO / "windows" / "default.yaml", real_catalog)


@pytest.fixture(scope="session")
def default_demand(real_catalog: Catalog) -> Demand:
    return load_demand_for(REPO / "demand" / "default.yaml", real_catalog)
