"""How fast ``queue-app`` starts: ``--help`` and a one-shot command on a local SQLite file,
each against ``python3 -c pass`` in the same run.

    python bench/cli_start.py [--runs 7]

The commands run in turn (pass, help, one-shot, pass, help, ...) after one warm-up each,
so a machine that slows down mid-run slows all three alike; each figure is the median
of the runs. The one-shot command is ``queue-app --db sqlite:///FILE window list`` on a
file made once with ``db upgrade``, on the default 615-matter catalog.

Limits (issue 12): ``--help`` 0.3 s, one-shot 1 s, set on the machine where ``--help``
took 2.5 s, 152 times ``python3 -c pass`` (so ``pass`` took 16.4 ms there). Machines
here are shared and differ several-fold, so the verdict is on the ratio to ``pass`` in
the same run: ``--help`` at most 0.3 / 0.0164 = 18x, the one-shot 61x. The seconds
are printed too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

QUEUE_APP = [sys.executable, "-m", "queue_app"]
PASS_S_WHERE_SET = 2.5 / 152  # python3 -c pass on the machine the limits were set on


@dataclass
class Runs:
    """One command's runs: wall and CPU seconds, peak memory in MiB."""

    name: str
    argv: list[str]
    limit_s: float | None = None
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_mib: list[float] = field(default_factory=list)

    def run(self, count: bool = True) -> None:
        start = time.perf_counter()
        proc = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            sys.exit(f"{self.name}: exit {proc.returncode}: {proc.stderr.read().decode()}")
        proc.stderr.close()
        if count:
            self.wall.append(wall)
            self.cpu.append(usage.ru_utime + usage.ru_stime)
            self.peak_mib.append(usage.ru_maxrss / 1024)  # Linux: KiB


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7, help="counted runs of each command")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'hall.db'}"
        subprocess.run([*QUEUE_APP, "--db", url, "db", "upgrade"], check=True, capture_output=True)
        base = Runs("python3 -c pass", [sys.executable, "-c", "pass"])
        cmds = [
            Runs("queue-app --help", [*QUEUE_APP, "--help"], 0.3),
            Runs("queue-app --db … window list", [*QUEUE_APP, "--db", url, "window", "list"], 1.0),
        ]
        for r in (base, *cmds):
            r.run(count=False)  # warm-up: bytecode caches, the page cache
        for _ in range(args.runs):
            for r in (base, *cmds):
                r.run()
    ref = statistics.median(base.wall)
    print(f"{args.runs} runs each, in turn; medians (python3 -c pass: {ref:.3f} s wall)")
    print(f"{'command':<32}{'wall s':>9}{'cpu s':>9}{'MiB':>8}{'× pass':>9}  limit as a ratio")
    for r in (base, *cmds):
        wall = statistics.median(r.wall)
        limit = None if r.limit_s is None else r.limit_s / PASS_S_WHERE_SET
        verdict = (
            ""
            if limit is None
            else f"{r.limit_s:g} s there = {limit:.0f}x: "
            + ("ok" if wall / ref <= limit else "OVER")
        )
        print(
            f"{r.name:<32}{wall:>9.3f}{statistics.median(r.cpu):>9.3f}"
            f"{statistics.median(r.peak_mib):>8.1f}{wall / ref:>9.1f}  {verdict}"
        )


if __name__ == "__main__":
    main()
