"""A command run in the background at low priority, pausable: how the preview and `build --watch` keep their search
index without ever delaying a save.

The process runs in a process group of its own: Ctrl-C in the terminal reaches sitegen, which stops it (no second
traceback); and should sitegen die while it is stopped (SIGSTOP), its group is orphaned with a stopped member, so the
kernel sends it SIGHUP and SIGCONT and it ends rather than run, or hold a lock, forever. Its output is kept in a
temporary file, for the message when it fails.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

NICENESS = 10
STOP_WAIT_SECONDS = 10.0


class BackgroundProcess:
    def __init__(self, command: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None):
        self._log = tempfile.TemporaryFile(prefix="sitegen-background-")  # noqa: SIM115 - kept open while it runs
        self.paused = False
        try:
            self._process = subprocess.Popen(
                list(command), env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=self._log,
                stderr=subprocess.STDOUT, process_group=0,
            )  # fmt: skip
        except OSError:
            self._log.close()
            raise
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, self._process.pid, NICENESS)

    @property
    def pid(self) -> int:
        return self._process.pid

    def poll(self) -> int | None:
        return self._process.poll()

    def wait(self) -> int:
        return self._process.wait()

    def pause(self) -> None:
        if not self.paused:
            self._signal(signal.SIGSTOP)
            self.paused = True

    def resume(self) -> None:
        if self.paused:
            self._signal(signal.SIGCONT)
            self.paused = False

    def stop(self) -> None:
        """End it, politely first."""
        self._signal(signal.SIGTERM)
        self._signal(signal.SIGCONT)  # a stopped process handles SIGTERM only once it runs again
        try:
            self._process.wait(timeout=STOP_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        self._signal(signal.SIGKILL)
        self._process.wait()

    def output(self) -> bytes:
        """What it printed; call once, after it ended."""
        self._log.seek(0)
        data = self._log.read()
        self._log.close()
        return data

    def _signal(self, sig: signal.Signals) -> None:
        if self._process.returncode is not None:
            return  # reaped: its group's number may be someone else's by now
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._process.pid, sig)
