"""The preview's search index, kept by `sitegen build` in a background process.

Pagefind indexes every article page, so the index needs every page rendered: the one thing a preview that renders
pages on request does not have. A background `sitegen build --drafts` into the preview's private folder makes them,
with the build cache and Pagefind as `sitegen build` uses them, and the preview serves /pagefind/ from there. It runs
at low priority with one worker, starts only once the editor has paused, and is stopped (SIGSTOP) while a save is
being handled, so that it never delays the page the editor is looking at. It runs in a process group of its own:
Ctrl-C in the terminal reaches the preview, which stops it (no second traceback); and should the preview die while the
build is stopped, its group is orphaned with a stopped member, so the kernel sends it SIGHUP and SIGCONT and it ends
rather than hold the site's build lock forever.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

import sitegen
from sitegen.preview.reporter import Reporter

NICENESS = 10
STOP_WAIT_SECONDS = 10.0


class SearchIndex:
    def __init__(self, root: Path, output: Path, *, drafts: bool, future: bool, reporter: Reporter | None = None):
        self.root = root
        self.reporter = reporter or Reporter()
        self.output = output
        self.flags = [*(["--drafts"] if drafts else []), *(["--future"] if future else [])]
        self.runs = 0  # finished runs, successful or not
        self._due = True
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._paused = False
        self._started = 0.0

    @property
    def running(self) -> bool:
        return self._process is not None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def site_changed(self) -> None:
        self._due = True

    def catch_up(self, *, start: bool = True) -> None:
        """Called while the editor pauses: resume a paused run (it holds the site's build lock), report a finished
        one, and start one if due and `start` (not while the site has errors: that build would stop on them)."""
        self._reap()
        if self._process is not None:
            if self._paused:
                self._signal(signal.SIGCONT)
                self._paused = False
        elif self._due and start:
            self._start()

    def pause(self) -> None:
        if self._process is not None and not self._paused:
            self._signal(signal.SIGSTOP)
            self._paused = True

    def close(self) -> None:
        if self._process is None:
            return
        self._signal(signal.SIGTERM)
        self._signal(signal.SIGCONT)  # a stopped process handles SIGTERM only once it runs again
        try:
            self._process.wait(timeout=STOP_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            self._process.wait()
        self._finish(report=False)

    def kill(self) -> None:
        """Stop a run at once (a second Ctrl-C): no waiting for it to end cleanly."""
        if self._process is not None:
            self._signal(signal.SIGKILL)
            self._process.wait()
            self._finish(report=False)

    def _start(self) -> None:
        command = [sys.executable, "-m", "sitegen", "build", str(self.root), "-o", str(self.output), "-q", "-j", "1"]
        package_parent = str(Path(sitegen.__file__).resolve().parent.parent)
        path = os.pathsep.join(p for p in (package_parent, os.environ.get("PYTHONPATH", "")) if p)
        self._log = tempfile.TemporaryFile(prefix="sitegen-search-")  # noqa: SIM115 - kept open while it runs
        self._due = False
        self._started = time.monotonic()
        self._process = subprocess.Popen(
            [*command, *self.flags],
            env={**os.environ, "PYTHONPATH": path},
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, self._process.pid, NICENESS)

    def _reap(self) -> None:
        if self._process is not None and self._process.poll() is not None:
            self._finish(report=True)

    def _finish(self, *, report: bool) -> None:
        assert self._process is not None
        code = self._process.returncode
        output = b""
        if self._log is not None:
            self._log.seek(0)
            output = self._log.read()
            self._log.close()
        self._process, self._log, self._paused = None, None, False
        self.runs += 1
        if not report:
            return
        if code == 0:
            self.reporter.status(f"Search index updated in {time.monotonic() - self._started:.1f} s")
            return
        lines = output.decode("utf-8", "replace").splitlines()
        shown = "\n".join(f"  {line}" for line in lines[:20])
        self.reporter.failure(f"sitegen: the search index was not updated (exit {code}):\n{shown}")

    def _signal(self, sig: signal.Signals) -> None:
        assert self._process is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._process.pid, sig)
