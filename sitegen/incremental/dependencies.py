"""Which pages a build must look at again: the routes a change can reach, found without fingerprinting the others.

A fingerprint (fingerprint.py) says exactly whether a page changed, but computing one for every route of a 100,000
article site is most of an incremental build. So the build state keeps, beside each page's fingerprint, its *moment*
(the newest publication time among the articles it shows: what its edition of the blocks is as of, editions.py), and
the next build fingerprints only the routes a change can reach:

- a body edit reaches the pages holding the article (its own page, a full-text feed);
- a teaser edit (headline, summary, image: what lists show) reaches the pages holding it, and the pages whose edition
  may show it in latest news or Most Popular: moments from its date to the date of the Kth newer article;
- a placement change (an article added, removed, re-dated, moved, re-tagged, pinned or unpinned, or one that appeared
  or expired with time) reaches every page whose moment is at or after its date, old or new. Lists are numbered from
  the oldest and an edition shows only what was published by its moment, so nothing older can change;
- pages without a moment (undated pages, search) and the files written by code or showing the whole site (feeds,
  sitemaps, fragments, redirects, the 404 page) are always looked at: they are few.

What every page shares — sitegen's code, the configuration, the templates, the asset names, the sections, the
standalone pages, the blocks every page shows, the options, the name of any tag or author — is one key (`SiteKey`).
When it differs from the last build's, or the last build was into another folder, every route is fingerprinted, as in
a first build. The lead story (the home page's) is compared too: a new lead moves the old one back into the list.

Tests build after each kind of edit, and twenty random ones, and compare the output byte for byte with a clean
build's (tests/unit/incremental/test_dependencies.py).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sitegen.incremental.cache import Made, Parsed
from sitegen.model import Article, Site
from sitegen.site.assemble import Visibility
from sitegen.site.editions import edition_moment
from sitegen.site.plan import ARTICLE_PAGE, AUTHOR, HOME, SECTION, STANDALONE, TAG, Route

# The pages an edition is shown on, whose moment says what can reach them; every other kind is always looked at.
DATED_KINDS = frozenset({HOME, ARTICLE_PAGE, STANDALONE, SECTION, TAG, AUTHOR})
_EVERYWHERE = float("-inf")  # an undated article placed or moved: it sorts oldest, every page can show it


@dataclass(frozen=True)
class SiteKey:
    """What every page shares, and the site-wide choices that move articles between pages, as the build state keeps
    them for the next build to compare with."""

    folder: str  # the output folder the routes were recorded for
    shared: str  # digest of what every page shares
    now: float  # the build time: what was visible then
    lead: str | None  # the home page's lead article (source)
    terms: Mapping[str, str]  # "tag:slug" / "author:slug" → the name the site shows

    def to_json(self) -> str:
        return json.dumps(
            {"folder": self.folder, "shared": self.shared, "now": self.now, "lead": self.lead, "terms": self.terms},
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> SiteKey:
        data = json.loads(text)
        lead = data["lead"]
        terms = data["terms"]
        if not isinstance(terms, dict):
            raise TypeError("terms must be an object")
        return cls(str(data["folder"]), str(data["shared"]), float(data["now"]), None if lead is None else str(lead),
                   {str(k): str(v) for k, v in terms.items()})  # fmt: skip


def shared_digest(parts: Iterable[str]) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:24]


def site_terms(site: Site) -> dict[str, str]:
    terms = {f"tag:{slug}": term.name for slug, term in site.tags.items()}
    terms.update({f"author:{slug}": term.name for slug, term in site.authors.items()})
    return terms


def site_key(folder: str, shared: str, site: Site) -> SiteKey:
    return SiteKey(folder, shared, site.build_time.timestamp(), site.lead.source if site.lead else None,
                   site_terms(site))  # fmt: skip


@dataclass
class Reach:
    """The routes a build's changes can reach. `everything`: fingerprint every route."""

    everything: bool = False
    holding: set[str] = field(default_factory=set)  # sources: the pages holding one of these
    since: float | None = None  # pages whose moment is at or after this
    windows: list[tuple[float, float]] = field(default_factory=list)  # pages whose moment is in one of these
    # The site's articles and standalone pages as planned, by source: the ones `holding` names are found in the
    # routes by identity, without reading an attribute of each of the 740,000 articles lists hold at 100,000 (each
    # read was a cache miss: 0.34 s of every edit; comparing their ids, 0.15 s).
    visible: Mapping[str, Article] = field(default_factory=dict)

    def reaches(self, routes: Sequence[Route], previous: Mapping[str, Made]) -> list[bool]:
        """Whether the changes can reach each of `routes` (`previous`: what the last build recorded of each page; a
        page it did not record is reached). One pass with what it compares held in locals: asked of every page of
        the archive on every build, where a call per page was most of the cost."""
        if self.everything:
            return [True] * len(routes)
        since = self.since if self.since is not None else math.inf
        windows = self.windows
        held = {id(article) for source in self.holding if (article := self.visible.get(source)) is not None}
        reached = []
        for route in routes:
            made = previous.get(route.output)
            moment = None if made is None else made.moment
            if (
                moment is None
                or moment >= since
                or route.kind not in DATED_KINDS
                or (windows and any(low <= moment <= high for low, high in windows))
            ):
                reached.append(True)
            elif not held:
                reached.append(False)
            else:
                article, items = route.article, route.items
                reached.append(
                    (article is not None and id(article) in held)
                    or (bool(items) and not held.isdisjoint(map(id, items)))  # a list page: no Python loop
                )
        return reached


def reach_of(
    before: SiteKey | None,
    after: SiteKey,
    old: Mapping[str, Parsed],
    new: Mapping[str, Parsed],
    site: Site,
    visibility: Visibility,
    shown: int,
) -> Reach:
    """What changed between the last build (its key and the articles it read) and this one (`site` as planned now at
    `visibility`), as the routes it can reach. `shown` is how many newer articles an edition's blocks reach past an
    article."""
    if before is None or before.folder != after.folder or before.shared != after.shared:
        return Reach(everything=True)
    if any(after.terms.get(k, name) != name for k, name in before.terms.items()):
        return Reach(everything=True)  # a tag's most used spelling changed: every page of it, and the topics
    # What was visible then, with this build's options: they are in the shared key, so they are the last build's too.
    was = replace(visibility, build_time=datetime.fromtimestamp(before.now, visibility.build_time.tzinfo))
    visible = {a.source: a for a in (*site.articles, *site.pages)}
    reach = Reach(visible=visible)
    placed: list[Article] = []
    teasers: list[Article] = []
    for source in old.keys() | new.keys():
        before_parsed, after_parsed = old.get(source), new.get(source)
        if before_parsed is after_parsed and before.now == after.now:
            continue  # the same article, read from the cache, at the same time: nothing to see
        then = _visible(before_parsed, was)
        now = visible.get(source)
        if then is None and now is None:
            continue
        if then is None or now is None:
            placed += [a for a in (then, now) if a is not None]
        elif before_parsed is not None and after_parsed is not None and before_parsed.digest != after_parsed.digest:
            reach.holding.add(source)
            if before_parsed.teaser != after_parsed.teaser:
                if _placement(then) != _placement(now):
                    placed += [then, now]
                else:
                    teasers.append(now)
    if before.lead != after.lead:
        placed += [a for a in (_article(old, before.lead), _article(new, after.lead)) if a is not None]
        if before.lead is None or after.lead is None:
            reach.since = _EVERYWHERE
    for article in placed:
        moment = article.date.timestamp() if article.date else _EVERYWHERE
        reach.since = moment if reach.since is None else min(reach.since, moment)
        reach.holding.add(article.source)
    if teasers:
        reach.windows = _windows(site.articles, teasers, shown)
    return reach


def _visible(parsed: Parsed | None, visibility: Visibility) -> Article | None:
    if parsed is None or parsed.article is None:
        return None
    return parsed.article if visibility.shows(parsed.article) else None


def _article(parsed: Mapping[str, Parsed], source: str | None) -> Article | None:
    found = parsed.get(source) if source is not None else None
    return found.article if found is not None else None


def _placement(article: Article) -> tuple[Any, ...]:
    """What puts an article on list pages and in editions, besides its teaser: where it is listed and in which order,
    which topics it counts for, and whether Most Popular's fallback pins it."""
    return (article.kind, article.date, article.url, article.section, article.tags, article.authors, article.pinned,
            article.aliases)  # fmt: skip


def _windows(articles: Sequence[Article], teasers: Iterable[Article], shown: int) -> list[tuple[float, float]]:
    """The moments whose edition may show one of `teasers`: from its date to the date of the `shown`th newer article
    (or the newest, when it is pinned: the fallback shows pinned articles at every later moment)."""
    position = {a.source: i for i, a in enumerate(articles)}
    windows = []
    for article in teasers:
        i = position.get(article.source)
        if i is None or article.date is None:
            windows.append((_EVERYWHERE, float("inf")))
            continue
        newer = i - shown
        until = float("inf") if article.pinned or newer < 0 else _stamp(articles[newer].date)
        windows.append((article.date.timestamp(), until))
    return windows


def _stamp(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else float("inf")


def route_moment(route: Route) -> float | None:
    """The moment recorded for a route: its edition's, for the pages that show an edition; None for the others."""
    if route.kind not in DATED_KINDS:
        return None
    moment = edition_moment(route.articles())
    return None if moment is None else moment.timestamp()
