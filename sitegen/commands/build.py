"""One build: load → model → plan → render → write. This module runs the stages in order and parses nothing itself.

All data is gathered from every file before any page is rendered, so every page sees the same, consistent site; and
nothing is published until every page has rendered, so a failed build leaves the published site as it was.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sitegen.config import Config, load_config
from sitegen.content.article import ParseSettings, parse_article, parse_section_index
from sitegen.content.sources import (
    STATIC_DIR,
    TEMPLATES_DIR,
    SourceFile,
    find_content,
    find_static,
    read_bytes,
    read_optional,
)
from sitegen.errors import ConfigError, ContentError, Problem, errors_in, warning
from sitegen.incremental.bodies import BODIES_DIR, Bodies, BodyStore
from sitegen.incremental.cache import CACHE_DIR, BuildCache, LastBuild, cache_key, code_digest
from sitegen.incremental.fingerprint import Fingerprinter
from sitegen.incremental.reuse import (
    horizon,
    inputs_digest,
    load_articles,
    nothing_changed,
    shown_everywhere,
    stale_routes,
)
from sitegen.incremental.workers import RenderJob, default_jobs, render_routes
from sitegen.model import Article, SectionInfo, Site
from sitegen.progress import Progress
from sitegen.publish.guards import check_output_folder
from sitegen.publish.lock import site_lock
from sitegen.publish.pagefind import SEARCH_ASSETS, SearchStats, publish_search
from sitegen.publish.writer import Publisher, WriteStats, clean_leftovers
from sitegen.render.assets import Assets
from sitegen.render.renderer import Renderer, TemplateProblem, TemplateSet, make_environment
from sitegen.render.theme import default_theme
from sitegen.site.assemble import Visibility, build_site
from sitegen.site.distribution import Distribution
from sitegen.site.plan import plan
from sitegen.site.popular import PageViews, parse_pageviews

MAX_TEMPLATE_FAILURES = 25  # one broken base template fails every page: report it once, not ten thousand times


@dataclass(frozen=True)
class BuildOptions:
    root: Path
    output: Path
    drafts: bool = False
    future: bool = False
    clean: bool = False  # ignore the build cache: parse and render everything
    jobs: int = 0  # worker processes; 0: one per CPU
    progress: Progress = field(default_factory=Progress)


@dataclass
class BuildResult:
    articles: int = 0
    pages: int = 0
    rendered: int = 0
    skipped: int = 0  # pages whose fingerprint was unchanged: carried over without rendering
    parsed: int = 0  # source files parsed (the others came from the cache)
    stats: WriteStats = field(default_factory=WriteStats)
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    search: SearchStats = field(default_factory=SearchStats)


def build_time() -> datetime:
    """Now, or SOURCE_DATE_EPOCH when set: reproducible builds and tests."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return datetime.now(UTC)
    try:
        return datetime.fromtimestamp(int(epoch), UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise ConfigError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {epoch!r}") from exc


def build(options: BuildOptions) -> BuildResult:
    """Build the site, holding its lock: a second build of the same site at once stops with a clear message."""
    root = options.root.resolve()
    check_output_folder(root, options.output)  # before the lock creates anything: a refusal touches nothing
    with site_lock(root):
        return _build(options)


def _build(options: BuildOptions) -> BuildResult:
    started = time.perf_counter()
    root = options.root.resolve()
    loaded_config = load_config(root)
    config = loaded_config.config
    now = build_time()
    jobs = options.jobs or default_jobs()
    progress = options.progress
    settings = ParseSettings.from_config(config)
    code = code_digest()
    key = cache_key(code, settings)
    cache = BuildCache.open(root, key, clean=options.clean)
    store = BodyStore(root / CACHE_DIR / BODIES_DIR, key, trust=not options.clean)

    sources = find_content(root)
    templates = TemplateSet(template_folders(root), root)
    static_problems: list[Problem] = []
    theme_static, site_static = static_files(root, static_problems, search=config.search.enabled)
    statics = {**theme_static, **site_static}
    output = str(options.output.resolve())
    local_date = now.astimezone(config.tz).date().isoformat()
    inputs = inputs_digest(
        [code, config.digest(), f"{options.drafts}:{options.future}", local_date, output,
         *(str(f) for f in templates.folders), _stamp(root / config.popular.file)],
        [*sources.articles, *sources.section_indexes, *statics.values(), *_files_in(templates.folders)],
    )  # fmt: skip
    clean_leftovers(options.output)  # an interrupted build's temporary files go even when nothing else changed
    if nothing_changed(cache.last, inputs, now, options.output):
        return _nothing_to_do(cache, started)
    cache.read_state()
    progress.start("reading", len(sources.articles))
    loaded = load_articles(sources.articles, settings, cache, store, jobs, progress.tick)
    warnings = [*sources.problems, *static_problems, *loaded.problems]
    indexes = _section_indexes(sources.section_indexes, settings, warnings)
    _stop_on_errors(warnings)
    pageviews = _pageviews(root, config, warnings)
    visibility = Visibility(now, options.drafts, options.future)
    site = build_site(loaded.articles, indexes, config, visibility, pageviews)
    assets = Assets.fingerprint(statics, lambda rel: read_bytes(statics[rel]))
    distribution = distribution_for(config, site_static, loaded_config.path, warnings)
    routes, problems = plan(site, config.page_size, distribution.planner(), search=config.search.enabled)
    _stop_on_errors(problems)

    result = BuildResult(articles=len(site.articles), pages=len(routes), warnings=warnings, parsed=len(loaded.fresh))
    publisher = Publisher.open(options.output)
    try:
        _publish_static(statics, assets, publisher)
        renderer = _renderer(templates, config, site, assets)
        # Fingerprinted asset names are in every page's head: a changed stylesheet must re-render the pages.
        fingerprints = Fingerprinter(renderer, site, config, f"{code}:{_assets_digest(assets)}", loaded.teasers)
        todo, prints = stale_routes(routes, fingerprints.route, cache.routes_for(output), publisher)
        bodies = Bodies(store, loaded.files, settings, loaded.light)
        if todo:
            bodies.fill(shown_everywhere(site))  # blocks on every page may show these; the rest are filled per page
        progress.start("rendering", len(todo))
        _render(RenderJob(renderer, routes, publisher, bodies), todo, jobs, progress)
        progress.finish()
        result.rendered, result.skipped = len(todo), len(routes) - len(todo)
        result.search = publish_search(publisher, routes, config, now, warnings)
        result.stats = publisher.commit()
    finally:
        progress.finish()
        publisher.discard()
    last = LastBuild(inputs, horizon(loaded.articles, now), result.articles, result.pages, tuple(warnings))
    warnings[:0] = cache.problems
    warnings += cache.save(loaded.parsed, loaded.fresh, prints, output, last)
    if loaded.fresh or cache.articles.keys() - loaded.parsed.keys():
        store.prune(p.digest for p in loaded.parsed.values())
    result.seconds = time.perf_counter() - started
    return result


def _section_indexes(
    files: Sequence[SourceFile], settings: ParseSettings, problems: list[Problem]
) -> dict[str, SectionInfo]:
    """What each `_index.md` says about its section; their problems are added to `problems`."""
    indexes: dict[str, SectionInfo] = {}
    for found in files:
        info, found_problems = parse_section_index(found.rel, read_bytes(found), settings)
        problems += found_problems
        if info is not None:
            indexes[info.path] = info
    return indexes


def _pageviews(root: Path, config: Config, warnings: list[Problem]) -> list[PageViews]:
    rows, problems = parse_pageviews(config.popular.file, read_optional(root / config.popular.file))
    warnings += problems
    return rows


def _stop_on_errors(problems: list[Problem]) -> None:
    if errors_in(problems):
        raise ContentError(problems)


def read_articles(root: Path, config: Config) -> tuple[list[Article], dict[str, SectionInfo], list[Problem]]:
    """Every article and section index that parses, and every problem found, without the build cache.

    `sitegen check` uses this: it must write nothing, not even the cache.
    """
    sources = find_content(root)
    settings = ParseSettings.from_config(config)
    problems: list[Problem] = list(sources.problems)
    articles: list[Article] = []
    for found in sources.articles:
        article, found_problems = parse_article(found.rel, read_bytes(found), settings)
        problems += found_problems
        if article is not None:
            articles.append(article)
    return articles, _section_indexes(sources.section_indexes, settings, problems), problems


def static_files(
    root: Path, warnings: list[Problem], *, search: bool = True
) -> tuple[dict[str, SourceFile], dict[str, SourceFile]]:
    """The theme's static files (without the search page's script when search is off) and the site's own (which win)."""
    theme = default_theme().static
    theme_files, _ = find_static(theme, theme)
    if not search:
        theme_files = {rel: found for rel, found in theme_files.items() if rel not in SEARCH_ASSETS}
    site_files, problems = find_static(root, root / STATIC_DIR)
    warnings += problems
    return theme_files, site_files


def distribution_for(
    config: Config, site_static: dict[str, SourceFile], config_path: Path | None, warnings: list[Problem]
) -> Distribution:
    if not config.base_url:
        warnings.append(warning(config_path.name if config_path else "sitegen.toml", None, (
            "no base_url: feeds, canonical links and structured data use root-relative URLs, social cards have no "
            "og:url, and sitemap.xml and news-sitemap.xml are not written (they need absolute URLs)"
        )))  # fmt: skip
    return Distribution(
        feed_count=config.feeds.count,
        atom=config.feeds.atom,
        sitemaps=bool(config.base_url),
        robots="robots.txt" not in site_static,  # the site's own static/robots.txt replaces the generated one
    )


def _publish_static(static: dict[str, SourceFile], assets: Assets, publisher: Publisher) -> None:
    for rel, found in static.items():
        publisher.copy(rel, found.path)
    for rel, hashed in assets.hashed.items():
        publisher.copy(hashed, static[rel].path)


def _assets_digest(assets: Assets) -> str:
    return hashlib.sha256(repr(sorted(assets.hashed.items())).encode()).hexdigest()[:16]


def _files_in(folders: Sequence[Path]) -> list[SourceFile]:
    return [found for folder in folders for found in find_static(folder, folder)[0].values()]


def _stamp(path: Path) -> str:
    try:
        stat = path.stat()
    except OSError:
        return f"{path}: missing"
    return f"{path}:{stat.st_mtime_ns}:{stat.st_size}"


def _nothing_to_do(cache: BuildCache, started: float) -> BuildResult:
    """The previous build's result, unchanged: same pages, same warnings, nothing rendered or written."""
    last = cache.last
    assert last is not None
    result = BuildResult(articles=last.articles, pages=last.pages, skipped=last.pages, warnings=list(last.warnings))
    result.stats.unchanged = last.pages
    result.seconds = time.perf_counter() - started
    return result


def _renderer(templates: TemplateSet, config: Config, site: Site, assets: Assets) -> Renderer:
    try:
        return Renderer(make_environment(templates, config), templates, site, config, assets.url)
    except TemplateProblem as exc:
        raise ContentError([exc.problem]) from exc


def _render(job: RenderJob, todo: list[int], jobs: int, progress: Progress) -> None:
    problems = render_routes(job, todo, jobs, progress.tick, MAX_TEMPLATE_FAILURES)
    if problems:
        raise ContentError(problems)


def template_folders(root: Path) -> tuple[Path, ...]:
    own = root / TEMPLATES_DIR
    theme = default_theme().templates
    folders = [own] if own.is_dir() and own.resolve() != theme.resolve() else []
    return (*folders, theme)
