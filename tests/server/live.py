"""A real ``queue-app serve`` process on 127.0.0.1 for tests that need a real server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import httpx
import yaml
from sqlalchemy.engine import make_url

from queue_app.loaders import load_catalog, load_hall_for
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff
from tests import hall_key_recorder
from tests.conftest import FIXTURES, REPO, hall_file, midday_hall

_HALLS = tempfile.TemporaryDirectory(prefix="queue-app-test-halls-")  # removed at exit
ENV = {
    **os.environ,
    "QUEUE_APP_CATALOG": str(FIXTURES / "mini_catalog.yaml"),
    # servers run on the real clock: a hall where it is about noon (no day change mid-test)
    "QUEUE_APP_HALL": str(midday_hall(Path(_HALLS.name))),
}


def made_for_test(db: str) -> None:
    """A SQLite file at ``db``, if there is none, at the schema's head and without rows (what
    ``queue-app db upgrade`` makes, copied: ``serve`` and the commands make no database)."""
    path = Path(make_url(db).database or "") if db.startswith("sqlite") else None
    if path is not None and not path.exists():
        hall_file(path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def queue_app(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "queue_app", *args],
        cwd=REPO,
        env={**ENV, **hall_key_recorder.launched_by()},
        capture_output=True,
        text=True,
        timeout=60,
    )


class LiveServer:
    def __init__(
        self,
        db: str,
        port: int | None = None,
        hall: Path | None = None,
        serve_args: Sequence[str] = (),
    ) -> None:
        self.db = db
        made_for_test(db)
        self.serve_args = tuple(serve_args)  # more ``serve`` options, e.g. --clock-start
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**ENV, "QUEUE_APP_HALL": str(hall)} if hall else ENV
        self.proc: subprocess.Popen[bytes] | None = None
        # the server's output (a pipe could fill up); closed with the object
        self.log = tempfile.TemporaryFile()  # noqa: SIM115

    @property
    def hall_code(self) -> str:
        """The code of the hall the server serves (its layout's)."""
        data = yaml.safe_load(Path(self.env["QUEUE_APP_HALL"]).read_text(encoding="utf-8"))
        return str(data["hall"]["code"])

    def add_staff(self, username: str, role: str, password: str) -> None:
        """An account made the operator's way: ``queue-app staff add``."""
        r = queue_app(
            "--db", self.db, "staff", "add", username, "--role", role, "--password", password
        )
        assert r.returncode == 0, r.stderr

    def add_accounts(self, accounts: Iterable[tuple[str, str]], password: str) -> None:
        """Several accounts at once through the store in this process (what ``staff add``
        does, without a command's start-up per account)."""
        catalog = load_catalog(Path(self.env["QUEUE_APP_CATALOG"]))
        store = Store(self.db, catalog, load_hall_for(self.env["QUEUE_APP_HALL"], catalog))
        try:
            for username, role in accounts:
                add_staff(store, username, Role(role), password)
        finally:
            store.dispose()

    def start(self, within_s: float = 180) -> LiveServer:
        """Run the server; return once it answers. Fails at once if the process ends, and
        after ``within_s`` seconds only as a last resort (a loaded machine starts slowly)."""
        return self.launch().ready(within_s)

    def launch(self) -> LiveServer:
        """Start the server's process and return at once (``ready`` waits for it: several
        servers start side by side)."""
        self.proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "queue_app", "serve", "--port", str(self.port)),
                *("--db", self.db, *self.serve_args),
            ],
            cwd=REPO,
            env={**self.env, **hall_key_recorder.launched_by()},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        return self

    def ready(self, within_s: float = 180) -> LiveServer:
        """Once the launched server answers (see ``start``)."""
        assert self.proc is not None, "not launched"
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if httpx.get(f"{self.url}/api/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.proc.kill()
        self.proc.wait()
        raise AssertionError(f"server did not start: {self.output()}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def kill(self) -> None:
        """End the server at once (SIGKILL: no shutdown, the requests in flight cut off)."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"server did not stop on SIGTERM: {self.output()}") from None
            finally:
                self.proc = None


def sqlite_url(tmp: Path) -> str:
    return f"sqlite:///{tmp / 'hall.db'}"
