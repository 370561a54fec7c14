"""Which work a build can skip: articles whose file did not change, pages whose fingerprint did not change.

Articles are reused from the cache when their file's (mtime_ns, size) is unchanged, or, when only the time changed
(a `touch`, a checkout), when the bytes still have the same digest. Articles come without their body's HTML (it is in
the body store, see bodies.py) and load it only while a page showing them is rendered.
(A build whose inputs all have the stamps of the previous one does nothing at all: up_to_date.py.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sitegen.content.article import digest_of
from sitegen.content.offsets import Now, shared_offset
from sitegen.content.settings import ParseSettings
from sitegen.content.sources import SourceFile, read_bytes
from sitegen.errors import Problem
from sitegen.incremental.bodies import BodyStore
from sitegen.incremental.cache import BuildCache, Made, Parsed
from sitegen.incremental.dependencies import Reach, route_moment
from sitegen.incremental.workers import Tick, parse_files
from sitegen.model import Article, Term
from sitegen.publish.writer import Publisher
from sitegen.site.distribution import NEWS_WINDOW
from sitegen.site.plan import Route


@dataclass
class LoadedArticles:
    parsed: dict[str, Parsed] = field(default_factory=dict)  # every source file, in source order
    fresh: set[str] = field(default_factory=set)  # the files parsed in this build (the others came from the cache)
    files: dict[str, SourceFile] = field(default_factory=dict)

    @property
    def articles(self) -> list[Article]:
        return [p.article for p in self.parsed.values() if p.article is not None]

    @property
    def problems(self) -> list[Problem]:
        return [problem for p in self.parsed.values() for problem in p.problems]

    @property
    def teasers(self) -> dict[str, str]:
        return {s: p.teaser for s, p in self.parsed.items()}


def load_articles(
    files: Sequence[SourceFile], settings: ParseSettings, cache: BuildCache, store: BodyStore, jobs: int, tick: Tick
) -> LoadedArticles:
    loaded = LoadedArticles(files={f.rel: f for f in files})
    reused: dict[str, Parsed] = {}
    to_parse: list[SourceFile] = []
    for found in files:
        hit = cache.reusable(found.rel, found.stamp) or _same_bytes(cache, found)
        if hit is None:
            to_parse.append(found)
        else:
            reused[found.rel] = hit
            tick(1)
    terms: dict[Term, Term] = {}
    fresh = {
        parsed.source: _shared_parts(parsed, terms) for parsed in parse_files(to_parse, settings, store, jobs, tick)
    }
    for found in files:  # source order, whatever was reused or parsed
        if found.rel in reused:
            loaded.parsed[found.rel] = reused[found.rel]
        else:
            loaded.parsed[found.rel] = fresh[found.rel]
            loaded.fresh.add(found.rel)
    return loaded


def _shared_parts(parsed: Parsed, terms: dict[Term, Term]) -> Parsed:
    """The article with one object for each tag and author, however many articles name it, and one time zone object
    per offset (content/offsets.py), as the cache reads them: each worker's result arrives with copies of its own."""
    article = parsed.article
    if article is None:
        return parsed
    tags = tuple([terms.setdefault(term, term) for term in article.tags])
    authors = tuple([terms.setdefault(term, term) for term in article.authors])
    date, updated, expires = (None if d is None else shared_offset(d) for d in _dates(article))
    shared = replace(article, tags=tags, authors=authors, date=date, updated=updated, expires=expires)
    return replace(parsed, article=shared)


def _dates(article: Article) -> tuple[datetime | None, ...]:
    return (article.date, article.updated, article.expires)


def _same_bytes(cache: BuildCache, found: SourceFile) -> Parsed | None:
    """A file whose time changed but whose bytes did not (a `touch`, a fresh checkout) is still the same article."""
    known = cache.articles.get(found.rel)
    if known is None:
        return None
    try:
        same = digest_of(read_bytes(found)) == known.digest
    except OSError:
        return None
    return replace(known, stamp=found.stamp) if same else None


def stale_routes(
    routes: Sequence[Route],
    fingerprint: Callable[[Route], str],
    previous: Mapping[str, Made],
    publisher: Publisher,
    reach: Reach,
) -> tuple[list[int], dict[str, Made], int]:
    """The routes to render (by index), what every route is made from, and how many were fingerprinted. The routes
    this build's changes can reach (dependencies.py) are fingerprinted, and rendered when their fingerprint changed;
    the others keep what they were made from. Any route whose published file is missing or not what sitegen wrote is
    rendered."""
    todo: list[int] = []
    made: dict[str, Made] = {}
    looked = 0
    keep = publisher.keep
    for i, (route, reached) in enumerate(zip(routes, reach.reaches(routes, previous), strict=True)):
        output = route.output
        known = previous.get(output)
        if not reached and known is not None:
            if keep(output):
                made[output] = known
                continue
            known = None  # vanished from the output: render it
        now = made[output] = Made(fingerprint(route), route_moment(route))
        looked += 1
        if known is None or known.fingerprint != now.fingerprint or not keep(output):
            todo.append(i)
    return todo, made, looked


def horizon(articles: Sequence[Article], now: datetime) -> float | None:
    """The next moment the site changes by itself: an article's publication time or expiry still to come, or the
    moment it leaves the news sitemap's window."""
    at = Now(now)
    moments = [m for a in articles for m in (a.date, a.expires) if m is not None and m > at.beside(m)]
    # Only articles of the last few days can still leave the news window: its end is worked out for those, not for
    # each of 100,000 (the day more: a date in a zone with summer time, plus two days, may move by the shift).
    recent = Now(now - NEWS_WINDOW - timedelta(days=1))
    moments += [
        end
        for a in articles
        if a.date is not None and a.date > recent.beside(a.date) and (end := a.date + NEWS_WINDOW) > now
    ]
    return min((m.timestamp() for m in moments), default=None)
