"""`build --watch`'s search index, kept current shard by shard in the background from the pages it published.

Pagefind cannot update an index in place, but the index is in shards (publish/search_layers.py): a save re-indexes
the recent shard, and the archive shards a build would make again, from the published files themselves. As for the
preview (search_build.py), that happens only once the editor has paused, in a thread that sends the pages to
Pagefind one by one and waits while a save is handled, so that it never delays a publish. When it is done the loop's
thread publishes the new shards through the sink, like any other file, with the state files `sitegen build` reads:
a later build keeps every shard whose pages are unchanged. A save made meanwhile makes another run due, after this one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sitegen.errors import UsageError
from sitegen.paths import SEARCH_DIR
from sitegen.preview.output_sink import OutputSink
from sitegen.preview.reporter import Reporter
from sitegen.publish.pagefind import MEMO_FILE, STATE_FILE, indexable, listing, page_digests, shard_digest, shard_files
from sitegen.publish.pagefind_service import index_shard
from sitegen.publish.search_layers import Shard, made_apart, plan_layout, published_shards, reusable
from sitegen.publish.writer import Publisher


@dataclass(frozen=True)
class _Made:
    files: dict[str, bytes]  # by path in the output, the shards' state files and the listing included
    folders: list[str]  # the shard folders these files replace (a year gone: its folder, with no files)
    dropped: list[str]  # files to remove besides (the fragments of pages masked in a kept shard)
    pages: int
    shards: int


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
        now, config = snapshot.site.build_time, snapshot.renderer.config
        language = config.language
        pages = indexable(snapshot.routes.values(), now)
        manifest, output = self.sink.manifest, self.sink.output
        if not all(route.output in manifest for route in pages):
            self._due = True  # a page not published yet: the next save publishes it
            return
        hashes = {route.output: manifest[route.output][0] for route in pages}
        try:
            digests, memo = page_digests(output, hashes, lambda rel: (output / rel).read_bytes())
        except FileNotFoundError:
            self._due = True
            return
        published, damaged = published_shards(output, manifest, Publisher(output, previous=manifest).intact)
        marked = [route for route in pages if digests[route.output]]
        layout = plan_layout(marked, digests, published, config.tz, shard_digest(language), damaged)
        masked = {entry.fragment for entry in layout.masked}
        stale = [shard for shard in layout.made if not reusable(shard, published, masked)]
        keep = {rel for kept in layout.kept for rel in kept.files}
        dropped = sorted(rel for kept in layout.kept for rel in published[kept.key].files if rel not in keep)
        gone = sorted((set(published) | damaged) - set(layout.keys))  # every shard folder published: intact or not
        top = listing(layout)
        if not stale and not gone and not dropped and _published(output / STATE_FILE) == top:
            return  # the published index was made from exactly these pages
        self._job = _Job(output, stale, gone, dropped, {STATE_FILE: top, MEMO_FILE: memo}, language, digests, masked)
        self._job.listing = manifest.get(STATE_FILE)

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
        if self.sink.manifest.get(STATE_FILE) != job.listing:  # a full build published another index meanwhile:
            self._due = True  # this run's shards and masks were planned against the one it replaced
            return
        try:
            stats = self.sink.put_files(job.made.files, job.made.folders, job.made.dropped)
        except UsageError as exc:
            self.reporter.problems(exc.problems, once=False)
            self.reporter.failure("sitegen: the search index was not published")
            return
        seconds = time.monotonic() - job.started
        made = job.made
        self.reporter.status(f"Search index updated: {made.shards} shard(s), {made.pages} articles in {seconds:.1f} s "
                             f"({stats.written} files written, {stats.removed} removed)")  # fmt: skip


class _Job:
    """One run: a thread that indexes the stale shards, one at a time. `pause`, `resume` and `cancel` come from the
    loop's thread; a paused run waits before its next page (Pagefind, idle meanwhile, waits with it)."""

    def __init__(
        self,
        output: Path,
        stale: Sequence[Shard],
        gone: Sequence[str],
        dropped: Sequence[str],
        top: dict[str, bytes],
        language: str,
        digests: dict[str, str],
        masked: set[str],
    ) -> None:
        self.output = output
        self.stale = list(stale)
        self.gone = list(gone)
        self.dropped = list(dropped)
        self.digests = digests
        self.masked = masked
        self.listing: tuple[str, int] | None = None  # the published listing's manifest entry this run started from
        self.top = top
        self.language = language
        self.started = time.monotonic()
        self.made: _Made | None = None
        self.failure: str | None = None
        self.outdated = False  # a page went while it was being read: a later publish made another run due
        self.finished = threading.Event()
        self._running = threading.Event()  # cleared while paused
        self._running.set()
        self._cancelled = False
        self._thread = threading.Thread(target=self._run, name="sitegen-search", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def cancel(self) -> None:
        self._cancelled = True
        self._running.set()
        self._thread.join()

    def _go_on(self) -> bool:
        self._running.wait()
        return not self._cancelled

    def _run(self) -> None:
        try:
            self.made = self._index()
        except FileNotFoundError:
            self.outdated = True
        except (OSError, UsageError) as exc:
            self.failure = exc.problem.message if isinstance(exc, UsageError) else f"{exc.filename}: {exc.strerror}"
        finally:
            self.finished.set()

    def _index(self) -> _Made | None:
        files = dict(self.top)  # the listing and the memo
        for shard in self.stale:
            made = made_apart(shard, self.masked, self._index_one)
            if self._cancelled:
                return None
            files.update(shard_files(shard, made, self.digests))
        folders = [shard.folder for shard in self.stale] + [f"{SEARCH_DIR}/{key}" for key in self.gone]
        return _Made(files, folders, self.dropped, sum(len(shard.pages) for shard in self.stale), len(self.stale))

    def _index_one(self, shard: Shard) -> dict[str, bytes]:
        return index_shard(self._read, shard.pages, self.language, self._go_on, shard.extra)

    def _read(self, rel: str) -> bytes:
        return (self.output / rel).read_bytes()


def _published(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
