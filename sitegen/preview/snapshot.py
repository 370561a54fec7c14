"""One version of the previewed site, served from memory: its routes, its static files, and its pages, each page
rendered the first time it is asked for.

A preview never needs every page of a 10,000-article archive at once; it needs the page in the browser, now. So the
preview plans the whole site (cheap: front-matter only) and renders a page when it is requested, keeping it until a
change makes it stale. Article bodies are converted the same way: an article read for the preview has its front-matter
only, and its Markdown is converted the first time a page shows it (reading.Converter).

A snapshot never changes what it serves: a change makes a new snapshot (live_site.py), and a request answered from the
old one while the new one is being made gets the old, complete site.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from sitegen.content.article import Head
from sitegen.images.on_demand import OnDemandImages
from sitegen.model import Site
from sitegen.render.renderer import Renderer
from sitegen.site.plan import Route


@dataclass(frozen=True)
class Redirect:
    location: str


@dataclass
class Snapshot:
    site: Site
    routes: Mapping[str, Route]  # by output path: "news/x/index.html"
    statics: Mapping[str, Path]  # output path → the source file (static files, fingerprinted names included)
    renderer: Renderer
    heads: Mapping[str, Head]  # the articles as read, by source
    pages: dict[str, bytes] = field(default_factory=dict)  # rendered so far; carried into the next snapshot if fresh
    assets: Mapping[str, str] = field(default_factory=dict)  # the fingerprinted names in every page's head

    def find(self, rel: str) -> bytes | None:
        """The bytes published at `rel` (a path in the output), or None when the site has no such file."""
        if rel in self.routes:
            return self.page(rel)
        source = self.statics.get(rel) or self.derivative(rel)
        if source is None:
            return None
        try:
            return source.read_bytes()
        except OSError:
            return None  # deleted since the snapshot was made: the next one will not list it

    def has(self, rel: str) -> bool:
        return rel in self.routes or rel in self.statics or self._images_know(rel)

    def derivative(self, rel: str) -> Path | None:
        """A resized image a rendered page names, encoded on its first request (then kept in the store)."""
        images = self.renderer.images
        return images.derivative(rel) if isinstance(images, OnDemandImages) else None

    def _images_know(self, rel: str) -> bool:
        images = self.renderer.images
        return isinstance(images, OnDemandImages) and images.knows(rel)

    def page(self, rel: str) -> bytes:
        """A page, rendered now if it has not been since it last changed. Raises ContentError."""
        cached = self.pages.get(rel)
        if cached is not None:
            return cached
        data = self.renderer.render(self.routes[rel])  # the bodies it shows are converted now
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
