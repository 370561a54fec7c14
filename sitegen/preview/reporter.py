"""What the preview tells the person running it: the one place its threads print through.

The update loop, request threads converting a body, the background search build and the watcher all report here, so a
problem is printed once however many of them meet it, and lines from different threads never interleave.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Iterable
from typing import TextIO

from sitegen.errors import Problem


class Reporter:
    def __init__(self, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self._out = out
        self._err = err
        self._lock = threading.Lock()
        self._printed: set[Problem] = set()

    def problems(self, problems: Iterable[Problem], *, once: bool = True) -> None:
        """Each problem the first time it is reported (`once`: later reports of it are quiet; errors that keep the
        last good site are printed with every update that still has them)."""
        with self._lock:
            for problem in problems:
                if not once or problem not in self._printed:
                    self._printed.add(problem)
                    print(problem, file=self._stderr(), flush=True)

    def status(self, line: str) -> None:
        """Progress: what was read or updated, where the preview is served."""
        with self._lock:
            print(line, file=self._stdout(), flush=True)

    def failure(self, line: str) -> None:
        """Something the person must know that is not one file's problem."""
        with self._lock:
            print(line, file=self._stderr(), flush=True)

    def exception(self, line: str) -> None:
        """A bug caught so the preview keeps running: the line, then the traceback being handled."""
        with self._lock:
            print(line, file=self._stderr())
            traceback.print_exc(file=self._stderr())

    # sys.stdout and sys.stderr are looked up when printing: tests capture them by replacing them.
    def _stdout(self) -> TextIO:
        return self._out or sys.stdout

    def _stderr(self) -> TextIO:
        return self._err or sys.stderr
