"""The search index in shards, in a real browser: a recent shard and one per year searched as one index, and
rebuilds that make the recent shard again and leave the archive's alone, masking what changed in it. The layers are
made small here (a window of one article, a limit of two) so that four articles span them all."""

from __future__ import annotations

import gzip
import json
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from sitegen.commands.build import BuildOptions, build
from sitegen.publish import search_layers
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
    "content/news/older.md": article("Harbour", "2023-01-05T12:00:00+04:00", "The harbour was calm."),
}  # fmt: skip


def small_layers(patch: pytest.MonkeyPatch) -> None:
    patch.setattr(search_layers, "WINDOW", 1)
    patch.setattr(search_layers, "LIMIT", 2)


@pytest.fixture(scope="module")
def years(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with pytest.MonkeyPatch.context() as patch:
        small_layers(patch)
        yield from _build_and_serve(tmp_path_factory.mktemp("search-years"), SITE)


def rebuild(root: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        small_layers(patch)
        patch.setenv("SOURCE_DATE_EPOCH", str(BUILD_EPOCH))
        build(BuildOptions(root=root, output=root / "public"))


def shard_files(output: Path, key: str) -> dict[str, tuple[int, bytes]]:
    folder = output / "pagefind" / key
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.rglob("*")
            if p.is_file()}  # fmt: skip


def listing(output: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((output / "pagefind/sitegen-search.json").read_bytes())
    return data


def indexed_urls(output: Path) -> set[str]:
    """The URLs of every fragment in the output: what a reader could download of any page."""
    return {json.loads(gzip.decompress(p.read_bytes())[12:])["url"] for p in output.glob("pagefind/*/fragment/*")}


def test_the_newest_in_the_recent_shard_the_rest_one_bundle_per_year(years: Served) -> None:
    assert listing(years.output)["shards"] == ["recent", "2024", "2023"]
    for key in listing(years.output)["shards"]:
        assert (years.output / f"pagefind/{key}/pagefind-entry.json").is_file()
    assert not (years.output / "pagefind/pagefind-entry.json").exists()
    assert "/sports/new/" in json.loads((years.output / "pagefind/recent/sitegen-shard.json").read_bytes())["pages"]


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
    assert wait_for_results(page) == ["/sports/new/", "/sports/other/"]  # recent and 2024, newest first
    # The filter list counts every shard's articles.
    assert page.locator("select[name=section] option[value=Sports]").inner_text() == "Sports (2)"


def test_edits_leave_the_archive_alone_until_the_recent_shard_is_folded(tmp_path: Path, page: Any) -> None:
    with pytest.MonkeyPatch.context() as patch:
        small_layers(patch)
        served = cast(Generator[Served, None, None], _build_and_serve(tmp_path, SITE))  # closed: the server stops
        years = next(served)
    try:
        untouched = shard_files(years.output, "2024"), shard_files(years.output, "2023")
        old = tmp_path / "content/news/old.md"
        old.write_text(old.read_text().replace("sailed in spring", "sailed with a zeppelinword"), encoding="utf-8")
        rebuild(tmp_path)
        page.goto(f"{years.base}/search/?q=zeppelinword")
        assert wait_for_results(page) == ["/news/old/"], "a word added to an old article is found"
        page.goto(f"{years.base}/search/?q=spring")
        assert wait_for_results(page) == [], "a removed word is not"
        page.goto(f"{years.base}/search/?q=ferry&sort=date")
        assert wait_for_results(page) == ["/sports/new/", "/news/mid/", "/news/old/"], "each once, by date"
        assert page.locator("select[name=section] option[value=News]").inner_text() == "News (3)", "counted once"
        assert shard_files(years.output, "2024") == untouched[0], "the archive shards are not made again"
        recent = [
            json.loads(gzip.decompress(p.read_bytes())[12:]) for p in years.output.glob("pagefind/recent/fragment/*")
        ]
        assert {f["url"]: f["meta"].get("layer") for f in recent} == {"/news/old/": "recent", "/sports/new/": "recent"}
        masked = listing(years.output)["masked"]
        assert len(masked) == 1
        left = set(untouched[1]) - {f"fragment/{masked[0]}.pf_fragment"}
        assert set(shard_files(years.output, "2023")) == left, (
            "the old text's fragment goes; the rest of its year stays"
        )

        # A second change outgrows the recent shard (two here): what is older than its window goes to its year.
        mid = tmp_path / "content/news/mid.md"
        mid.write_text(mid.read_text().replace("was repaired", "was rebuilt"), encoding="utf-8")
        rebuild(tmp_path)
        assert listing(years.output)["masked"] == [] and listing(years.output)["shards"] == ["recent", "2024", "2023"]
        page.goto(f"{years.base}/search/?q=zeppelinword")
        assert wait_for_results(page) == ["/news/old/"]
        page.goto(f"{years.base}/search/?q=repaired")
        assert wait_for_results(page) == []

        # A shard deleted by hand is made again by the next build, and only it.
        others = shard_files(years.output, "recent"), shard_files(years.output, "2023")
        for p in sorted((years.output / "pagefind/2024").rglob("*"), reverse=True):
            p.unlink() if p.is_file() else p.rmdir()
        (years.output / "pagefind/2024").rmdir()
        rebuild(tmp_path)
        assert (shard_files(years.output, "recent"), shard_files(years.output, "2023")) == others
        page.goto(f"{years.base}/search/?q=rebuilt")
        assert wait_for_results(page) == ["/news/mid/"]

        # An article published no more leaves its year's shard at once: not a word of it is in any index file.
        mid.write_text(mid.read_text().replace("---\n\n", "draft: true\n---\n\n", 1), encoding="utf-8")
        rebuild(tmp_path)
        assert "/news/mid/" not in indexed_urls(years.output)
        page.goto(f"{years.base}/search/?q=rebuilt")
        assert wait_for_results(page) == []

        # A year with no article any more: its shard goes.
        old.unlink()
        (tmp_path / "content/news/older.md").unlink()
        rebuild(tmp_path)
        assert not (years.output / "pagefind/2023").exists()
        assert listing(years.output)["shards"] == ["recent", "2024"]
        page.goto(f"{years.base}/search/?q=lakeside")
        assert wait_for_results(page) == ["/sports/new/"]
    finally:
        served.close()
