"""The preview's live site: whatever path an update takes, it serves exactly what `sitegen build` would write.

Every test compares every page and static file the live site serves with a fresh `sitegen build --clean` of the same
files, after each kind of change an editor makes: the in-place swap of a saved article, a re-assembly, templates,
static files, analytics, configuration. Then the swap's promises: it reads one file and makes stale only the pages
that show the article.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen.commands.build import BuildOptions, build
from sitegen.content.article import Head, complete, parse_head
from sitegen.content.settings import ParseSettings
from sitegen.errors import Problem
from sitegen.model import Article
from sitegen.preview import reading as reading_module
from sitegen.preview.live_site import LiveSite
from sitegen.preview.site_files import SiteFiles
from sitegen.preview.snapshot import Snapshot
from tests.conftest import BASIC_CONFIG, BUILD_EPOCH, SiteWriter, article

GOLDEN = Path(__file__).parents[1] / "golden" / "sites" / "basic"
DRILLS = "content/news/armenia/2025/drills.md"
SERVICE = "content/news/armenia/2025/service.md"
FESTIVAL = "content/culture/festival.md"


@pytest.fixture
def golden(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(GOLDEN, root, ignore=shutil.ignore_patterns("expected"))
    return root


def served(site: Snapshot) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for rel in sorted({*site.routes, *site.statics}):
        data = site.find(rel)
        assert data is not None, rel
        files[rel] = data
    return files


def built(root: Path, out: Path, *, drafts: bool) -> dict[str, bytes]:
    build(BuildOptions(root, out, drafts=drafts, clean=True, jobs=1))
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != ".sitegen-manifest.json" and p.relative_to(out).parts[0] != "pagefind"
    }


def assert_as_built(live: LiveSite, out: Path) -> None:
    assert live.snapshot is not None
    mine, theirs = served(live.snapshot), built(live.root, out, drafts=live.drafts)
    assert sorted(mine) == sorted(theirs)
    for rel, data in theirs.items():
        assert mine[rel] == data, f"{rel} differs from sitegen build's"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("drafts", [True, False])
def test_first_load_serves_what_build_writes(golden: Path, tmp_path: Path, drafts: bool) -> None:
    (golden / "content/news/draft.md").write_text(article("Unfinished", "2025-09-09", draft="true"), encoding="utf-8")
    live = LiveSite(golden, drafts=drafts)
    assert live.load().published
    assert_as_built(live, tmp_path / "out")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def config_and_last_index(root: Path) -> None:
    """Both in one batch, as a checkout does."""
    edit(root / "sitegen.toml", "page_size = 2", "page_size = 3")
    (root / "content/news/_index.md").unlink()


# Each change: what the editor does, and the paths the watcher then reports.
CHANGES: dict[str, tuple[Callable[[Path], object], tuple[str, ...]]] = {
    "body": (lambda r: edit(r / SERVICE, "\n---\n", "\n---\nA new first paragraph.\n\n"), (SERVICE,)),
    "headline": (lambda r: edit(r / DRILLS, "title: Iran Holds", "title: Iran Stages"), (DRILLS,)),
    "date": (lambda r: edit(r / FESTIVAL, "2025-09-10T18", "2025-04-01T18"), (FESTIVAL,)),
    "tags": (lambda r: edit(r / FESTIVAL, "tags: [", "tags: [Culture, "), (FESTIVAL,)),
    "new article": (
        lambda r: write(r / "content/news/new.md", article("Fresh", "2025-09-11T09:00:00+04:00")),
        ("content/news/new.md",),
    ),
    "deleted": (lambda r: (r / SERVICE).unlink(), (SERVICE,)),
    "renamed": (
        lambda r: (r / SERVICE).rename(r / "content/news/service-two.md"),
        (SERVICE, "content/news/service-two.md"),
    ),
    "draft": (lambda r: edit(r / DRILLS, "pinned: true", "pinned: true\ndraft: true"), (DRILLS,)),
    "section index": (
        lambda r: edit(r / "content/news/_index.md", "title: News", "title: Newsroom"),
        ("content/news/_index.md",),
    ),
    "analytics": (
        lambda r: edit(r / "data/pageviews.csv", "/culture/festival/,40", "/culture/festival/,1"),
        ("data/pageviews.csv",),
    ),
    "template": (
        lambda r: write(r / "templates/partials/sponsor.html", "<aside>Our sponsor</aside>\n"),
        ("templates/partials/sponsor.html",),
    ),
    "stylesheet": (lambda r: write(r / "static/css/site.css", "body { color: #123456 }\n"), ("static/css/site.css",)),
    "config": (lambda r: edit(r / "sitegen.toml", 'title = "Golden News"', 'title = "Silver News"'), ("sitegen.toml",)),
    "folder moved": (lambda r: (r / "content/culture").rename(r / "content/arts"), ("content/culture", "content/arts")),
    "own robots.txt": (
        lambda r: write(r / "static/robots.txt", "User-agent: *\nDisallow: /x/\n"),
        ("static/robots.txt",),
    ),
    "config and the last section index": (config_and_last_index, ("sitegen.toml", "content/news/_index.md")),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_every_kind_of_change_serves_what_a_fresh_build_writes(golden: Path, tmp_path: Path, change: str) -> None:
    live = LiveSite(golden)
    live.load()
    assert live.snapshot is not None
    served(live.snapshot)  # every page rendered once, so that stale pages kept by mistake would show
    effect, paths = CHANGES[change]
    effect(golden)
    update = live.update(set(paths))
    assert update.published, update.problems
    assert_as_built(live, tmp_path / "out")


def newsroom(write_site: SiteWriter) -> Path:
    """Twelve articles, few of them in the blocks every page shows, so that most edits stay local."""
    config = BASIC_CONFIG + "page_size = 3\nlatest_count = 2\n\n[popular]\ncount = 2\n\n[search]\nenabled = false\n"
    files = {"sitegen.toml": config}
    for n in range(12):
        section = "news" if n % 2 else "sport"
        files[f"content/{section}/a{n:02}.md"] = article(
            f"Story {n}", f"2025-08-{n + 1:02}", f"Body of story {n}.", tags=f"[T{n % 3}]"
        )
    return write_site(files)


def test_a_body_edit_swaps_the_article_in_and_stales_only_the_pages_showing_it(
    write_site: SiteWriter, tmp_path: Path
) -> None:
    root = newsroom(write_site)
    live = LiveSite(root)
    live.load()
    before = live.snapshot
    assert before is not None
    served(before)
    edit(root / "content/sport/a00.md", "Body of story 0.", "A corrected body of story 0.")
    update = live.update({"content/sport/a00.md"})
    after = live.snapshot
    assert update.published and update.read == 1
    assert after is not None and after.site.sections is before.site.sections, "swapped in place, not re-assembled"
    holders = {rel for rel, route in before.routes.items() if any(a.source == "content/sport/a00.md" for a in
               (route.article, *route.items) if a is not None)}  # fmt: skip
    assert update.stale == len(holders)
    assert "sport/a00/index.html" in holders and "feed.xml" in holders
    assert set(after.pages) == set(before.routes) - holders, "only the pages showing the article are rendered again"
    assert b"A corrected body of story 0." in after.page("sport/a00/index.html")
    assert_as_built(live, tmp_path / "out")


def test_bodies_are_converted_when_a_page_shows_them(write_site: SiteWriter) -> None:
    live = LiveSite(newsroom(write_site))
    live.load()
    site = live.snapshot
    assert site is not None
    old = next(a for a in site.site.articles if a.title == "Story 1")
    assert not old.body.loaded and old.body.known == (None, None), "not converted before a page shows it"
    site.page("news/a01/index.html")
    assert old.body.loaded, "converted by the page that shows it"
    assert old.reading_minutes == 1 and "Body of story 1." in old.body_html


def test_errors_keep_the_last_good_site_until_fixed(write_site: SiteWriter, tmp_path: Path) -> None:
    root = newsroom(write_site)
    live = LiveSite(root)
    live.load()
    good = live.snapshot
    (root / "content/news/a01.md").write_text('---\ntitle: "Unclosed\ndate: 2025-08-02\n---\nBody\n', encoding="utf-8")
    update = live.update({"content/news/a01.md"})
    assert not update.published and live.snapshot is good
    assert [(p.path, p.line) for p in update.problems] == [("content/news/a01.md", 2)]
    edit(root / "content/sport/a02.md", "Body of story 2.", "Edited while another file is broken.")
    assert not live.update({"content/sport/a02.md"}).published, "the site still has an error"
    (root / "content/news/a01.md").write_text(article("Story 1", "2025-08-02", "Fixed."), encoding="utf-8")
    assert live.update({"content/news/a01.md"}).published
    assert_as_built(live, tmp_path / "out")


def test_a_broken_configuration_keeps_the_site_and_a_fix_reloads_it(golden: Path, tmp_path: Path) -> None:
    live = LiveSite(golden)
    live.load()
    good = live.snapshot
    edit(golden / "sitegen.toml", "page_size = 2", 'page_size = "two"')
    update = live.update({"sitegen.toml"})
    assert not update.published and live.snapshot is good
    assert update.problems[0].path == "sitegen.toml" and update.problems[0].line
    edit(golden / "sitegen.toml", 'page_size = "two"', "page_size = 1")
    assert live.update({"sitegen.toml"}).published
    assert_as_built(live, tmp_path / "out")


def test_an_event_without_an_edit_changes_nothing(golden: Path) -> None:
    live = LiveSite(golden)
    live.load()
    site = live.snapshot
    update = live.update({SERVICE})  # e.g. a file opened and closed without writing
    assert update.read == 0 and live.snapshot is not None
    assert live.snapshot.site is site.site if site else False


def test_routes_hold_articles_where_the_swap_looks_for_them(golden: Path) -> None:
    live = LiveSite(golden)
    live.load()
    assert live.snapshot is not None
    for route in live.snapshot.routes.values():
        assert {a.source for a in route.articles()} == {a.source for a in every_article_in(route)}, route.output


def every_article_in(value: object) -> list[Article]:
    """Every article a route holds, however deep: a walk of every field, which Route.articles must agree with."""
    if isinstance(value, Article):
        return [value]
    if isinstance(value, (tuple, list)):
        return [found for item in value for found in every_article_in(item)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [found for f in dataclasses.fields(value) for found in every_article_in(getattr(value, f.name))]
    return []


def test_a_site_built_before_starts_from_the_build_cache(
    golden: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(BuildOptions(golden, tmp_path / "first", drafts=True))
    edit(golden / SERVICE, "\n---\n", "\n---\nChanged since the build.\n\n")
    os.utime(golden / FESTIVAL, ns=(1, 1))  # touched (a checkout): same bytes, so still the cached article
    parsed: list[str] = []
    real = parse_head

    def counting(source: str, data: bytes, settings: ParseSettings) -> tuple[Head | None, list[Problem]]:
        parsed.append(source)
        return real(source, data, settings)

    monkeypatch.setattr(reading_module, "parse_head", counting)
    live = LiveSite(golden)
    assert live.load().published
    assert parsed == [SERVICE], "only the file changed since the build is parsed again"
    assert_as_built(live, tmp_path / "out")


def test_a_body_from_the_build_cache_is_read_when_shown_even_if_changed_meanwhile(
    write_site: SiteWriter, tmp_path: Path
) -> None:
    root = newsroom(write_site)
    build(BuildOptions(root, tmp_path / "first", drafts=True))
    live = LiveSite(root)
    live.load()
    assert live.snapshot is not None
    edit(root / "content/news/a01.md", "Body of story 1.", "Saved a moment ago.")  # its event is not handled yet
    page = live.snapshot.page("news/a01/index.html")
    assert b"Saved a moment ago." in page, "never an empty article"


def test_a_body_the_build_stored_is_not_converted_again(
    write_site: SiteWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build's body store has the HTML of every article it parsed: a page showing an unchanged article reads it
    from there instead of converting its Markdown (build --watch renders many pages at once after some changes)."""
    root = newsroom(write_site)
    build(BuildOptions(root, tmp_path / "first", drafts=True))
    converted: list[str] = []
    real = complete

    def counting(head: Head, settings: ParseSettings) -> tuple[Article | None, list[Problem]]:
        converted.append(head.article.source)
        return real(head, settings)

    monkeypatch.setattr(reading_module, "complete", counting)
    live = LiveSite(root)
    assert live.load().published
    assert_as_built(live, tmp_path / "out")
    assert converted == [], "every body came from the store"
    edit(root / "content/news/a01.md", "Body of story 1.", "Saved a moment ago.")
    assert live.update({"content/news/a01.md"}).published
    assert live.snapshot is not None and b"Saved a moment ago." in live.snapshot.page("news/a01/index.html")
    assert converted == ["content/news/a01.md"], "a changed article is converted"


def test_time_moving_on_is_noticed_even_after_a_failed_update(
    golden: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scheduled article appears, and yesterday's news leaves the news sitemap, at the first update after the
    moment, even when the update just before it failed."""
    write(golden / "content/news/soon.md", article("Soon", "2025-09-11T11:00:00+04:00"))  # an hour after the build
    live = LiveSite(golden, drafts=False)
    live.load()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(BUILD_EPOCH + 2 * 86400))  # two days later
    write(golden / "templates/partials/sponsor.html", "{% if %}")
    assert not live.update({"templates/partials/sponsor.html"}).published
    write(golden / "templates/partials/sponsor.html", "<aside>Fixed</aside>\n")
    assert live.update({"templates/partials/sponsor.html"}).published
    assert live.snapshot is not None and live.snapshot.has("news/soon/index.html")
    assert_as_built(live, tmp_path / "out")


def test_an_unexpected_failure_makes_the_next_update_read_everything(
    golden: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = LiveSite(golden)
    live.load()
    good = live.snapshot

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(SiteFiles, "read_content", broken)
    edit(golden / "sitegen.toml", "page_size = 2", "page_size = 3")
    with pytest.raises(RuntimeError):
        live.update({"sitegen.toml"})
    assert live.snapshot is good, "the last good site is still served"
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(BUILD_EPOCH))
    assert live.update({SERVICE}).published
    assert_as_built(live, tmp_path / "out")


def test_a_broken_template_edit_never_reaches_the_last_good_site(golden: Path) -> None:
    write(golden / "templates/partials/sponsor.html", "<aside>Our sponsor</aside>\n")  # the site overrides one
    live = LiveSite(golden)
    live.load()
    live.prepare()  # what an idle moment does: every template compiled
    good = live.snapshot
    assert good is not None
    # A partial that no page has included yet (no list page has been rendered), broken by an edit:
    write(golden / "templates/partials/teaser.html", "{% for %}")
    assert not live.update({"templates/partials/teaser.html"}).published
    assert live.snapshot is good
    assert b"<html" in good.page("index.html"), "still the theme's teaser, not the broken file"


def test_an_empty_summary_shows_the_first_words_as_the_build_does(write_site: SiteWriter, tmp_path: Path) -> None:
    root = newsroom(write_site)
    write(root / "content/news/a01.md", article("Story 1", "2025-08-02", "First words of the body.", summary='""'))
    live = LiveSite(root)
    live.load()
    assert live.snapshot is not None
    story = next(a for a in live.snapshot.site.articles if a.title == "Story 1")
    assert not story.body.loaded
    assert story.excerpt == "First words of the body.", "an empty summary is no summary"
    assert_as_built(live, tmp_path / "out")


def test_request_threads_convert_a_body_once(write_site: SiteWriter, monkeypatch: pytest.MonkeyPatch) -> None:
    live = LiveSite(newsroom(write_site))
    live.load()
    assert live.snapshot is not None
    story = next(a for a in live.snapshot.site.articles if a.title == "Story 4")
    assert not story.body.loaded
    conversions: list[str] = []
    real = complete

    def slow(head: Head, settings: ParseSettings) -> tuple[Article | None, list[Problem]]:
        conversions.append(head.article.source)
        time.sleep(0.05)  # long enough for every thread to be waiting for the lock
        return real(head, settings)

    monkeypatch.setattr(reading_module, "complete", slow)
    bodies: list[str] = []
    threads = [threading.Thread(target=lambda: bodies.append(story.body_html)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert conversions == [story.source], "converted once, whatever the number of requests"
    assert len(bodies) == 4 and all("Body of story 4." in body for body in bodies)
