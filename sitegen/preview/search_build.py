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

import os
import sys
import time
from pathlib import Path

import sitegen
from sitegen.preview.background import BackgroundProcess
from sitegen.preview.reporter import Reporter


class SearchIndex:
    def __init__(self, root: Path, output: Path, *, drafts: bool, future: bool, reporter: Reporter | None = None):
        self.root = root
        self.reporter = reporter or Reporter()
        self.output = output
        self.flags = [*(["--drafts"] if drafts else []), *(["--future"] if future else [])]
        self.runs = 0  # finished runs, successful or not
        self._due = True
        self._process: BackgroundProcess | None = None
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
            self._process.resume()
        elif self._due and start:
            self._start()

    def pause(self) -> None:
        if self._process is not None:
            self._process.pause()

    def close(self) -> None:
        if self._process is None:
            return
        self._process.stop()
        self._finish(report=False)

    def kill(self) -> None:
        """Stop a run at once (a second Ctrl-C): no waiting for it to end cleanly."""
        if self._process is not None:
            self._process.kill()
            self._finish(report=False)

    def _start(self) -> None:
        command = [sys.executable, "-m", "sitegen", "build", str(self.root), "-o", str(self.output), "-q", "-j", "1"]
        package_parent = str(Path(sitegen.__file__).resolve().parent.parent)
        path = os.pathsep.join(p for p in (package_parent, os.environ.get("PYTHONPATH", "")) if p)
        self._due = False
        self._started = time.monotonic()
        self._process = BackgroundProcess([*command, *self.flags], env={**os.environ, "PYTHONPATH": path})

    def _reap(self) -> None:
        if self._process is not None and self._process.poll() is not None:
            self._finish(report=True)

    def _finish(self, *, report: bool) -> None:
        assert self._process is not None
        code = self._process.wait()
        output = self._process.output()
        self._process = None
        self.runs += 1
        if not report:
            return
        if code == 0:
            self.reporter.status(f"Search index updated in {time.monotonic() - self._started:.1f} s")
            return
        lines = output.decode("utf-8", "replace").splitlines()
        shown = "\n".join(f"  {line}" for line in lines[:20])
        self.reporter.failure(f"sitegen: the search index was not updated (exit {code}):\n{shown}")
