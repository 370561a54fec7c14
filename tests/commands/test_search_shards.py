"""The search index in shards, one per year: in a real browser, the shards searched as one index, and rebuilds that
re-index only the shard whose articles changed."""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from sitegen.commands.build import BuildOptions, build
from tests.commands.test_search import SIDEBAR_CONFIG
from tests.commands.test_search_browser import Served, _build_and_serve, page, wait_for_results
from tests.conftest import BUILD_EPOCH, article

__all__ = ["page"]  # the browser tab fixture

SITE = {
    "sitegen.toml": SIDEBAR_CONFIG,
    "content/news/_index.md": "---\ntitle: News\n---\n",
    "content/sports/_index.md": "---\ntitle: Sports\n---\n",
    "content/news/old.md": article("Old Ferry", "2023-03-10T12:00:00+04:00", "The lakeside ferry sailed in spring."),
    "content/news/mid.md": article("Mid Ferry", "2024-06-10T12:00:00+04:00", "A lakeside ferry was repaired."),
    "content/sports/new.md": article("New Ferry Race", "2025-08-10T12:00:00+04:00", "Rowers raced the lakeside ferry."),
    "content/sports/other.md": article("Cup", "2024-02-10T12:00:00+04:00", "A quiet cup final."),
}  # fmt: skip


@pytest.fixture(scope="module")
def years(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from _build_and_serve(tmp_path_factory.mktemp("search-years"), SITE)


def rebuild(root: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(BUILD_EPOCH))
        build(BuildOptions(root=root, output=root / "public"))


def shard_files(output: Path, year: str) -> dict[str, tuple[int, bytes]]:
    folder = output / "pagefind" / year
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.rglob("*")
            if p.is_file()}  # fmt: skip


def test_one_bundle_per_year_listed_newest_first(years: Served) -> None:
    listing = json.loads((years.output / "pagefind/sitegen-search.json").read_bytes())
    assert listing["shards"] == ["2025", "2024", "2023"]
    for year in listing["shards"]:
        assert (years.output / f"pagefind/{year}/pagefind-entry.json").is_file()
    assert not (years.output / "pagefind/pagefind-entry.json").exists()


def test_a_word_in_several_years_returns_them_all_in_one_list(years: Served, page: Any) -> None:
    page.goto(f"{years.base}/search/?q=lakeside")
    assert sorted(wait_for_results(page)) == ["/news/mid/", "/news/old/", "/sports/new/"]
    assert page.inner_text("#search-status") == "3 articles found."
    page.goto(f"{years.base}/search/?q=lakeside&sort=date")
    assert wait_for_results(page) == ["/sports/new/", "/news/mid/", "/news/old/"]


def test_filters_narrow_across_shards(years: Served, page: Any) -> None:
    page.goto(f"{years.base}/search/?q=lakeside&section=News")
    assert sorted(wait_for_results(page)) == ["/news/mid/", "/news/old/"]  # 2023 and 2024
    page.goto(f"{years.base}/search/?section=Sports")
    assert wait_for_results(page) == ["/sports/new/", "/sports/other/"]  # 2025 and 2024, newest first
    # The filter list counts every shard's articles.
    assert page.locator("select[name=section] option[value=Sports]").inner_text() == "Sports (2)"


def test_edits_reindex_only_their_year(tmp_path: Path, page: Any) -> None:
    served = cast(Generator[Served, None, None], _build_and_serve(tmp_path, SITE))  # closed: the server stops
    years = next(served)
    try:
        untouched = shard_files(years.output, "2025"), shard_files(years.output, "2024")
        old = tmp_path / "content/news/old.md"
        old.write_text(old.read_text().replace("sailed in spring", "sailed with a zeppelinword"), encoding="utf-8")
        rebuild(tmp_path)
        page.goto(f"{years.base}/search/?q=zeppelinword")
        assert wait_for_results(page) == ["/news/old/"], "a word added to an old article is found"
        page.goto(f"{years.base}/search/?q=spring")
        assert wait_for_results(page) == [], "a removed word is not"
        assert (shard_files(years.output, "2025"), shard_files(years.output, "2024")) == untouched

        # A shard deleted by hand is made again by the next build, and only it.
        for p in sorted((years.output / "pagefind/2024").rglob("*"), reverse=True):
            p.unlink() if p.is_file() else p.rmdir()
        (years.output / "pagefind/2024").rmdir()
        rebuild(tmp_path)
        assert shard_files(years.output, "2025") == untouched[0]
        page.goto(f"{years.base}/search/?q=repaired")
        assert wait_for_results(page) == ["/news/mid/"]

        # A year with no article any more: its shard goes.
        old.unlink()
        rebuild(tmp_path)
        assert not (years.output / "pagefind/2023").exists()
        assert json.loads((years.output / "pagefind/sitegen-search.json").read_bytes())["shards"] == ["2025", "2024"]
        page.goto(f"{years.base}/search/?q=lakeside")
        assert sorted(wait_for_results(page)) == ["/news/mid/", "/sports/new/"]
    finally:
        served.close()
