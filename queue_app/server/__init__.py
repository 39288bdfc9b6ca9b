"""The hall server: FastAPI over the store."""

from queue_app.server.app import create_app

__all__ = ["create_app"]
