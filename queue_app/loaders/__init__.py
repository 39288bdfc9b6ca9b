"""Reading catalog and hall files: YAML with line numbers, errors that say where."""

from queue_app.loaders.demand import default_demand_path, load_demand_for
from queue_app.loaders.files import (
    LoadError,
    default_catalog_path,
    default_city_path,
    default_hall_path,
    load_catalog,
    load_city,
    load_city_halls,
    load_elsewhere,
    load_hall,
    load_hall_for,
)

__all__ = [
    "LoadError",
    "default_catalog_path",
    "default_city_path",
    "default_demand_path",
    "default_hall_path",
    "load_catalog",
    "load_city",
    "load_city_halls",
    "load_demand_for",
    "load_elsewhere",
    "load_hall",
    "load_hall_for",
]
