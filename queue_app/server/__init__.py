"""The hall server: FastAPI over the store."""

from queue_app.server.app import HallServer, create_app

__all__ = ["HallServer", "create_app"]
