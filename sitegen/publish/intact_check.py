"""Whether the published output is intact (`published_intact`), found out by a second process while the build lists
its sources (and, when they changed, while it reads and plans them).

A build with nothing to do costs these two checks and little else, and at 100,000s of pages each is about a second
of system calls: a stat per source file for its stamp, a stat per published file for its size. A build machine has
more than one core. Threads do not help: every stat returns to Python, so two threads take turns on the interpreter
lock (measured at 100,000 articles: slower than one check after the other); a forked process runs beside the build
and answers with its exit code, and the names of the files it found damaged (usually none) through a pipe.

When the inputs did change, the answer is still of use: the build that follows keeps every page it does not render,
and each kept page would otherwise cost a stat of its own (Publisher.damaged).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from pathlib import Path
from types import TracebackType

from sitegen.paths import MANIFEST_FILE
from sitegen.publish.writer import damaged_files, published_intact

# Below this manifest size (about 7,000 published files) the check takes less time than a process costs to start and
# wait for, and test suites' thousands of small builds stay in one process.
MIN_FORKED_MANIFEST = 1 << 20


_INTACT, _DAMAGED, _UNKNOWN = 0, 1, 3  # the child's exit codes: its pipe lists the damaged files after _DAMAGED
_SEPARATOR = b"\0"  # the one byte no file name holds


class IntactCheck:
    """`published_intact(output)`, started now and answered by `result()`, with the damaged files by `damaged()`; a
    `with` block stops a check still running when it ends (its answer was not needed)."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.pid: int | None = None  # the process checking, when one was started
        self.pipe: int | None = None  # the read end of the pipe it answers through
        self._answer: frozenset[str] | None = None
        self._answered = False

    @classmethod
    def start(cls, output: Path) -> IntactCheck:
        check = cls(output)
        if _worth_a_process(output):
            with contextlib.suppress(OSError):  # no process to be had (a limit reached): result() checks here
                check.pid, check.pipe = _forked_check(output)
        return check

    def result(self) -> bool:
        if self.pid is None and not self._answered:
            return published_intact(self.output)  # checked here: stops at the first damaged file
        return self.damaged() == frozenset()

    def damaged(self) -> frozenset[str] | None:
        """The published files the other process found gone or changed in size; None when it can't be said (the
        manifest can't, the check ran here, or the process did not answer): then look at each file."""
        if self.pid is not None:
            self._answer = self._wait()
            self._answered = True
        return self._answer

    def _wait(self) -> frozenset[str] | None:
        assert self.pid is not None and self.pipe is not None
        fd, self.pipe = self.pipe, None  # the file object owns it from here: closed once, whatever happens
        with os.fdopen(fd, "rb") as pipe:  # read to the end before waiting: a long list fills the pipe
            listed = pipe.read()
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:  # reaped by someone else (SIGCHLD ignored by a program embedding sitegen)
            self.pid = None
            return damaged_files(self.output)  # its answer is lost: checked here
        self.pid = None  # only once waited for: a Ctrl-C while waiting leaves it to cancel()
        code = os.waitstatus_to_exitcode(status)
        if code == _INTACT:
            return frozenset()
        if code == _DAMAGED:
            return frozenset(name.decode("utf-8", "surrogatepass") for name in listed.split(_SEPARATOR))
        return None

    def cancel(self) -> None:
        if self.pipe is not None:
            fd, self.pipe = self.pipe, None
            with contextlib.suppress(OSError):
                os.close(fd)
        pid, self.pid = self.pid, None
        if pid is None:
            return
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return  # reaped already (SIGCHLD ignored by a program embedding sitegen): its number may be another's now
        if done:
            return  # it had finished: reaped now
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)  # reaped: no zombie left behind in the process that ran the build

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


def _forked_check(output: Path) -> tuple[int, int]:
    """Fork the check: (its process, the read end of its pipe). Interrupts are held back across the fork, and the
    child gets the default handlers before it takes any: a Ctrl-C or a kill must end the child where it is, never
    unwind it through the build's own code (which would, among other things, unlock the site lock the two processes
    share)."""
    held = {signal.SIGINT, signal.SIGTERM}
    read_end, write_end = os.pipe()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        pid = os.fork()
        if pid == 0:  # the child: answers by its exit code and never returns into the build (no cleanup, no output)
            try:
                for number in held:
                    signal.signal(number, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_SETMASK, previous)
                os.close(read_end)
                os._exit(_check_into(output, write_end))
            finally:
                os._exit(2)
    except BaseException:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    return pid, read_end


def _check_into(output: Path, write_end: int) -> int:
    """The child's check: the damaged files' names into the pipe, the verdict as the exit code."""
    damaged = damaged_files(output)
    if damaged is None:
        return _UNKNOWN
    if not damaged:
        return _INTACT
    with os.fdopen(write_end, "wb") as pipe:
        pipe.write(_SEPARATOR.join(name.encode("utf-8", "surrogatepass") for name in sorted(damaged)))
    return _DAMAGED
