"""The server-side voice: a call rendered to a WAV file by espeak-ng (Mandarin), for hall
displays whose browser has no Chinese speech synthesis. Optional: without espeak-ng the
endpoint answers 404 and the display page stays silent."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

DIGITS = "零一二三四五六七八九"
NUMBER = re.compile(r"^[A-Z]{1,2}\d{3,5}$")


def sentence(number: str, window: int) -> str:
    """What the board shows: ``请 A023 号 到 5 号窗口`` (the terminal display's wording)."""
    return f"请 {number} 号 到 {window} 号窗口"


def spoken(number: str, window: int) -> str:
    """What is said: the ticket's digits one by one (``A 零 二 三``), the window as a number."""
    letters = number.rstrip("0123456789")
    digits = " ".join(DIGITS[int(d)] for d in number[len(letters) :])
    return f"请 {' '.join(letters)} {digits} 号，到 {window} 号窗口"


class Voice:
    """Renders calls with espeak-ng into a cache directory (made on first use, removed by
    :meth:`close`); one rendering at a time."""

    def __init__(self, command: str | None = None) -> None:
        self.command = command if command is not None else shutil.which("espeak-ng")
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return bool(self.command)

    def wav(self, number: str, window: int) -> Path:
        """The WAV file of the call of ``number`` to ``window`` (rendered once)."""
        if not self.command:
            raise RuntimeError("no espeak-ng")
        if not NUMBER.match(number) or not 1 <= window <= 999:
            raise ValueError(f"not a ticket number and window: {number!r}, {window!r}")
        with self._lock:
            if self._dir is None:
                self._dir = tempfile.TemporaryDirectory(prefix="queue-app-voice-")
            path = Path(self._dir.name) / f"{number}-{window}.wav"
            if not path.exists():
                part = path.with_suffix(".part")
                subprocess.run(
                    [self.command, "-v", "cmn", "-s", "140", "-w", str(part)],
                    input=spoken(number, window).encode(),
                    check=True,
                    capture_output=True,
                    timeout=20,
                )
                part.replace(path)
            return path

    def close(self) -> None:
        with self._lock:
            if self._dir is not None:
                self._dir.cleanup()
                self._dir = None
