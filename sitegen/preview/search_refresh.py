"""`build --watch`'s search index, made again in the background from the pages it published.

Pagefind cannot update an index in place: it indexes every article page again (about 30 s of CPU at 10,000
articles). So, as for the preview (search_build.py), the index is made only once the editor has paused, at low
priority, and paused while a save is handled, so that it never delays a publish. It indexes the published files
themselves: a thread copies the article pages from the output folder into a scratch folder (pausing with the rest),
then Pagefind runs there. When it is done the loop's thread publishes the index through the sink, like any other
file, with the state file `sitegen build` reads: a later build keeps this index while the pages it was made from are
unchanged (its digest is of the very bytes indexed). A save made meanwhile makes another run due, after this one.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen.errors import UsageError
from sitegen.paths import SEARCH_DIR
from sitegen.preview.background import BackgroundProcess
from sitegen.preview.output_sink import OutputSink
from sitegen.preview.reporter import Reporter
from sitegen.publish.pagefind import (
    index_digest,
    index_files,
    index_state,
    indexable,
    pagefind_command,
    pagefind_failed,
    published_digest,
    read_index,
    write_page,
)
from sitegen.site.plan import Route


@dataclass(frozen=True)
class _Made:
    files: dict[str, bytes]  # by path in the output, the state file included
    pages: int


class SearchRefresh:
    def __init__(self, sink: OutputSink, reporter: Reporter) -> None:
        self.sink = sink
        self.reporter = reporter
        self.runs = 0  # finished runs, published or not
        self._due = False  # the initial build made the index
        self._job: _Job | None = None

    @property
    def running(self) -> bool:
        return self._job is not None

    def site_changed(self) -> None:
        self._due = True

    def pause(self) -> None:
        if self._job is not None:
            self._job.pause()

    def catch_up(self, *, start: bool = True) -> None:
        """Called while the editor pauses: publish a finished run, resume a paused one, or start one when pages
        changed since the index was made (and `start`: search is on and the site has no errors)."""
        job = self._job
        if job is not None:
            if not job.finished.is_set():
                job.resume()
                return
            self._finish(job, publish=start)
        if self._due and start:
            self._start()

    def close(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self._job = None

    def _start(self) -> None:
        self._due = False
        snapshot = self.sink.published
        if snapshot is None:
            return
        now, language = snapshot.site.build_time, snapshot.renderer.config.language
        pages = [route for route in snapshot.routes.values() if indexable(route, now)]
        manifest = self.sink.manifest
        if all(route.output in manifest for route in pages):
            hashes = {route.output: manifest[route.output][0] for route in pages}
            if index_digest(hashes, pages, language) == published_digest(self.sink.output):
                return  # the published index was made from exactly these pages
        self._job = _Job(self.sink.output, pages, language)

    def _finish(self, job: _Job, *, publish: bool) -> None:
        self._job = None
        self.runs += 1
        if not publish:  # search turned off meanwhile, or the site has errors: made again when it can be published
            self._due = True
            return
        if job.failure is not None:
            self.reporter.failure(f"sitegen: the search index was not updated: {job.failure}")
            return
        if job.made is None:
            self._due |= job.outdated
            return
        try:
            stats = self.sink.put_files(job.made.files, SEARCH_DIR)
        except UsageError as exc:
            self.reporter.problems(exc.problems, once=False)
            self.reporter.failure("sitegen: the search index was not published")
            return
        seconds = time.monotonic() - job.started
        self.reporter.status(f"Search index updated: {job.made.pages} articles in {seconds:.1f} s "
                             f"({stats.written} files written, {stats.removed} removed)")  # fmt: skip


class _Job:
    """One run: a thread that copies the pages and waits for Pagefind. `pause`, `resume` and `cancel` come from the
    loop's thread; the lock makes a pause reach Pagefind even while it is being started."""

    def __init__(self, output: Path, pages: Sequence[Route], language: str) -> None:
        self.output = output
        self.pages = list(pages)
        self.language = language
        self.started = time.monotonic()
        self.made: _Made | None = None
        self.failure: str | None = None
        self.outdated = False  # a page went while it was being read: a later publish made another run due
        self.finished = threading.Event()
        self._running = threading.Event()  # cleared while paused
        self._running.set()
        self._cancelled = False
        self._lock = threading.Lock()
        self._process: BackgroundProcess | None = None
        self._thread = threading.Thread(target=self._run, name="sitegen-search", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        with self._lock:
            self._running.clear()
            if self._process is not None:
                self._process.pause()

    def resume(self) -> None:
        with self._lock:
            self._running.set()
            if self._process is not None:
                self._process.resume()

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            self._running.set()
            process = self._process
        if process is not None:
            process.stop()
        self._thread.join()

    def _run(self) -> None:
        scratch = Path(tempfile.mkdtemp(prefix="sitegen-watch-search-"))
        try:
            self.made = self._index(scratch / "site", scratch / "index", scratch)
        except FileNotFoundError:
            self.outdated = True
        except (OSError, UsageError) as exc:
            self.failure = exc.problem.message if isinstance(exc, UsageError) else f"{exc.filename}: {exc.strerror}"
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
            self.finished.set()

    def _index(self, site: Path, out: Path, scratch: Path) -> _Made | None:
        hashes: dict[str, str] = {}
        unmarked: list[Route] = []
        for route in self.pages:
            self._running.wait()
            if self._cancelled:
                return None
            data = (self.output / route.output).read_bytes()
            hashes[route.output] = hashlib.sha256(data).hexdigest()  # of what is indexed, whatever is published later
            if not write_page(site, route, data):
                unmarked.append(route)
        files: dict[str, bytes] = {}
        if len(unmarked) < len(self.pages):  # Pagefind refuses a site with no pages; the search page then says so
            code, log = self._pagefind(site, out, scratch)
            if code is None:
                return None
            if code != 0:
                raise pagefind_failed(log.decode("utf-8", "replace").strip()[-2000:] or f"exit status {code}")
            files = read_index(out)
        state: dict[str, Any] = index_state(index_digest(hashes, self.pages, self.language),
                                            len(self.pages) - len(unmarked), unmarked)  # fmt: skip
        return _Made(index_files(files, state), len(self.pages) - len(unmarked))

    def _pagefind(self, site: Path, out: Path, scratch: Path) -> tuple[int | None, bytes]:
        """Pagefind's exit status and output; None when cancelled."""
        with self._lock:
            if self._cancelled:
                return None, b""
            self._process = process = BackgroundProcess(pagefind_command(site, out, self.language), cwd=scratch)
            if not self._running.is_set():
                process.pause()  # paused while it was being started
        code = process.wait()
        with self._lock:
            self._process = None
            cancelled = self._cancelled
        output = process.output()
        return (None if cancelled else code), output
