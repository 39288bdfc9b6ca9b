"""The slip printers' workers in a hall server process: one thread per printer of the hall
file, printing its queued jobs in order (``queue_app.store.print_jobs``).

A worker holds its printer's lease, reads the oldest job waiting, lays the slip out and
renders it (figures as of now), sends it, and marks it printed. A printer that fails
(no connection, a time-out, out of paper) keeps the job: its state is recorded (an event
tells the terminals) and the worker tries again after a back-off that doubles up to
``retry_max_s``. Issuing only writes the job row: it never waits on a printer. A change
that queues a slip wakes the workers at once; every ``poll_s`` they look anyway (jobs that
another process queued, a lease another process let go)."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy.exc import IntegrityError

from queue_app.domain.hall import PrinterSpec
from queue_app.domain.slip import PAPERS, lay_out
from queue_app.printing.devices import PrinterFailure, send
from queue_app.printing.render import render
from queue_app.store import Store
from queue_app.store import print_jobs as jobs
from queue_app.store.slips import slip_text
from queue_app.store.uow import EventInfo, Tx

log = logging.getLogger("queue_app.printing")
T = TypeVar("T")
ACTOR = "printer"  # the events' actor


class Writer(Protocol):
    """Runs a change where the server runs its changes (SQLite: on its writer thread)."""

    def __call__(self, fn: Callable[[], T]) -> T: ...


@dataclass(frozen=True, slots=True)
class PrintSettings:
    retry_first_s: float = 1.0  # the first back-off after a failure; it doubles
    retry_max_s: float = 30.0
    poll_s: float = 2.0
    lease_s: float = 30.0
    timeout_s: float = 5.0  # connecting to and writing to a network printer


class PrinterWorker:
    """Prints one printer's slips, in order, on a thread of its own."""

    def __init__(
        self,
        store: Store,
        name: str,
        spec: PrinterSpec,
        public_url: Callable[[], str | None],
        write: Writer,
        owner: str,
        settings: PrintSettings,
    ) -> None:
        self.store, self.name, self.spec = store, name, spec
        self.public_url, self.write, self.owner, self.settings = public_url, write, owner, settings
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self._lease_until = 0.0
        self.thread = threading.Thread(target=self._run, name=f"printer-{name}", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()
        self.thread.join(timeout=self.settings.timeout_s + 5)
        if self._lease_until:
            # the database gone: the lease runs out by itself
            with contextlib.suppress(Exception):
                self.write(lambda: self.store.uow.run(self._release))

    def _release(self, tx: Tx) -> None:
        jobs.release(tx, self.name, self.owner)

    def _run(self) -> None:
        failures = 0
        while not self.stopping.is_set():
            self.wake.clear()
            try:
                done = self._once()
            except Exception:  # a busy or briefly missing database: try again soon
                log.exception("printer %s: the print queue could not be read", self.name)
                done = None
            if done is True:
                failures = 0
                continue
            if done is False:
                failures += 1
                delay = self.settings.retry_first_s * 2 ** min(failures - 1, 16)
                self.stopping.wait(min(delay, self.settings.retry_max_s))
                continue
            self.wake.wait(self.settings.poll_s)

    def _hold(self) -> bool:
        """This process holds the printer (the lease taken or renewed when half gone)."""
        now = self.store.clock()
        if self._lease_until - now > self.settings.lease_s / 2:
            return True
        s = self.settings

        def op(tx: Tx) -> bool:
            return jobs.hold(tx, self.name, self.owner, s.lease_s)

        try:
            held = self.write(lambda: self.store.uow.run(op).result)
        except IntegrityError:  # another process made the printer's row in the same instant
            held = False
        self._lease_until = now + s.lease_s if held else 0.0
        return held

    def _once(self) -> bool | None:
        """Print the oldest job waiting: True printed, False failed, None nothing to do."""
        if not self._hold():
            return None
        with self.store.uow.read() as tx:
            job = jobs.next_job(tx.conn, self.name, self.store.day_of(tx.now))
        if job is None:
            return None
        try:
            text = slip_text(self.store, job, self.public_url())
            data = render(lay_out(text, PAPERS[self.spec.paper]), PAPERS[self.spec.paper])
        except Exception as exc:  # a slip that cannot be made would hold up the queue
            log.exception("printer %s: the slip of %s could not be made", self.name, job.number)
            why = f"not printable: {exc}"
            self._record(lambda tx: jobs.dropped(tx, job, why, ACTOR))
            return True
        try:
            send(self.spec, data, self.settings.timeout_s)
        except PrinterFailure as failure:
            status, detail = failure.status, failure.detail
            log.warning("printer %s: %s (%s waits)", self.name, detail, job.number)
            self._record(lambda tx: jobs.failed(tx, job, status, detail, ACTOR))
            return False
        self._record(lambda tx: jobs.printed(tx, job, ACTOR))
        return True

    def _record(self, op: Callable[[Tx], None]) -> None:
        self.write(lambda: self.store.uow.run(op))


class Printing:
    """The workers of a hall's printers in this process."""

    def __init__(
        self,
        store: Store,
        public_url: Callable[[], str | None],
        write: Writer,
        settings: PrintSettings | None = None,
    ) -> None:
        self.store = store
        self.public_url, self.write = public_url, write
        self.settings = settings or PrintSettings()
        self.owner = f"{socket.gethostname()[:40]}:{os.getpid()}:{id(self):x}"
        self.workers: dict[str, PrinterWorker] = {}
        self._listening = False

    def start(self) -> None:
        """A worker for each printer of the hall file (again after a ``stop``)."""
        if not self.store.hall.printers or self.workers:
            return
        if not self._listening:
            self.store.uow.on_commit(self._committed)
            self._listening = True
        self.workers = {
            name: PrinterWorker(
                self.store, name, spec, self.public_url, self.write, self.owner, self.settings
            )
            for name, spec in self.store.hall.printers.items()
        }
        for w in self.workers.values():
            w.start()

    def _committed(self, infos: list[EventInfo]) -> None:
        """A ticket issued or a reprint asked for: the workers look at once."""
        if any(e.kind in ("issued", jobs.QUEUED) for e in infos):
            self.wake()

    def wake(self) -> None:
        for w in self.workers.values():
            w.wake.set()

    def stop(self) -> None:
        for w in self.workers.values():
            w.stopping.set()
            w.wake.set()
        for w in self.workers.values():
            w.stop()
        self.workers = {}
