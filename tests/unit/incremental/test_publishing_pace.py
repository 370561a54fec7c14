"""Publishing at newsroom pace: what a build rewrites after each of a newsroom's everyday changes, and that the result
is always what a clean build makes (issue #12). Files written are read from the output's manifest (by sha256), so a
file rewritten with the same bytes does not count."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sitegen.commands.build import BuildOptions, build
from sitegen.paths import MANIFEST_FILE
from tests.conftest import BASIC_CONFIG, BUILD_EPOCH, SiteWriter, article
from tests.unit.incremental.test_incremental_build import edit, published

START = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
TAGS = ("Border", "Trade", "Music", "Energy")
SECTIONS = ("news/armenia", "news/world", "culture")
LEAD = " ".join(["Officials met in Yerevan on Monday to discuss the border and the budget."] * 8)  # the excerpt


def archive() -> dict[str, str]:
    """45 articles, one every other day, three sections, four tags, two authors; five to a page and to a feed.
    Search is off: its index is issue #13's."""
    config = "page_size = 5\nlatest_count = 3\ntopics_count = 3\n[feeds]\ncount = 5\n[search]\nenabled = false\n"
    files = {"sitegen.toml": BASIC_CONFIG + config}
    for i in range(45):
        date = (START + timedelta(days=2 * i)).isoformat()
        tags = f"[{TAGS[i % 4]}, {TAGS[(i // 4) % 4]}]"
        author = ("Ani", "Narine")[i % 2]
        files[f"content/{SECTIONS[i % 3]}/s{i:02d}.md"] = article(f"Story {i:02d}", date, f"{LEAD}\n\nMore.", tags=tags,
                                                                   author=author)  # fmt: skip
    files["content/about.md"] = article("About us", "2025-01-01", "Who we are.", type="page")
    files["data/pageviews.csv"] = "path,views\n/news/armenia/s00/,10\n/culture/s02/,20\n"
    return files


def manifest(output: Path) -> dict[str, str]:
    data = json.loads((output / MANIFEST_FILE).read_text(encoding="utf-8"))
    return {rel: entry[0] for rel, entry in data["files"].items()}


def written_by(root: Path, change: Callable[[], object]) -> set[str]:
    """Make `change`, build, and return the files whose bytes the build changed or added. The build renders no more
    than it rewrites, give or take a few (a page whose inputs changed but not its bytes)."""
    output = root / "public"
    before = manifest(output)
    change()
    result = build(BuildOptions(root=root, output=output))
    after = manifest(output)
    written = {rel for rel, digest in after.items() if before.get(rel) != digest}
    assert result.rendered <= len(written) + 5, (result.rendered, len(written))
    return written


def equals_clean(root: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    build(BuildOptions(root=root, output=clean, clean=True))
    assert published(root / "public") == published(clean)


@pytest.fixture
def site(write_site: SiteWriter) -> Path:
    root = write_site(archive())
    build(BuildOptions(root=root, output=root / "public"))
    return root


def test_a_new_article_rewrites_its_own_page_the_fronts_it_joins_and_the_blocks(site: Path, tmp_path: Path) -> None:
    newest = (datetime.fromtimestamp(BUILD_EPOCH, UTC) - timedelta(hours=2)).isoformat()
    text = article("Breaking", newest, "News.", tags="[Border, Gas]", author="Ani")
    written = written_by(site, lambda: (site / "content/news/armenia/breaking.md").write_text(text))
    pages = {rel for rel in written if rel.endswith(".html") and not rel.startswith("fragments/")}
    assert "news/armenia/breaking/index.html" in pages
    # The fronts of the lists it joins, each with its feeds; the new tag's page; undated pages (404, About).
    fronts = {"index.html", "news/index.html", "news/armenia/index.html", "tags/border/index.html",
              "tags/gas/index.html", "authors/ani/index.html"}  # fmt: skip
    assert fronts <= pages
    assert pages - fronts - {"news/armenia/breaking/index.html"} <= {
        "404.html", "about/index.html", "search/index.html",
        # A front page that overflows becomes a numbered page, and its number a redirect to the front.
        *(f"{base}page/{n}/index.html" for base in ("", "news/", "news/armenia/", "tags/border/", "authors/ani/")
          for n in range(1, 12)),
    }  # fmt: skip
    assert not any(rel.startswith(("news/world/s", "culture/s", "news/armenia/s")) for rel in written)
    assert {"fragments/latest-news.html", "feed.xml", "news/armenia/feed.xml", "tags/border/feed.xml"} <= written
    assert not {"tags/music/feed.xml", "culture/feed.xml", "fragments/most-popular.html"} & written
    # The index, the new article's month, the pages that change with every publish (fronts, undated pages), and the
    # month of a front page's oldest articles when they overflowed into a new numbered page.
    sitemaps = {rel for rel in written if rel.startswith("sitemaps/")}
    assert "sitemap.xml" in written and {"sitemaps/2025-09.xml", "sitemaps/pages.xml"} <= sitemaps
    assert sitemaps <= {"sitemaps/2025-09.xml", "sitemaps/pages.xml", "sitemaps/2025-08.xml"}
    assert len(written) <= 30, "\n".join(sorted(written))
    equals_clean(site, tmp_path)


def test_a_refreshed_analytics_export_rewrites_the_most_popular_fragment_only(site: Path, tmp_path: Path) -> None:
    export = "path,views\n/news/world/s01/,500\n/culture/s05/,300\n"
    written = written_by(site, lambda: (site / "data/pageviews.csv").write_text(export))
    assert written == {"fragments/most-popular.html"}
    equals_clean(site, tmp_path)


def test_the_first_build_of_a_new_day_rewrites_only_what_is_windowed_by_date(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(BUILD_EPOCH + 86_400))
    written = written_by(site, lambda: None)
    assert written <= {"news-sitemap.xml", "fragments/most-popular.html"}
    equals_clean(site, tmp_path)


def test_a_body_edit_past_the_excerpt_rewrites_its_page_only(site: Path, tmp_path: Path) -> None:
    path = site / "content/news/world/s01.md"
    written = written_by(site, lambda: edit(path, lambda t: t.replace("More.", "More, corrected.")))
    assert {rel for rel in written if rel.endswith(".html")} == {"news/world/s01/index.html"}
    assert len(written) <= 10, sorted(written)
    equals_clean(site, tmp_path)


def test_a_title_edit_of_an_old_article_rewrites_the_pages_that_show_it(site: Path, tmp_path: Path) -> None:
    path = site / "content/news/world/s01.md"
    written = written_by(site, lambda: edit(path, lambda t: t.replace("Story 01", "Story 01, corrected")))
    assert "news/world/s01/index.html" in written
    assert "index.html" not in written and "news/index.html" not in written  # the fronts hold newer articles
    assert len(written) <= 30, "\n".join(sorted(written))
    equals_clean(site, tmp_path)
