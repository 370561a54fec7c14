"""Which shards a build makes, keeps and masks (publish/search_layers.py), on a site of a few pages with a window of
two and a limit of four: each build's layout is published as the next build finds it."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, cast

import pytest

from sitegen.publish import search_layers
from sitegen.publish.search_layers import (
    RECENT,
    Entry,
    Layout,
    Published,
    Shard,
    Unreadable,
    entries,
    made_apart,
    plan_layout,
    published_shards,
    reusable,
    state,
    uncounted,
)
from sitegen.site.plan import Route

TZ = timezone(timedelta(hours=4))


@dataclass
class _Article:
    date: datetime


@dataclass
class _Page:  # what the layout reads of a route
    url: str
    output: str
    article: _Article


def page(name: str, year: int, day: int = 1) -> Route:
    return cast(Route, _Page(f"/{name}/", f"{name}/index.html", _Article(datetime(year, 3, day, tzinfo=TZ))))


@pytest.fixture(autouse=True)
def small_layers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_layers, "WINDOW", 2)
    monkeypatch.setattr(search_layers, "LIMIT", 4)


def digest(shard: Shard, digests: Mapping[str, str]) -> str:
    return shard.key + ":" + ",".join(f"{r.url}={digests[r.output]}" for r in shard.pages)


def plan(pages: list[Route], digests: dict[str, str], published: dict[str, Published], damaged: Any = ()) -> Layout:
    return plan_layout(pages, digests, published, TZ, digest, damaged)


def publish(layout: Layout, digests: Mapping[str, str], before: Mapping[str, Published]) -> dict[str, Published]:
    """What the next build finds: each made shard with its pages (a page's id: its URL and digest), each kept one
    less its masked pages' fragments."""
    found = {}
    for shard in layout.made:
        made = {r.url: Entry(digests[r.output], f"{shard.key}{r.url}{digests[r.output]}", {}) for r in shard.pages}
        files = [f"pagefind/{shard.key}/fragment/{e.fragment}.pf_fragment" for e in made.values()]
        found[shard.key] = Published(shard.key, shard.digest, made, files, frozenset(e.fragment for e in made.values()))
    for kept in layout.kept:
        old = before[kept.key]
        gone = {e.fragment for e in kept.masked}
        found[kept.key] = Published(kept.key, old.digest, old.entries, kept.files, old.fragments - gone)
    return found


def members(layout: Layout) -> dict[str, list[str]]:
    return {shard.key: [r.url for r in shard.pages] for shard in layout.made}


SITE = [page("a", 2023), page("b", 2023, 2), page("c", 2024), page("d", 2024, 2), page("e", 2025), page("f", 2025, 2)]


def first_build() -> tuple[list[Route], dict[str, str], dict[str, Published]]:
    digests = {r.output: "1" for r in SITE}
    layout = plan(SITE, digests, {})
    assert members(layout) == {"2023": ["/a/", "/b/"], "2024": ["/c/", "/d/"], RECENT: ["/e/", "/f/"]}
    assert layout.keys == [RECENT, "2024", "2023"] and layout.kept == []
    return list(SITE), digests, publish(layout, digests, {})


def test_a_first_build_puts_the_newest_in_the_recent_shard_and_the_rest_in_their_years() -> None:
    first_build()


def test_an_added_article_makes_the_recent_shard_only() -> None:
    pages, digests, published = first_build()
    pages.append(page("g", 2025, 3))
    digests["g/index.html"] = "1"
    layout = plan(pages, digests, published)
    assert members(layout) == {RECENT: ["/e/", "/f/", "/g/"]}
    assert [(k.key, k.masked, k.pages) for k in layout.kept] == [("2023", [], 2), ("2024", [], 2)]
    assert layout.pages == 7


def test_an_edit_to_an_old_article_is_shown_from_the_recent_shard_and_masked_in_its_year() -> None:
    pages, digests, published = first_build()
    digests["a/index.html"] = "2"
    layout = plan(pages, digests, published)
    assert members(layout) == {RECENT: ["/a/", "/e/", "/f/"]}
    kept = {k.key: k for k in layout.kept}
    assert [e.fragment for e in kept["2023"].masked] == ["2023/a/1"]
    assert "pagefind/2023/fragment/2023/a/1.pf_fragment" not in kept["2023"].files, "its old text is not published"
    assert kept["2024"].masked == []

    # Edited back as it was: its archive fragment is gone, so it stays in the recent shard.
    published = publish(layout, digests, published)
    digests["a/index.html"] = "1"
    again = plan(pages, digests, published)
    assert members(again) == {RECENT: ["/a/", "/e/", "/f/"]}
    assert [e.fragment for e in again.masked] == ["2023/a/1"]


def test_an_article_published_no_more_is_taken_out_of_its_archive_shard_at_once() -> None:
    pages, digests, published = first_build()
    digests["b/index.html"] = "2"  # masked first
    published = publish(plan(pages, digests, published), digests, published)
    pages = [r for r in pages if r.url != "/a/"]  # then a draft again, say
    layout = plan(pages, digests, published)
    assert members(layout) == {"2023": ["/b/"], RECENT: ["/e/", "/f/"]}, "the edited one goes back to its year too"
    assert layout.masked == []


def test_the_recent_shard_is_folded_into_the_archive_when_it_outgrows_the_limit() -> None:
    pages, digests, published = first_build()
    for name, day in (("g", 3), ("h", 4)):
        pages.append(page(name, 2025, day))
        digests[f"{name}/index.html"] = "1"
        published = publish(plan(pages, digests, published), digests, published)
    digests["c/index.html"] = "2"
    layout = plan(pages, digests, published)  # e f g h and c: five
    assert members(layout) == {"2024": ["/c/", "/d/"], "2025": ["/e/", "/f/"], RECENT: ["/g/", "/h/"]}
    assert [k.key for k in layout.kept] == ["2023"] and layout.masked == []


def test_a_damaged_shard_is_made_again() -> None:
    pages, digests, published = first_build()
    del published["2024"]  # its state unreadable, or a file of it deleted by hand
    layout = plan(pages, digests, published, {"2024"})
    assert members(layout) == {"2024": ["/c/", "/d/"], RECENT: ["/e/", "/f/"]}


def test_a_shard_whose_pages_all_moved_goes() -> None:
    pages, digests, published = first_build()
    pages[:2] = [page("a", 2024, 5), page("b", 2024, 6)]  # both redated (the date is in what is indexed)
    digests.update({"a/index.html": "2", "b/index.html": "2"})
    layout = plan(pages, digests, published)
    assert layout.keys == [RECENT, "2024"] and members(layout) == {RECENT: ["/a/", "/b/", "/e/", "/f/"]}


def test_entries_come_from_pagefinds_fragments_and_masks_leave_the_filter_counts() -> None:
    fragment: dict[str, Any] = {"url": "/a/", "filters": {"section": ["News"], "tag": ["Iran", "Oil"]}}
    files = {"fragment/en_1a2b.pf_fragment": gzip.compress(b"pagefind_dcd" + json.dumps(fragment).encode()),
             "pagefind-entry.json": b"{}"}  # fmt: skip
    found = entries(files, {"/a/": "d1"})
    assert found == {"/a/": Entry("d1", "en_1a2b", {"section": ["News"], "tag": ["Iran", "Oil"]})}
    other = Entry("d2", "en_ff", {"tag": ["Iran"]})
    assert uncounted([found["/a/"], other]) == {"section": {"News": 1}, "tag": {"Iran": 2, "Oil": 1}}


def test_a_masked_id_another_shard_shows_is_not_masked_its_shard_is_made_again() -> None:
    """Pagefind's ids are unique within one index only: the search page would drop the other shard's page too."""
    pages, digests, published = first_build()
    other = published["2024"]
    published["2024"] = Published("2024", other.digest, {**other.entries, "/c/": Entry("1", "2023/a/1", {})},
                                  other.files, other.fragments | {"2023/a/1"})  # fmt: skip
    digests["a/index.html"] = "2"  # masks 2023's "2023/a/1"
    layout = plan(pages, digests, published)
    assert members(layout) == {"2023": ["/a/", "/b/"], RECENT: ["/e/", "/f/"]} and layout.masked == []


def test_a_shard_is_reused_only_with_every_fragment_and_no_masked_id() -> None:
    pages, _, published = first_build()
    shard = Shard("2023", [p for p in pages if p.url in ("/a/", "/b/")])
    shard.digest = published["2023"].digest
    assert reusable(shard, published, set())
    assert not reusable(shard, published, {"2023/a/1"})
    damaged = published["2023"]
    published["2023"] = Published(
        "2023", damaged.digest, damaged.entries, damaged.files, damaged.fragments - {"2023/b/1"}
    )
    assert not reusable(shard, published, set()), "a fragment masked away once: made again, not carried over"


def test_a_shard_whose_ids_clash_with_masked_ones_is_indexed_again_with_a_salt() -> None:
    made: list[int] = []

    def index(shard: Shard) -> dict[str, bytes]:
        made.append(shard.salt)
        return {f"fragment/en_{shard.salt}.pf_fragment": b"", "pagefind-entry.json": b"{}"}

    files = made_apart(Shard(RECENT), {"en_0", "en_1"}, index)
    assert made == [0, 1, 2] and "fragment/en_2.pf_fragment" in files
    assert 'data-pagefind-meta="salt:2"' in Shard(RECENT, salt=2).extra and "layer:recent" in Shard(RECENT).extra


def lazily(published: Mapping[str, Published], reads: list[str], broken: str = "") -> dict[str, Published]:
    """The shards as a build finds them: each state read only when its pages are asked for (counted in `reads`);
    `broken`'s does not read."""

    def reader(shard: Published) -> Any:
        def read() -> dict[str, Entry]:
            reads.append(shard.key)
            if shard.key == broken:
                raise Unreadable(shard.key)
            return shard.entries

        return read

    return {k: Published(k, p.digest, None, p.files, p.fragments, reader(p)) for k, p in published.items()}


def test_only_the_states_of_shards_with_a_changed_page_are_read() -> None:
    pages, digests, published = first_build()
    digests["a/index.html"] = "2"
    reads: list[str] = []
    layout = plan(pages, digests, lazily(published, reads))
    assert reads == ["2023"], "2024 is known whole from its digest"
    assert layout == plan(pages, digests, published), "the layout of a build that read every state"
    assert [e.fragment for e in layout.masked] == ["2023/a/1"]


def test_a_state_that_does_not_read_when_its_pages_are_needed_makes_its_shard_again() -> None:
    pages, digests, published = first_build()
    digests["a/index.html"] = "2"
    layout = plan(pages, digests, lazily(published, [], broken="2023"))
    assert members(layout) == {"2023": ["/a/", "/b/"], RECENT: ["/e/", "/f/"]} and layout.masked == []


def test_a_published_state_is_read_back_its_pages_only_when_asked(tmp_path: Path) -> None:
    shard = Shard("2023", [page("a", 2023)], digest="ab" * 32)
    made = {"/a/": Entry("d1", "en_1", {"tag": ["Oil"]})}
    files = {"pagefind/2023/sitegen-shard.json": state(shard, made), "pagefind/2023/fragment/en_1.pf_fragment": b"x"}
    for rel, data in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    manifest = {rel: (hashlib.sha256(data).hexdigest(), len(data)) for rel, data in files.items()}
    shards, damaged = published_shards(tmp_path, manifest, lambda rels: True)
    found = shards["2023"]
    assert damaged == set() and found.digest == shard.digest and found.loaded is None
    assert found.entries == made and found.fragments == {"en_1"}

    later = published_shards(tmp_path, manifest, lambda rels: True)[0]["2023"]
    (tmp_path / "pagefind/2023/sitegen-shard.json").write_bytes(b"{}")  # not what was published
    with pytest.raises(Unreadable):
        _ = later.entries  # read when asked, as the file is then: not held from before
    assert published_shards(tmp_path, manifest, lambda rels: True) == ({}, {"2023"})
