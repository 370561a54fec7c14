"""The Publisher puts files live in dependency order, and no reachable link ever points at a missing file.

A small site is published, then changed: a new article and its new tag page (which link each other), a new
stylesheet name and a new image, a new search index chunk, edited pages, feeds, sitemaps and a fragment, an
unchanged page, and a deleted article with its only tag's page (which link each other too). The order is read off
the file system after every rename and removal (tests/commit_steps.py), and at every step the folder is walked as a
reader would (tests/links.py) from the home page and every page of the first site that the second one keeps.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

import pytest

from sitegen.errors import UsageError
from sitegen.paths import MANIFEST_FILE, PENDING_FILE, STAGING_DIR
from sitegen.publish import order
from sitegen.publish.order import ASSET, LISTING, PAGE, kind, publish_order
from sitegen.publish.writer import Publisher, clean_leftovers, read_manifest, write_pending
from tests.commit_steps import CommitSteps, Killed, Step, published_files
from tests.links import SITE_HOST, missing_links, pages_in

BASE = f"https://{SITE_HOST}"


def page(title: str, *links: str) -> bytes:
    anchors = "".join(f'<a href="{url}">{url}</a>' for url in links)
    return f"<!doctype html><html><head><title>{title}</title></head><body>{anchors}</body></html>".encode()


def page_with_css(title: str, css: str, *links: str) -> bytes:
    head = f'<link rel="stylesheet" href="{css}"><link rel="alternate" href="{BASE}/feed.xml">'
    return page(title, *links).replace(b"</head>", head.encode() + b"</head>")


def feed(*urls: str) -> bytes:
    items = "".join(f"<item><link>{BASE}{url}</link></item>" for url in urls)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><link>{BASE}/</link>{items}</channel></rss>'.encode()


def sitemap(*urls: str) -> bytes:
    locs = "".join(f"<url><loc>{BASE}{url}</loc></url>" for url in urls)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'.encode()


FIRST: dict[str, bytes] = {
    "index.html": page_with_css("Home", "/css/site.1.css", "/articles/a/", "/articles/c/", "/tags/x/", "/tags/z/",
                                "/about/", "/img/a.jpg"),
    "articles/a/index.html": page_with_css("A", "/css/site.1.css", "/", "/tags/x/", "/img/a.jpg"),
    "articles/c/index.html": page_with_css("C", "/css/site.1.css", "/", "/tags/z/"),
    "tags/x/index.html": page_with_css("X", "/css/site.1.css", "/", "/articles/a/"),
    "tags/z/index.html": page_with_css("Z", "/css/site.1.css", "/", "/articles/c/"),
    "about/index.html": page("About", "/", "/img/logo.png"),
    "feed.xml": feed("/articles/a/", "/articles/c/"),
    "sitemap.xml": sitemap("/", "/articles/a/", "/articles/c/", "/tags/x/", "/tags/z/", "/about/"),
    "fragments/latest.html": page("Latest", "/articles/a/", "/articles/c/"),
    "css/site.1.css": b"body { color: black }",
    "img/a.jpg": b"a picture",
    "img/logo.png": b"a logo",
    "pagefind/pagefind-entry.json": b'{"index": "old"}',
    "pagefind/index/old.pf_index": b"old chunk",
}  # fmt: skip

SECOND: dict[str, bytes] = {
    "index.html": page_with_css("Home", "/css/site.2.css", "/articles/a/", "/articles/b/", "/tags/x/", "/tags/y/",
                                "/about/", "/img/b.jpg"),
    "articles/a/index.html": page_with_css("A, edited", "/css/site.2.css", "/", "/tags/x/", "/img/a.jpg"),
    "articles/b/index.html": page_with_css("B", "/css/site.2.css", "/", "/tags/y/", "/img/b.jpg"),
    "tags/x/index.html": page_with_css("X", "/css/site.2.css", "/", "/articles/a/"),
    "tags/y/index.html": page_with_css("Y", "/css/site.2.css", "/", "/articles/b/"),
    "about/index.html": FIRST["about/index.html"],
    "feed.xml": feed("/articles/a/", "/articles/b/"),
    "sitemap.xml": sitemap("/", "/articles/a/", "/articles/b/", "/tags/x/", "/tags/y/", "/about/"),
    "fragments/latest.html": page("Latest", "/articles/a/", "/articles/b/"),
    "css/site.2.css": b"body { color: navy }",
    "img/a.jpg": FIRST["img/a.jpg"],
    "img/b.jpg": b"another picture",
    "img/logo.png": FIRST["img/logo.png"],
    "pagefind/pagefind-entry.json": b'{"index": "new"}',
    "pagefind/index/new.pf_index": b"new chunk",
}  # fmt: skip

NEW_ASSETS = ["css/site.2.css", "img/b.jpg", "pagefind/index/new.pf_index"]
NEW_PAGES = ["articles/b/index.html", "tags/y/index.html"]
REPLACED_ASSETS = ["pagefind/pagefind-entry.json"]
REPLACED_PAGES = ["articles/a/index.html", "index.html", "tags/x/index.html"]
REPLACED_LISTINGS = ["feed.xml", "fragments/latest.html", "sitemap.xml"]
REMOVED = ["articles/c/index.html", "css/site.1.css", "pagefind/index/old.pf_index", "tags/z/index.html"]
PUBLISHED = NEW_ASSETS + NEW_PAGES + REPLACED_ASSETS + REPLACED_PAGES + REPLACED_LISTINGS
STEPS = 1 + len(PUBLISHED) + len(REMOVED) + 1  # the manifest, each file, each removal, the manifest


def publish(output: Path, files: dict[str, bytes]) -> Publisher:
    """Stage `files` as one build would (the ones not put are removed at commit); the Publisher, not committed."""
    publisher = Publisher.open(output)
    for rel, data in files.items():
        publisher.put(rel, data)
    return publisher


def roots(before: Iterable[str], after: Iterable[str]) -> list[str]:
    """Where readers start: the home page and every page published before that the new site keeps."""
    return sorted({"index.html"} | (set(before) & set(after)))


def watch_commit(output: Path, files: dict[str, bytes], monkeypatch: pytest.MonkeyPatch) -> CommitSteps:
    """Commit `files` over what `output` holds, walking the site after every step; the steps."""
    start = roots(pages_in(output), [rel for rel in files if rel.endswith(".html")])
    publisher = publish(output, files)
    dangling: list[tuple[Step, list[tuple[str, str]]]] = []

    def walk(step: Step) -> None:
        missing = missing_links(output, start)
        if missing:
            dangling.append((step, missing))

    steps = CommitSteps(output, on_step=walk)
    steps.install(monkeypatch)
    publisher.commit()
    monkeypatch.undo()
    assert dangling == [], f"reachable links to missing files, after these steps: {dangling}"
    return steps


@pytest.fixture
def output(tmp_path: Path) -> Path:
    out = tmp_path / "public"
    publish(out, FIRST).commit()
    assert missing_links(out, ["index.html", *pages_in(out)]) == []  # the first site is whole
    return out


# ---------------------------------------------------------------------------------------------------- the order


def test_files_go_live_new_first_then_replacements_then_removals(output: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    steps = watch_commit(output, SECOND, monkeypatch)
    assert steps.published == PUBLISHED
    assert steps.removed == REMOVED
    actions = [step.action for step in steps.steps]
    # The manifest first names every file about to be written (as unknown), last says what was published.
    assert actions == ["manifest"] + ["publish"] * len(steps.published) + ["remove"] * len(REMOVED) + ["manifest"]
    assert published_files(output) == SECOND
    assert read_manifest(output).keys() == SECOND.keys()
    assert not (output / STAGING_DIR).exists()


def test_the_first_manifest_names_every_file_before_any_is_written(
    output: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publisher = publish(output, SECOND)
    steps = CommitSteps(output, stop_after=1)
    steps.install(monkeypatch)
    with pytest.raises(Killed):
        publisher.commit()
    monkeypatch.undo()
    files = read_manifest(output)  # the manifest and the journal written before the first file
    assert files.keys() == FIRST.keys() | SECOND.keys()  # new, kept and removed alike: all known as ours
    assert {rel for rel, entry in files.items() if entry == ("", -1)} == set(PUBLISHED)
    assert json.loads((output / MANIFEST_FILE).read_bytes())["files"].keys() == FIRST.keys(), "not rewritten yet"
    assert published_files(output) == FIRST


def test_the_journal_goes_with_the_commit_and_a_stale_one_is_ignored(output: Path) -> None:
    """The manifest is written once per commit; the journal written before it applies only over the manifest it was
    written over: once the commit wrote the next one, a journal left by a kill at that moment names nothing."""
    assert not (output / PENDING_FILE).exists()
    manifest = read_manifest(output)
    write_pending(output, ["articles/a/index.html", "new/index.html"])
    assert read_manifest(output)["new/index.html"] == ("", -1), "applies over the manifest it was written over"
    publish(output, SECOND).commit()
    assert not (output / PENDING_FILE).exists()
    write_pending(output, ["stale/index.html"])
    (output / MANIFEST_FILE).write_bytes((output / MANIFEST_FILE).read_bytes() + b" ")  # the next manifest
    assert "stale/index.html" not in read_manifest(output)
    clean_leftovers(output)
    assert not (output / PENDING_FILE).exists()
    assert manifest.keys() == FIRST.keys()


def test_a_shuffled_order_would_leave_dangling_links(output: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk catches what a wrong order does: by name alone, a.html links the new stylesheet before it exists."""
    monkeypatch.setattr("sitegen.publish.writer.publish_order", lambda staged, present: sorted(staged))
    with pytest.raises(AssertionError, match=re.escape("articles/a/index.html', 'css/site.2.css")):
        watch_commit(output, SECOND, monkeypatch)


def test_the_walk_finds_a_removed_page_that_is_still_linked(output: Path) -> None:
    """What removing before replacing would do: the home page still links the removed article."""
    (output / "articles/c/index.html").unlink()
    assert [missing for _, missing in missing_links(output, ["index.html"])] == ["articles/c/index.html"]


def test_kinds_of_files() -> None:
    assert [kind(rel) for rel in ("index.html", "news/x/index.html", "404.html", "old/redirect.htm")] == [PAGE] * 4
    listings = ("feed.xml", "tags/x/atom.xml", "sitemap-2.xml", "news-sitemap.xml", "robots.txt", "fragments/a.html")
    assert [kind(rel) for rel in listings] == [LISTING] * len(listings)
    assets = ("css/site.1.css", "js/site.js", "img/a.jpg", "pagefind/pagefind.js", "pagefind/x.pf_fragment", "CNAME")
    assert [kind(rel) for rel in assets] == [ASSET] * len(assets)
    assert [order.rank(rel, False) for rel in ("img/a.jpg", "a.html", "feed.xml")] == [0, 1, 1]
    assert [order.rank(rel, True) for rel in ("img/a.jpg", "a.html", "feed.xml")] == [2, 3, 4]


def test_the_order_does_not_depend_on_the_order_files_were_staged() -> None:
    staged = ["z.html", "feed.xml", "a.css", "b/index.html", "m.png"]
    present = {"z.html", "feed.xml", "a.css"}
    expected = ["m.png", "b/index.html", "a.css", "z.html", "feed.xml"]
    assert publish_order(staged, present) == expected
    assert publish_order(reversed(staged), present) == expected


# -------------------------------------------------------------------------------------- commits cut short


THIRD = {
    **SECOND,
    # After the cut, the new article gains a link to a tag page that is new in the next commit.
    "articles/b/index.html": page_with_css("B", "/css/site.2.css", "/", "/tags/y/", "/tags/w/", "/img/b.jpg"),
    "tags/w/index.html": page_with_css("W", "/css/site.2.css", "/", "/articles/b/"),
}


def test_a_file_a_cut_commit_published_counts_as_replaced(output: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut right after the home page went live: the new article is reachable, though the manifest does not know its
    content. The next commit must treat it as a replacement (after the new tag page it now links), not as new."""
    publisher = publish(output, SECOND)
    home = 1 + len(NEW_ASSETS + NEW_PAGES + REPLACED_ASSETS) + REPLACED_PAGES.index("index.html") + 1
    steps = CommitSteps(output, stop_after=home)
    steps.install(monkeypatch)
    with pytest.raises(Killed):
        publisher.commit()
    monkeypatch.undo()
    assert steps.steps[-1] == Step("publish", "index.html")
    assert read_manifest(output)["articles/b/index.html"] == ("", -1)  # published, but recorded as unknown
    assert ("index.html", "articles/b/index.html") not in missing_links(output, ["index.html"])
    steps = watch_commit(output, THIRD, monkeypatch)
    published = steps.published
    assert published.index("tags/w/index.html") < published.index("articles/b/index.html")
    assert published_files(output) == THIRD


@pytest.mark.parametrize("cut", range(1, STEPS + 1))
def test_a_commit_cut_at_any_step_is_completed_by_the_next(
    cut: int, output: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publisher = publish(output, SECOND)
    steps = CommitSteps(output, stop_after=cut)
    steps.install(monkeypatch)
    with pytest.raises(Killed):
        publisher.commit()
    monkeypatch.undo()
    assert len(steps.steps) == cut
    watch_commit(output, SECOND, monkeypatch)  # the next build: no dangling link at any of its steps either
    clean = tmp_path / "clean"
    publish(clean, SECOND).commit()
    assert published_files(output) == SECOND
    assert (output / MANIFEST_FILE).read_bytes() == (clean / MANIFEST_FILE).read_bytes()
    assert sorted(p.name for p in output.iterdir()) == sorted(p.name for p in clean.iterdir())


# ------------------------------------------------------------------------------------------------ refusals


def test_a_folder_where_a_published_file_goes_is_refused_before_anything_moves(output: Path) -> None:
    (output / "tags/x/index.html").unlink()
    (output / "tags/x/index.html").mkdir()  # someone put a folder where our page was
    before = published_files(output)
    manifest = (output / MANIFEST_FILE).read_bytes()
    with pytest.raises(UsageError) as refused:
        publish(output, SECOND).commit()
    assert "tags/x/index.html: is a folder where sitegen publishes a file" in str(refused.value.problems[0])
    assert published_files(output) == before
    assert (output / MANIFEST_FILE).read_bytes() == manifest
    assert not (output / STAGING_DIR).exists()
