"""RSS and Atom feeds, read back with feedparser: well-formed, complete, newest first, absolute, nothing leaked."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser
import pytest

from tests.conftest import BASIC_CONFIG, Run, SiteWriter
from tests.publishing import BASE, LEAK_MARKERS, SITE, build, read

FEEDS = ("feed.xml", "atom.xml")


def parse(out: Path, rel: str) -> Any:
    feed = feedparser.parse((out / rel).read_bytes())
    assert not feed.bozo, f"{rel}: {feed.get('bozo_exception')}"
    return feed


def titles(feed: Any) -> list[str]:
    return [entry.title for entry in feed.entries]


@pytest.fixture
def out(write_site: SiteWriter, cli: Callable[..., Run]) -> Path:
    return build(write_site, cli)


@pytest.mark.parametrize("name", FEEDS)
def test_site_feed_lists_published_articles_newest_first(out: Path, name: str) -> None:
    feed = parse(out, name)
    assert titles(feed) == ["Recent story", "Yesterday's match", "Older story", "Archive story"]
    assert feed.feed.link == f"{BASE}/"
    assert feed.feed.get("language") == "en"


@pytest.mark.parametrize("name", FEEDS)
def test_feed_item_carries_everything_a_reader_needs(out: Path, name: str) -> None:
    entry = parse(out, name).entries[0]
    permalink = f"{BASE}/news/armenia/recent/"
    assert entry.link == permalink
    assert entry.id == permalink
    # 2025-09-11 08:00 in Yerevan (+04:00) is 04:00 UTC.
    assert calendar.timegm(entry.published_parsed) == calendar.timegm((2025, 9, 11, 4, 0, 0))
    assert [a["name"] for a in entry.authors] == ["Ani Petrosyan", "Aram Hakobyan"]
    assert [t["term"] for t in entry.tags] == ["Armenia", "Politics", "Yerevan"]
    assert entry.summary == "The recent summary."
    body = entry.content[0]
    assert body.type == "text/html"
    assert f'href="{BASE}/news/armenia/older-story/"' in body.value  # ../older-story/ resolved against the article
    assert f'href="{BASE}/news/"' in body.value
    assert f'src="{BASE}/news/armenia/recent/photo.jpg"' in body.value
    assert f'src="{BASE}/img/recent.jpg"' in body.value  # the article's image leads the body
    assert f'href="{BASE}/about/"' in body.value  # single-quoted attribute in raw HTML
    assert 'href="https://example.com/x?a=1&amp;b=2"' in body.value
    assert '&lt;a href="/not-a-link/"&gt;' in body.value  # markup shown as code is text, left alone


def test_rss_dates_are_rfc822_with_offset(out: Path) -> None:
    text = read(out, "feed.xml")
    assert "<pubDate>Thu, 11 Sep 2025 08:00:00 +0400</pubDate>" in text
    assert '<guid isPermaLink="true">https://news.example.org/news/armenia/recent/</guid>' in text
    assert 'xmlns:content="http://purl.org/rss/1.0/modules/content/"' in text


def test_atom_updated_follows_the_update(out: Path) -> None:
    entry = next(e for e in parse(out, "atom.xml").entries if e.title == "Yesterday's match")
    assert calendar.timegm(entry.updated_parsed) == calendar.timegm((2025, 9, 11, 3, 0, 0))
    assert calendar.timegm(entry.published_parsed) == calendar.timegm((2025, 9, 10, 5, 0, 0))


@pytest.mark.parametrize("name", FEEDS)
def test_section_feeds_include_subsections(out: Path, name: str) -> None:
    assert titles(parse(out, f"news/{name}")) == ["Recent story", "Older story", "Archive story"]
    assert titles(parse(out, f"news/armenia/{name}")) == ["Recent story", "Older story"]
    assert titles(parse(out, f"news/world/{name}")) == ["Archive story"]
    assert titles(parse(out, f"sports/{name}")) == ["Yesterday's match"]
    assert parse(out, f"news/{name}").feed.link == f"{BASE}/news/"


@pytest.mark.parametrize("name", FEEDS)
def test_tag_feeds(out: Path, name: str) -> None:
    assert titles(parse(out, f"tags/politics/{name}")) == ["Recent story", "Older story"]
    assert titles(parse(out, f"tags/football/{name}")) == ["Yesterday's match"]


def test_feed_count_is_configurable_and_atom_optional(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    config = BASIC_CONFIG + "\n[feeds]\ncount = 2\natom = false\n"
    out = build(write_site, cli, {**SITE, "sitegen.toml": config})
    assert titles(parse(out, "feed.xml")) == ["Recent story", "Yesterday's match"]
    assert not (out / "atom.xml").exists()
    assert "atom.xml" not in read(out, "index.html")


def test_feed_count_must_be_positive(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root = write_site({"sitegen.toml": BASIC_CONFIG + "\n[feeds]\ncount = 0\n"})
    result = cli("build", root, "-q")
    assert result.code == 2
    assert "'feeds.count' must be at least 1" in result.err


def test_drafts_future_and_expired_are_in_no_output(out: Path) -> None:
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in {".xml", ".html", ".txt"}:
            text = path.read_text(encoding="utf-8")
            for marker in LEAK_MARKERS:
                assert marker not in text, f"{marker} leaked into {path.relative_to(out)}"
    assert not (out / "tags" / "leakdrafttag").exists()
    assert not (out / "leak-draft-alias").exists()


def test_deleted_article_disappears_from_every_output(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    out = build(write_site, cli)
    (out.parent / "content/news/world/archive.md").unlink()
    assert cli("build", out.parent, "-o", out, "-q").code == 0
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in {".xml", ".html", ".txt"}:
            assert "Archive story" not in path.read_text(encoding="utf-8"), path
            assert "/news/world/" not in path.read_text(encoding="utf-8"), path
    assert not (out / "news/world/feed.xml").exists()


def test_without_base_url_feeds_use_root_relative_urls(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    config = 'title = "Test News"\nlanguage = "en"\ntimezone = "Asia/Yerevan"\n'
    root = write_site({**SITE, "sitegen.toml": config})
    result = cli("build", root, "-o", root / "public", "-q")
    assert result.code == 0
    assert result.err.count("no base_url") == 1
    out = root / "public"
    rss = parse(out, "feed.xml")
    assert rss.entries[0].link == "/news/armenia/recent/"
    assert '<guid isPermaLink="false">/news/armenia/recent/</guid>' in read(out, "feed.xml")
    assert 'src="/news/armenia/recent/photo.jpg"' in rss.entries[0].content[0].value
    atom = parse(out, "atom.xml")
    assert atom.entries[0].id.startswith("urn:uuid:")
    assert titles(atom) == titles(rss)


def test_control_characters_cannot_break_a_feed(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    text = '---\ntitle: "Bell\\a and escape\\e in a title"\ndate: 2025-09-11T08:00:00+04:00\n---\n\nBody.\n'
    out = build(write_site, cli, {"content/news/x.md": text})
    for name in FEEDS:
        assert titles(parse(out, name)) == ["Bell and escape in a title"]


def test_machine_outputs_are_reproducible(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    out = build(write_site, cli)
    again = out.parent / "again"
    assert cli("build", out.parent, "-o", again, "-q").code == 0
    for path in out.rglob("*.xml"):
        assert path.read_bytes() == (again / path.relative_to(out)).read_bytes(), path
    assert (out / "robots.txt").read_bytes() == (again / "robots.txt").read_bytes()
