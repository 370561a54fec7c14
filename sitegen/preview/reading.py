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

from sitegen.content.article import Head, ParseSettings, complete, known_head, parse_head
from sitegen.content.sources import SourceFile, read_bytes
from sitegen.errors import ContentError, Problem, error, errors_in
from sitegen.incremental.cache import BuildCache, Parsed, cache_key, code_digest
from sitegen.model import Body, Text
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
    article twice. Warnings are reported once; an error makes the page that shows the body fail with it.
    """

    settings: ParseSettings
    root: Path  # an article known from the build cache is read from its `source` below it
    reporter: Reporter
    lock: threading.Lock = field(default_factory=threading.Lock)

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
            read, problems = self._read_body(head)
            if read is None:
                return None, problems
            head = read
        converted, problems = complete(head, self.settings)
        if converted is None:
            return None, problems
        return Text(converted.body_html, converted.excerpt, converted.reading_minutes), problems

    def _read_body(self, head: Head) -> tuple[Head | None, list[Problem]]:
        """The body of an article known from the build cache, from its file. A file changed since it was listed (its
        event is on its way) gives its new body now, so a page never shows an empty article."""
        article = head.article
        try:
            data = (self.root / article.source).read_bytes()
        except OSError as exc:
            return None, [error(article.source, None, f"cannot be read: {exc.strerror or exc}")]
        known = known_head(article, data)
        if known is not None:
            return replace(known, article=article), []
        fresh, problems = parse_head(article.source, data, self.settings)
        return (None if fresh is None else replace(fresh, article=article)), problems
