"""The notices' worker in a hall server process: an asyncio task that claims due notices
of the outbox (``queue_app.store.notices``), posts each to its sender's webhook and marks
it delivered, or tries it again later.

Delivery is at least once: a process that dies between the receiver's answer and the mark
sends that notice again once its lease runs out, with the same delivery id
(``X-Queue-Delivery``, the notice's id), on which the receiver deduplicates. Two processes
never hold one notice at once: a claim takes due rows ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL (SQLite's writers take turns) and leases them to this process.

A failed attempt (a time-out, no connection, 5xx, 408, 429) is tried again after a back-off
of ``retry_first_s`` doubling up to ``retry_max_s`` on the hall's clock; after the sender's
``max_attempts`` the notice is a dead letter, which a manager sees and may send again. Any
other answer (a 4xx, a redirect) is dead at once: the receiver refused it, and would again.
A sender whose secret is not in the environment is not tried: its notices wait, and the
manager sees why (``missing_secrets``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from queue_app.domain.notice_rules import NoticeKind, WebhookSender
from queue_app.domain.notice_text import notice_text
from queue_app.domain.webhook_signature import DELIVERY, SIGNATURE, TIMESTAMP, signature
from queue_app.store import Store, notices
from queue_app.store.contacts import ContactKeys, hall_keys
from queue_app.store.uow import EventInfo, Tx

log = logging.getLogger("queue_app.notices")


def _env_float(name: str, default: float) -> float:
    given = os.environ.get(name, "")
    try:
        return float(given) if given else default
    except ValueError:
        return default


@dataclass(frozen=True, slots=True)
class NoticeSettings:
    """How the worker polls, leases and backs off (seconds)."""

    poll_s: float = 2.0  # looks for due notices at least this often (other processes' rows)
    lease_s: float = 300.0  # a claimed notice is this process's for at least so long
    retry_first_s: float = 1.0  # the first back-off; it doubles
    retry_max_s: float = 600.0
    batch: int = 32  # notices claimed at once (and marked in one transaction)
    at_once: int = 4  # of them posted side by side

    @classmethod
    def from_env(cls) -> NoticeSettings:
        """The defaults, or ``QUEUE_APP_NOTICE_POLL_S``, ``..._LEASE_S``,
        ``..._RETRY_FIRST_S``, ``..._RETRY_MAX_S`` from the environment."""
        d = cls()
        return cls(
            poll_s=_env_float("QUEUE_APP_NOTICE_POLL_S", d.poll_s),
            lease_s=_env_float("QUEUE_APP_NOTICE_LEASE_S", d.lease_s),
            retry_first_s=_env_float("QUEUE_APP_NOTICE_RETRY_FIRST_S", d.retry_first_s),
            retry_max_s=_env_float("QUEUE_APP_NOTICE_RETRY_MAX_S", d.retry_max_s),
        )


def back_off(attempts: int, settings: NoticeSettings) -> float:
    """The wait after ``attempts`` failed attempts: 1 s, 2 s, 4 s … capped."""
    return min(settings.retry_first_s * float(2 ** min(attempts - 1, 30)), settings.retry_max_s)


def missing_secrets(senders: dict[str, WebhookSender]) -> dict[str, str]:
    """The senders whose secret is not in this process's environment, with its name."""
    return {n: s.secret_env for n, s in senders.items() if not os.environ.get(s.secret_env)}


@dataclass(frozen=True, slots=True)
class Outcome:
    delivered: bool
    error: str = ""
    retry: bool = True  # False: dead at once (the receiver refused it)


def payload(hall: str, n: notices.Claimed) -> dict[str, Any]:
    """The JSON body posted for a claimed notice."""
    return {
        "delivery_id": n.id,
        "kind": n.kind,
        "hall": hall,
        "ref": n.ref,
        "to": n.to,
        "masked": n.masked,
        "text": notice_text(NoticeKind(n.kind), n.data),
        "data": n.data,
        "created_at": n.created_at,
        "attempt": n.attempt,
    }


async def post(
    client: httpx.AsyncClient, sender: WebhookSender, secret: str, body: bytes, at: float, nid: str
) -> Outcome:
    """Post one notice: 2xx delivered; time-outs, connection errors, 5xx, 408, 429 tried
    again; anything else dead at once."""
    stamp = str(int(at))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        DELIVERY: nid,
        TIMESTAMP: stamp,
        SIGNATURE: signature(secret, stamp, body),
    }
    try:  # the whole exchange bounded (httpx bounds each of its phases)
        r = await asyncio.wait_for(
            client.post(sender.url, content=body, headers=headers, timeout=sender.timeout_seconds),
            sender.timeout_seconds,
        )
    except (httpx.TimeoutException, TimeoutError):
        return Outcome(False, f"timed out after {sender.timeout_seconds:g} s")
    except httpx.HTTPError as exc:
        return Outcome(False, f"{type(exc).__name__}: {exc}"[:200] or type(exc).__name__)
    if 200 <= r.status_code < 300:
        return Outcome(True)
    said = r.text[:120].strip()
    error = f"HTTP {r.status_code}" + (f": {said}" if said else "")
    return Outcome(False, error, retry=r.status_code >= 500 or r.status_code in (408, 429))


@dataclass
class Notifier:
    """Delivers the hall's notices from this process while the server runs."""

    store: Store
    write: Callable[..., Awaitable[Any]]  # ``HallService.write``
    settings: NoticeSettings = field(default_factory=NoticeSettings.from_env)
    owner: str = ""
    transport: httpx.AsyncBaseTransport | None = None
    delivered: int = 0  # by this process, since it started
    _task: asyncio.Task[None] | None = None
    _wake: asyncio.Event | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _keys: ContactKeys | None = None
    _listening: bool = False

    def __post_init__(self) -> None:
        if not self.owner:
            self.owner = f"{socket.gethostname()[:40]}:{os.getpid()}:{id(self):x}"[:64]

    @property
    def senders(self) -> dict[str, WebhookSender]:
        return self.store.hall.notices.senders

    def start(self) -> None:
        """Run the worker on the running loop (nothing without senders)."""
        if not self.senders or self._task is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        if not self._listening:
            self.store.uow.on_commit(self._committed)
            self._listening = True
        self._task = self._loop.create_task(self._run(), name=f"notices-{self.store.code}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _committed(self, infos: list[EventInfo]) -> None:
        """A change committed in this process (it may have queued notices): look now."""
        loop, wake = self._loop, self._wake
        if infos and loop is not None and wake is not None and self._task is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(wake.set)

    def heard(self, kind: str) -> None:
        """An event published (on the loop): a change of another process may have queued
        notices; look now."""
        if self._wake is not None and self._task is not None:
            self._wake.set()

    async def _run(self) -> None:
        assert self._wake is not None
        async with httpx.AsyncClient(transport=self.transport) as client:
            while True:
                self._wake.clear()
                try:
                    wait = await self.round(client)
                except asyncio.CancelledError:
                    raise
                except Exception:  # a busy or briefly missing database: look again soon
                    log.exception("notices: the outbox could not be read")
                    wait = self.settings.poll_s
                if wait <= 0:
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), wait)

    async def round(self, client: httpx.AsyncClient) -> float:
        """Claim due notices and deliver them; how long to wait before the next round
        (0: at once, more may be due)."""
        ready = sorted(set(self.senders) - set(missing_secrets(self.senders)))
        s = self.settings

        # held long enough for the whole round, every post of it timing out
        slowest = max((self.senders[n].timeout_seconds for n in ready), default=0.0)
        lease = max(s.lease_s, -(-s.batch // s.at_once) * slowest + 5)

        def claim(tx: Tx) -> notices.Claim:
            if self._keys is None:
                self._keys = hall_keys(tx.conn, tx.now)
            return notices.claim(tx, ready, self.owner, lease, s.batch, self._keys)

        got: notices.Claim = await self.write(lambda: self.store.uow.run(claim).result)
        if not got.notices:
            if got.next_due is None:
                return s.poll_s
            return min(s.poll_s, max(0.01, got.next_due - self.store.clock()))
        gate = asyncio.Semaphore(s.at_once)

        async def deliver(n: notices.Claimed) -> Outcome:
            async with gate:
                return await self._deliver(client, n)

        outcomes = await asyncio.gather(*(deliver(n) for n in got.notices))
        marks = list(zip(got.notices, outcomes, strict=True))

        def mark(tx: Tx) -> int:
            """Every outcome of the round in one transaction (SQLite has one writer)."""
            done = 0
            for n, outcome in marks:
                if outcome.delivered:
                    done += notices.delivered(tx, n.id, self.owner)
                    continue
                dead = not outcome.retry or n.attempt >= self.senders[n.sender].max_attempts
                at = None if dead else tx.now + back_off(n.attempt, self.settings)
                notices.failed(tx, n.id, self.owner, outcome.error, at)
            return done

        self.delivered += await self.write(lambda: self.store.uow.run(mark).result)
        return 0

    async def _deliver(self, client: httpx.AsyncClient, n: notices.Claimed) -> Outcome:
        """Post one claimed notice; what came of it (marked by the round)."""
        sender = self.senders[n.sender]
        secret = os.environ.get(sender.secret_env, "")
        if n.to is None:
            return Outcome(False, "the number was not sealed under this hall's key", False)
        body = json.dumps(payload(self.store.code, n), ensure_ascii=False).encode()
        outcome = await post(client, sender, secret, body, self.store.clock(), n.id)
        if not outcome.delivered:
            log.warning("notice %s (%s) to %s: %s", n.id, n.kind, n.sender, outcome.error)
        return outcome
