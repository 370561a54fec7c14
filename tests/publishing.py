"""A small news site for the distribution tests (feeds, sitemaps, metadata, redirects), built with the real CLI.

Build time (conftest): Thursday 2025-09-11 10:00 in Yerevan. The site has articles from two hours, one day, three
days and months before it, and a draft, a future article and an expired one that must appear nowhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html.parser import HTMLParser
from pathlib import Path

from tests.conftest import Run, SiteWriter, article

BASE = "https://news.example.org"

RECENT_BODY = """\
Lead paragraph with a [relative link](../older-story/) and a [root link](/news/).

![A photo](photo.jpg)

[External](https://example.com/x?a=1&b=2) and <a href='/about/'>single quoted</a>.

    <a href="/not-a-link/">code stays as written</a>
"""

SITE: dict[str, str] = {
    "content/news/_index.md": "---\ntitle: News\ndescription: All the news.\n---\n",
    "content/news/armenia/recent.md": article(
        "Recent story", "2025-09-11T08:00:00+04:00", RECENT_BODY,
        authors="[Ani Petrosyan, Aram Hakobyan]", tags="[Politics, Yerevan]", image="/img/recent.jpg",
        summary='"The recent summary."', aliases="[/old/recent-story/, /legacy/recent.html]",
    ),
    "content/sports/yesterday.md": article(
        "Yesterday's match", "2025-09-10T09:00:00+04:00", "Match report.", tags="[Football]",
        updated="2025-09-11T07:00:00+04:00",
    ),
    "content/news/armenia/older-story.md": article("Older story", "2025-09-08T09:00:00+04:00", "Three days old.",
                                                   tags="[Politics]"),
    "content/news/world/archive.md": article("Archive story", "2025-05-01T12:00:00+04:00", "Months old."),
    "content/news/armenia/draft.md": article("LEAKED-DRAFT", "2025-09-11T07:00:00+04:00", "x", draft="true",
                                             tags="[Leakdrafttag]", aliases="[/leak-draft-alias/]"),
    "content/news/armenia/future.md": article("LEAKED-FUTURE", "2025-09-12T07:00:00+04:00", "x",
                                              tags="[Leakfuturetag]"),
    "content/news/armenia/expired.md": article("LEAKED-EXPIRED", "2025-09-09T07:00:00+04:00", "x",
                                               expires="2025-09-10T00:00:00+04:00"),
    "content/about.md": "---\ntitle: About us\ntype: page\nslug: about\n---\n\nWho we are.\n",
    "static/img/recent.jpg": "not really a jpeg",
}  # fmt: skip
LEAK_MARKERS = ("LEAKED", "leaked", "leakdrafttag", "leakfuturetag", "Leakdrafttag", "leak-draft-alias", "draft/",
                "future/", "expired/")  # fmt: skip
PUBLISHED = ("recent", "yesterday", "older-story", "archive")


def build(write_site: SiteWriter, cli: Callable[..., Run], files: Mapping[str, str] | None = None) -> Path:
    root = write_site(SITE if files is None else files)
    out = root / "public"
    result = cli("build", root, "-o", out, "-q")
    assert result.code == 0, result.err
    return out


def read(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


class HeadReader(HTMLParser):
    """Collects what a page's head tells machines: meta tags, links, JSON-LD blocks, the title, <html lang>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: list[tuple[str, str]] = []  # (name or property, content), in document order
        self.links: list[dict[str, str]] = []
        self.json_ld: list[str] = []
        self.title = ""
        self.lang = ""
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = values.get("lang", "")
        elif tag == "meta" and "content" in values:
            key = values.get("property") or values.get("name") or values.get("http-equiv", "")
            self.meta.append((key, values["content"]))
        elif tag == "link":
            self.links.append(values)
        elif tag == "title":
            self._in = "title"
        elif tag == "script" and values.get("type") == "application/ld+json":
            self._in = "json"
            self.json_ld.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("title", "script"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "json":
            self.json_ld[-1] += data

    def first(self, key: str) -> str | None:
        return next((v for k, v in self.meta if k == key), None)

    def all(self, key: str) -> list[str]:
        return [v for k, v in self.meta if k == key]

    def link(self, rel: str) -> list[dict[str, str]]:
        return [link for link in self.links if link.get("rel") == rel]


def head(out: Path, rel: str) -> HeadReader:
    reader = HeadReader()
    reader.feed(read(out, rel))
    reader.close()
    return reader
