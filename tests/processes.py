"""Worker processes for tests of several processes on one database. They are forked from
a server process that imported the application once: a spawned child would import it
again (about 1.5 s of CPU each), and a child forked from the test process would inherit
its threads and open connections."""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing.context import ForkServerContext

# what every child needs; the test module with the child's function is imported on top
PRELOAD = ["pytest", "yaml", "queue_app.loaders", "queue_app.store", "queue_app.store.schema"]


def context() -> ForkServerContext:
    """The process context; the first call starts the fork server for this test worker."""
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx
