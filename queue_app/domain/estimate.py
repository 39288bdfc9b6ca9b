"""Estimated wait for a new ticket (the plain queue-length formula)."""

from __future__ import annotations


def queue_length_wait(ahead: int, mean_service_minutes: float, servers: int) -> float | None:
    """Minutes until a window is free for someone with ``ahead`` people before them.

    With ``servers`` open windows able to serve the ticket, each taking
    ``mean_service_minutes`` per ticket: ahead × mean ÷ servers. None when no window is open.
    """
    if servers <= 0:
        return None
    return ahead * mean_service_minutes / servers
