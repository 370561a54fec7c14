"""The incremental engine: what a second build renders and rewrites, and that the cache never changes the result."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from sitegen import pipeline
from sitegen.commands.build import BuildOptions, BuildResult, build
from sitegen.config import build_time, load_config
from sitegen.errors import ContentError, Problem
from sitegen.incremental import workers
from sitegen.incremental.fingerprint import Fingerprinter
from sitegen.model import Article, Body
from sitegen.paths import BODIES_DIR, CACHE_DIR, STATE_FILE
from sitegen.render.renderer import Renderer, make_environment
from sitegen.render.theme import TemplateSet
from sitegen.site.assemble import Visibility, build_site
from sitegen.site.plan import Route, check_urls
from tests.conftest import BASIC_CONFIG, Run, SiteWriter, article

LONG_BODY = " ".join(["Yerevan officials met on Monday to discuss the border and the budget."] * 12)

SITE = {
    "content/news/armenia/2025/drills.md": article(
        "Joint drills announced", "2025-09-01T09:00:00+04:00", LONG_BODY, tags="[Defense, Border]", authors="[Ani]"
    ),
    "content/news/armenia/2025/service.md": article(
        "Service term debated",
        "2025-09-05T09:00:00+04:00",
        LONG_BODY,
        tags="[Parliament]",
        authors="[Narine]",
        summary='"Parliament debates a shorter service term."',
    ),
    "content/culture/2025/festival.md": article(
        "Festival opens", "2025-09-10T18:00:00+04:00", LONG_BODY, tags="[Music]", authors="[Ani]"
    ),
    "content/about.md": article("About us", "2025-01-01", "Who we are.", type="page"),
}
DRILLS_PAGE = "news/armenia/drills/index.html"
SERVICE_PAGE = "news/armenia/service/index.html"
FESTIVAL_PAGE = "culture/festival/index.html"
ARTICLE_PAGES = {DRILLS_PAGE, SERVICE_PAGE, FESTIVAL_PAGE}


def run(root: Path, **options: object) -> BuildResult:
    return build(BuildOptions(root=root, output=root / "public", **options))  # type: ignore[arg-type]


def snapshot(output: Path) -> dict[str, tuple[int, int]]:
    """Every published page with the identity of its file: a rewritten page is a new file (staged, then renamed)."""
    found = {}
    for path in output.rglob("*.html"):
        stat = path.stat()
        found[path.relative_to(output).as_posix()] = (stat.st_ino, stat.st_mtime_ns)
    return found


def rewritten(before: dict[str, tuple[int, int]], output: Path) -> set[str]:
    after = snapshot(output)
    return {rel for rel, identity in after.items() if before.get(rel) != identity}


def edit(path: Path, change: Callable[[str], str]) -> None:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    # Make the change visible even on file systems with coarse timestamps.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))


def published(output: Path) -> dict[str, bytes]:
    """The published files, without the search index: Pagefind names its files differently on every run, and so the
    manifest, which records them, differs too (tests/commands/test_search.py covers when the index is rebuilt)."""
    return {
        rel: p.read_bytes()
        for p in sorted(output.rglob("*"))
        if p.is_file() and not (rel := p.relative_to(output).as_posix()).startswith(("pagefind/", ".sitegen-manifest"))
    }


@pytest.fixture
def site(write_site: SiteWriter) -> Path:
    root = write_site(SITE)
    first = run(root)
    assert first.rendered == first.pages > 0
    return root


def test_second_build_renders_and_writes_nothing(site: Path) -> None:
    before = snapshot(site / "public")
    again = run(site)
    assert again.rendered == 0
    assert again.skipped == again.pages
    assert again.parsed == 0
    assert again.stats.written == 0 and again.stats.removed == 0
    assert rewritten(before, site / "public") == set()


def test_body_edit_keeping_the_excerpt_rewrites_only_its_page(site: Path) -> None:
    before = snapshot(site / "public")
    edit(site / "content/news/armenia/2025/drills.md", lambda t: t + "\nOne more sentence at the end.\n")
    result = run(site)
    assert result.parsed == 1
    assert rewritten(before, site / "public") == {DRILLS_PAGE}
    assert "One more sentence at the end." in (site / "public" / DRILLS_PAGE).read_text(encoding="utf-8")


def test_body_edit_changing_the_excerpt_rewrites_its_page_and_the_lists_showing_it(site: Path) -> None:
    before = snapshot(site / "public")
    edit(site / "content/news/armenia/2025/drills.md", lambda t: t.replace(LONG_BODY, "A new first line. " + LONG_BODY))
    run(site)
    assert rewritten(before, site / "public") == {
        DRILLS_PAGE,
        "404.html",  # it lists the latest headlines as teasers
        "index.html",
        "news/index.html",
        "news/armenia/index.html",
        "tags/defense/index.html",
        "tags/border/index.html",
        "authors/ani/index.html",
    }


def test_body_edit_of_an_article_with_a_summary_rewrites_only_its_page(site: Path) -> None:
    before = snapshot(site / "public")
    edit(site / "content/news/armenia/2025/service.md", lambda t: t.replace(LONG_BODY, "Rewritten lead. " + LONG_BODY))
    run(site)
    assert rewritten(before, site / "public") == {SERVICE_PAGE}


def test_title_edit_reaches_every_page_that_links_the_article(site: Path) -> None:
    before = snapshot(site / "public")
    edit(site / "content/news/armenia/2025/drills.md", lambda t: t.replace("Joint drills announced", "Drills moved"))
    run(site)
    changed = rewritten(before, site / "public")
    # Its title is in the "latest news" block of the other articles, so their pages change too.
    assert changed >= ARTICLE_PAGES
    assert all("Joint drills announced" not in (site / "public" / rel).read_text(encoding="utf-8") for rel in changed)


def test_editing_a_partial_rerenders_only_the_pages_that_use_it(site: Path) -> None:
    before = snapshot(site / "public")
    theme_teaser = Path(__file__).resolve().parents[3] / "templates" / "partials" / "teaser.html"
    override = site / "templates" / "partials" / "teaser.html"
    override.parent.mkdir(parents=True)
    override.write_text(theme_teaser.read_text(encoding="utf-8").replace('class="excerpt"', 'class="excerpt x"'))
    result = run(site)
    changed = rewritten(before, site / "public")
    assert changed and not changed & ARTICLE_PAGES  # article pages do not show teasers
    assert "about/index.html" not in changed
    assert "index.html" in changed and "tags/music/index.html" in changed
    assert result.rendered == len(changed)


def test_editing_the_config_rebuilds_everything(site: Path) -> None:
    (site / "sitegen.toml").write_text(BASIC_CONFIG.replace("Test News", "Other News"), encoding="utf-8")
    result = run(site)
    assert result.rendered == result.pages
    assert all(b"Test News" not in data for data in published(site / "public").values())


def test_deleting_an_article_removes_its_page_and_every_link_to_it(site: Path) -> None:
    (site / "content/news/armenia/2025/drills.md").unlink()
    result = run(site)
    output = site / "public"
    assert not (output / DRILLS_PAGE).exists()
    assert not (output / "tags/defense/index.html").exists()  # its only article is gone
    assert result.stats.removed >= 3
    for rel, data in published(output).items():
        assert b"/news/armenia/drills/" not in data, rel
        assert b"Joint drills announced" not in data, rel


def test_incremental_result_equals_a_clean_build(site: Path, tmp_path: Path) -> None:
    edit(site / "content/news/armenia/2025/drills.md", lambda t: t.replace("[Defense, Border]", "[Defense]"))
    (site / "content/culture/2025/concert.md").write_text(article("Concert", "2025-09-09", "Music.", tags="[Music]"))
    (site / "content/news/armenia/2025/service.md").unlink()
    run(site)
    clean = build(BuildOptions(root=site, output=tmp_path / "clean", clean=True))
    assert clean.rendered == clean.pages
    assert published(site / "public") == published(tmp_path / "clean")  # the manifests too: the same files


def test_tags_and_authors_new_in_a_later_build_are_stored_with_the_ones_before(site: Path, tmp_path: Path) -> None:
    """The cache names tags and authors by their number in a table of its own (encoding.TermTable): a tag first
    used in the second build is added after the others, and articles read back from the cache in a third build have
    the tags they had, old numbers and new."""
    state = site / CACHE_DIR / STATE_FILE
    with sqlite3.connect(state) as db:
        before = db.execute("SELECT id, term FROM terms ORDER BY id").fetchall()
    db.close()
    edit(site / "content/culture/2025/festival.md", lambda t: t.replace("[Music]", "[Music, Opera]"))
    (site / "content/culture/2025/concert.md").write_text(article("Concert", "2025-09-09", "Music.", tags="[Jazz]",
                                                                  authors="[Ani]"))  # fmt: skip
    assert run(site).parsed == 2
    with sqlite3.connect(state) as db:
        after = db.execute("SELECT id, term FROM terms ORDER BY id").fetchall()
    db.close()
    assert after[: len(before)] == before, "the numbers stored rows use keep their meaning"
    assert {term for _, term in after[len(before) :]} == {'["Opera", "opera", "/tags/opera/"]',
                                                         '["Jazz", "jazz", "/tags/jazz/"]'}  # fmt: skip
    edit(site / "content/news/armenia/2025/drills.md", lambda t: t + "\nMore.\n")
    third = run(site)
    assert third.parsed == 1, "the others, new tags and old, came from the cache"
    build(BuildOptions(root=site, output=tmp_path / "clean", clean=True))
    assert published(site / "public") == published(tmp_path / "clean")
    assert "Festival opens" in (site / "public/tags/opera/index.html").read_text(encoding="utf-8")
    assert "Concert" in (site / "public/tags/jazz/index.html").read_text(encoding="utf-8")


def test_urls_are_checked_again_only_when_the_routes_claim_others(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build whose routes claim the URLs the last build's did, in the same order, found safe then, does not check
    them again (plan.claims); one that claims any other is checked, and a clash it makes is an error."""
    checked: list[int] = []

    def counted(routes: list[Route]) -> list[Problem]:
        checked.append(len(routes))
        return check_urls(routes)

    monkeypatch.setattr(pipeline, "check_urls", counted)
    edit(site / "content/culture/2025/festival.md", lambda t: t + "\nMore.\n")
    assert run(site).parsed == 1 and checked == [], "the same URLs: not checked again"
    edit(site / "content/culture/2025/festival.md", lambda t: t.replace("[Music]", "[Jazz]"))
    run(site)
    assert len(checked) == 1, "a new tag page: checked"
    (site / "content/culture/2025/clash.md").write_text(article("Clash", "2025-09-11", "Text.", slug="festival"))
    with pytest.raises(ContentError, match="also claimed by"):
        run(site)
    assert len(checked) == 2


def test_the_cache_read_in_batches_gives_the_same_build(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The state is read a few articles at a time (cache.py): batches of two, three of them, give what one did."""
    monkeypatch.setattr("sitegen.incremental.cache._READ_BATCH", 2)
    edit(site / "content/culture/2025/festival.md", lambda t: t.replace("Festival opens", "Festival opens late"))
    result = run(site)
    assert result.parsed == 1, "the other articles came from the cache, read in batches"
    build(BuildOptions(root=site, output=tmp_path / "clean", clean=True))
    assert published(site / "public") == published(tmp_path / "clean")


def test_a_build_with_nothing_to_do_loads_no_parser_renderer_or_image_library(site: Path) -> None:
    """The no-op build decides from the listing and the last build's state alone (commands/build.py): importing
    Markdown, YAML, Jinja and Pillow would be a fifth of its time at 100,000 articles."""
    program = (
        "import sys\n"
        "from pathlib import Path\n"
        "from sitegen.cli import main\n"
        f"code = main(['build', {str(site)!r}, '-q'])\n"
        "heavy = sorted(m for m in ('markdown', 'yaml', 'jinja2', 'PIL', 'sitegen.pipeline') if m in sys.modules)\n"
        "print(code, heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[-2] == "0 []", done.stdout + done.stderr
    edit(site / "content/culture/2025/festival.md", lambda t: t + "\nMore.\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert "'jinja2'" in done.stdout.split("\n")[-2], "a build with something to do loads them (the test can fail)"


def test_touched_file_with_the_same_bytes_is_not_parsed_again(site: Path) -> None:
    path = site / "content/culture/2025/festival.md"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    result = run(site)
    assert result.parsed == 0 and result.rendered == 0


def test_a_deleted_output_file_is_rendered_again(site: Path) -> None:
    (site / "public" / FESTIVAL_PAGE).unlink()
    result = run(site)
    assert result.rendered == 1
    assert (site / "public" / FESTIVAL_PAGE).is_file()


def test_clean_ignores_the_cache(site: Path) -> None:
    result = run(site, clean=True)
    assert result.rendered == result.pages and result.parsed == len(SITE)
    assert result.stats.written == 0  # same bytes as before: nothing rewritten


@pytest.mark.parametrize(
    "damage", ["garbage", "truncated", "empty", "foreign", "wrong types", "term gap", "term missing", "negative term"]
)
def test_a_damaged_cache_means_a_correct_full_build(site: Path, tmp_path: Path, damage: str) -> None:
    state = site / CACHE_DIR / STATE_FILE
    expected = published(site / "public")
    if damage == "garbage":
        state.write_bytes(b"\x00garbage" * 1000)
    elif damage == "truncated":
        state.write_bytes(state.read_bytes()[: state.stat().st_size // 3])
    elif damage == "empty":
        state.write_bytes(b"")
    else:
        with sqlite3.connect(state) as db:
            if damage == "foreign":
                db.execute("UPDATE meta SET value = 'another-program' WHERE key = 'format'")
            elif damage == "term gap":
                db.execute("UPDATE terms SET id = id + 100 WHERE id = 0")
            elif damage == "term missing":
                db.execute("DELETE FROM terms WHERE id = (SELECT MAX(id) FROM terms)")
            elif damage == "negative term":  # would count from the table's end: another article's tag
                db.execute("UPDATE articles SET article = replace(article, '[0]', '[-1]')")
            else:
                db.execute("UPDATE articles SET article = '{\"title\": 5}'")
        db.close()
    for page in ARTICLE_PAGES:
        (site / "public" / page).unlink()  # a broken cache must not hide that these are missing
    result = run(site)
    assert result.parsed == len(SITE) or result.rendered == result.pages
    assert published(site / "public") == expected
    assert run(site).rendered == 0  # and the cache works again afterwards


def test_pages_are_identical_whatever_the_number_of_workers(
    write_site: SiteWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "MIN_PARALLEL_PARSE", 1)
    monkeypatch.setattr(workers, "MIN_PARALLEL_RENDER", 1)
    files = dict(SITE)
    for n in range(30):
        files[f"content/news/world/2025/story-{n}.md"] = article(
            f"Story {n}", f"2025-08-{n % 28 + 1:02d}T10:{n:02d}:00+04:00", f"Body {n}. " + LONG_BODY, tags="[World]"
        )
    root = write_site(files)
    one = build(BuildOptions(root=root, output=tmp_path / "one", jobs=1, clean=True))
    four = build(BuildOptions(root=root, output=tmp_path / "four", jobs=4, clean=True))
    assert one.rendered == four.rendered == one.pages
    assert published(tmp_path / "one") == published(tmp_path / "four")


def test_cli_summary_and_no_progress_bar_in_a_pipe(site: Path, cli: Callable[..., Run]) -> None:
    result = cli("build", site, "--jobs", "2")
    assert result.code == 0
    assert "0 rendered" in result.out and "skipped" in result.out
    assert "█" not in result.err
    assert cli("build", site, "-q").out == ""
    with pytest.raises(SystemExit) as exit_info:  # argparse rejects it before anything runs
        cli("build", site, "--jobs", "0")
    assert exit_info.value.code == 2


def test_damaged_or_missing_bodies_are_parsed_again(site: Path, tmp_path: Path) -> None:
    bodies = sorted((site / CACHE_DIR / BODIES_DIR).rglob("*.html"))
    assert bodies
    bodies[0].write_bytes(bodies[0].read_bytes()[:-20])  # truncated
    bodies[1].unlink()
    for path in bodies[2:]:
        path.write_text("0" * 64 + "\n<p>not the real body</p>", encoding="utf-8")
    (site / "sitegen.toml").write_text(BASIC_CONFIG.replace("Test News", "Other News"), encoding="utf-8")
    result = run(site)
    assert result.rendered == result.pages and result.parsed == 0
    build(BuildOptions(root=site, output=tmp_path / "clean", clean=True))
    assert published(site / "public") == published(tmp_path / "clean")


def fingerprints_of(site: Path, *folders: Path) -> tuple[Fingerprinter, Article]:
    """A fingerprinter of a one-article site, with these template folders before the theme's."""
    config = load_config(site).config
    templates = TemplateSet((*folders, Path(__file__).resolve().parents[3] / "templates"), site)
    story = Article(**{**SITE_ARTICLE_FIELDS, "digest": "one"})  # type: ignore[arg-type]
    model = build_site([story], {}, config, Visibility(build_time()), [])
    renderer = Renderer(make_environment(templates, config), templates, model, config, lambda p: p)
    return Fingerprinter(renderer, model, config, "code", {story.source: "teaser"}), story


def test_a_route_without_a_template_is_fingerprinted_with_its_articles_bodies(site: Path) -> None:
    prints, story = fingerprints_of(site)
    feed = Route("/feed.xml", "feed.xml", "rss", "rss", "Feed", "feeds", items=(story,))
    edited = replace(feed, items=(replace(story, digest="two"),))
    assert prints.route(feed) == prints.route(feed)  # stable: not "unrenderable"
    assert prints.route(feed) != prints.route(edited)  # a body edit reaches it


@pytest.mark.parametrize("shown", ["{{ items[0].body_html }}", "{{ items[0].body.html }}"])
def test_a_list_template_that_shows_bodies_is_fingerprinted_with_them(site: Path, tmp_path: Path, shown: str) -> None:
    """Whether a template reads an article's HTML as `body_html` or through its Body, a body edit re-renders it."""
    own = tmp_path / "templates"
    own.mkdir()
    (own / "bodies.html").write_text(f"<main>{shown}</main>\n", encoding="utf-8")
    prints, story = fingerprints_of(site, own)
    page = Route("/bodies/", "bodies/index.html", "bodies.html", "section", "Bodies", "test", items=(story,))
    edited = replace(page, items=(replace(story, digest="two"),))
    assert prints.route(page) != prints.route(edited)
    teaser = Route("/bodies/", "bodies/index.html", "section.html", "section", "Bodies", "test", items=(story,))
    assert prints.route(teaser) == prints.route(replace(teaser, items=(replace(story, digest="two"),))), (
        "a list of teasers is not re-rendered for a body edit"
    )


SITE_ARTICLE_FIELDS: dict[str, object] = {
    "source": "content/news/x.md", "kind": "article", "title": "X", "date": None, "updated": None, "expires": None,
    "draft": False, "pinned": False, "slug": "x", "section": "news", "url": "/news/x/", "authors": (), "tags": (),
    "image": None, "summary": None, "body": Body("<p>x</p>", "", 1), "aliases": (),
}  # fmt: skip
