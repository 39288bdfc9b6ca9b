"""The webhook's signature: HMAC-SHA256 over ``"<timestamp>.<body>"`` under the sender's
secret, sent as ``X-Queue-Signature: sha256=<hex>`` with ``X-Queue-Timestamp``. Pure."""

from __future__ import annotations

import hashlib
import hmac

DELIVERY, TIMESTAMP, SIGNATURE = "X-Queue-Delivery", "X-Queue-Timestamp", "X-Queue-Signature"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The value of ``X-Queue-Signature`` for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    given: str,
    *,
    now: float | None = None,
    tolerance_s: float = 300.0,
) -> bool:
    """Whether ``given`` signs ``body`` at ``timestamp`` (and, with ``now``, whether the
    timestamp is within ``tolerance_s`` of it: an old request replayed is refused)."""
    if now is not None:
        try:
            if abs(now - float(timestamp)) > tolerance_s:
                return False
        except ValueError:
            return False
    return hmac.compare_digest(signature(secret, timestamp, body), given)
