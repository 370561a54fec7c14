"""Plan the site: every page it publishes as a Route (URL, output file, template, what the page shows).

Routes are decided before anything is rendered, so two sources that claim one URL are an error naming both, not a
last-writer-wins race at write time.
"""

from __future__ import annotations

import hashlib
import operator
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sitegen.errors import Problem, error
from sitegen.model import Article, Section, Site, Term
from sitegen.paths import CONTENT_DIR
from sitegen.urls import output_path, unsafe_url_reason

HOME = "home"
ARTICLE_PAGE = "article"
STANDALONE = "page"
SECTION = "section"
TAG = "tag"
AUTHOR = "author"
SEARCH = "search"
SEARCH_URL = "/search/"
REDIRECT = "redirect"
REDIRECT_TEMPLATE = "redirect.html"


@dataclass(frozen=True)
class Pager:
    """Where a page sits in its list. Pages are numbered from the oldest, so a number, once published, keeps its
    articles: page 1 holds a list's oldest `page_size`, page 2 the next, and the front page (the list's own URL,
    numbered last) the newest `page_size` to `2 × page_size − 1`. A new article changes the front page only, and when
    the front page overflows, one new numbered page. Nothing on a numbered page depends on how many pages there are:
    its "newer" link goes to the next number, which for the newest numbered page is a redirect to the front page.
    """

    number: int
    base: str  # the list's own URL (the front page)
    front: bool = True

    def url(self, number: int) -> str:
        return self.base if self.front and number == self.number else numbered_url(self.base, number)

    @property
    def newer(self) -> str | None:
        return None if self.front else numbered_url(self.base, self.number + 1)

    @property
    def older(self) -> str | None:
        return self.url(self.number - 1) if self.number > 1 else None

    def window(self, size: int = 2) -> list[int | None]:
        """Page numbers to link: this one, `size` older ones and the oldest; None marks a gap. Only older pages are
        numbered (newer ones are reached by "newer" and the front page), so the window never changes as the list
        grows, and is bounded however long the list is."""
        numbers = sorted({1, *range(max(1, self.number - size), self.number + 1)}, reverse=True)
        shown: list[int | None] = []
        for n in numbers:
            last = shown[-1] if shown else None
            if last is not None and last - n > 1:
                shown.append(None)
            shown.append(n)
        return shown


def numbered_url(base: str, number: int) -> str:
    """A numbered page's URL: `<base>page/N/`, whatever N (the front page is the list's own URL)."""
    return f"{base}page/{number}/"


@dataclass(frozen=True, slots=True)  # one per page: 137,000 at 100,000 articles, a dict each without slots
class Route:
    url: str
    output: str  # path of the file in the output folder, POSIX separators
    template: str
    kind: str
    title: str
    source: str  # what asked for this page, for error messages
    article: Article | None = None
    items: tuple[Article, ...] = ()
    pager: Pager | None = None
    section: Section | None = None
    term: Term | None = None
    listed: tuple[tuple[str, datetime | None], ...] = ()  # a sitemap's URLs and when each last changed
    target: str = ""  # where a redirect sends readers

    def articles(self) -> tuple[Article, ...]:
        """Every article the page holds: its own and those it lists. No other field holds an article (a new field
        that does must be added here: tests check it against a walk of every field)."""
        return self.items if self.article is None else (self.article, *self.items)


# Plans more routes once the pages are known (feeds, sitemaps, redirects: site/distribution.py), so that every URL
# goes through one collision check.
MoreRoutes = Callable[[Site, Sequence[Route]], list[Route]]


def plan(
    site: Site, page_size: int, more: MoreRoutes | None = None, *, search: bool = False, check: bool = True
) -> tuple[list[Route], list[Problem]]:
    """Every route of `site`, and the URLs that are unsafe or claimed twice (`check`; else the caller checks them,
    see `claims`)."""
    routes: list[Route] = []
    if search:
        routes.append(Route(SEARCH_URL, output_path(SEARCH_URL), "search.html", SEARCH, "Search", "the search page"))
    routes += _home(site, page_size)
    routes += [_article_route(a) for a in site.articles]
    routes += [_page_route(p) for p in site.pages]
    for section in site.sections.values():
        routes += _paginate(
            SECTION, "section.html", section.url, section.title, _section_source(section),
            site.section_articles[section.path], page_size, section=section,
        )  # fmt: skip
    for kind, terms, lists in ((TAG, site.tags, site.tag_articles), (AUTHOR, site.authors, site.author_articles)):
        for slug, term in terms.items():
            routes += _paginate(
                kind, f"{kind}.html", term.url, term.name, f"{kind} '{term.name}'", lists[slug], page_size, term=term
            )
    if more is not None:
        routes += more(site, routes)
    return routes, check_urls(routes) if check else []


def claims(routes: Sequence[Route]) -> str:
    """A digest of the URLs and files the routes claim, in order: all that the URL check looks at. Routes that
    claim what those of a build that passed the check claimed need no check (at 100,000 articles the check is
    0.36-0.41 s of every incremental build, the digest 0.06-0.09 s)."""
    digest = hashlib.sha256("\0".join(map(_URL, routes)).encode("utf-8", "surrogatepass"))
    digest.update(b"\1" + "\0".join(map(_OUTPUT, routes)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:24]


_URL, _OUTPUT = operator.attrgetter("url"), operator.attrgetter("output")


def _home(site: Site, page_size: int) -> list[Route]:
    teasers = tuple(a for a in site.articles if a is not site.lead)
    routes = _paginate(HOME, "home.html", "/", "", "the home page", teasers, page_size)
    if site.lead is not None:
        first = routes[0]
        routes[0] = replace(first, article=site.lead)
    return routes


def _article_route(article: Article) -> Route:
    return Route(article.url, output_path(article.url), "article.html", ARTICLE_PAGE, article.title, article.source,
                 article=article)  # fmt: skip


def _page_route(page: Article) -> Route:
    return Route(page.url, output_path(page.url), "page.html", STANDALONE, page.title, page.source, article=page)


def _paginate(
    kind: str,
    template: str,
    base: str,
    title: str,
    source: str,
    items: Sequence[Article],
    page_size: int,
    *,
    section: Section | None = None,
    term: Term | None = None,
) -> list[Route]:
    """The front page first, then the numbered pages from the newest, then a redirect from the front page's number to
    the front page (the newest numbered page links "newer" to it). See Pager."""
    pages = chunk_items(items, page_size)
    total = len(pages)
    routes = []
    for number in range(total, 0, -1):
        pager = Pager(number, base, front=number == total)
        url = pager.url(number)
        routes.append(Route(url, output_path(url), template, kind, title, source, items=pages[number - 1],
                            pager=pager, section=section, term=term))  # fmt: skip
    if total > 1:
        url = numbered_url(base, total)
        routes.append(Route(url, output_path(url), REDIRECT_TEMPLATE, REDIRECT, title, source, target=base))
    return routes


def chunk_items(items: Sequence[Article], page_size: int) -> list[tuple[Article, ...]]:
    """A list (newest first) cut into pages counted from the oldest: page N holds the same articles however many are
    added later; the last page, the front, holds what remains: `page_size` to `2 × page_size − 1` articles."""
    total = max(1, len(items) // page_size)
    oldest_first = len(items)
    pages = []
    for number in range(1, total):
        end = oldest_first - (number - 1) * page_size
        pages.append(tuple(items[end - page_size : end]))
    pages.append(tuple(items[: oldest_first - (total - 1) * page_size]))
    return pages


def _section_source(section: Section) -> str:
    return f"section '{section.path}' ({CONTENT_DIR}/{section.path}/)"


def check_urls(routes: Sequence[Route]) -> list[Problem]:
    """URLs must stay inside the output folder, and no two pages may share a file (ignoring case and Unicode form,
    because macOS and Windows file systems would merge them)."""
    problems: list[Problem] = []
    owners: dict[str, Route] = {}
    for route in routes:
        reason = unsafe_url_reason(route.url)
        if reason:
            problems.append(error(route.source, None, f"URL {route.url!r} {reason}"))
            continue
        key = route.output.lower() if route.output.isascii() else unicodedata.normalize("NFC", route.output).casefold()
        other = owners.get(key)
        if other is None:
            owners[key] = route
        else:
            problems.append(error(route.source, None, f"URL {route.url} is also claimed by {other.source}"))
    return problems + _file_folder_clashes(owners)


def _file_folder_clashes(owners: dict[str, Route]) -> list[Problem]:
    """A file can't also be a folder: an alias /news/feed.xml/ needs news/feed.xml/index.html, and the feed is there.
    Every folder the pages are in is listed once (most share their parents); only when one of them is also a page's
    file are the pages looked through for the messages."""
    folders: set[str] = set()
    for key in owners:
        folder = key.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    if folders.isdisjoint(owners):
        return []
    problems = []
    for key, route in owners.items():
        parts = key.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            other = owners.get("/".join(parts[:depth]))
            if other is not None:
                message = f"URL {route.url} would put a folder where {other.source} writes the file {other.output}"
                problems.append(error(route.source, None, message))
    return problems
