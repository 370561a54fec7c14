"""The site as data: frozen dataclasses, no I/O and no clock (the build time is an input)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sitegen.errors import ContentError

ARTICLE = "article"
PAGE = "page"


@dataclass(frozen=True)
class Image:
    src: str
    alt: str = ""
    caption: str = ""
    credit: str = ""
    focus: tuple[float, ...] = ()  # (x, y) from the left and the top, 0 to 1: what crops keep; () the centre


@dataclass(frozen=True)
class Term:
    """A tag or an author: the name as written, its slug and its list page."""

    name: str
    slug: str
    url: str


@dataclass(frozen=True)
class Text:
    """What an article's Markdown becomes."""

    html: str
    excerpt: str  # the teaser: the summary, else the text before <!--more-->, else the first words
    reading_minutes: int


class Body:
    """An article's converted text: held, or loaded the first time something reads it.

    The one mutable part of an Article, and the only way to its text. A build keeps bodies out of memory (an archive's
    bodies would not fit in every worker) and the preview converts Markdown only for pages someone looks at, so a Body
    may start with only what lists need (the excerpt and reading time the build cache kept, or just a summary) and a
    loader that brings the rest. `release` lets go of the HTML again when a loader can bring it back.
    """

    __slots__ = ("_excerpt", "_html", "_loader", "_minutes")

    def __init__(self, html: str | None = None, excerpt: str | None = None, reading_minutes: int | None = None) -> None:
        self._html = html
        self._excerpt = excerpt
        self._minutes = reading_minutes
        self._loader: Callable[[], Text] | None = None

    @classmethod
    def of(cls, text: Text) -> Body:
        return cls(text.html, text.excerpt, text.reading_minutes)

    @property
    def html(self) -> str:
        if self._html is None:
            self._load()
        assert self._html is not None
        return self._html

    @property
    def excerpt(self) -> str:
        if self._excerpt is None:
            self._load()
        assert self._excerpt is not None
        return self._excerpt

    @property
    def reading_minutes(self) -> int:
        if self._minutes is None:
            self._load()
        assert self._minutes is not None
        return self._minutes

    @property
    def loaded(self) -> bool:
        """Every part is here: reading it costs nothing."""
        return None not in (self._html, self._excerpt, self._minutes)

    @property
    def known(self) -> tuple[str | None, int | None]:
        """The excerpt and reading time, as far as they are known without loading (what the build cache keeps)."""
        return self._excerpt, self._minutes

    def load_with(self, loader: Callable[[], Text]) -> None:
        """Where the missing parts come from. The loader raises ContentError when the text can't be had."""
        self._loader = loader

    def release(self) -> None:
        """Let go of the HTML (kept until read again) when the loader can bring it back."""
        if self._loader is not None:
            self._html = None

    def fill(self, text: Text) -> None:
        """The text, converted: all three parts from one version of the article."""
        self._html, self._excerpt, self._minutes = text.html, text.excerpt, text.reading_minutes

    def _load(self) -> None:
        if self._loader is None:
            raise RuntimeError("an article's body was read before it was loaded")  # a bug, never a missing body
        try:
            text = self._loader()
        except ContentError:
            raise  # the article's own problem: the page that shows it fails with it
        except Exception as exc:
            # Jinja takes an AttributeError for a missing attribute and would print an empty body: never let one out.
            raise RuntimeError(f"an article's body could not be loaded: {exc!r}") from exc
        self.fill(text)

    def __repr__(self) -> str:
        return f"Body(loaded={self.loaded})"


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
    # Not compared: two versions of an article differ in their body only when their `digest` does.
    body: Body = field(compare=False, repr=False)
    aliases: tuple[str, ...]
    digest: str  # of the source file's bytes: unchanged digest, unchanged article
    description: str = ""  # the page's meta description, when the editor wrote one (else the excerpt is used)
    guid: str = ""  # the feed id an imported article had (WordPress's GUID), so readers don't see it as new
    images: tuple[str, ...] = ()  # the site paths of the images its body shows, known once the body is converted

    # What templates read; each goes through the body (loading it if needed).
    @property
    def body_html(self) -> str:
        return self.body.html

    @property
    def excerpt(self) -> str:
        return self.body.excerpt

    @property
    def reading_minutes(self) -> int:
        return self.body.reading_minutes


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
