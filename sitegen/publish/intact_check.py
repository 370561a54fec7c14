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
        if self.pid is not None:
            try:
                _, status = os.waitpid(self.pid, 0)
            except ChildProcessError:  # reaped by someone else (SIGCHLD ignored by a program embedding sitegen)
                status = None
            self.pid = None  # only once waited for: a Ctrl-C while waiting leaves it to cancel()
            if status is not None:
                return os.waitstatus_to_exitcode(status) == 0
        return published_intact(self.output)

    def cancel(self) -> None:
        if self.pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)  # reaped: no zombie left behind in the process that ran the build
        self.pid = None

    def __enter__(self) -> IntactCheck:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.cancel()


def _worth_a_process(output: Path) -> bool:
    """A big manifest, a second CPU to run the check on, and a process that can be forked safely: only one thread (a
    forked child gets a copy of locks other threads may be holding), on a system that forks."""
    if not hasattr(os, "fork") or threading.active_count() != 1 or _cpus() < 2:
        return False
    try:
        return (output / MANIFEST_FILE).stat().st_size >= MIN_FORKED_MANIFEST
    except OSError:
        return False  # no manifest: not intact, and checking that here costs nothing


def _cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))  # what this process may use (a CI container's share), not the machine's
    return os.cpu_count() or 1


def _forked_check(output: Path) -> int:
    """Fork the check. Interrupts are held back across the fork, and the child gets the default handlers before it
    takes any: a Ctrl-C or a kill must end the child where it is, never unwind it through the build's own code (which
    would, among other things, unlock the site lock the two processes share)."""
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        pid = os.fork()
        if pid == 0:  # the child: answers by its exit code and never returns into the build (no cleanup, no output)
            try:
                for number in held:
                    signal.signal(number, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_SETMASK, previous)
                os._exit(0 if published_intact(output) else 1)
            finally:
                os._exit(2)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    return pid
