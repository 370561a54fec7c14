"""How the preview reads articles: front-matter first, bodies when a page shows them.

A preview needs the page in the browser now, not the archive's Markdown converted: articles are read up to their
body (content.article.Head), or taken from the last `sitegen build`'s cache without even reading their file, and each
one's Body is given a loader (`Converter.attach`) that converts its Markdown the first time a page shows it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from sitegen.content.article import Head, complete, known_head, parse_head
from sitegen.content.settings import ParseSettings
from sitegen.content.sources import SourceFile, read_bytes
from sitegen.errors import ContentError, Problem, error, errors_in
from sitegen.incremental.bodies import BodyStore
from sitegen.incremental.cache import BuildCache, Parsed, cache_key, code_digest
from sitegen.model import Body, Text
from sitegen.paths import BODIES_DIR, CACHE_DIR
from sitegen.preview.reporter import Reporter


def read_head(found: SourceFile, settings: ParseSettings) -> tuple[Head | None, list[Problem]]:
    """An article's front-matter stage (see content.article.parse_head)."""
    try:
        data = read_bytes(found)
    except OSError as exc:
        return None, [error(found.rel, None, f"cannot be read: {exc.strerror or exc}")]
    return parse_head(found.rel, data, settings)


def read_article(found: SourceFile, known: Parsed | None, settings: ParseSettings) -> tuple[Head | None, list[Problem]]:
    """An article, from what the last build parsed when its file is unchanged, else from its file."""
    if known is not None and known.article is not None and known.stamp == found.stamp:
        # Unchanged since the build read it, as `sitegen build` trusts: not even read (its body is, when shown).
        article = known.article
        return Head(replace(article, body=Body(None, *article.body.known)), None, 0), list(known.problems)
    if known is not None and known.article is not None:
        try:
            head = known_head(known.article, read_bytes(found))
        except OSError:
            head = None
        if head is not None:
            return head, list(known.problems)
    return read_head(found, settings)


def body_store(root: Path, settings: ParseSettings) -> BodyStore:
    """The bodies the last `sitegen build` of this site stored, for articles parsed with this sitegen and these
    settings."""
    return BodyStore(root / CACHE_DIR / BODIES_DIR, cache_key(code_digest(), settings))


def cached_articles(root: Path, settings: ParseSettings) -> Mapping[str, Parsed]:
    """The articles the last `sitegen build` of this site parsed (the preview's search index is one), when it parsed
    them with this sitegen and these settings: a preview starts several times faster from them."""
    cache = BuildCache.open(root, cache_key(code_digest(), settings))
    cache.read_state()
    return cache.articles


@dataclass
class Converter:
    """Converts the bodies of the preview's articles: shared by every snapshot of one preview.

    One lock for all conversions: Python-Markdown's converter is shared, and request threads must not convert one
    article twice. Warnings are reported once; an error makes the page that shows the body fail with it. An article
    known from the build cache has its HTML in the build's body store, made by this sitegen with these settings from
    these very bytes: it is read from there (its problems came with the cache), which is many times faster than
    converting it again, and `build --watch` renders many pages at once after some changes.
    """

    settings: ParseSettings
    root: Path  # an article known from the build cache is read from its `source` below it
    reporter: Reporter
    lock: threading.Lock = field(default_factory=threading.Lock)
    store: BodyStore | None = None

    def attach(self, head: Head) -> None:
        head.article.body.load_with(partial(self._load, head))

    def convert_now(self, head: Head) -> list[Problem]:
        """Convert one article's body now (the one being edited is about to be looked at); its problems are
        returned, not reported."""
        with self.lock:
            if head.article.body.loaded:
                return []
            text, problems = self._convert(head)
            if text is not None:
                head.article.body.fill(text)
            return problems

    def _load(self, head: Head) -> Text:
        with self.lock:
            body = head.article.body
            if body.loaded:  # another request thread converted it while this one waited
                return Text(body.html, body.excerpt, body.reading_minutes)
            text, problems = self._convert(head)
        errors = errors_in(problems)
        if errors or text is None:
            raise ContentError(errors or problems or [error(head.article.source, None, "its body cannot be read")])
        self.reporter.problems(problems)
        return text

    def _convert(self, head: Head) -> tuple[Text | None, list[Problem]]:
        if head.body is None:
            read, problems, unchanged = self._read_body(head)
            if read is None:
                return None, problems
            stored = self._stored(head) if unchanged else None
            if stored is not None:
                return stored, []
            head = read
        converted, problems = complete(head, self.settings)
        if converted is None:
            return None, problems
        return Text(converted.body_html, converted.excerpt, converted.reading_minutes), problems

    def _stored(self, head: Head) -> Text | None:
        """The body the build stored, for an article known from its cache whose file still has those bytes."""
        excerpt, minutes = head.article.body.known
        if self.store is None or excerpt is None or minutes is None:
            return None
        html = self.store.get(head.article.digest)
        return None if html is None else Text(html, excerpt, minutes)

    def _read_body(self, head: Head) -> tuple[Head | None, list[Problem], bool]:
        """The body of an article known from the build cache, from its file, and whether the file still has the bytes
        the build read. A file changed since it was listed (its event is on its way) gives its new body now, so a page
        never shows an empty article."""
        article = head.article
        try:
            data = (self.root / article.source).read_bytes()
        except OSError as exc:
            return None, [error(article.source, None, f"cannot be read: {exc.strerror or exc}")], False
        known = known_head(article, data)
        if known is not None:
            return replace(known, article=article), [], True
        fresh, problems = parse_head(article.source, data, self.settings)
        return (None if fresh is None else replace(fresh, article=article)), problems, False
