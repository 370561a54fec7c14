"""One version of the previewed site, served from memory: its routes, its static files, and its pages, each page
rendered the first time it is asked for.

A preview never needs every page of a 10,000-article archive at once; it needs the page in the browser, now. So the
preview plans the whole site (cheap: front-matter only) and renders a page when it is requested, keeping it until a
change makes it stale. Article bodies are converted the same way: an article read for the preview has its front-matter
only (content.Head), and its Markdown is converted the first time a page shows it.

A snapshot never changes what it serves: a change makes a new snapshot (live.py), and a request answered from the old
one while the new one is being made gets the old, complete site.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from sitegen.content.article import Head, ParseSettings, complete, known_head, parse_head
from sitegen.errors import Problem, error, errors_in
from sitegen.incremental.reuse import shown_everywhere
from sitegen.incremental.workers import articles_in
from sitegen.model import Article, Site
from sitegen.render.renderer import Renderer, TemplateProblem
from sitegen.site.plan import Route

NOT_FOUND_PAGE = "404.html"


@dataclass(frozen=True)
class Redirect:
    location: str


@dataclass
class LazyBodies:
    """Converts the bodies of articles read without them, in place, once: shared by every snapshot of one preview.

    In place because the site model and the routes hold these very objects. An article whose body is not converted
    yet has `reading_minutes == 0` (a converted one reads for at least a minute). One lock for all conversions:
    Python-Markdown's converter is shared, and two requests must not convert the same article twice.
    """

    settings: ParseSettings
    root: Path  # articles are read from their `source` below it when their body was never read (build cache)
    lock: threading.Lock = field(default_factory=threading.Lock)
    reported: set[Problem] = field(default_factory=set)

    def fill(self, articles: Iterable[Article], heads: Mapping[str, Head]) -> None:
        """Convert the bodies these articles lack (when a page shows them); warnings are printed once, an error
        raises TemplateProblem (the page can't be rendered)."""
        with self.lock:
            for article in articles:
                head = heads.get(article.source)
                if article.reading_minutes == 0 and head is not None and head.article is article:
                    self._report(self._convert(head))

    def convert(self, head: Head) -> list[Problem]:
        """Convert one article's body now; its problems are returned, not raised."""
        with self.lock:
            return self._convert(head) if head.article.reading_minutes == 0 else []

    def _convert(self, head: Head) -> list[Problem]:
        if head.body is None:
            read, problems = self._read_body(head)
            if read is None:
                return problems
            head = read
        converted, problems = complete(head, self.settings)
        if converted is not None:
            for name in ("body_html", "excerpt", "reading_minutes"):
                object.__setattr__(head.article, name, getattr(converted, name))  # the one write to a frozen Article
        return problems

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
            return dataclasses.replace(known, article=article), []
        fresh, problems = parse_head(article.source, data, self.settings)
        return (None if fresh is None else dataclasses.replace(fresh, article=article)), problems

    def _report(self, problems: list[Problem]) -> None:
        errors = errors_in(problems)
        if errors:
            raise TemplateProblem(errors[0])
        for problem in problems:
            if problem not in self.reported:
                self.reported.add(problem)
                print(problem, file=sys.stderr)


@dataclass
class Snapshot:
    site: Site
    routes: Mapping[str, Route]  # by output path: "news/x/index.html"
    statics: Mapping[str, Path]  # output path → the source file (static files, fingerprinted names included)
    renderer: Renderer
    heads: Mapping[str, Head]  # the articles as read, by source: their bodies are converted from these
    bodies: LazyBodies
    pages: dict[str, bytes] = field(default_factory=dict)  # rendered so far; carried into the next snapshot if fresh

    def find(self, rel: str) -> bytes | None:
        """The bytes published at `rel` (a path in the output), or None when the site has no such file."""
        if rel in self.routes:
            return self.page(rel)
        source = self.statics.get(rel)
        if source is None:
            return None
        try:
            return source.read_bytes()
        except OSError:
            return None  # deleted since the snapshot was made: the next one will not list it

    def has(self, rel: str) -> bool:
        return rel in self.routes or rel in self.statics

    def page(self, rel: str) -> bytes:
        """A page, rendered now if it has not been since it last changed. Raises TemplateProblem."""
        cached = self.pages.get(rel)
        if cached is not None:
            return cached
        route = self.routes[rel]
        self.bodies.fill([*articles_in(route), *shown_everywhere(self.site)], self.heads)
        data = self.renderer.render(route)
        self.pages[rel] = data
        return data


def locate(snapshot: Snapshot, parts: list[str]) -> str | Redirect | None:
    """The output path a decoded request path names in the snapshot, a redirect adding a folder's slash, or None."""
    rel = "/".join(parts)
    if not parts[-1]:
        return rel + "index.html" if snapshot.has(rel + "index.html") else None
    if snapshot.has(rel):
        return rel
    # Percent-encoded again: a Location header is ASCII, and a decoded `%3F` would turn into a query.
    return Redirect(quote(f"/{rel}/")) if snapshot.has(rel + "/index.html") else None
