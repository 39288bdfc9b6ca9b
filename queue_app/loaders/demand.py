"""Load a demand profile (``demand/*.yaml``); every problem with file, line and field."""

from __future__ import annotations

import os
from pathlib import Path as FsPath

from queue_app.domain.catalog import Catalog
from queue_app.domain.demand import Demand, check_demand_against_catalog, parse_demand
from queue_app.loaders.files import _PACKAGE, _REPO, _first_existing, load_checked


def load_demand_for(file: str | os.PathLike[str], catalog: Catalog) -> Demand:
    """Load a demand profile and check the domains and bundles it names in ``catalog``."""
    return load_checked(file, parse_demand, lambda d: check_demand_against_catalog(d, catalog))


def default_demand_path(name: str = "default") -> FsPath:
    """``demand/<name>.yaml`` of this checkout, else the packaged copy."""
    return _first_existing(
        _REPO / "demand" / f"{name}.yaml", _PACKAGE / "data" / "demand" / f"{name}.yaml"
    )
