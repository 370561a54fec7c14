"""Plan what reads the site besides people: feeds, sitemaps, robots.txt, alias redirects and the 404 page.

These are routes like any page, so an alias that takes a page's URL, or a section called `feed.xml`, is caught by the
planner's one collision check. The XML files are written by render/feeds.py and render/sitemaps.py, the HTML ones
(redirects, 404) by templates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sitegen.content.offsets import Now
from sitegen.model import Article, Section, Site, Term
from sitegen.paths import NOT_FOUND_PAGE, ROBOTS_FILE
from sitegen.site.editions import edition_moment, listed_moment
from sitegen.site.plan import (
    ARTICLE_PAGE,
    AUTHOR,
    HOME,
    REDIRECT,
    REDIRECT_TEMPLATE,
    SECTION,
    STANDALONE,
    TAG,
    MoreRoutes,
    Route,
)
from sitegen.urls import output_path

RSS = "rss"
ATOM = "atom"
SITEMAP = "sitemap"
SITEMAP_INDEX = "sitemap-index"
NEWS_SITEMAP = "news-sitemap"
ROBOTS = "robots"
NOT_FOUND = "not-found"
FRAGMENT = "fragment"
FRAGMENT_DIR = "fragments"
# The blocks that change with every publish or analytics refresh, each published once as a file (site/editions.py).
FRAGMENTS = ("latest_news", "most_popular", "search_topics")
NEWS_WINDOW = timedelta(hours=48)  # Google News takes articles published in the two days before the build

# Kinds written by Python serializers rather than templates (see Renderer.render).
SERIALIZED = frozenset({RSS, ATOM, SITEMAP, SITEMAP_INDEX, NEWS_SITEMAP, ROBOTS})

RSS_FILE = "feed.xml"
ATOM_FILE = "atom.xml"
SITEMAP_URL = "/sitemap.xml"
NEWS_SITEMAP_URL = "/news-sitemap.xml"
ROBOTS_URL = f"/{ROBOTS_FILE}"
NOT_FOUND_URL = f"/{NOT_FOUND_PAGE}"
SITEMAP_LIMIT = 50_000  # URLs per sitemap file (sitemaps.org); a month with more is split
SITEMAPS_FOLDER = "/sitemaps/"
_PUBLIC = (HOME, ARTICLE_PAGE, STANDALONE, SECTION, TAG, AUTHOR)


@dataclass(frozen=True)
class Distribution:
    """What to plan: set by the build from the configuration and the site's own static files."""

    feed_count: int = 50
    atom: bool = True
    sitemaps: bool = True  # sitemaps need absolute URLs: off without base_url
    robots: bool = True  # off when the site ships its own static/robots.txt

    def planner(self) -> MoreRoutes:
        return lambda site, routes: plan_distribution(site, routes, self)


def fragment_url(name: str) -> str:
    """ "most_popular" is published at /fragments/most-popular.html."""
    return f"/{FRAGMENT_DIR}/{name.replace('_', '-')}.html"


def plan_distribution(site: Site, pages: Sequence[Route], options: Distribution) -> list[Route]:
    routes = [_fragment(name) for name in FRAGMENTS]
    routes += _feeds(site, options)
    if options.sitemaps:
        routes += _sitemaps(site, pages, SITEMAP_LIMIT)
    if options.robots:
        routes.append(Route(ROBOTS_URL, ROBOTS_FILE, "", ROBOTS, ROBOTS_FILE, ROBOTS_FILE))
    routes.append(
        Route(NOT_FOUND_URL, NOT_FOUND_PAGE, "404.html", NOT_FOUND, "Page not found", "the 404 page", items=site.latest)
    )
    routes += [_redirect(article, alias) for article in (*site.articles, *site.pages) for alias in article.aliases]
    return routes


def feed_urls(base: str, atom: bool) -> list[tuple[str, str]]:
    """The feeds of a list page at `base`: (URL, media type), RSS first."""
    urls = [(base + RSS_FILE, "application/rss+xml")]
    return [*urls, (base + ATOM_FILE, "application/atom+xml")] if atom else urls


def _feeds(site: Site, options: Distribution) -> list[Route]:
    lists: list[tuple[str, str, tuple[Article, ...], Section | None, Term | None]] = [
        ("/", "", site.articles, None, None)
    ]
    lists += [(s.url, s.title, site.section_articles[p], s, None) for p, s in site.sections.items()]
    lists += [(t.url, t.name, site.tag_articles[slug], None, t) for slug, t in site.tags.items()]
    routes = []
    for base, title, articles, section, term in lists:
        items = articles[: options.feed_count]
        for url, _ in feed_urls(base, options.atom):
            kind = RSS if url.endswith(RSS_FILE) else ATOM
            source = f"the feed of {title or 'the site'}"
            routes.append(
                Route(url, output_path(url), "", kind, title, source, items=items, section=section, term=term)
            )
    return routes


def last_changed(article: Article) -> datetime | None:
    return article.updated or article.date


def _sitemaps(site: Site, pages: Sequence[Route], limit: int) -> list[Route]:
    """sitemap.xml is an index of one sitemap per month (UTC) of publication for articles and numbered list pages
    (which keep their articles), and `sitemaps/pages.xml` for the pages that change with publishing (list fronts,
    undated pages): a new article rewrites its month's file, pages.xml and the index, not a sitemap of the whole
    site. An update changes its `lastmod` inside its publication month."""
    site_changed = _newest(last_changed(a) for a in site.articles)
    updated = {id(a) for a in site.articles if a.updated is not None}
    months: dict[str, list[tuple[str, datetime | None]]] = {}
    for route in pages:
        kind, article = route.kind, route.article
        if kind == ARTICLE_PAGE and article is not None:  # most of them: written out, one entry of 137,000
            moment, lastmod = article.date, article.updated or article.date or site_changed
        elif kind in _PUBLIC:
            if route.pager is not None:  # a list's page, newest first: the front page's moment changes with it
                newest = listed_moment(route.items)
                moment = None if route.pager.front else newest
                lastmod = _listed_lastmod(route, newest, updated, site_changed)
            else:
                moment = edition_moment(route.articles())
                lastmod = _lastmod(route, site_changed)
        else:
            continue
        name = _month(moment) if moment else "pages"
        listed = months.get(name)
        if listed is None:
            listed = months[name] = []
        listed.append((route.url, lastmod))
    parts = []
    for name in sorted(months, key=lambda name: (name != "pages", name), reverse=True):  # newest first, undated last
        listed = months[name]
        for n, start in enumerate(range(0, len(listed), limit), 1):
            url = f"{SITEMAPS_FOLDER}{name}{f'-{n}' if n > 1 else ''}.xml"
            parts.append(Route(url, output_path(url), "", SITEMAP, "sitemap", "the sitemap",
                               listed=tuple(listed[start : start + limit])))  # fmt: skip
    index = tuple((part.url, _newest(lastmod for _, lastmod in part.listed)) for part in parts)
    now = Now(site.build_time)
    recent = _news(now, site.articles)
    news = Route(NEWS_SITEMAP_URL, output_path(NEWS_SITEMAP_URL), "", NEWS_SITEMAP, "news sitemap", "the news sitemap",
                 items=recent)  # fmt: skip
    return [Route(SITEMAP_URL, "sitemap.xml", "", SITEMAP_INDEX, "sitemap", "the sitemap", listed=index), *parts, news]


def _month(moment: datetime) -> str:
    """ "2025-09": the UTC month. A UTC offset is less than a day, so from the 2nd to the 27th the UTC month is the
    date's own: only the days near a month's ends are converted (a conversion per article was a fifth of planning
    the sitemaps at 100,000 articles)."""
    if 1 < moment.day < 28:
        year, month = moment.year, moment.month
    else:
        utc = moment.astimezone(UTC)
        year, month = utc.year, utc.month
    name = _MONTH_NAMES.get((year, month))
    if name is None:
        name = _MONTH_NAMES[year, month] = f"{year:04d}-{month:02d}"
    return name


_MONTH_NAMES: dict[tuple[int, int], str] = {}  # one string per month, however many articles it has


def _news(now: Now, articles: Sequence[Article]) -> tuple[Article, ...]:
    """The newest 1,000 articles of the news window. `articles` are newest first (every article is dated; one that
    was not would sort as 1970): the window's end is where the search stops, not the end of the archive."""
    found = []
    for article in articles:
        if article.date is None or now.beside(article.date) - article.date > NEWS_WINDOW:
            break
        if _is_news(now, article):
            found.append(article)
            if len(found) == 1000:
                break
    return tuple(found)


def _is_news(now: Now, article: Article) -> bool:
    """Google News takes articles published in the two days before now (the build time)."""
    if article.date is None:
        return False
    age = now.beside(article.date) - article.date
    return timedelta(0) <= age <= NEWS_WINDOW


def _lastmod(route: Route, site_changed: datetime | None) -> datetime | None:
    """An article's own date; a list page's newest article. An undated page (About) shows site-wide blocks (latest
    news, most popular), so it last changed with the site's newest article."""
    if route.kind in (ARTICLE_PAGE, STANDALONE) and route.article is not None:
        return last_changed(route.article) or site_changed
    shown = route.items if route.article is None else (*route.items, route.article)  # the first of equal ones wins
    return _newest([a.updated or a.date for a in shown]) or site_changed  # 800,000 entries: not a call each


def _listed_lastmod(
    route: Route, newest: datetime | None, updated: set[int], site_changed: datetime | None
) -> datetime | None:
    """`_lastmod` of a list's page whose newest article is `newest`: when none of its articles was updated (`updated`:
    the ids of those that were, found without reading the 740,000 articles numbered pages hold at 100,000), that is
    its newest article's date."""
    if route.article is None and updated.isdisjoint(map(id, route.items)):
        return newest or site_changed
    return _lastmod(route, site_changed)


def _newest(moments: Iterable[datetime | None]) -> datetime | None:
    found = [m for m in moments if m is not None]
    return max(found) if found else None


def _fragment(name: str) -> Route:
    url = fragment_url(name)
    return Route(url, url.lstrip("/"), f"partials/{name}.html", FRAGMENT, name.replace("_", " "), f"the {name} block")


def _redirect(article: Article, alias: str) -> Route:
    return Route(alias, output_path(alias), REDIRECT_TEMPLATE, REDIRECT, article.title, article.source, article=article,
                 target=article.url)  # fmt: skip
