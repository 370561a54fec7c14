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
from sitegen.config import Config, load_config
from sitegen.content import ParseSettings, parse_article, parse_section_index
from sitegen.errors import ConfigError, ContentError, Problem, errors_in
from sitegen.load import STATIC_DIR, TEMPLATES_DIR, find_content, find_static, read_bytes, read_optional
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
    started = time.perf_counter()
    root = options.root.resolve()
    config = load_config(root).config
    check_output_folder(root, options.output)
    now = build_time()

    articles, indexes, warnings = _load_articles(root, config)
    site = build_site(
        articles, indexes, config, Visibility(now, options.drafts, options.future), _pageviews(root, config, warnings)
    )
    routes, problems = plan(site, config.page_size, search=config.search.enabled)
    _stop_on_errors(problems)

    result = BuildResult(articles=len(site.articles), pages=len(routes), warnings=warnings)
    publisher = Publisher.open(options.output)
    try:
        _publish_static(root, publisher, warnings, skip=() if config.search.enabled else SEARCH_ASSETS)
        result.rendered = _render_all(root, config, site, routes, publisher)
        result.search = publish_search(publisher, routes, config, now, warnings)
        result.stats = publisher.commit()
    finally:
        publisher.discard()
    result.seconds = time.perf_counter() - started
    return result


def _load_articles(root: Path, config: Config) -> tuple[list[Article], dict[str, SectionInfo], list[Problem]]:
    sources = find_content(root)
    settings = ParseSettings(config.timezone, config.permalink, config.default_author)
    problems: list[Problem] = list(sources.problems)
    articles: list[Article] = []
    for found in sources.articles:
        article, found_problems = parse_article(found.rel, read_bytes(found), settings)
        problems += found_problems
        if article is not None:
            articles.append(article)
    indexes: dict[str, SectionInfo] = {}
    for found in sources.section_indexes:
        info, found_problems = parse_section_index(found.rel, read_bytes(found))
        problems += found_problems
        if info is not None:
            indexes[info.path] = info
    _stop_on_errors(problems)
    return articles, indexes, problems


def _pageviews(root: Path, config: Config, warnings: list[Problem]) -> list[PageViews]:
    rows, problems = parse_pageviews(config.popular.file, read_optional(root / config.popular.file))
    warnings += problems
    return rows


def _stop_on_errors(problems: list[Problem]) -> None:
    if errors_in(problems):
        raise ContentError(problems)


def _publish_static(root: Path, publisher: Publisher, warnings: list[Problem], skip: tuple[str, ...] = ()) -> None:
    theme = default_theme().static
    theme_files, _ = find_static(theme, theme)
    site_files, problems = find_static(root, root / STATIC_DIR)
    warnings += problems
    theme_files = {rel: found for rel, found in theme_files.items() if rel not in skip}
    for rel, found in {**theme_files, **site_files}.items():
        publisher.copy(rel, found.path)


def _render_all(root: Path, config: Config, site: Site, routes: list[Route], publisher: Publisher) -> int:
    templates = TemplateSet(_template_folders(root), root)
    env = make_environment(templates, config)
    problems: list[Problem] = []
    try:
        renderer = Renderer(env, templates, site, config, _asset_url)
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


def _asset_url(path: str) -> str:
    return "/" + path.lstrip("/")
