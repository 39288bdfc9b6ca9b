"""Signed-in sessions remembered for a few seconds, so a request does not read the session
table each time. Every session that ends logs a ``signed_out`` event; each server empties
its cache when it hears one (its own changes at commit, other processes' through the event
feed), so a sign-out, a released seat or a disabled account takes effect at once."""

from __future__ import annotations

import time
from collections.abc import Callable

from queue_app.store.staff import Session

TTL_S = 5.0
MAX_ENTRIES = 10_000


class SessionCache:
    def __init__(
        self, ttl_s: float = TTL_S, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s = ttl_s
        self._now = monotonic
        self._hits: dict[str, tuple[Session, float]] = {}

    def get(self, token: str, wall_now: float) -> Session | None:
        """The cached session of ``token`` if checked recently and not expired."""
        hit = self._hits.get(token)
        if hit is None:
            return None
        session, checked = hit
        if self._now() - checked > self.ttl_s or session.expires_at < wall_now:
            self._hits.pop(token, None)
            return None
        return session

    def put(self, token: str, session: Session) -> None:
        if len(self._hits) >= MAX_ENTRIES:
            self._hits.clear()  # many distinct tokens at once: start afresh, never grow
        self._hits[token] = (session, self._now())

    def forget(self, token: str) -> None:
        self._hits.pop(token, None)

    def clear(self) -> None:
        """Forget every session (one ended somewhere: each is read afresh when next used)."""
        self._hits.clear()
