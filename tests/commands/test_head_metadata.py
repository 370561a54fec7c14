"""Page heads as machines read them: title, description, canonical, OpenGraph, Twitter, feed links, JSON-LD."""

from __future__ import annotations

import json
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BASIC_CONFIG, Run, SiteWriter
from tests.publishing import BASE, SITE, build, head, read

ARTICLE = "news/armenia/recent/index.html"


@pytest.fixture
def out(write_site: SiteWriter, cli: Callable[..., Run]) -> Path:
    config = BASIC_CONFIG + 'description = "News from the test desk."\nlogo = "/img/logo.png"\n'
    return build(write_site, cli, {**SITE, "sitegen.toml": config})


def json_ld(out: Path, rel: str) -> dict[str, dict[str, Any]]:
    blocks = [json.loads(text) for text in head(out, rel).json_ld]
    return {block["@type"]: block for block in blocks}


def test_article_head(out: Path) -> None:
    page = head(out, ARTICLE)
    url = f"{BASE}/news/armenia/recent/"
    assert page.lang == "en"
    assert page.title == "Recent story · Test News"
    assert page.first("description") == "The recent summary."
    assert [link["href"] for link in page.link("canonical")] == [url]
    assert page.first("og:type") == "article"
    assert page.first("og:title") == "Recent story"
    assert page.first("og:description") == "The recent summary."
    assert page.first("og:url") == url
    assert page.first("og:site_name") == "Test News"
    assert page.first("og:image") == f"{BASE}/img/recent.jpg"
    assert page.first("article:published_time") == "2025-09-11T08:00:00+04:00"
    assert page.first("article:modified_time") == "2025-09-11T08:00:00+04:00"
    assert page.first("article:section") == "Armenia"
    assert page.all("article:tag") == ["Politics", "Yerevan"]
    assert page.all("article:author") == [f"{BASE}/authors/ani-petrosyan/", f"{BASE}/authors/aram-hakobyan/"]
    assert page.first("twitter:card") == "summary_large_image"
    assert page.first("twitter:image") == f"{BASE}/img/recent.jpg"
    assert page.first("twitter:title") == "Recent story"


def test_article_without_image_gets_a_summary_card(out: Path) -> None:
    page = head(out, "sports/yesterday/index.html")
    assert page.first("twitter:card") == "summary"
    assert page.first("og:image") is None
    assert page.first("article:modified_time") == "2025-09-11T07:00:00+04:00"


def test_feed_autodiscovery(out: Path) -> None:
    def feeds(rel: str) -> list[str]:
        return [link["href"] for link in head(out, rel).link("alternate")]

    site = [f"{BASE}/feed.xml", f"{BASE}/atom.xml"]
    assert feeds("index.html") == site
    assert feeds(ARTICLE) == [*site, f"{BASE}/news/armenia/feed.xml", f"{BASE}/news/armenia/atom.xml"]
    assert feeds("news/index.html") == [*site, f"{BASE}/news/feed.xml", f"{BASE}/news/atom.xml"]
    assert feeds("tags/politics/index.html") == [*site, f"{BASE}/tags/politics/feed.xml",
                                                 f"{BASE}/tags/politics/atom.xml"]  # fmt: skip
    types = {link["type"] for link in head(out, "index.html").link("alternate")}
    assert types == {"application/rss+xml", "application/atom+xml"}


def test_every_page_has_a_self_canonical_and_a_description(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    out = build(write_site, cli, {**SITE, "sitegen.toml": BASIC_CONFIG + "page_size = 1\n"})
    pages = [
        p
        for p in out.rglob("index.html")
        if p.parent.parts[-2:] not in {("old", "recent-story")} and 'http-equiv="refresh"' not in p.read_text()
    ]  # every page but the redirects (an alias, a list's front page by its number)
    assert len(pages) > 20
    for path in pages:
        rel = path.relative_to(out).as_posix()
        page = head(out, rel)
        expected = f"{BASE}/{rel.removesuffix('index.html')}"
        assert [link["href"] for link in page.link("canonical")] == [expected], rel
        assert page.first("og:url") == expected, rel
        assert page.first("description"), rel
        assert page.lang == "en"
    assert head(out, "news/page/2/index.html").link("canonical")[0]["href"] == f"{BASE}/news/page/2/"


def test_news_article_json_ld(out: Path) -> None:
    data = json_ld(out, ARTICLE)["NewsArticle"]
    url = f"{BASE}/news/armenia/recent/"
    assert data["@context"] == "https://schema.org"
    assert data["headline"] == "Recent story"
    assert data["image"] == [f"{BASE}/img/recent.jpg"]
    assert data["datePublished"] == "2025-09-11T08:00:00+04:00"
    assert data["dateModified"] == "2025-09-11T08:00:00+04:00"
    assert data["author"] == [
        {"@type": "Person", "name": "Ani Petrosyan", "url": f"{BASE}/authors/ani-petrosyan/"},
        {"@type": "Person", "name": "Aram Hakobyan", "url": f"{BASE}/authors/aram-hakobyan/"},
    ]
    assert data["publisher"] == {
        "@type": "Organization", "name": "Test News", "url": f"{BASE}/",
        "logo": {"@type": "ImageObject", "url": f"{BASE}/img/logo.png"},
    }  # fmt: skip
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}


class _Breadcrumb(HTMLParser):
    """The visible breadcrumb: (text, href or None) for each item."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[str, str | None]] = []
        self._depth = 0
        self._href: str | None = None
        self._in_li = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "nav" and values.get("class") == "breadcrumb":
            self._depth = 1
        elif self._depth and tag == "li":
            self._in_li, self._href = True, None
            self.items.append(("", None))
        elif self._depth and tag == "a":
            self._href = values.get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._depth = 0
        elif tag == "li" and self._depth:
            text, _ = self.items[-1]
            self.items[-1] = (text.strip(), self._href)
            self._in_li = False

    def handle_data(self, data: str) -> None:
        if self._depth and self._in_li:
            text, href = self.items[-1]
            self.items[-1] = (text + data, href)


def test_breadcrumb_list_matches_the_visible_breadcrumb(out: Path) -> None:
    visible = _Breadcrumb()
    visible.feed(read(out, ARTICLE))
    assert visible.items == [("Home", "/"), ("News", "/news/"), ("Armenia", "/news/armenia/"), ("Recent story", None)]
    items = json_ld(out, ARTICLE)["BreadcrumbList"]["itemListElement"]
    assert [i["position"] for i in items] == [1, 2, 3, 4]
    assert [(i["name"], i.get("item")) for i in items] == [
        (name, BASE + href if href else None) for name, href in visible.items
    ]


def test_home_has_website_and_organization(out: Path) -> None:
    data = json_ld(out, "index.html")
    assert data["WebSite"]["name"] == "Test News"
    assert data["WebSite"]["url"] == f"{BASE}/"
    assert data["WebSite"]["description"] == "News from the test desk."
    assert data["Organization"]["name"] == "Test News"
    assert data["Organization"]["logo"]["url"] == f"{BASE}/img/logo.png"
    page = head(out, "index.html")
    assert page.first("og:type") == "website"
    assert page.first("description") == "News from the test desk."


def test_without_base_url_urls_are_root_relative_and_cards_skip_og_url(
    write_site: SiteWriter, cli: Callable[..., Run]
) -> None:
    config = 'title = "Test News"\nlanguage = "hy"\ntimezone = "Asia/Yerevan"\n'
    out = build(write_site, cli, {**SITE, "sitegen.toml": config})
    page = head(out, ARTICLE)
    assert page.lang == "hy"
    assert page.link("canonical")[0]["href"] == "/news/armenia/recent/"
    assert page.first("og:url") is None
    assert page.first("og:image") is None
    assert page.first("twitter:card") == "summary"
    data = json_ld(out, ARTICLE)["NewsArticle"]
    assert data["mainEntityOfPage"]["@id"] == "/news/armenia/recent/"
    assert data["image"] == ["/img/recent.jpg"]
