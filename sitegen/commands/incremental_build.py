"""`sitegen build` once its listing showed something changed (commands/build.py decides): the pipeline's stages
(sitegen.pipeline) with the build cache, worker processes and the writer.

All data is gathered from every file before any page is rendered, so every page sees the same, consistent site; and
nothing is published until every page has rendered, so a failed build leaves the published site as it was.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import jinja2

from sitegen.commands.build import BuildOptions, BuildResult, Survey
from sitegen.errors import ContentError, Problem, stop_on_errors
from sitegen.images.catalogue import ImageSet, finish, prepare
from sitegen.images.store import DerivativeStore
from sitegen.images.usage import Use
from sitegen.incremental.bodies import Bodies, BodyStore
from sitegen.incremental.cache import BuildCache, LastBuild, Made
from sitegen.incremental.dependencies import SiteKey, reach_of, shared_digest, site_key
from sitegen.incremental.fingerprint import Fingerprinter
from sitegen.incremental.reuse import (
    LoadedArticles,
    horizon,
    load_articles,
    stale_routes,
)
from sitegen.incremental.workers import RenderJob, default_jobs, encode_images, render_routes
from sitegen.paths import BODIES_DIR, CACHE_DIR
from sitegen.pipeline import (
    Inputs,
    Planned,
    image_uses,
    make_renderer,
    plan_site,
    read_inputs,
)
from sitegen.publish.pagefind import publish_search
from sitegen.publish.writer import Publisher
from sitegen.render.assets import Assets
from sitegen.render.renderer import Renderer
from sitegen.site.assemble import Visibility
from sitegen.site.plan import Route

MAX_TEMPLATE_FAILURES = 25  # one broken base template fails every page: report it once, not ten thousand times


@dataclass(frozen=True)
class BuiltImages:
    catalogue: ImageSet
    store: DerivativeStore
    encoded: int
    uses: Mapping[str, Use] = field(default_factory=dict)

    def shown(self) -> dict[str, str]:
        return {path: image.digest for path, image in self.catalogue.images.items()}

    def holders_of_changed(self) -> set[str]:
        """The articles showing an image whose bytes differ from the last build's: their pages are looked at again
        (the dependency index sees article edits; an image is a file of its own)."""
        last = self.store.last_shown
        changed = [path for path, digest in self.shown().items() if last.get(path) != digest]
        return {source for path in changed for source, _ in self.uses[path].users}

    def keep(self) -> None:
        """After a published build: the store holds what this build's pages show, and only that."""
        if self.catalogue.enabled:
            self.store.save(self.shown())
            self.store.prune(recipe for _, recipe in self.catalogue.recipes())


class IncrementalBuild:
    """One build's state once its listing showed there is something to do: what it read, the cache it reuses, and
    the problems it found so far."""

    def __init__(self, options: BuildOptions, survey: Survey) -> None:
        self.options = options
        self.survey = survey
        self.root = survey.root
        self.jobs = options.jobs or default_jobs()
        self.output = str(options.output.resolve())
        self.now = survey.now
        self.problems: list[Problem] = list(survey.problems)
        self.visibility = Visibility(self.now, options.drafts, options.future)

    def run(self, collecting: bool) -> BuildResult:
        """Read what changed, plan, render and publish; `collecting`: whether the collector, paused by the caller
        until the site is planned, runs again for what rendering makes."""
        survey, listing, cache = self.survey, self.survey.listing, self.survey.cache
        settings = survey.settings
        cache.read_state()
        store = BodyStore(self.root / CACHE_DIR / BODIES_DIR, survey.key, trust=not self.options.clean)
        progress = self.options.progress
        progress.start("reading", len(listing.content.articles))
        loaded = load_articles(listing.content.articles, settings, cache, store, self.jobs, progress.tick)
        self.problems += loaded.problems
        inputs, problems = read_inputs(listing)
        self.problems += problems
        stop_on_errors(self.problems)
        checked = cache.last.claims if cache.last is not None else ""
        articles = loaded.articles  # a list of 100,000 made once, not for each use
        planned, problems = plan_site(inputs, articles, self.visibility, checked)
        stop_on_errors(problems)
        images = self._images(inputs, planned)  # before any page: a page says how big each picture is
        bodies = Bodies(store, loaded.files, settings)
        bodies.attach(articles)  # a page loads the bodies it shows when it is rendered
        gc.freeze()
        if collecting:
            gc.enable()
        result, prints, index = self._publish(inputs, planned, loaded, cache, bodies, survey.code, images)
        last = LastBuild(survey.inputs, horizon(articles, self.now), result.articles, result.pages,
                         tuple(self.problems), planned.claims)  # fmt: skip
        self.problems[:0] = cache.problems
        self.problems += cache.save(loaded.parsed, loaded.fresh, prints, self.output, last, index.to_json())
        _tidy(store, cache, loaded)
        result.warnings = self.problems
        result.seconds = time.perf_counter() - survey.started
        return result

    def _images(self, inputs: Inputs, planned: Planned) -> BuiltImages:
        """Every image the published pages show, with the derivatives the store lacks encoded in worker processes;
        a missing, corrupt or oversized image stops the build with the article lines that use it."""
        config = inputs.config.images
        uses, problems = image_uses(inputs, planned, self.root)
        store = DerivativeStore.of_site(self.root, clean=self.options.clean)
        if not config.enabled:
            return BuiltImages(ImageSet.off(config), store, 0)
        prepared = prepare(uses, store, config, self.root)
        progress = self.options.progress
        progress.start("images", len(prepared.tasks))
        results = list(encode_images(prepared.tasks, self.jobs, progress.tick))
        progress.finish()
        images, more, encoded = finish(prepared, results, store, config, self.root)
        stop_on_errors([*problems, *more])
        return BuiltImages(images, store, encoded, uses)

    def _publish(self, inputs: Inputs, planned: Planned, loaded: LoadedArticles, cache: BuildCache, bodies: Bodies,
                 code: str, images: BuiltImages) -> tuple[BuildResult, dict[str, Made], SiteKey]:  # fmt: skip
        """Render the pages whose fingerprint changed, index them for search, and publish it all at once."""
        site, routes = planned.site, planned.routes
        result = BuildResult(articles=len(site.articles), pages=len(routes), parsed=len(loaded.fresh),
                             images=len(images.catalogue.images), encoded=images.encoded)  # fmt: skip
        publisher = Publisher.open(self.options.output)
        publisher.unpublished = self.options.drafts or self.options.future
        publisher.damaged = self.survey.intact.damaged()  # every published file was looked at while this build read
        progress = self.options.progress
        try:
            _publish_static(inputs, publisher)
            for rel, found in planned.files.items():  # page bundles' files, beside their articles
                publisher.copy(rel, found.path)
            for rel, path in images.catalogue.outputs(images.store).items():  # resized images, from the store
                if not publisher.keep(rel):  # a derivative's name says its content: one published is never stale
                    publisher.copy(rel, path)
            renderer = make_renderer(inputs, site, images.catalogue)
            # Fingerprinted asset names are in every page's head: a changed stylesheet must re-render the pages.
            fingerprints = Fingerprinter(renderer, site, inputs.config, f"{code}:{_assets_digest(inputs.assets)}",
                                         loaded.teasers)  # fmt: skip
            index = site_key(self.output, self._shared(fingerprints, renderer, routes), site)
            reach = reach_of(_last_index(cache), index, cache.articles, loaded.parsed, site, self.visibility,
                             _shown(inputs))  # fmt: skip
            reach.holding |= images.holders_of_changed()  # a new photo in an unchanged article: its pages
            previous = cache.routes_for(self.output)
            todo, prints, result.fingerprinted = stale_routes(routes, fingerprints.route, previous, publisher, reach)
            progress.start("rendering", len(todo))
            job = RenderJob(renderer, routes, publisher, bodies)
            failed = render_routes(job, todo, self.jobs, progress.tick, MAX_TEMPLATE_FAILURES)
            if failed:
                raise ContentError(failed)
            progress.finish()
            result.rendered, result.skipped = len(todo), len(routes) - len(todo)
            result.search, problems = publish_search(publisher, routes, inputs.config, self.now)
            self.problems += problems
            result.stats = publisher.commit()
            images.keep()
        finally:
            progress.finish()
            publisher.discard()
        return result, prints, index

    def _shared(self, fingerprints: Fingerprinter, renderer: Renderer, routes: Sequence[Route]) -> str:
        """What every page shares (dependencies.SiteKey): when it changed, every route is fingerprinted."""
        templates = sorted({route.template for route in routes})
        options = self.options
        try:
            digests = [f"{name}={fingerprints.template(name)}" for name in templates]
        except (jinja2.TemplateError, OSError):
            digests = [os.urandom(8).hex()]  # a template that does not compile: every page is looked at (and fails)
        return shared_digest([fingerprints.shared, renderer.shared_key, f"{options.drafts}:{options.future}",
                              *digests])  # fmt: skip


def _tidy(store: BodyStore, cache: BuildCache, loaded: LoadedArticles) -> None:
    """Remove the bodies no article has any more: the replaced versions of what this build parsed and of what was
    deleted; after a build that could not use the cache, everything not this build's (another sitegen's, other
    settings')."""
    gone = [s for s in cache.articles if s not in loaded.parsed]
    if not loaded.fresh and not gone:
        return
    current = {p.digest for p in loaded.parsed.values()}
    if cache.stale:
        store.prune(current)
        return
    replaced = {cache.articles[s].digest for s in (*loaded.fresh, *gone) if s in cache.articles}
    store.discard(replaced - current)


def _last_index(cache: BuildCache) -> SiteKey | None:
    """The last build's site key; one that can't be read is as good as none (every route is fingerprinted)."""
    if not cache.index:
        return None
    try:
        return SiteKey.from_json(cache.index)
    except (ValueError, TypeError, KeyError):
        return None


def _shown(inputs: Inputs) -> int:
    """How far past an article an edition's blocks reach: latest news (and its spare), and Most Popular's fallback
    (pinned articles, then as many newest)."""
    config = inputs.config
    return config.latest_count + 1 + 2 * config.popular.count


def _publish_static(inputs: Inputs, publisher: Publisher) -> None:
    files = inputs.statics.files
    for rel, found in files.items():
        publisher.copy(rel, found.path)
    for rel, hashed in inputs.assets.hashed.items():
        publisher.copy(hashed, files[rel].path)


def _assets_digest(assets: Assets) -> str:
    return hashlib.sha256(repr(sorted(assets.hashed.items())).encode()).hexdigest()[:16]
