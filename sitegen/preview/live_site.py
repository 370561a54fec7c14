"""The previewed site, kept in memory: each update makes the next snapshot from what the preview has read.

`sitegen build` must look at every file to learn what changed; the preview is told. So a save costs work in
proportion to the save, not to the archive: the saved article is read again (site_files.py), and when nothing that
places it in the site changed (its body, headline, summary or image was edited, not its date, section, tags, authors,
URL or status), the new version takes the old one's place in the site model and in the routes that hold it
(swap.py), and only the pages that show it become stale. Anything else (an article added, deleted, re-dated,
re-tagged or moved; a section index; the analytics) assembles and plans the site again through the pipeline, from the
articles in memory, reading no other file. Templates and static files make every page stale; the configuration starts
over. Pages are rendered on request (snapshot.py).

Errors keep the last good snapshot: it is served until a change leaves no error anywhere in the site.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

import jinja2

from sitegen.config import Config, build_time
from sitegen.content.sources import SourceFile, bundle_files
from sitegen.errors import ContentError, Problem, Severity, UsageError, errors_in
from sitegen.images.catalogue import ImageSet
from sitegen.images.on_demand import OnDemandImages
from sitegen.images.store import DerivativeStore
from sitegen.images.usage import site_paths
from sitegen.incremental.reuse import horizon
from sitegen.model import Site
from sitegen.pipeline import compile_templates, make_renderer, plan_site, render_samples
from sitegen.preview.reporter import Reporter
from sitegen.preview.site_files import FOLDERS, Pending, SiteFiles
from sitegen.preview.snapshot import Snapshot
from sitegen.preview.swap import Places, can_swap, shown_everywhere, shown_fields_changed, swapped_route, swapped_site
from sitegen.site.assemble import Visibility
from sitegen.site.plan import Route


@dataclass(frozen=True)
class Changes:
    """What a published snapshot changed since the one before it, for a sink that keeps a copy of the site (`sitegen
    build --watch` writes it to files): which pages to look at again, without comparing all of them when a swap says."""

    pages: frozenset[str] = frozenset()  # outputs of the pages holding an article swapped in place
    reassembled: bool = False  # the site was assembled and planned again: any route may differ
    blocks: bool = False  # a block every page shows may have changed (a teaser edit of an article shown everywhere)
    renderer: bool = False  # templates or static files changed (or everything was read again)

    def merge(self, later: Changes) -> Changes:
        """These changes and `later` ones, for a sink that could not publish these."""
        return Changes(self.pages | later.pages, self.reassembled or later.reassembled, self.blocks or later.blocks,
                       self.renderer or later.renderer)  # fmt: skip


@dataclass(frozen=True)
class Update:
    problems: tuple[Problem, ...] = ()  # the errors that kept the last snapshot
    warnings: tuple[Problem, ...] = ()
    published: bool = False  # a new snapshot is served
    articles: int = 0
    read: int = 0  # files read for this update
    stale: int | None = 0  # pages made stale; None: every page
    seconds: float = 0.0
    changes: Changes = Changes()  # what the new snapshot changed (when published)


class LiveSite:
    def __init__(self, root: Path, *, drafts: bool = True, future: bool = False, reporter: Reporter | None = None):
        self.root = root.resolve()
        self.drafts = drafts
        self.future = future
        self.reporter = reporter or Reporter()
        self.snapshot: Snapshot | None = None
        self.files: SiteFiles | None = None  # None: not read, or the configuration can't be used
        self._places: Places | None = None  # where each article is held: made once per plan
        self._horizon: float | None = None
        self._date = ""
        self._image_store: DerivativeStore | None = None
        self._frozen = False
        self._compiled: jinja2.Environment | None = None  # the environment `prepare` has compiled every template of

    @property
    def searchable(self) -> bool:
        """The site has a search index to keep (its configuration read, search on)."""
        return self.files is not None and self.config.search.enabled

    @property
    def config(self) -> Config:
        assert self.files is not None
        return self.files.config

    def load(self) -> Update:
        """Read the whole site and publish it."""
        # Reading an archive allocates millions of objects that all stay: the collector would walk them again and
        # again (a third of the time at 10,000 articles), and after the first load they never need walking at all.
        gc.disable()
        try:
            return self._unless_broken(self._load)
        finally:
            if self.snapshot is not None and not self._frozen:
                gc.freeze()
                self._frozen = True
            gc.enable()

    def update(self, changes: Iterable[str]) -> Update:
        """Bring the site up to date with these changed paths (relative to the root) and publish it if it has no
        errors."""
        return self._unless_broken(lambda: self._update(changes))

    def _unless_broken(self, work: Callable[[], Update]) -> Update:
        """An unexpected exception (a bug, an unreadable file) may leave the state half updated: the next update then
        reads everything again rather than publish from it. The last good snapshot is served meanwhile."""
        try:
            return work()
        except BaseException:
            self.files = None
            raise

    def _load(self) -> Update:
        started = time.perf_counter()
        try:
            self.files = SiteFiles.read_all(self.root, self.reporter, cached=self.snapshot is None)
        except UsageError as exc:
            self.files = None
            return Update(problems=tuple(exc.problems), seconds=time.perf_counter() - started)
        return self._publish(self.files, started)

    def _update(self, changes: Iterable[str]) -> Update:
        started = time.perf_counter()
        paths = sorted(set(changes))
        if self.files is None or any(len(PurePosixPath(p).parts) == 1 and p not in FOLDERS for p in paths):
            return self.load()  # the configuration (or a first load that failed on it)
        self.files.read = 0
        self.files.refresh(paths)
        return self._publish(self.files, started)

    def _publish(self, files: SiteFiles, started: float) -> Update:
        problems = [p for found in files.problems.values() for p in found]
        warnings = tuple(p for p in problems if p.severity is not Severity.ERROR)
        result = Update(warnings=warnings, articles=len(files.heads), read=files.read)
        try:
            stop = errors_in(problems)
            if stop:
                raise ContentError(stop)
            now = build_time()
            snapshot, stale, changes = self._next_snapshot(files, now)
        except ContentError as exc:
            return dataclasses.replace(result, problems=tuple(exc.problems), seconds=time.perf_counter() - started)
        if changes.reassembled:  # what the next update compares with: changed only by a snapshot that is published
            self._places = None
            self._date = now.astimezone(self.config.tz).date().isoformat()
            self._horizon = horizon([head.article for head in files.heads.values()], now)
        self.snapshot = snapshot
        files.pending = Pending()
        return dataclasses.replace(result, published=True, stale=stale, seconds=time.perf_counter() - started,
                                   changes=changes)  # fmt: skip

    def _next_snapshot(self, files: SiteFiles, now: datetime) -> tuple[Snapshot, int | None, Changes]:
        """The next snapshot, how many pages are stale (None: all), and what it changed."""
        old = self.snapshot
        renderer = files.pending.renderer
        if old is None or files.pending.replan or self._moved_on(now) or not self._in_place(old, files):
            snapshot, stale = self._assemble(files, now), None
            changes = Changes(reassembled=True, renderer=renderer)
        else:
            snapshot, swapped, blocks = self._swap(old, files)
            stale = None if blocks or renderer else len(swapped)
            changes = Changes(frozenset(swapped), blocks=blocks, renderer=renderer)
        if files.pending.check_templates:
            _check_templates(snapshot, files, render=old is not None)
        return snapshot, stale, changes

    def moved_on(self) -> bool:
        """The site has changed by itself since its snapshot was made: a new day (the date every page shows), or an
        article's publication time or expiry has come. An update, even with no change, then publishes it."""
        return self.snapshot is not None and self.files is not None and self._moved_on(build_time())

    def _moved_on(self, now: datetime) -> bool:
        date = now.astimezone(self.config.tz).date().isoformat()
        return date != self._date or (self._horizon is not None and now.timestamp() >= self._horizon)

    def _in_place(self, old: Snapshot, files: SiteFiles) -> bool:
        """Every changed article can simply take its old version's place."""
        for rel in files.pending.articles:
            before, after = old.heads.get(rel), files.heads.get(rel)
            if before is None or after is None or not can_swap(before.article, after.article):
                return False
        return True

    def _assemble(self, files: SiteFiles, now: datetime) -> Snapshot:
        articles = [head.article for head in files.heads.values()]
        planned, problems = plan_site(files.inputs, articles, Visibility(now, self.drafts, self.future))
        if errors_in(problems):
            raise ContentError(problems)
        return self._snapshot(files, planned.site, {route.output: route for route in planned.routes}, {})

    def _swap(self, old: Snapshot, files: SiteFiles) -> tuple[Snapshot, set[str], bool]:
        """The snapshot with the changed articles in place, the pages holding them, and whether a block every page
        shows may have changed."""
        site, routes = old.site, dict(old.routes)
        places = self._places_in(old)
        stale: set[str] = set()
        blocks = False
        for rel in files.pending.articles:
            before, after = old.heads[rel].article, files.heads[rel].article
            if before is after:
                continue
            if any(a is before for a in shown_everywhere(site)) and shown_fields_changed(before, after):
                blocks = True  # its headline is in a block on every page
            site = swapped_site(site, before, after, places.lists.get(rel, []))
            for output in places.routes.get(rel, []):
                routes[output] = swapped_route(routes[output], before, after)
                stale.add(output)
        rendered = old.pages.copy()  # one step: request threads may be adding pages to it meanwhile
        everywhere = blocks or files.pending.renderer
        pages = {} if everywhere else {rel: page for rel, page in rendered.items() if rel not in stale}
        return self._snapshot(files, site, routes, pages), stale, blocks

    def _snapshot(self, files: SiteFiles, site: Site, routes: dict[str, Route], pages: dict[str, bytes]) -> Snapshot:
        inputs = files.inputs
        statics = {rel: found.path for rel, found in inputs.statics.files.items()}
        statics.update({hashed: statics[rel] for rel, hashed in inputs.assets.hashed.items()})
        bundles = bundle_files((*site.articles, *site.pages), inputs.resources)
        statics.update({rel: f.path for rel, f in bundles.items()})
        images = self._images(files, bundles)
        renderer = make_renderer(inputs, site, images)  # renders the blocks every page shows: raises ContentError
        return Snapshot(site, routes, statics, renderer, dict(files.heads), pages, inputs.assets.hashed)

    def _images(self, files: SiteFiles, bundles: Mapping[str, SourceFile]) -> ImageSet:
        """The site's images as a build shows them, processed as pages ask for them; one derivative store per
        preview, which remembers what it learnt of each photo from one snapshot to the next."""
        config = files.inputs.config.images
        if not config.enabled:
            return ImageSet.off(config)
        if self._image_store is None:
            self._image_store = DerivativeStore.of_site(self.root)
        return OnDemandImages(config, site_paths(files.inputs.statics.files, bundles), self._image_store)

    def prepare(self) -> None:
        """Work done ahead while the editor is not saving: where each article is held (the next in-place save needs
        it), and every template compiled, so that the snapshot being served never reads a template file again (a
        template edit that breaks it must not reach the last good site through a template not loaded yet)."""
        if self.snapshot is None:
            return
        self._places_in(self.snapshot)
        env = self.snapshot.renderer.env
        if env is not self._compiled:
            self._compiled = env
            for name in env.list_templates():
                with contextlib.suppress(jinja2.TemplateError, OSError, UnicodeDecodeError):
                    env.get_template(name)  # a broken one is reported when a page uses it

    def _places_in(self, snapshot: Snapshot) -> Places:
        """Where each article is held (made once per plan: when idle, or by the first save that needs it)."""
        if self._places is None:
            self._places = Places.of(snapshot.site, snapshot.routes)
        return self._places


def _check_templates(snapshot: Snapshot, files: SiteFiles, *, render: bool) -> None:
    """Compile every template the routes use (a syntax error is found at once, not on the page that needs it), and
    after a template edit render one page of each, so a broken edit keeps the last good site instead."""
    inputs = files.inputs
    if render:
        problems = render_samples(snapshot.routes.values(), lambda route: snapshot.page(route.output))
    else:
        used = {route.template for route in snapshot.routes.values() if route.template.endswith(".html")}
        problems = compile_templates(inputs.env, inputs.templates, used)
    if problems:
        raise ContentError(problems)
