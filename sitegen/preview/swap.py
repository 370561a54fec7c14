"""The in-place swap: a new version of an article takes its old version's place in the site and in its routes.

Pure: a site, routes and two versions of an article in; new objects out, sharing everything that did not change. It
applies only when nothing that *places* the article changed (see `can_swap`): then the same lists, sections, tags and
URLs hold it, and the swap replaces it exactly where it is held, found by `Places` (made once per plan).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sitegen.model import Article, Site
from sitegen.site.plan import Route

# What may change while an article keeps its place: in lists, feeds, sections, tags, sitemaps and URLs. Every other
# field decides where the article appears, so a change to it assembles the site again.
IN_PLACE_FIELDS = frozenset({"title", "image", "summary", "body", "digest"})
_PLACING_FIELDS = tuple(f.name for f in dataclasses.fields(Article) if f.name not in IN_PLACE_FIELDS)

# The Site's lists of articles, by kind: a field holding one article, a tuple of them, or a mapping of tuples.
_ONE = ("lead",)
_TUPLES = ("articles", "pages", "popular", "latest")
_MAPPINGS = ("section_articles", "tag_articles", "author_articles")


def can_swap(before: Article, after: Article) -> bool:
    """`after` can take `before`'s place: every field that places it in the site is the same."""
    return all(getattr(before, name) == getattr(after, name) for name in _PLACING_FIELDS)


def shown_everywhere(site: Site) -> list[Article]:
    """Articles that blocks on every page may show: a teaser edit of one of them makes every page stale."""
    return [*site.latest, *site.popular, *site.pages, *([site.lead] if site.lead else [])]


def shown_fields_changed(before: Article, after: Article) -> bool:
    """What a page other than the article's own shows of it (a teaser) changed."""
    return (before.title, before.image, before.summary, before.excerpt) != (
        after.title,
        after.image,
        after.summary,
        after.excerpt,
    )


@dataclass(frozen=True)
class Places:
    """Where a plan holds each article, by source: the outputs of the routes holding it, and the keys of the Site's
    mappings (sections, tags, authors) whose lists hold it. A swap touches these and nothing else."""

    routes: dict[str, list[str]]
    lists: dict[str, list[tuple[str, str]]]  # (Site field, key)

    @classmethod
    def of(cls, site: Site, routes: Mapping[str, Route]) -> Places:
        held: dict[str, list[str]] = {}
        for output, route in routes.items():
            for source in {article.source for article in route.articles()}:
                held.setdefault(source, []).append(output)
        lists: dict[str, list[tuple[str, str]]] = {}
        for name in _MAPPINGS:
            mapping: Mapping[str, tuple[Article, ...]] = getattr(site, name)
            for key, items in mapping.items():
                for article in items:
                    lists.setdefault(article.source, []).append((name, key))
        return cls(held, lists)


def swapped_site(site: Site, before: Article, after: Article, lists: list[tuple[str, str]]) -> Site:
    """The site with `after` in place of `before`: in its single lists, and in the lists of its mappings that
    `lists` names (looking through every section's, tag's and author's list would take longer)."""
    changes: dict[str, Any] = {}
    for name in _ONE:
        if getattr(site, name) is before:
            changes[name] = after
    for name in _TUPLES:
        value: tuple[Article, ...] = getattr(site, name)
        new = _swapped(value, before, after)
        if new is not value:
            changes[name] = new
    for name in _MAPPINGS:
        keys = [key for field_name, key in lists if field_name == name]
        if keys:
            mapping: Mapping[str, tuple[Article, ...]] = getattr(site, name)
            changes[name] = {**mapping, **{key: _swapped(mapping[key], before, after) for key in keys}}
    return dataclasses.replace(site, **changes) if changes else site


def swapped_route(route: Route, before: Article, after: Article) -> Route:
    """The route with `after` wherever it held `before` (see Route.articles)."""
    changes: dict[str, Any] = {}
    if route.article is before:
        changes["article"] = after
        if route.title == before.title:
            changes["title"] = after.title  # an article's page is titled after it
    items = _swapped(route.items, before, after)
    if items is not route.items:
        changes["items"] = items
    return dataclasses.replace(route, **changes) if changes else route


def _swapped(items: tuple[Article, ...], before: Article, after: Article) -> tuple[Article, ...]:
    """`items` with `after` where it held `before`, found by identity (comparing articles field by field is slow)."""
    for at, item in enumerate(items):
        if item is before:
            return (*items[:at], after, *items[at + 1 :])
    return items
