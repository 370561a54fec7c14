"""sitemap.xml, news-sitemap.xml and robots.txt, read back with lxml and urllib.robotparser."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.robotparser import RobotFileParser

import pytest
from lxml import etree

from sitegen.site import distribution
from tests.conftest import BASIC_CONFIG, Run, SiteWriter
from tests.publishing import BASE, SITE, build, read

SM = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"sm": SM, "news": NEWS}


def parse(out: Path, rel: str) -> etree._Element:
    root: etree._Element = etree.fromstring((out / rel).read_bytes())
    return root


@pytest.fixture
def out(write_site: SiteWriter, cli: Callable[..., Run]) -> Path:
    return build(write_site, cli)


def sitemap_entries(out: Path) -> dict[str, str | None]:
    """Every URL the sitemaps list, with its lastmod, read through the index."""
    index = parse(out, "sitemap.xml")
    assert index.tag == f"{{{SM}}}sitemapindex"
    entries: dict[str, str | None] = {}
    for loc in index.xpath("//sm:sitemap/sm:loc/text()", namespaces=NS):
        part = parse(out, str(loc).removeprefix(BASE + "/"))
        assert part.tag == f"{{{SM}}}urlset"
        for url in part.findall("sm:url", NS):
            loc_text = url.findtext("sm:loc", namespaces=NS)
            assert loc_text is not None and loc_text not in entries, loc_text
            entries[loc_text] = url.findtext("sm:lastmod", namespaces=NS)
    return entries


def test_sitemap_lists_every_public_url_with_lastmod(out: Path) -> None:
    entries = sitemap_entries(out)
    expected = {
        "/", "/news/armenia/recent/", "/sports/yesterday/", "/news/armenia/older-story/", "/news/world/archive/",
        "/about/", "/news/", "/news/armenia/", "/news/world/", "/sports/", "/tags/football/", "/tags/politics/",
        "/tags/yerevan/", "/authors/ani-petrosyan/", "/authors/aram-hakobyan/",
    }  # fmt: skip
    assert sorted(entries) == sorted(BASE + path for path in expected)  # no aliases, no 404, no feeds, no leaks
    for lastmod in entries.values():
        assert lastmod is not None
        assert datetime.fromisoformat(lastmod).utcoffset() is not None
    assert entries[f"{BASE}/sports/yesterday/"] == "2025-09-11T07:00:00+04:00"  # updated wins over date
    assert entries[f"{BASE}/news/world/"] == "2025-05-01T12:00:00+04:00"
    assert entries[f"{BASE}/"] == "2025-09-11T08:00:00+04:00"


def test_sitemaps_are_one_per_month_of_publication(out: Path) -> None:
    index = parse(out, "sitemap.xml")
    parts = [str(loc).removeprefix(BASE) for loc in index.xpath("//sm:sitemap/sm:loc/text()", namespaces=NS)]
    assert parts[-1] == "/sitemaps/pages.xml" and parts[:-1] == sorted(parts[:-1], reverse=True)
    for part in parts[:-1]:
        month = part.removeprefix("/sitemaps/").removesuffix(".xml")
        assert len(month) == 7 and month[4] == "-", part
    lastmods = index.xpath("//sm:sitemap/sm:lastmod/text()", namespaces=NS)
    assert len(lastmods) == len(parts)
    changing = parse(out, "sitemaps/pages.xml").xpath("//sm:loc/text()", namespaces=NS)
    assert {f"{BASE}/about/", f"{BASE}/", f"{BASE}/news/", f"{BASE}/tags/politics/"} <= set(changing)
    assert f"{BASE}/news/armenia/recent/" not in changing  # an article is in its month's sitemap


def test_sitemap_lists_paginated_pages(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    out = build(write_site, cli, {**SITE, "sitegen.toml": BASIC_CONFIG + "page_size = 1\n"})
    locs = sitemap_entries(out)
    assert f"{BASE}/news/page/1/" in locs and f"{BASE}/news/page/2/" in locs
    assert f"{BASE}/news/page/3/" not in locs  # the front page's own number: a redirect to /news/


def test_a_month_past_the_limit_is_split(
    write_site: SiteWriter, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(distribution, "SITEMAP_LIMIT", 2)
    out = build(write_site, cli)
    parts = [str(loc).removeprefix(BASE) for loc in parse(out, "sitemap.xml").xpath("//sm:loc/text()", namespaces=NS)]
    assert any(part.endswith("-2.xml") for part in parts)
    assert len(sitemap_entries(out)) == 15


def test_news_sitemap_has_the_last_two_days_only(out: Path) -> None:
    root = parse(out, "news-sitemap.xml")
    assert root.nsmap == {None: SM, "news": NEWS}
    urls = root.findall("sm:url", NS)
    assert [u.findtext("sm:loc", namespaces=NS) for u in urls] == [
        f"{BASE}/news/armenia/recent/",  # two hours old
        f"{BASE}/sports/yesterday/",  # a day old; three days and older are out, and so are drafts and the future
    ]
    news = urls[0].find("news:news", NS)
    assert news is not None
    assert news.findtext("news:publication/news:name", namespaces=NS) == "Test News"
    assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
    assert news.findtext("news:publication_date", namespaces=NS) == "2025-09-11T08:00:00+04:00"
    assert news.findtext("news:title", namespaces=NS) == "Recent story"


def test_news_sitemap_publication_name_and_language_from_config(
    write_site: SiteWriter, cli: Callable[..., Run]
) -> None:
    config = BASIC_CONFIG.replace('language = "en"', 'language = "hy-AM"') + 'publication_name = "Lratu"\n'
    out = build(write_site, cli, {**SITE, "sitegen.toml": config})
    root = parse(out, "news-sitemap.xml")
    assert root.xpath("//news:name/text()", namespaces=NS) == ["Lratu", "Lratu"]
    assert root.xpath("//news:language/text()", namespaces=NS) == ["hy", "hy"]


def test_empty_news_sitemap_is_still_well_formed(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    out = build(write_site, cli, {"content/news/old.md": SITE["content/news/world/archive.md"]})
    root = parse(out, "news-sitemap.xml")
    assert root.nsmap == {None: SM, "news": NEWS}
    assert len(root) == 0


def test_robots_txt_names_both_sitemaps(out: Path) -> None:
    robots = RobotFileParser()
    robots.parse(read(out, "robots.txt").splitlines())
    assert robots.site_maps() == [f"{BASE}/sitemap.xml", f"{BASE}/news-sitemap.xml"]
    assert robots.can_fetch("Googlebot", f"{BASE}/news/armenia/recent/")


def test_site_robots_txt_wins(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    own = "User-agent: *\nDisallow: /private/\n"
    out = build(write_site, cli, {**SITE, "static/robots.txt": own})
    assert read(out, "robots.txt") == own


def test_without_base_url_no_sitemaps(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    config = 'title = "Test News"\nlanguage = "en"\ntimezone = "Asia/Yerevan"\n'
    root = write_site({**SITE, "sitegen.toml": config})
    result = cli("build", root, "-o", root / "public", "-q")
    assert result.code == 0
    assert "sitemap.xml and news-sitemap.xml are not written" in result.err
    out = root / "public"
    assert not (out / "sitemap.xml").exists()
    assert not (out / "news-sitemap.xml").exists()
    robots = RobotFileParser()
    robots.parse(read(out, "robots.txt").splitlines())
    assert robots.site_maps() is None
