"""Assemble the Site model from parsed articles: visibility, sections, tags, authors, ordering, popular, latest.

Pure: the build time and the analytics rows are arguments, so the same inputs give the same site.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sitegen.config import Config
from sitegen.content.article import section_title
from sitegen.content.offsets import Now
from sitegen.model import ARTICLE, PAGE, Article, Section, SectionInfo, Site, Term
from sitegen.site.popular import PageViews, fallback, rank


@dataclass(frozen=True)
class Visibility:
    """Which articles are published: drafts and future-dated ones only when asked; expired ones never."""

    build_time: datetime
    drafts: bool = False
    future: bool = False

    def shows(self, article: Article) -> bool:
        if article.draft and not self.drafts:
            return False
        now = self._now
        if article.date and article.date > now.beside(article.date) and not self.future:
            return False
        return not (article.expires and article.expires <= now.beside(article.expires))

    @functools.cached_property
    def _now(self) -> Now:  # asked of every article of the archive on every build
        return Now(self.build_time)


def build_site(
    parsed: Iterable[Article],
    indexes: Mapping[str, SectionInfo],
    config: Config,
    visibility: Visibility,
    pageviews: Sequence[PageViews],
) -> Site:
    visible = [a for a in parsed if visibility.shows(a)]
    articles = tuple(sorted((a for a in visible if a.kind == ARTICLE), key=_newest_first))
    pages = tuple(sorted((a for a in visible if a.kind == PAGE), key=lambda a: a.url))
    sections = _sections(articles, indexes)
    tags, tag_articles = _terms(articles, lambda a: a.tags)
    authors, author_articles = _terms(articles, lambda a: a.authors)
    pinned = [a for a in articles if a.pinned]
    popular = rank(pageviews, articles, visibility.build_time, config.popular.window_days, config.popular.count)
    return Site(
        build_time=visibility.build_time,
        articles=articles,
        pages=pages,
        sections=sections,
        section_articles=_section_articles(articles, sections),
        tags=tags,
        tag_articles=tag_articles,
        authors=authors,
        author_articles=author_articles,
        lead=pinned[0] if pinned else (articles[0] if articles else None),
        popular=popular or fallback(articles, config.popular.count),
        latest=articles[: config.latest_count + 1],  # one spare: an article page leaves itself out
        top_tags=_top_terms(tags, tag_articles, config.topics_count),
        nav=tuple(s for s in sections.values() if s.parent is None),
    )


def _newest_first(article: Article) -> tuple[float, str]:
    stamp = article.date.timestamp() if article.date else 0.0
    return (-stamp, article.url)


def _sections(articles: Sequence[Article], indexes: Mapping[str, SectionInfo]) -> dict[str, Section]:
    """Every section that has articles, its ancestors too; ordered by weight, then title, depth-first."""
    paths = {path for section in {a.section for a in articles} for path in _ancestry(section)}
    made = {path: _section(path, indexes.get(path)) for path in paths}
    ordered: dict[str, Section] = {}

    def visit(parent: str | None) -> None:
        children = sorted((s for s in made.values() if s.parent == parent), key=_section_order)
        for child in children:
            ordered[child.path] = child
            visit(child.path)

    visit(None)
    return ordered


def _section_order(section: Section) -> tuple[bool, int, str, str]:
    """Weighted sections first, lightest first; unweighted ones (weight 0, as in Hugo) after them by title."""
    return (section.weight == 0, section.weight, section.title.lower(), section.path)


def _section(path: str, info: SectionInfo | None) -> Section:
    parent = path.rsplit("/", 1)[0] if "/" in path else None
    return Section(
        path=path,
        title=info.title if info else section_title(path),
        description=info.description if info else "",
        intro_html=info.intro_html if info else "",
        weight=info.weight if info else 0,
        url=f"/{path}/",
        parent=parent,
    )


def _section_articles(articles: Sequence[Article], sections: Mapping[str, Section]) -> dict[str, tuple[Article, ...]]:
    lists: dict[str, list[Article]] = {path: [] for path in sections}
    # A few dozen sections, 100,000s of articles: each section's lists are found once.
    holders = {section: [lists[path] for path in _ancestry(section)] for section in {a.section for a in articles}}
    for article in articles:
        for held in holders[article.section]:
            held.append(article)
    return {path: tuple(items) for path, items in lists.items()}


def _ancestry(section: str) -> list[str]:
    """ "news/armenia" is in "news" and in "news/armenia"; "" (the site root) in none."""
    parts = section.split("/") if section else []
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _terms(
    articles: Sequence[Article], pick: Callable[[Article], tuple[Term, ...]]
) -> tuple[dict[str, Term], dict[str, tuple[Article, ...]]]:
    """Tags or authors by slug. Spellings of one slug ("Iran", "iran") are one term, named by the spelling most
    articles use (of equally used ones, the first used)."""
    spellings: dict[str, dict[str, list[int]]] = {}  # slug → name → [uses, order of first use]
    terms: dict[str, Term] = {}
    lists: dict[str, list[Article]] = {}
    for article in reversed(articles):  # oldest first: "first used" is the oldest article's
        for term in pick(article):  # (700,000 times at 100,000 articles: one lookup per step where one will do)
            slug = term.slug
            held = lists.get(slug)
            if held is None:
                terms[slug] = term
                held = lists[slug] = []
                spellings[slug] = {}
            held.append(article)
            names = spellings[slug]
            uses = names.get(term.name)
            if uses is None:
                uses = names[term.name] = [0, len(names)]
            uses[0] += 1
    for slug, names in spellings.items():
        if len(names) > 1:
            name = min(names, key=lambda n: (-names[n][0], names[n][1]))
            terms[slug] = replace(terms[slug], name=name)
    order = sorted(terms, key=lambda slug: (terms[slug].name.lower(), slug))
    return {s: terms[s] for s in order}, {s: tuple(reversed(lists[s])) for s in order}


def _top_terms(terms: Mapping[str, Term], lists: Mapping[str, tuple[Article, ...]], count: int) -> tuple[Term, ...]:
    ranked = sorted(terms, key=lambda slug: (-len(lists[slug]), terms[slug].name.lower()))
    return tuple(terms[slug] for slug in ranked[:count])
