"""The site as data: frozen dataclasses, no I/O and no clock (the build time is an input)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

ARTICLE = "article"
PAGE = "page"


@dataclass(frozen=True)
class Image:
    src: str
    alt: str = ""
    caption: str = ""
    credit: str = ""


@dataclass(frozen=True)
class Term:
    """A tag or an author: the name as written, its slug and its list page."""

    name: str
    slug: str
    url: str


@dataclass(frozen=True)
class Article:
    """One Markdown file: a dated article, or a standalone page (`type: page`)."""

    source: str  # path relative to the site root, POSIX separators: the name used in every message
    kind: str
    title: str
    date: datetime | None
    updated: datetime | None
    expires: datetime | None
    draft: bool
    pinned: bool
    slug: str
    section: str
    url: str
    authors: tuple[Term, ...]
    tags: tuple[Term, ...]
    image: Image | None
    summary: str | None
    excerpt: str
    body_html: str
    reading_minutes: int
    aliases: tuple[str, ...]
    digest: str  # of the source file's bytes: unchanged digest, unchanged article


@dataclass(frozen=True)
class SectionInfo:
    """What a folder's `_index.md` says about its section."""

    path: str
    source: str
    title: str
    description: str
    weight: int
    intro_html: str


@dataclass(frozen=True)
class Section:
    path: str  # "news/armenia"; "" is never a section (the home page lists the root)
    title: str
    description: str
    intro_html: str
    weight: int
    url: str
    parent: str | None

    @property
    def depth(self) -> int:
        return self.path.count("/")


@dataclass(frozen=True)
class Site:
    build_time: datetime
    articles: tuple[Article, ...]  # published, listable articles, newest first
    pages: tuple[Article, ...]  # standalone pages
    sections: Mapping[str, Section]  # every section and ancestor, in navigation order
    section_articles: Mapping[str, tuple[Article, ...]]  # a section lists its subsections' articles too
    tags: Mapping[str, Term]
    tag_articles: Mapping[str, tuple[Article, ...]]
    authors: Mapping[str, Term]
    author_articles: Mapping[str, tuple[Article, ...]]
    lead: Article | None
    popular: tuple[Article, ...]
    latest: tuple[Article, ...]
    top_tags: tuple[Term, ...]
    nav: tuple[Section, ...]

    def breadcrumb(self, section: str) -> tuple[Section, ...]:
        """The section and its ancestors, outermost first."""
        trail: list[Section] = []
        current: str | None = section
        while current:
            trail.append(self.sections[current])
            current = self.sections[current].parent
        return tuple(reversed(trail))
