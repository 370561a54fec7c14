"""A headline with markup, quotes, ampersands and Armenian text comes back exactly from every format sitegen writes."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from pathlib import Path

import feedparser
from lxml import etree

from tests.conftest import BASIC_CONFIG, Run, SiteWriter
from tests.publishing import build, head

TITLE = "<script>alert(\"x\")</script> & 'quotes' </script> ]]> Երևան"
TAG = "Q&A <b>"
AUTHOR = 'Ani "the pen" Petrosyan'
SECTION = "Lur & <i>Nor</i>"
YAML_TITLE = "'" + TITLE.replace("'", "''") + "'"

FILES = {
    "sitegen.toml": BASIC_CONFIG,
    "content/lur/_index.md": f"---\ntitle: '{SECTION}'\n---\n",
    "content/lur/story.md": (
        f"---\ntitle: {YAML_TITLE}\ndate: 2025-09-11T08:00:00+04:00\nslug: story\ntags: ['{TAG}']\n"
        f"authors: ['{AUTHOR}']\nimage: /img/x.jpg\naliases: [/old-story/]\nsummary: {YAML_TITLE}\n---\n\n"
        "Body with ]]> in it & more.\n"
    ),
}


def _site(write_site: SiteWriter, cli: Callable[..., Run]) -> Path:
    return build(write_site, cli, FILES)


def test_feeds(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    out = _site(write_site, cli)
    for rel in ("feed.xml", "atom.xml", "lur/feed.xml", "tags/q-a-b/feed.xml"):
        feed = feedparser.parse((out / rel).read_bytes())
        assert not feed.bozo, rel
        entry = feed.entries[0]
        assert entry.title == TITLE, rel
        # RSS descriptions are HTML (feedparser says text/html), Atom summaries here are text.
        summary = entry.summary_detail
        assert (html.unescape(summary.value) if summary.type == "text/html" else summary.value) == TITLE, rel
        assert [t["term"] for t in entry.tags] == [SECTION, TAG], rel
        assert entry.authors[0]["name"] == AUTHOR, rel
        assert "Body with ]]&gt; in it &amp; more." in entry.content[0].value, rel


def test_sitemaps(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    out = _site(write_site, cli)
    news = etree.fromstring((out / "news-sitemap.xml").read_bytes())
    ns = {"news": "http://www.google.com/schemas/sitemap-news/0.9"}
    assert news.xpath("//news:title/text()", namespaces=ns) == [TITLE]
    etree.fromstring((out / "sitemap.xml").read_bytes())


def test_page_heads_and_json_ld(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    out = _site(write_site, cli)
    page = head(out, "lur/story/index.html")
    assert page.title == f"{TITLE} · Test News"
    for key in ("og:title", "twitter:title", "description", "og:description"):
        assert page.first(key) == TITLE, key
    assert page.first("article:tag") == TAG
    assert page.first("article:section") == SECTION
    assert len(page.json_ld) == 2  # nothing broke out of its <script>
    blocks = {b["@type"]: b for b in map(json.loads, page.json_ld)}
    assert blocks["NewsArticle"]["headline"] == TITLE
    assert blocks["NewsArticle"]["author"][0]["name"] == AUTHOR
    assert blocks["NewsArticle"]["keywords"] == [TAG]
    assert blocks["NewsArticle"]["articleSection"] == SECTION
    names = [item["name"] for item in blocks["BreadcrumbList"]["itemListElement"]]
    assert names == ["Home", SECTION, TITLE]
    assert "</script> &" not in (out / "lur/story/index.html").read_text(encoding="utf-8").split("<body")[0]


def test_redirect_and_lists(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    out = _site(write_site, cli)
    assert head(out, "old-story/index.html").title == f"{TITLE} · Test News"
    assert head(out, "lur/index.html").first("og:title") == SECTION
    assert head(out, "tags/q-a-b/index.html").first("og:title") == TAG
    assert head(out, "authors/ani-the-pen-petrosyan/index.html").first("og:title") == AUTHOR
