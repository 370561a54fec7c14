"""`sitegen build --watch`: the live site's updates written to the output folder instead of served from memory.

The preview's engine (live_site.py) is told what a save changed and makes the next snapshot; this sink renders the
pages that snapshot changed (changed_pages.py) and publishes them through the build's only writer: staged, then
committed with the static files that changed and the removal of pages gone, the manifest recording it all. It compares
with the snapshot it last *published*, not with the live site's previous one: a publish that fails (a template error
on one page, a file sitegen did not write in the way) leaves its changes owed to the next.

Pages rewritten here are forgotten by the build cache first (incremental.cache.forget_pages), so the next `sitegen
build` renders them again rather than trust a fingerprint of what it wrote itself. When every page is stale (a first
publish, templates, fingerprinted asset names, a new day) the sink runs that build instead (`full_build`): with the
build cache, its worker processes and the bodies it has stored, that is faster than rendering every page here, and it
leaves the cache describing the folder again.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sitegen.errors import ContentError, Problem, SitegenError, error
from sitegen.images.on_demand import OnDemandImages
from sitegen.incremental.cache import forget_pages
from sitegen.preview.changed_pages import changed_pages
from sitegen.preview.live_site import Changes, LiveSite
from sitegen.preview.reporter import Reporter
from sitegen.preview.snapshot import Snapshot
from sitegen.publish.writer import Publisher, WriteStats, read_manifest

MAX_PAGE_FAILURES = 25  # a broken base template fails every page: report its problem once, not once per page


class Interrupted(Exception):  # noqa: N818 - a request, not a failure
    """The watch is stopping: a publish under way is dropped (nothing of it is published)."""


@dataclass(frozen=True)
class Published:
    rendered: int = 0  # pages rendered here; with `full`, the build's
    written: int = 0
    removed: int = 0
    full: bool = False  # every page was stale: the build ran
    seconds: float = 0.0
    warnings: tuple[Problem, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)


@dataclass(frozen=True)
class FullBuild:
    """What `full_build` reports back: the build's own counts."""

    rendered: int
    stats: WriteStats
    warnings: tuple[Problem, ...]


class OutputSink:
    def __init__(self, root: Path, output: Path, full_build: Callable[[], FullBuild], *,
                 unpublished: bool = False) -> None:  # fmt: skip
        self.root = root.resolve()
        self.unpublished = unpublished  # drafts or future articles shown: the manifest says so (Publisher)
        self.output = output
        self.folder = str(output.resolve())  # how the build cache names the folder
        self.full_build = full_build
        self.published: Snapshot | None = None  # what the output folder shows; None: not known
        self.manifest: dict[str, tuple[str, int]] = {}  # the folder's manifest as this process last committed it
        self.owed = Changes()  # changes not published yet (the publish that tried failed)
        self.stopping = threading.Event()
        self.commits = 0  # publishes that wrote or removed a file

    def adopt(self, snapshot: Snapshot) -> None:
        """The output folder holds what `snapshot` shows (a build just wrote it): later publishes compare with it."""
        self.published = snapshot
        self.manifest = read_manifest(self.output)
        self.owed = Changes()

    def publish(self, snapshot: Snapshot, changes: Changes) -> Published:
        """Write what `snapshot` changed since the last publish. Raises ContentError (a page cannot be rendered),
        UsageError (the writer refuses) or Interrupted, and then nothing is published."""
        started = time.perf_counter()
        self.owed = owed = self.owed.merge(changes)
        plan = changed_pages(self.published, snapshot, owed)
        if plan.render is None:
            return self._rebuild(snapshot, started)
        publisher = Publisher.following(self.output, self.manifest)
        publisher.unpublished = self.unpublished
        try:
            if plan.statics:
                _put_statics(snapshot, publisher)
            _put_pages(snapshot, plan.render, publisher, self.stopping)
            for rel in plan.removed:
                publisher.drop(rel)
            gone = [rel for rel in plan.removed if rel in self.manifest]
            warnings = forget_pages(self.root, self.folder, [*publisher.staged, *gone])
            try:
                stats = publisher.commit()
            except BaseException:
                self.manifest = read_manifest(
                    self.output
                )  # a commit cut short recorded on disk what it may have written
                raise
        finally:
            publisher.discard()
        self.published, self.manifest, self.owed = snapshot, publisher.current, Changes()
        self.commits += bool(stats.written or stats.removed)
        _release_bodies(snapshot, plan.render)
        return Published(len(plan.render), stats.written, stats.removed, seconds=time.perf_counter() - started,
                         warnings=tuple(warnings))  # fmt: skip

    def _rebuild(self, snapshot: Snapshot, started: float) -> Published:
        built = self.full_build()
        self.adopt(snapshot)
        self.commits += bool(built.stats.written or built.stats.removed)
        return Published(built.rendered, built.stats.written, built.stats.removed, full=True,
                         seconds=time.perf_counter() - started, warnings=built.warnings)  # fmt: skip

    def put_files(self, files: dict[str, bytes], folders: Sequence[str], dropped: Sequence[str] = ()) -> WriteStats:
        """Publish `files` (paths in the output), each of `folders` being replaced by what `files` has under it: the
        search index's shards, made in the background. Files under `folders` that are not in `files` are removed, and
        so are `dropped`."""
        publisher = Publisher.following(self.output, self.manifest)
        publisher.unpublished = self.unpublished
        prefixes = tuple(f"{folder}/" for folder in folders)
        try:
            for rel in [rel for rel in publisher.current if prefixes and rel.startswith(prefixes) and rel not in files]:
                publisher.drop(rel)
            for rel in dropped:
                publisher.drop(rel)
            for rel, data in sorted(files.items()):
                publisher.put(rel, data)
            stats = publisher.commit()
        finally:
            publisher.discard()
        self.manifest = publisher.current
        return stats


def _put_statics(snapshot: Snapshot, publisher: Publisher) -> None:
    """Every static file, as `sitegen build` does: the Publisher writes only those whose bytes changed."""
    for rel, source in snapshot.statics.items():
        with contextlib.suppress(FileNotFoundError):  # deleted since: the next update removes it
            publisher.copy(rel, source)


def _put_pages(snapshot: Snapshot, outputs: Iterable[str], publisher: Publisher, stopping: threading.Event) -> None:
    problems: set[Problem] = set()
    for output in outputs:
        if stopping.is_set():
            raise Interrupted
        try:
            publisher.put(output, snapshot.renderer.render(snapshot.routes[output]))
        except ContentError as exc:
            problems.update(exc.problems)
            if len(problems) >= MAX_PAGE_FAILURES:
                break
    if problems:
        raise ContentError(problems)
    _put_images(snapshot, publisher)


def _put_images(snapshot: Snapshot, publisher: Publisher) -> None:
    """The resized images the pages written name, encoded now if need be: a page is never published before them."""
    images = snapshot.renderer.images
    if isinstance(images, OnDemandImages):
        for rel in images.names():
            if rel in publisher.current or publisher.keep(rel):
                continue  # named by its content: one published already is current
            path = images.derivative(rel)
            if path is not None:
                publisher.copy(rel, path)


def _release_bodies(snapshot: Snapshot, outputs: Iterable[str]) -> None:
    """An article page's body, once written, need not stay in memory (its converter brings it back): the pages of
    a large archive are rendered here one change at a time, and would otherwise keep every body ever published.
    Bodies shown in lists and feeds stay (the newest ones: feeds are written with every new article)."""
    for output in outputs:
        article = snapshot.routes[output].article
        if article is not None:
            article.body.release()


class OutputUpdater:
    """The update loop's side of `build --watch`: one LiveSite update per batch of saves, published to files."""

    def __init__(self, live: LiveSite, sink: OutputSink) -> None:
        self.live = live
        self.sink = sink
        self.reporter: Reporter = live.reporter
        self.updates = 0
        self.failing = False  # the last update published nothing: the site has errors

    def apply(self, changes: set[str] | None) -> bool:
        """Update the live site with `changes` (None: read it all) and publish; True when files changed."""
        self.updates += 1
        started = time.perf_counter()
        try:
            update = self.live.load() if changes is None else self.live.update(changes)
            self.reporter.problems(update.warnings)
            if not update.published:
                self._failed(update.problems)
                return False
            assert self.live.snapshot is not None
            published = self.sink.publish(self.live.snapshot, update.changes)
        except Interrupted:
            return False
        except SitegenError as exc:  # a page that cannot be rendered, or the writer refusing (a file in the way)
            self._failed(exc.problems)
            return False
        except OSError as exc:  # a full disk, an output folder made read-only
            self._failed([error(exc.filename or "sitegen", None, exc.strerror or repr(exc))], "could not write all "
                         "of the output folder; the next publish writes it again")  # fmt: skip
            return False
        except Exception as exc:  # a bug must not end the watch: show it, keep watching
            self.reporter.exception("sitegen: internal error, nothing published:")
            self._failed([error("sitegen", None, f"internal error: {exc!r}")])
            return False
        self.failing = False
        self.reporter.problems(published.warnings)
        self.reporter.status(_published(published, changes, time.perf_counter() - started))
        return published.changed

    def indexable(self) -> bool:
        return self.live.searchable and not self.failing and self.sink.published is not None

    def idle(self) -> bool:
        """Get ready for the next save, and publish what changed by itself: a scheduled article whose time has
        come, an expired one, the date of a new day (not while the site has errors: the next save tries again)."""
        self.live.prepare()
        if self.failing or not self.live.moved_on():
            return False
        return self.apply(set())

    def _failed(
        self, problems: Iterable[Problem], outcome: str = "nothing published (the site stays as it was)"
    ) -> None:
        found = list(problems)
        self.failing = True
        self.reporter.problems(found, once=False)  # every time: the site stays as it was until they are fixed
        noun = "problem" if len(found) == 1 else "problems"
        self.reporter.failure(f"sitegen: {len(found)} {noun}, {outcome}")


def _published(published: Published, changes: set[str] | None, seconds: float) -> str:
    after = "the first read" if changes is None else _changed(changes) if changes else "the time (scheduled articles)"
    how = "rebuilt" if published.full else "rendered"
    return (f"Published {after} in {seconds * 1000:,.0f} ms: {published.written} written, {published.removed} "
            f"removed ({published.rendered} {'page' if published.rendered == 1 else 'pages'} {how})")  # fmt: skip


def _changed(changes: set[str]) -> str:
    names = sorted(changes)
    return names[0] if len(names) == 1 else f"{len(names)} changes ({names[0]}, ...)"
