"""The stage order, written once: list the site's files → read its inputs → assemble → plan.

`sitegen build`, `sitegen check` and the preview make a site the same way and differ only in where articles come from
(the build cache and workers, every file parsed, front-matter only) and where pages go (files, a report, memory):

    listing, problems = list_site(root, loaded)      # names and stamps (incremental/listing.py: no parser loaded)
    inputs, problems = read_inputs(listing)          # section indexes, analytics, asset names, a Jinja environment
    ... articles ...                                 # the caller's own: each command has its policy for those
    planned, problems = plan_site(inputs, articles, Visibility(now, drafts, future))
    problems += check_templates(inputs, planned)     # compile every template, render one page of each kind

Every stage returns `(value, problems)` and has one policy for what it reads: a missing analytics export is a note,
an unreadable one a warning; a section index deleted while it was being listed is skipped, an unreadable one an error.
The preview keeps each input separately and refreshes the one a save touched, through the same readers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from sitegen.config import Config, LoadedConfig
from sitegen.content.article import parse_article, parse_section_index
from sitegen.content.settings import ParseSettings
from sitegen.content.sources import (
    SourceFile,
    bundle_files,
    read_bytes,
    read_optional,
)
from sitegen.errors import ContentError, Problem, Severity, error, warning
from sitegen.images.catalogue import ImageSet
from sitegen.images.usage import Use, collect, site_paths
from sitegen.incremental.listing import Listing, Statics
from sitegen.model import Article, SectionInfo, Site
from sitegen.paths import CONFIG_FILE, ROBOTS_FILE, TEMPLATES_DIR
from sitegen.render.assets import Assets
from sitegen.render.renderer import Renderer, make_environment, syntax_problem
from sitegen.render.theme import TemplateSet
from sitegen.site.assemble import Visibility, build_site
from sitegen.site.distribution import Distribution
from sitegen.site.plan import Route, check_urls, claims, plan
from sitegen.site.popular import PageViews, parse_pageviews

TEMPLATE_SUFFIXES = (".html", ".htm", ".xml", ".txt", ".j2", ".jinja")


def config_problems(loaded: LoadedConfig) -> list[Problem]:
    """What the configuration leaves out that readers of the site will miss."""
    if loaded.config.base_url:
        return []
    where = loaded.path.name if loaded.path else CONFIG_FILE
    return [warning(where, None, (
        "no base_url: feeds, canonical links and structured data use root-relative URLs, social cards have no "
        "og:url, and sitemap.xml and news-sitemap.xml are not written (they need absolute URLs)"
    ))]  # fmt: skip


# -- reading: the inputs besides articles --------------------------------------------------------------------------


@dataclass(frozen=True)
class Inputs:
    """Everything a site is made from except its articles."""

    config: Config
    statics: Statics
    assets: Assets
    templates: TemplateSet
    env: jinja2.Environment
    indexes: Mapping[str, SectionInfo]
    pageviews: Sequence[PageViews]
    resources: Sequence[SourceFile] = ()  # page bundles' files (content/news/story/cover.jpg)


def read_inputs(listing: Listing) -> tuple[Inputs, list[Problem]]:
    """The section indexes, the analytics and the asset names; problems in that order, then the configuration's."""
    config = listing.config
    settings = ParseSettings.from_config(config)
    indexes, problems = read_section_indexes(listing.content.section_indexes, settings)
    pageviews, more = read_pageviews(listing.root, config)
    inputs = Inputs(
        config, listing.statics, fingerprint_assets(listing.statics), listing.templates,
        make_environment(listing.templates, config), indexes, pageviews, listing.content.resources,
    )  # fmt: skip
    return inputs, [*problems, *more, *config_problems(listing.loaded)]


def fingerprint_assets(statics: Statics) -> Assets:
    """Asset names with their content hash. When a stylesheet can't be read (deleted while it was listed, no
    permission) every asset keeps its plain name: the preview's next change or the build's copy of it says why."""
    files = statics.files
    try:
        return Assets.fingerprint(files, lambda rel: read_bytes(files[rel]))
    except OSError:
        return Assets({}, frozenset(files))


def read_section_indexes(
    files: Iterable[SourceFile], settings: ParseSettings
) -> tuple[dict[str, SectionInfo], list[Problem]]:
    """What each `_index.md` says about its section."""
    indexes: dict[str, SectionInfo] = {}
    problems: list[Problem] = []
    for found in files:
        try:
            data = read_bytes(found)
        except FileNotFoundError:
            continue  # deleted since the folder was listed: as if listed a moment later
        except OSError as exc:
            problems.append(error(found.rel, None, f"cannot be read: {exc.strerror or exc}"))
            continue
        info, found_problems = parse_section_index(found.rel, data, settings)
        problems += found_problems
        if info is not None:
            indexes[info.path] = info
    return indexes, problems


def read_pageviews(root: Path, config: Config) -> tuple[list[PageViews], list[Problem]]:
    """The analytics export. Advisory: no export is how every site starts (a note); one that can't be read or parsed
    is a warning, and Most Popular falls back to pinned and newest articles."""
    file = config.popular.file
    try:
        data = read_optional(root / file)
    except OSError as exc:
        return [], [warning(file, None, f"cannot be read ({exc.strerror or exc}): Most Popular falls back")]
    rows, problems = parse_pageviews(file, data)
    if data is None:
        problems = [Problem(p.path, p.line, p.message, Severity.INFO) for p in problems]
    return rows, problems


def read_articles(files: Iterable[SourceFile], settings: ParseSettings) -> tuple[list[Article], list[Problem]]:
    """Every article parsed from its file, without a build cache (`check` writes nothing, not even the cache)."""
    articles: list[Article] = []
    problems: list[Problem] = []
    for found in files:
        article, found_problems = parse_article(found.rel, read_bytes(found), settings)
        problems += found_problems
        if article is not None:
            articles.append(article)
    return articles, problems


# -- assembling and planning -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    site: Site
    routes: list[Route]
    files: Mapping[str, SourceFile] = field(default_factory=dict)  # page bundles' files, by path in the output
    claims: str = ""  # what the routes claim (plan.claims): a build that publishes them found the claims safe


def distribution_for(config: Config, site_static: Mapping[str, SourceFile]) -> Distribution:
    """Feeds, sitemaps, robots.txt: what the configuration and the site's own static files ask for."""
    return Distribution(
        feed_count=config.feeds.count,
        atom=config.feeds.atom,
        sitemaps=bool(config.base_url),
        robots=ROBOTS_FILE not in site_static,  # the site's own static/robots.txt replaces the generated one
    )


def plan_site(
    inputs: Inputs, articles: Iterable[Article], visibility: Visibility, checked: str | None = None
) -> tuple[Planned, list[Problem]]:
    """The site as published at `visibility`, and every page it has; URL collisions are errors. `checked`, for a
    build that keeps its state: the routes' `claims` when the last build found none ("" if not known); the same
    claims are not checked again."""
    config = inputs.config
    site = build_site(articles, inputs.indexes, config, visibility, inputs.pageviews)
    distribution = distribution_for(config, inputs.statics.site).planner()
    routes, _ = plan(site, config.page_size, distribution, search=config.search.enabled, check=False)
    claimed = "" if checked is None else claims(routes)
    problems = [] if checked and claimed == checked else check_urls(routes)
    files = bundle_files((*site.articles, *site.pages), inputs.resources)
    pages = {route.output for route in routes}
    problems += [error(found.rel, None, f"is published as {rel}, where a page or static file of the site is: rename it")
                 for rel, found in files.items() if rel in pages or rel in inputs.statics.files]  # fmt: skip
    return Planned(site, routes, files, claimed), problems


def make_renderer(inputs: Inputs, site: Site, images: ImageSet | None = None) -> Renderer:
    """The renderer of a planned site (it renders the blocks every page shows: raises ContentError)."""
    return Renderer(inputs.env, inputs.templates, site, inputs.config, inputs.assets.url, images)


# -- images ----------------------------------------------------------------------------------------------------------


def image_uses(inputs: Inputs, planned: Planned, root: Path) -> tuple[dict[str, Use], list[Problem]]:
    """The images the published articles and pages show, from the site's static files and bundles; a missing one is
    an error at its article's line. None when processing is off: images are then linked as written."""
    if not inputs.config.images.enabled:
        return {}, []
    available = site_paths(inputs.statics.files, planned.files)
    return collect((*planned.site.articles, *planned.site.pages), available, root)


# -- templates -------------------------------------------------------------------------------------------------------


def compile_templates(
    env: jinja2.Environment, templates: TemplateSet, names: Iterable[str] | None = None
) -> list[Problem]:
    """Templates compiled (`names`, or every template file): a syntax error is found before any page needs it."""
    problems: list[Problem] = []
    wanted = sorted(names) if names is not None else [n for n in env.list_templates() if n.endswith(TEMPLATE_SUFFIXES)]
    for name in wanted:
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(syntax_problem(templates, exc, f"{TEMPLATES_DIR}/{name}"))
    return problems


def render_samples(routes: Iterable[Route], render: Callable[[Route], object]) -> list[Problem]:
    """Render the first page of each template: finds an undefined variable without rendering the whole site."""
    samples: dict[str, Route] = {}
    for route in routes:
        samples.setdefault(route.template, route)
    problems: list[Problem] = []
    for route in samples.values():
        try:
            render(route)
        except ContentError as exc:
            problems += exc.problems
    return problems


def check_templates(inputs: Inputs, planned: Planned) -> list[Problem]:
    """`sitegen check`: every template file compiled, then one page of each kind rendered in memory."""
    problems = compile_templates(inputs.env, inputs.templates)
    if problems:
        return problems
    try:
        renderer = make_renderer(inputs, planned.site)
    except ContentError as exc:
        return exc.problems
    return render_samples(planned.routes, renderer.render)
