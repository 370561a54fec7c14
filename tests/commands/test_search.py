"""Search (#7): what goes into the Pagefind index and what stays out, the search UI, config, incremental indexing.

The index is read back from Pagefind's own files: each page's fragment (gzip, `pagefind_dcd` + JSON) holds exactly the
text, filters and metadata Pagefind indexed for it. Searching in a real browser is in test_search_browser.py.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from sitegen.paths import MANIFEST_FILE
from sitegen.publish.pagefind import MEMO_FILE, publish_search
from tests.conftest import BASIC_CONFIG, Run, SiteWriter, article, with_images_off

SIDEBAR_CONFIG = (
    BASIC_CONFIG
    + """
[newsletter]
text = "Get the quokkaletter every morning."
[sponsor]
html = "Brought to you by Zanzibarcorp"
"""
)

SITE = {
    "sitegen.toml": SIDEBAR_CONFIG,
    "content/news/_index.md": "---\ntitle: News\n---\n",
    "content/news/armenia/_index.md": "---\ntitle: Armenia\ndescription: Navwordonly news.\n---\n",
    "content/news/armenia/2025/drills.md": article(
        "Iran Holds Joint Drills",
        "2025-09-10T12:00:00+04:00",
        "The brigade rehearsed **manoeuvres** near the border.",
        authors='["Ani Petrosyan"]',
        tags="[Iran, Tagwordonly]",
        image='{src: /img/drills.jpg, alt: "Soldiers"}',
    ),
    "content/sports/award.md": article("Award Ceremony", "2025-09-08T10:00:00+04:00", "Mkhitaryan wins an award."),
    "content/culture/festival.md": article(
        "Երաժշտական փառատոն Երևանում", "2025-09-09T18:00:00+04:00", "Փառատոնը տեղի կունենա Երևանում։", tags="[Music]"
    ),
    "content/sports/draft.md": article("Secret Draft", "2025-09-08", "Draftword only here.", draft="true"),
    "content/sports/future.md": article("Tomorrow", "2025-09-12T09:00:00+04:00", "Futureword only here."),
    "content/sports/expired.md": article("Gone", "2025-09-01", "Expiredword only here.", expires="2025-09-05"),
    "content/about.md": "---\ntitle: About Us\ntype: page\n---\nPagewordonly: who we are.\n",
}


def fragments(output: Path) -> dict[str, dict[str, Any]]:
    """What Pagefind indexed, by URL."""
    found = {}
    for path in (output / "pagefind").glob("*/fragment/*.pf_fragment"):  # every shard's
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        record = json.loads(data[len(b"pagefind_dcd") :])
        found[record["url"]] = record
    return found


def build(write_site: SiteWriter, cli: Callable[..., Run], files: dict[str, str], *args: str) -> tuple[Path, Run]:
    root = write_site(files)
    result = cli("build", root, *args)
    assert result.code == 0, result.err
    return root, result


def test_only_article_bodies_and_headlines_are_indexed(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root, _ = build(write_site, cli, SITE)
    indexed = fragments(root / "public")
    assert sorted(indexed) == ["/culture/festival/", "/news/armenia/drills/", "/sports/award/"]
    drills = indexed["/news/armenia/drills/"]
    assert drills["content"].startswith("Iran Holds Joint Drills.")  # the headline
    assert "manoeuvres near the border" in drills["content"]
    everything = " ".join(record["content"] for record in indexed.values())
    for outside in ("quokkaletter", "Zanzibarcorp", "Navwordonly", "Tagwordonly", "Pagewordonly", "Most Popular",
                    "Catch up", "Search other topics", "Ani Petrosyan", "Subscribe", "September"):  # fmt: skip
        assert outside not in everything, f"{outside!r} is outside the article body but was indexed"


def test_filters_and_metadata(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root, _ = build(write_site, cli, SITE)
    drills = fragments(root / "public")["/news/armenia/drills/"]
    assert drills["filters"] == {
        "section": ["News", "News › Armenia"],
        "tag": ["Iran", "Tagwordonly"],
        "author": ["Ani Petrosyan"],
    }
    assert drills["meta"]["title"] == "Iran Holds Joint Drills"
    assert drills["meta"]["date"] == "2025-09-10T12:00:00+04:00"
    assert drills["meta"]["published"] == "Wednesday, September 10, 2025"
    assert drills["meta"]["image"] == "/img/drills.jpg" and drills["meta"]["image_alt"] == "Soldiers"


def test_drafts_future_and_expired_are_never_indexed(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    # Even a preview build that publishes drafts and scheduled articles keeps them out of the search index.
    root, _ = build(write_site, cli, SITE, "--drafts", "--future")
    assert (root / "public/sports/draft/index.html").is_file()
    indexed = fragments(root / "public")
    assert "/sports/draft/" not in indexed and "/sports/future/" not in indexed and "/sports/expired/" not in indexed
    raw = b"".join(p.read_bytes() for p in (root / "public/pagefind").rglob("*.pf_*"))
    assert b"Draftword" not in raw


def test_index_is_published_through_the_manifest(
    write_site: SiteWriter, cli: Callable[..., Run], tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    root, run = build(write_site, cli, SITE)
    output = root / "public"
    manifest = json.loads((output / MANIFEST_FILE).read_text())["files"]
    on_disk = {p.relative_to(output).as_posix() for p in (output / "pagefind").rglob("*") if p.is_file()}
    assert {
        "pagefind/recent/pagefind.js",
        "pagefind/recent/pagefind-entry.json",
        "pagefind/sitegen-search.json",
    } <= on_disk
    assert on_disk <= set(manifest), "every index file is recorded as sitegen's"
    assert not (tmp_path / "pagefind").exists(), "Pagefind must not write into the working directory"
    assert not (output / ".sitegen-staging").exists()
    assert "Search index: 3 articles indexed, 1 of 1 shards made again" in run.out


def test_unchanged_pages_are_not_reindexed(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root, _ = build(write_site, cli, SITE)
    entry = root / "public/pagefind/recent/pagefind-entry.json"
    first = entry.stat().st_mtime_ns
    again = cli("build", root)
    assert again.code == 0 and "indexed" not in again.out  # nothing changed at all: the build stops early
    assert entry.stat().st_mtime_ns == first

    edited = root / "content/sports/award.md"
    edited.write_text(edited.read_text().replace("wins an award", "wins a trophy"))
    changed = cli("build", root)
    assert "Search index: 3 articles indexed" in changed.out
    assert "wins a trophy" in fragments(root / "public")["/sports/award/"]["content"]

    edited.unlink()
    removed = cli("build", root)
    assert "Search index: 2 articles indexed" in removed.out
    assert "/sports/award/" not in fragments(root / "public")


def test_a_deleted_index_file_is_rebuilt(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root, _ = build(write_site, cli, SITE)
    (root / "public/pagefind/recent/pagefind.js").unlink()
    again = cli("build", root)
    assert "indexed" in again.out and (root / "public/pagefind/recent/pagefind.js").is_file()


def test_a_page_deleted_while_the_index_is_made_stops_the_build_with_its_name(
    write_site: SiteWriter, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _ = build(write_site, cli, SITE)
    kept = root / "public/sports/award/index.html"
    published = {p: p.read_bytes() for p in (root / "public").rglob("*") if p.is_file() and p != kept}
    edited = root / "content/news/armenia/2025/drills.md"
    edited.write_text(edited.read_text().replace("near the border", "by the lake"))

    def delete_then_index(publisher: Any, *args: Any) -> Any:
        kept.unlink()  # after the build found it published and kept it: someone deletes it by hand
        return publish_search(publisher, *args)

    monkeypatch.setattr("sitegen.commands.incremental_build.publish_search", delete_then_index)
    refused = cli("build", root)
    assert refused.code == 2 and "Traceback" not in refused.err
    assert f"{kept}: was deleted while this build ran" in refused.err and "nothing published" in refused.err
    assert {p: p.read_bytes() for p in published} == published, "the published site is as it was"
    monkeypatch.undo()
    again = cli("build", root)
    assert (
        again.code == 0
        and kept.is_file()
        and "by the lake" in (root / "public/news/armenia/drills/index.html").read_text()
    )


def test_search_page_and_boxes(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root, _ = build(write_site, cli, SITE)
    search = lxml.html.fromstring((root / "public/search/index.html").read_bytes())
    form = search.xpath('//form[@id="search"]')[0]
    assert form.get("action") == "/search/" and form.get("method") == "get"
    assert search.xpath('//label[@for="search-q"]') and search.xpath('//input[@id="search-q"][@name="q"]')
    (script,) = search.xpath('//script[starts-with(@src, "/js/search.")]/@src')  # fingerprinted
    assert (root / "public" / script.lstrip("/")).is_file()

    page = lxml.html.fromstring((root / "public/news/armenia/drills/index.html").read_bytes())
    topics = page.xpath('//section[@id="search-topics"]')[0]
    form = topics.xpath(".//form")[0]
    assert form.get("action") == "/search/" and form.get("method") == "get"
    box = form.xpath('.//input[@type="search"]')[0]
    assert box.get("name") == "q" and form.xpath(f'.//label[@for="{box.get("id")}"]')
    assert [a.get("href") for a in topics.xpath('.//ul[@class="topic-list"]//a')] == [
        "/tags/iran/", "/tags/music/", "/tags/tagwordonly/",
    ]  # fmt: skip
    assert page.xpath('//header[@class="site-header"]//form[@action="/search/"]//input[@name="q"]')


def test_search_can_be_turned_off(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root, _ = build(write_site, cli, SITE)
    assert (root / "public/pagefind").is_dir() and (root / "public" / MEMO_FILE).is_file()
    (root / "sitegen.toml").write_text(with_images_off(SIDEBAR_CONFIG + "[search]\nenabled = false\n"))
    off = cli("build", root)
    assert off.code == 0 and "Search index" not in off.out
    output = root / "public"
    assert not (output / "pagefind").exists(), "the index an earlier build published is removed"
    assert not (output / MEMO_FILE).exists(), "and what sitegen remembered of it"
    assert not (output / "search").exists() and not list(output.glob("js/search*.js"))
    for page in output.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "/search/" not in html and "data-pagefind-filter" not in html, page
    topics = lxml.html.fromstring((output / "news/armenia/drills/index.html").read_bytes())
    assert topics.xpath('//section[@id="search-topics"]//a[@href="/tags/iran/"]'), "topic links stay"


def test_unknown_search_key_is_reported(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root = write_site({"sitegen.toml": BASIC_CONFIG + "[search]\nenable = false\n"})
    run = cli("build", root)
    assert run.code == 2 and "did you mean 'search.enabled'" in run.err


def test_article_template_without_body_marker_is_left_out(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    own = '{% extends "base.html" %}{% block content %}<article><h1>{{ article.title }}</h1></article>{% endblock %}'
    root, run = build(write_site, cli, {**SITE, "templates/article.html": own})
    assert "templates/article.html: warning: 3 article page(s) have no data-pagefind-body element" in run.err
    assert fragments(root / "public") == {}
    again = cli("build", root)
    assert "unchanged" in again.out and "have no data-pagefind-body element" in again.err, "the warning stays"


def test_check_renders_the_search_page(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root = write_site({**SITE, "templates/search.html": '{% extends "base.html" %}{% block content %}{{ nope }}'
                       "{% endblock %}"})  # fmt: skip
    run = cli("check", root)
    assert run.code == 1 and "templates/search.html" in run.err + run.out
