"""Whether the published output is intact (`published_intact`), found out by a second process while the build lists
its sources.

A build with nothing to do costs these two checks and little else, and at 100,000s of pages each is about a second
of system calls: a stat per source file for its stamp, a stat per published file for its size. A build machine has
more than one core. Threads do not help: every stat returns to Python, so two threads take turns on the interpreter
lock (measured at 100,000 articles: slower than one check after the other); a forked process runs beside the build
and answers with its exit code.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from pathlib import Path
from types import TracebackType

from sitegen.paths import MANIFEST_FILE
from sitegen.publish.writer import published_intact

# Below this manifest size (about 7,000 published files) the check takes less time than a process costs to start and
# wait for, and test suites' thousands of small builds stay in one process.
MIN_FORKED_MANIFEST = 1 << 20


class IntactCheck:
    """`published_intact(output)`, started now and answered by `result()`; a `with` block stops a check whose answer
    is not needed (the inputs changed: the build is going to write anyway)."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.pid: int | None = None  # the process checking, when one was started

    @classmethod
    def start(cls, output: Path) -> IntactCheck:
        check = cls(output)
        if _worth_a_process(output):
            with contextlib.suppress(OSError):  # no process to be had (a limit reached): result() checks here
                check.pid = _forked_check(output)
        return check

    def result(self) -> bool:
        if self.pid is None:
            return published_intact(self.output)
        pid, self.pid = self.pid, None
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status) == 0

    def cancel(self) -> None:
        if self.pid is None:
            return
        pid, self.pid = self.pid, None
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)  # reaped: no zombie left behind by a long-running `build --watch`

    def __enter__(self) -> IntactCheck:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.cancel()


def _worth_a_process(output: Path) -> bool:
    """A big manifest, and a process that can be forked safely: only one thread (a forked child gets a copy of locks
    other threads may be holding), on a system that forks."""
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    try:
        return (output / MANIFEST_FILE).stat().st_size >= MIN_FORKED_MANIFEST
    except OSError:
        return False  # no manifest: not intact, and checking that here costs nothing


def _forked_check(output: Path) -> int:
    pid = os.fork()
    if pid == 0:  # the child: answers by its exit code and never returns into the build (no cleanup, no output)
        code = 2
        try:
            code = 0 if published_intact(output) else 1
        finally:
            os._exit(code)
    return pid
