"""What the blocks around a page show: "Catch up on the latest news", "Most Popular" and "Search other topics".

Those blocks change with every publish (latest news, topics) or every analytics refresh (Most Popular). If every page
showed them as they are now, publishing one story would rewrite every page of the archive. So each block is published
once, as it is now, as a fragment file (`fragments/*.html`: the *current* edition), and a page embeds the block as it
stood at the page's own moment, its *edition*: the newest publication time among the articles it shows. A script
replaces the embedded block with the current fragment; readers without JavaScript and crawlers see the embedded one.

An edition depends only on articles published up to that moment, so a new story changes no older page's edition, and
a clean build embeds exactly what an incremental one does. Most Popular as of a past moment can't be had from an
analytics export (it holds recent days only, and a refresh would change every page), so a page embeds what the block
shows without analytics (pinned, then newest, as of its moment) and only the fragment ranks by page views.

Pages without a dated article (standalone pages, search, 404) take the site's newest moment: they are few.
"""

from __future__ import annotations

import hashlib
import operator
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sitegen.model import Article, Site, Term
from sitegen.site.popular import fallback

_LAZY_TOPICS = 64  # moments asked for before the topics of every moment are computed in one pass
# Editions kept: most are one article page's own, asked for once while fingerprinting and once while rendering. All of
# them were 5.4 MB at 10,000 articles (so about 54 MB at 100,000), held by the build process when it forks its render
# workers (and so counted again in each of them); made again, one is a few microseconds.
_KEPT_EDITIONS = 256


@dataclass(frozen=True)
class Edition:
    """The blocks' content as of `moment` (None: a site with no dated article)."""

    moment: datetime | None
    latest: tuple[Article, ...]  # latest_count + 1: an article page leaves itself out
    popular: tuple[Article, ...]
    topics: tuple[Term, ...]

    @cached_property
    def key(self) -> str:
        """What the edition shows, as a short digest (one per page is kept while fingerprinting a large site): the
        blocks render from these URLs, titles and dates only."""
        parts = [self.moment.isoformat() if self.moment else "-"]
        for name, items in (("latest", self.latest), ("popular", self.popular)):
            parts.append(name)
            parts += (f"{a.url}\0{a.title}\0{a.date.isoformat() if a.date else ''}" for a in items)
        parts.append("topics")
        parts += (f"{t.url}\0{t.name}" for t in self.topics)
        return hashlib.sha256("\x01".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:24]


def edition_moment(articles: Sequence[Article]) -> datetime | None:
    """A page's moment: the newest publication time among the articles it shows (None: none is dated). In C, without
    a Python step per article: asked of every list page, 700,000 articles at 100,000."""
    return max(filter(None, map(_DATE, articles)), default=None)


_DATE = operator.attrgetter("date")


def listed_moment(items: Sequence[Article]) -> datetime | None:
    """The moment of a page of a list, what `edition_moment` makes of its items, read from one article: a list is
    newest first by time (assemble's order; undated ones sort as 1970, between dated ones), so its first dated item is
    its newest. Asked of every numbered list page when sitemaps are planned: reading the date of each of the 740,000
    articles they hold at 100,000 was 0.45 s of every build."""
    for article in items:
        if article.date is not None:
            return article.date
    return None


class Editions:
    """The editions of one site: computed on demand, each in time proportional to the blocks, not the archive
    (topics need tag counts as of the moment: counted from the nearer end of the archive, or for every moment in one
    pass once many are asked for, as a full build does)."""

    def __init__(self, site: Site, latest_count: int, popular_count: int, topics_count: int) -> None:
        self.site = site
        self.latest_count = latest_count
        self.popular_count = popular_count
        self.topics_count = topics_count
        articles = site.articles  # newest first
        self._keys = [-a.date.timestamp() if a.date else -0.0 for a in articles]  # ascending: assemble's order
        self._pinned = [i for i, a in enumerate(articles) if a.pinned]
        # Each tag as the site names it (its most used spelling, assemble.py), and how many articles have it: what
        # assembling counted already, not another two passes over every tag of the archive.
        self._names = dict(site.tags)
        self._totals = {slug: len(tagged) for slug, tagged in site.tag_articles.items()}
        self._counted: tuple[int, dict[str, int]] = (0, self._totals)  # the last counts made, from that position
        self._topics: dict[int, tuple[Term, ...]] = {}
        self._editions: dict[datetime | None, Edition] = {}  # the recent ones (many pages share one: the fronts)
        self._asked = 0
        self._swept = False
        self._newest = next((a.date for a in articles if a.date is not None), None)

    def current(self) -> Edition:
        """What the fragments show: now, with Most Popular ranked by the analytics."""
        site = self.site
        return Edition(self._newest, site.latest, site.popular, site.top_tags)

    def of(self, articles: Sequence[Article]) -> Edition:
        """The edition of a page showing `articles` (an undated page: the newest)."""
        return self.as_of(edition_moment(articles) or self._newest)

    def as_of(self, moment: datetime | None) -> Edition:
        found = self._editions.get(moment)
        if found is None:
            start = 0 if moment is None else bisect_left(self._keys, -moment.timestamp())
            latest = self.site.articles[start : start + self.latest_count + 1]
            found = Edition(moment, latest, self._popular(start), self._topics_from(start))
            if len(self._editions) >= _KEPT_EDITIONS:  # pages come in plan order: the shared ones are back at once
                self._editions.clear()
            self._editions[moment] = found
        return found

    def _popular(self, start: int) -> tuple[Article, ...]:
        """`popular.fallback` over the articles published by then, without walking them all."""
        articles = self.site.articles
        first_pinned = bisect_left(self._pinned, start)
        pinned = [articles[i] for i in self._pinned[first_pinned : first_pinned + self.popular_count]]
        window = list(articles[start : start + self.popular_count + len(pinned)])
        return fallback([*pinned, *(a for a in window if not a.pinned)], self.popular_count)

    def _topics_from(self, start: int) -> tuple[Term, ...]:
        if start not in self._topics:
            self._asked += 1
            if self._asked > _LAZY_TOPICS and not self._swept:
                self._sweep()
            if start not in self._topics:
                self._topics[start] = self._rank(self._counts_from(start))
        return self._topics[start]

    def _counts_from(self, start: int) -> dict[str, int]:
        """Tag counts over articles[start:], from whichever is nearer: either end of the archive, or the last moment
        counted (the pages an edit reaches show editions close to each other: its own page's, and the lists holding
        it, whose newest articles are its neighbours)."""
        articles = self.site.articles
        begin, counts = self._counted
        if abs(start - begin) > min(start, len(articles) - start):
            begin, counts = (0, self._totals) if start <= len(articles) // 2 else (len(articles), {})
        counts = dict(counts)
        for article in articles[start:begin]:  # newer than what was counted: in
            for tag in article.tags:
                counts[tag.slug] = counts.get(tag.slug, 0) + 1
        for article in articles[begin:start]:  # older: out
            for tag in article.tags:
                counts[tag.slug] -= 1
        self._counted = (start, counts)
        return counts

    def _rank(self, counts: dict[str, int]) -> tuple[Term, ...]:
        """Most used first, then by name: the order `assemble` gives the site's top tags."""
        used = [slug for slug, n in counts.items() if n > 0]
        ranked = sorted(used, key=lambda slug: (-counts[slug], self._names[slug].name.lower(), slug))
        return tuple(self._names[slug] for slug in ranked[: self.topics_count])

    def _sweep(self) -> None:
        """The top tags as of every article, oldest to newest, in one pass: counts only grow along the way, so the
        top list changes only when a tag just counted overtakes its last entry."""
        self._swept = True
        articles = self.site.articles
        counts: dict[str, int] = {}
        top: list[str] = []
        names = self._names

        def key(slug: str) -> tuple[int, str, str]:
            return (-counts[slug], names[slug].name.lower(), slug)

        shown: tuple[Term, ...] = ()
        for start in range(len(articles) - 1, -1, -1):
            for tag in articles[start].tags:
                slug = tag.slug
                counts[slug] = counts.get(slug, 0) + 1
                if slug not in top:
                    if len(top) >= self.topics_count and (not top or key(slug) >= key(top[-1])):
                        continue
                    top.append(slug)
                top.sort(key=key)
                del top[self.topics_count :]
            if start == 0 or self._keys[start - 1] != self._keys[start]:  # same moment: one edition, the last
                now = tuple(names[s] for s in top)
                shown = shown if now == shown else now  # mostly unchanged: one tuple for a run of moments, not each
                self._topics[start] = shown
