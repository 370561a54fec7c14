"""Render routes to HTML bytes with Jinja.

Blocks that every page shows are rendered once per build and handed to each page as finished markup: a 10,000-page
build must not redo them 10,000 times. Navigation, newsletter and sponsor are the same on every page; latest news, Most
Popular and topics are shown as of the page's edition (site/editions.py), rendered once per edition, and published as
they are now as fragment files.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import jinja2.meta
from markupsafe import Markup

from sitegen.config import Config
from sitegen.errors import ContentError, Problem, error
from sitegen.images.catalogue import ImageSet
from sitegen.images.markup import ImageMarkup
from sitegen.model import Site
from sitegen.paths import TEMPLATES_DIR
from sitegen.render import feeds, sitemaps
from sitegen.render.metadata import Metadata
from sitegen.render.theme import TemplateSet
from sitegen.site.distribution import ATOM, FRAGMENT, NEWS_SITEMAP, ROBOTS, RSS, SITEMAP, SITEMAP_INDEX, fragment_url
from sitegen.site.editions import Edition, Editions
from sitegen.site.plan import REDIRECT, Route
from sitegen.urls import absolute

SHARED_BLOCKS = ("nav", "newsletter", "sponsor")
EDITION_BLOCKS = ("most_popular", "search_topics")  # and latest_news, which leaves the page's own article out
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # fmt: skip
# Machine-read files are written by serializers, not templates: well-formed whatever a title contains.
SERIALIZERS: dict[str, Callable[[Route, Site, Config], bytes]] = {
    SITEMAP: sitemaps.sitemap, SITEMAP_INDEX: sitemaps.sitemap_index, NEWS_SITEMAP: sitemaps.news_sitemap,
    ROBOTS: sitemaps.robots,
}  # fmt: skip
# Feeds carry whole bodies: they show the processed images' derivatives, never the source files.
FEEDS: dict[str, Callable[[Route, Site, Config, ImageMarkup | None], bytes]] = {RSS: feeds.rss, ATOM: feeds.atom}


def syntax_problem(templates: TemplateSet, exc: jinja2.TemplateSyntaxError, name: str) -> Problem:
    """A template that does not compile, as `templates/x.html:LINE: template syntax error: ...`."""
    where = templates.display(exc.filename) if exc.filename else name
    return error(where, exc.lineno, f"template syntax error: {exc.message}")


def make_environment(templates: TemplateSet, config: Config) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in templates.folders]),
        autoescape=True,  # every template, whatever its file name
        undefined=jinja2.StrictUndefined,  # a typo in a template is an error with a line, not an empty string
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    tz = ZoneInfo(config.timezone)
    env.filters["longdate"] = lambda d: long_date(d.astimezone(tz))
    env.filters["isodate"] = lambda d: d.astimezone(tz).date().isoformat()
    env.filters["isotime"] = lambda d: d.astimezone(tz).isoformat()
    env.filters["year"] = lambda d: d.astimezone(tz).year
    env.filters["absolute"] = lambda url: absolute(config.base_url, url)
    return env


def long_date(moment: datetime) -> str:
    """ "Thursday, September 11, 2025", the seed's header format, independent of the machine's locale."""
    return f"{_WEEKDAYS[moment.weekday()]}, {_MONTHS[moment.month - 1]} {moment.day}, {moment.year}"


class Renderer:
    """Renders the routes of one build; holds the shared blocks so each is rendered once."""

    def __init__(self, env: jinja2.Environment, templates: TemplateSet, site: Site, config: Config,
                 asset_url: Callable[[str], str], images: ImageSet | None = None) -> None:  # fmt: skip
        self.env = env
        self.images = images if images is not None else ImageSet.off()
        markup = self.markup = ImageMarkup(self.images)
        self.templates = templates
        self.site = site
        self.config = config
        build_local = site.build_time.astimezone(ZoneInfo(config.timezone))
        self.globals: dict[str, Any] = {
            "site": site,
            "config": config,
            "build_time": build_local,
            "asset": asset_url,
            "site_date_config": json.dumps({"lang": config.language, "timeZone": config.timezone}),
            "page_meta": Metadata(site, config, config.feeds.atom, markup).for_route,
            "images": markup,
            "fragment_url": fragment_url,
        }
        self.blocks: dict[str, Markup] = {name: self._block(f"partials/{name}.html") for name in SHARED_BLOCKS}
        self._shared_key = "\0".join(f"{name}={markup}" for name, markup in sorted(self.blocks.items()))
        self.editions = Editions(site, config.latest_count, config.popular.count, config.topics_count)
        self._edition_blocks: dict[str, dict[str, Markup]] = {}
        self._latest: dict[tuple[str, str], Markup] = {}
        self._references: dict[str, list[str | None]] = {}  # a template's source → the templates it names

    @property
    def shared_key(self) -> str:
        """The blocks every page shows alike, as one comparable string."""
        return self._shared_key

    def _block(self, name: str) -> Markup:
        return Markup(self._render_template(name, self.globals))

    def edition_of(self, route: Route) -> Edition:
        """What the blocks around `route` show: a fragment file shows them now, a page as of its own moment."""
        if route.kind == FRAGMENT:
            return self.editions.current()
        return self.editions.of(route.articles())

    def blocks_for(self, edition: Edition) -> dict[str, Markup]:
        """Every block a page of `edition` shows, as markup (or as include directives, when the host includes)."""
        key = edition.key
        if key not in self._edition_blocks:
            _bound(self._edition_blocks)
            own = {name: self._edition_block(name, edition) for name in EDITION_BLOCKS}
            self._edition_blocks[key] = {**self.blocks, **own}
        return self._edition_blocks[key]

    def _edition_block(self, name: str, edition: Edition, context: Mapping[str, Any] | None = None) -> Markup:
        mode = self.config.fragments.include
        if mode == "ssi":
            return Markup('<!--#include virtual="{}" -->').format(fragment_url(name))
        if mode == "esi":
            return Markup('<esi:include src="{}"/>').format(fragment_url(name))
        extra = {"edition": edition, "fragment": False, **(context or {})}
        return Markup(self._render_template(f"partials/{name}.html", {**self.globals, **extra}))

    def latest_for(self, route: Route, edition: Edition) -> Markup:
        """ "Catch up on the latest news" as of the page's edition, without the article being read."""
        article = route.article if route.kind != FRAGMENT else None
        shown = tuple(a for a in edition.latest if a is not article)[: self.config.latest_count]
        key = (edition.key, "|".join(a.url for a in shown))
        if key not in self._latest:
            _bound(self._latest)
            self._latest[key] = self._edition_block("latest_news", edition, {"latest": shown})
        return self._latest[key]

    def context_key(self, route: Route) -> tuple[str, ...]:
        """Everything a page shows besides its Route's own fields (the blocks around it), as comparable strings: two
        renderers give a route the same bytes when its Route and this key are equal (fingerprints, `build --watch`)."""
        if route.kind in SERIALIZERS or route.kind in FEEDS or route.kind == REDIRECT:
            return (self._shared_key,)  # no blocks around a feed, a sitemap or a redirect: no edition
        return (self._shared_key, self.edition_of(route).key)

    def render(self, route: Route) -> bytes:
        serializer = SERIALIZERS.get(route.kind)
        if serializer is not None:
            return serializer(route, self.site, self.config)
        feed = FEEDS.get(route.kind)
        if feed is not None:
            return feed(route, self.site, self.config, self.markup)
        edition = self.edition_of(route)
        if route.kind == FRAGMENT:
            return self._render_fragment(route, edition)
        context = {
            **self.globals,
            "page": route,
            "article": route.article,
            "items": route.items,
            "pager": route.pager,
            "section": route.section,
            "term": route.term,
            "breadcrumb": self._breadcrumb(route),
            "edition": edition,
            "blocks": self.blocks_for(edition),
            "latest_news": self.latest_for(route, edition),
        }
        return self._render_template(route.template, context).encode("utf-8")

    def _render_fragment(self, route: Route, edition: Edition) -> bytes:
        """A block as it is now; latest news with a spare item (hidden), for an article page that leaves itself out."""
        context = {**self.globals, "page": route, "edition": edition, "fragment": True, "latest": edition.latest}
        return self._render_template(route.template, context).encode("utf-8")

    def _breadcrumb(self, route: Route) -> tuple[Any, ...]:
        if route.article is not None and route.article.section in self.site.sections:
            return self.site.breadcrumb(route.article.section)
        if route.section is not None:
            return self.site.breadcrumb(route.section.path)
        return ()

    def _render_template(self, name: str, context: Mapping[str, Any]) -> str:
        try:
            return self.env.get_template(name).render(context)
        except jinja2.TemplateSyntaxError as exc:
            raise ContentError([syntax_problem(self.templates, exc, name)]) from exc
        except ContentError:
            raise  # a body the page shows could not be had: the problem is the article's, not the template's
        except jinja2.TemplateNotFound as exc:
            raise ContentError([error(f"{TEMPLATES_DIR}/{name}", None, f"template not found: {exc.name}")]) from exc
        except Exception as exc:
            where, line = self._template_frame(exc.__traceback__, name)
            message = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else repr(exc)
            raise ContentError([error(where, line, f"template error: {message}")]) from exc

    def _template_frame(self, tb: TracebackType | None, name: str) -> tuple[str, int | None]:
        """The innermost template line in a traceback: Jinja maps compiled code back to template lines."""
        found: tuple[str, int | None] = (f"{TEMPLATES_DIR}/{name}", None)
        for frame, line in traceback.walk_tb(tb):
            filename = frame.f_code.co_filename
            if any(filename.startswith(str(folder)) for folder in self.templates.folders):
                found = (self.templates.display(filename), line)
        return found

    def template_sources(self, name: str) -> dict[str, str]:
        """The source of a template and of every template it depends on, by name."""
        seen: dict[str, str] = {}
        self._collect_sources(name, seen)
        return seen

    def _collect_sources(self, name: str, seen: dict[str, str]) -> None:
        if name in seen:
            return
        loader = self.env.loader
        assert loader is not None
        source, _, _ = loader.get_source(self.env, name)
        seen[name] = source
        children = self._references.get(source)
        if children is None:  # parsed once a build: the base template and the partials are in every page's sources
            children = self._references[source] = list(jinja2.meta.find_referenced_templates(self.env.parse(source)))
        for child in children:
            if child is None:  # a computed template name: depend on every template there is
                for other in self.env.list_templates():
                    self._collect_sources(other, seen)
            else:
                self._collect_sources(child, seen)


_KEPT_EDITIONS = 256  # rendered blocks kept: most editions are one article page's own, rendered once


def _bound(cache: dict[Any, Any]) -> None:
    """Forget the rendered blocks of earlier editions when there are many: pages are rendered in plan order, so the
    shared editions (fronts, undated pages) come back at once, and memory stays flat however large the archive."""
    if len(cache) >= _KEPT_EDITIONS:
        cache.clear()
