"""One build: load → model → plan → render → write. This module runs the stages in order and parses nothing itself.

All data is gathered from every file before any page is rendered, so every page sees the same, consistent site; and
nothing is published until every page has rendered, so a failed build leaves the published site as it was.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sitegen.assemble import Visibility, build_site
from sitegen.assets import Assets
from sitegen.config import Config, load_config
from sitegen.content import ParseSettings, parse_article, parse_section_index
from sitegen.distribution import Distribution
from sitegen.errors import ConfigError, ContentError, Problem, errors_in, warning
from sitegen.load import STATIC_DIR, TEMPLATES_DIR, SourceFile, find_content, find_static, read_bytes, read_optional
from sitegen.lock import site_lock
from sitegen.model import Article, SectionInfo, Site
from sitegen.plan import Route, plan
from sitegen.popular import PageViews, parse_pageviews
from sitegen.render import Renderer, TemplateProblem, TemplateSet, make_environment
from sitegen.safety import check_output_folder
from sitegen.search import SEARCH_ASSETS, SearchStats, publish_search
from sitegen.theme import default_theme
from sitegen.write import Publisher, WriteStats

MAX_TEMPLATE_FAILURES = 25  # one broken base template fails every page: report it once, not ten thousand times


@dataclass(frozen=True)
class BuildOptions:
    root: Path
    output: Path
    drafts: bool = False
    future: bool = False


@dataclass
class BuildResult:
    articles: int = 0
    pages: int = 0
    rendered: int = 0
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
    loaded = load_config(root)
    config = loaded.config
    check_output_folder(root, options.output)
    now = build_time()

    articles, indexes, warnings = _load_articles(root, config)
    site = build_site(
        articles, indexes, config, Visibility(now, options.drafts, options.future), _pageviews(root, config, warnings)
    )
    theme_static, site_static = _static_files(root, warnings, search=config.search.enabled)
    static = {**theme_static, **site_static}
    assets = Assets.fingerprint(static, lambda rel: read_bytes(static[rel]))
    distribution = _distribution(config, site_static, loaded.path, warnings)
    routes, problems = plan(site, config.page_size, distribution.planner(), search=config.search.enabled)
    _stop_on_errors(problems)

    result = BuildResult(articles=len(site.articles), pages=len(routes), warnings=warnings)
    publisher = Publisher.open(options.output)
    try:
        _publish_static(static, assets, publisher)
        result.rendered = _render_all(root, config, site, routes, publisher, assets)
        result.search = publish_search(publisher, routes, config, now, warnings)
        result.stats = publisher.commit()
    finally:
        publisher.discard()
    result.seconds = time.perf_counter() - started
    return result


def _load_articles(root: Path, config: Config) -> tuple[list[Article], dict[str, SectionInfo], list[Problem]]:
    articles, indexes, problems = read_articles(root, config)
    _stop_on_errors(problems)
    return articles, indexes, problems


def read_articles(root: Path, config: Config) -> tuple[list[Article], dict[str, SectionInfo], list[Problem]]:
    """Every article and section index that parses, and every problem found (`sitegen check` shares this stage)."""
    sources = find_content(root)
    settings = ParseSettings.from_config(config)
    problems: list[Problem] = list(sources.problems)
    articles: list[Article] = []
    for found in sources.articles:
        article, found_problems = parse_article(found.rel, read_bytes(found), settings)
        problems += found_problems
        if article is not None:
            articles.append(article)
    indexes: dict[str, SectionInfo] = {}
    for found in sources.section_indexes:
        info, found_problems = parse_section_index(found.rel, read_bytes(found), settings)
        problems += found_problems
        if info is not None:
            indexes[info.path] = info
    return articles, indexes, problems


def _pageviews(root: Path, config: Config, warnings: list[Problem]) -> list[PageViews]:
    rows, problems = parse_pageviews(config.popular.file, read_optional(root / config.popular.file))
    warnings += problems
    return rows


def _stop_on_errors(problems: list[Problem]) -> None:
    if errors_in(problems):
        raise ContentError(problems)


def _static_files(
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


def _distribution(
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


def _render_all(
    root: Path, config: Config, site: Site, routes: list[Route], publisher: Publisher, assets: Assets
) -> int:
    templates = TemplateSet(_template_folders(root), root)
    env = make_environment(templates, config)
    problems: list[Problem] = []
    try:
        renderer = Renderer(env, templates, site, config, assets.url)
    except TemplateProblem as exc:
        raise ContentError([exc.problem]) from exc
    rendered = 0
    for route in routes:
        try:
            publisher.put(route.output, renderer.render(route))
            rendered += 1
        except TemplateProblem as exc:
            if exc.problem not in problems:
                problems.append(exc.problem)
            if len(problems) >= MAX_TEMPLATE_FAILURES:
                break
    if problems:
        raise ContentError(problems)
    return rendered


def _template_folders(root: Path) -> tuple[Path, ...]:
    own = root / TEMPLATES_DIR
    theme = default_theme().templates
    folders = [own] if own.is_dir() and own.resolve() != theme.resolve() else []
    return (*folders, theme)
