"""Daily ticket numbers: a class prefix and three digits, reset every business day."""

from __future__ import annotations


def format_number(prefix: str, seq: int) -> str:
    """``A`` and 23 give ``A023``; past 999 the number grows (``A1000``) rather than repeat."""
    if seq < 1:
        raise ValueError("ticket sequence numbers start at 1")
    return f"{prefix}{seq:03d}"
