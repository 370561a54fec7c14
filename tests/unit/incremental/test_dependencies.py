"""The dependency index (incremental/dependencies.py): a build fingerprints only the routes a change can reach, and
still makes exactly what a clean build makes. Each test makes one kind of edit a newsroom makes (or several in a row,
drawn at random with a fixed seed) to a small archive whose lists, feeds and blocks are short, so that every edit
moves articles between pages, and compares the output, file by file, with a clean build's. The count of routes looked
at shows the selection was used at all (a full pass would pass the comparison too)."""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sitegen.commands.build import BuildOptions, BuildResult, build
from tests.conftest import BUILD_EPOCH, SiteWriter, article
from tests.unit.incremental.test_incremental_build import edit, published
from tests.unit.incremental.test_publishing_pace import SECTIONS, START, archive

NOW = datetime.fromtimestamp(BUILD_EPOCH, UTC)


@pytest.fixture
def site(write_site: SiteWriter) -> Path:
    root = write_site(archive())
    first = build(BuildOptions(root=root, output=root / "public"))
    assert first.fingerprinted == first.pages
    return root


def rebuild(root: Path, tmp_path: Path) -> BuildResult:
    """An incremental build, then a clean build of a copy of the site (so the site's own build state stays the
    incremental build's): the two outputs must be the same, byte for byte."""
    result = build(BuildOptions(root=root, output=root / "public"))
    copy = tmp_path / "clean-site"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".sitegen-cache", "public"))
    build(BuildOptions(root=copy, output=copy / "public"))
    ours, theirs = published(root / "public"), published(copy / "public")
    assert ours.keys() == theirs.keys()
    assert [rel for rel in ours if ours[rel] != theirs[rel]] == []
    return result


def story(root: Path, n: int) -> Path:
    return root / "content" / SECTIONS[n % 3] / f"s{n:02d}.md"


def front_matter(path: Path, key: str, value: str) -> None:
    """Set a front-matter line (replacing the key's line, or adding one after the title)."""

    def change(text: str) -> str:
        pattern = re.compile(rf"^{key}:.*$", re.MULTILINE)
        if pattern.search(text.split("---", 2)[1]):
            return pattern.sub(f"{key}: {value}", text, count=1)
        return text.replace("\ntitle:", f"\n{key}: {value}\ntitle:", 1)

    edit(path, change)


def body(path: Path, words: str) -> None:
    edit(path, lambda text: text + f"\n\n{words}\n")


def added(root: Path, name: str, when: datetime, tags: str = "[Border]", section: str = "news/world") -> None:
    path = root / "content" / section / f"{name}.md"
    path.write_text(article(name.title(), when.isoformat(), "Fresh news.", tags=tags, author="Ani"), encoding="utf-8")


def always_looked_at(root: Path, tmp_path: Path) -> int:
    """How many routes any build looks at: a touched file whose bytes did not change reaches nothing, so what that
    build fingerprints is the routes that are always looked at (feeds, sitemaps, fragments, redirects, the 404)."""
    path = story(root, 0)
    path.touch()
    result = rebuild(root, tmp_path)
    assert result.rendered == 0
    return result.fingerprinted


def test_a_body_edit_looks_at_the_pages_holding_the_article(site: Path, tmp_path: Path) -> None:
    always = always_looked_at(site, tmp_path)
    assert always < 50, "the small archive's feeds, sitemaps, fragments, redirects and 404"
    body(story(site, 4), "A correction at the end.")
    result = rebuild(site, tmp_path)
    # Its page, and the lists holding it: home, section and parent section, two tags, an author.
    assert result.fingerprinted <= always + 7
    assert result.rendered == 1


def test_a_title_edit_of_an_old_article_looks_at_its_lists_and_the_editions_near_it(site: Path, tmp_path: Path) -> None:
    always = always_looked_at(site, tmp_path)
    front_matter(story(site, 3), "title", '"Story 03, corrected"')
    result = rebuild(site, tmp_path)
    # The pages holding it, and the pages of the next 14 articles (3 + 1 latest, twice 5 for Most Popular's fallback)
    # with the lists they are the newest of: not the 30 articles newer still, nor their pages.
    assert always < result.fingerprinted <= always + 30


def test_a_new_article_looks_at_the_newest_pages(site: Path, tmp_path: Path) -> None:
    always = always_looked_at(site, tmp_path)
    added(site, "breaking", NOW - timedelta(hours=2))
    result = rebuild(site, tmp_path)
    # Its own page and the fronts it joins (home, news, news/world, a tag, an author), each newest of its list.
    assert result.fingerprinted <= always + 12


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda root: added(root, "backdated", START + timedelta(days=31, hours=5)), id="backdated-new"),
        pytest.param(lambda root: story(root, 10).unlink(), id="deleted"),
        pytest.param(lambda root: front_matter(story(root, 12), "date", "2025-08-30T08:00:00+00:00"), id="re-dated"),
        pytest.param(lambda root: front_matter(story(root, 7), "tags", "[Music, Gas]"), id="re-tagged"),
        pytest.param(lambda root: front_matter(story(root, 9), "authors", "[Narine, Lilit]"), id="new-author"),
        pytest.param(lambda root: front_matter(story(root, 5), "pinned", "true"), id="pinned-old"),
        pytest.param(lambda root: front_matter(story(root, 20), "draft", "true"), id="made-draft"),
        pytest.param(lambda root: front_matter(story(root, 14), "summary", '"A new teaser."'), id="summary"),
        pytest.param(lambda root: story(root, 6).rename(root / "content/culture/s06.md"), id="moved-section"),
        pytest.param(lambda root: front_matter(story(root, 40), "tags", "[trade, border]"), id="tag-spelling"),
    ],
)
def test_every_kind_of_edit_gives_what_a_clean_build_gives(
    site: Path, tmp_path: Path, change: Callable[[Path], object]
) -> None:
    change(site)
    rebuild(site, tmp_path)


def test_a_lead_change_moves_the_old_lead_back_into_the_home_page_list(site: Path, tmp_path: Path) -> None:
    front_matter(story(site, 8), "pinned", "true")
    rebuild(site, tmp_path)
    added(site, "newer-lead", NOW - timedelta(hours=1))
    front_matter(site / "content/news/world/newer-lead.md", "pinned", "true")
    rebuild(site, tmp_path)
    front_matter(story(site, 8), "pinned", "false")
    rebuild(site, tmp_path)


def test_articles_that_appear_and_expire_with_time(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    added(site, "scheduled", NOW + timedelta(hours=3))
    front_matter(story(site, 2), "expires", (NOW + timedelta(hours=5)).isoformat())
    rebuild(site, tmp_path)
    assert not (site / "public/news/world/scheduled").exists()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(BUILD_EPOCH + 4 * 3600))  # the scheduled story is out
    rebuild(site, tmp_path)
    assert (site / "public/news/world/scheduled/index.html").exists()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(BUILD_EPOCH + 6 * 3600))  # story 2 has expired
    rebuild(site, tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(BUILD_EPOCH + 3 * 86_400))  # days later: the news sitemap empties
    rebuild(site, tmp_path)


def test_a_day_of_random_edits(site: Path, tmp_path: Path) -> None:
    """Twenty edits drawn at random (fixed seed), each built incrementally and compared with a clean build."""
    pick = random.Random(12)
    alive = list(range(45))
    for step in range(20):
        n = pick.choice(alive)
        path = story(site, n)
        kind = pick.choice(["body", "title", "date", "tags", "pin", "add", "delete", "summary"])
        if kind == "body":
            body(path, f"Update {step}.")
        elif kind == "title":
            front_matter(path, "title", f'"Story {n:02d}, take {step}"')
        elif kind == "date":
            front_matter(path, "date", (START + timedelta(days=pick.randrange(95), hours=step)).isoformat())
        elif kind == "tags":
            front_matter(path, "tags", "[" + ", ".join(pick.sample(["Border", "Trade", "Music", "Energy"], 2)) + "]")
        elif kind == "pin":
            front_matter(path, "pinned", pick.choice(["true", "false"]))
        elif kind == "summary":
            front_matter(path, "summary", f'"Teaser {step}."')
        elif kind == "add":
            added(site, f"added-{step}", START + timedelta(days=pick.randrange(100), hours=3))
        else:
            path.unlink()
            alive.remove(n)
        rebuild(site, tmp_path)
