"""queue_app: a unified service-window queue manager for government service halls."""

__version__ = "0.1.0"
