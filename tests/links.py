"""A reader's walk through a published folder on disk: follow every internal link from some pages, report the files
that are missing. Pages are read with html.parser, feeds and sitemaps with ElementTree.

Pages link with href and src, and to the fragments their script swaps in with data-fragment. A link is internal
when it is relative, root-relative or absolute on the site's own host; `/x/` is `x/index.html`, and `/x` is
`x/index.html` when `x` is a folder (what a static web server does). Query strings and #fragments are dropped.
Robots.txt and assets are followed to but not read.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

SITE_HOST = "news.example.org"  # BASIC_CONFIG's base_url (tests/conftest.py)


_LINKING = ("href", "src", "data-fragment")  # data-fragment: the block a page's script fetches (fragments/*.html)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in _LINKING and value]


def links_of(path: Path) -> list[str]:
    """The URLs a page (href, src, data-fragment) or a feed or sitemap (<link>, <loc>, <guid>, href=) links to."""
    if path.suffix == ".html":
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8"))
        parser.close()
        return parser.found
    if path.suffix == ".xml":
        found = []
        for element in ET.parse(path).getroot().iter():
            name = element.tag.rpartition("}")[2]
            if name in ("link", "loc") or (name == "guid" and element.get("isPermaLink") == "true"):
                found.append((element.text or "").strip())
            if element.get("href"):
                found.append(element.get("href", ""))
        return [url for url in found if url]
    return []


def resolve(output: Path, page: str, url: str) -> str | None:
    """The file in `output` that `url`, linked from the file `page`, names; None for a link off the site."""
    parts = urlsplit(urljoin(f"https://{SITE_HOST}/{page}", url))
    if parts.scheme not in ("http", "https") or parts.netloc != SITE_HOST:
        return None
    rel = unquote(parts.path).lstrip("/")
    if rel == "" or rel.endswith("/"):
        return f"{rel}index.html"
    return f"{rel}/index.html" if (output / rel).is_dir() else rel


def missing_links(output: Path, roots: Iterable[str]) -> list[tuple[str, str]]:
    """(linking file, missing file) for every file reachable from `roots` that is not there; a missing root is
    reported as linked from "(start)"."""
    missing: list[tuple[str, str]] = []
    seen: set[str] = set()
    queue = [("(start)", root) for root in roots]
    while queue:
        source, rel = queue.pop()
        if rel in seen:
            continue
        seen.add(rel)
        path = output / rel
        if not path.is_file():
            missing.append((source, rel))
            continue
        for url in links_of(path):
            target = resolve(output, rel, url)
            if target is not None and target not in seen:
                queue.append((rel, target))
    return sorted(missing)


def pages_in(output: Path) -> set[str]:
    """Every page (HTML file) published in `output`, by path."""
    found = {p.relative_to(output).as_posix() for p in output.rglob("*.html")}
    return {rel for rel in found if not any(part.startswith(".") for part in rel.split("/"))}
