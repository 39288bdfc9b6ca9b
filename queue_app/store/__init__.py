"""Persistence: SQLModel tables, engine set-up, and the atomic hall operations."""

from queue_app.store.engine import default_database_url, make_engine
from queue_app.store.store import Issued, Store

__all__ = ["Issued", "Store", "default_database_url", "make_engine"]
