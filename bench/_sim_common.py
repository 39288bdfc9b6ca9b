"""Shared set-up of the simulation benchmarks: the catalog, a hall, a demand profile."""

from __future__ import annotations

from pathlib import Path

from queue_app.domain.catalog import Catalog
from queue_app.domain.demand import Demand
from queue_app.domain.hall import Hall
from queue_app.loaders import (
    default_catalog_path,
    default_demand_path,
    default_hall_path,
    load_catalog,
    load_demand_for,
    load_hall_for,
)


def inputs(hall: str | None = None, demand: str | None = None) -> tuple[Catalog, Hall, Demand]:
    catalog = load_catalog(default_catalog_path())
    h = load_hall_for(Path(hall) if hall else default_hall_path(), catalog)
    d = load_demand_for(Path(demand) if demand else default_demand_path(), catalog)
    return catalog, h, d
