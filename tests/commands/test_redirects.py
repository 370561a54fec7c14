"""Aliases (old URLs that redirect) and the 404 page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import Run, SiteWriter, article
from tests.publishing import BASE, SITE, build, head, read


def test_alias_pages_redirect_to_the_article(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    out = build(write_site, cli)
    target = f"{BASE}/news/armenia/recent/"
    for rel in ("old/recent-story/index.html", "legacy/recent.html"):
        page = head(out, rel)
        assert page.first("refresh") == f"0; url={target}"
        assert [link["href"] for link in page.link("canonical")] == [target]
        assert page.first("robots") == "noindex"
        assert f'<a href="{target}">Recent story</a>' in read(out, rel)
    sitemap = read(out, "sitemap.xml")
    assert "/old/" not in sitemap
    assert "/legacy/" not in sitemap


def test_alias_colliding_with_a_page_is_an_error_naming_the_file(
    write_site: SiteWriter, cli: Callable[..., Run]
) -> None:
    files = {**SITE, "content/news/moved.md": article("Moved", "2025-09-01", aliases="[/news/armenia/older-story/]")}
    root = write_site(files)
    result = cli("build", root, "-q")
    assert result.code == 1
    assert "content/news/moved.md: URL /news/armenia/older-story/ is also claimed by" in result.err
    assert not (root / "public").exists()


def test_alias_colliding_with_a_feed_is_an_error(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root = write_site({"content/news/a.md": article("A", "2025-09-01", aliases='["/feed.xml.html"]'),
                       "content/news/b.md": article("B", "2025-09-01", aliases='["/feed.xml.html"]')})  # fmt: skip
    result = cli("build", root, "-q")
    assert result.code == 1
    assert "content/news/b.md: URL /feed.xml.html is also claimed by content/news/a.md" in result.err


def test_alias_escaping_the_output_folder_is_an_error_naming_the_file(
    write_site: SiteWriter, cli: Callable[..., Run]
) -> None:
    root = write_site({"content/news/a.md": article("A", "2025-09-01", aliases="[/../../etc/passwd]")})
    result = cli("build", root, "-q")
    assert result.code == 1
    assert "content/news/a.md" in result.err
    assert "'..'" in result.err
    assert not (root.parent / "etc").exists()


def test_not_found_page_in_the_site_look(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    out: Path = build(write_site, cli)
    text = read(out, "404.html")
    page = head(out, "404.html")
    assert page.first("robots") == "noindex"
    assert page.link("canonical") == []
    assert 'class="site-nav"' in text
    assert "Page not found" in page.title
    assert text.index("Recent story") < text.index("Yesterday&#39;s match") < text.index("Older story")
    assert 'href="/news/armenia/recent/"' in text
    assert "LEAKED" not in text


def test_alias_needing_a_folder_where_a_feed_is_a_file_is_an_error(
    write_site: SiteWriter, cli: Callable[..., Run]
) -> None:
    root = write_site({"content/news/a.md": article("A", "2025-09-01", aliases="[/news/feed.xml]")})
    result = cli("build", root, "-q")
    assert result.code == 1
    assert "content/news/a.md: URL /news/feed.xml/ would put a folder where" in result.err
    assert "news/feed.xml" in result.err
