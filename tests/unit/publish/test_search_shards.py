from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

from pagefind.index import IndexConfig

from sitegen.publish.pagefind_service import PromptService, index_shard, kept_files
from sitegen.publish.search_shards import content_digest, indexed_content, indexed_page, shard_keys
from sitegen.site.plan import Route

TZ = timezone(timedelta(hours=4))


def test_a_shard_per_year_and_per_month_in_a_crowded_year() -> None:
    dates = [datetime(2023, 5, 1, tzinfo=TZ), datetime(2024, 1, 2, tzinfo=TZ), datetime(2024, 3, 2, tzinfo=TZ),
             datetime(2024, 3, 9, tzinfo=TZ), datetime(2022, 12, 31, 23, tzinfo=TZ)]  # fmt: skip
    assert shard_keys(dates, TZ) == ["2023", "2024", "2024", "2024", "2022"]
    assert shard_keys(dates, TZ, limit=2) == ["2023", "2024-01", "2024-03", "2024-03", "2022"]
    assert sorted(set(shard_keys(dates, TZ, limit=2)), reverse=True) == ["2024-03", "2024-01", "2023", "2022"]


def test_shards_are_years_of_the_sites_zone_whatever_offset_a_date_was_written_in() -> None:
    """Around New Year, dates written in other offsets sort into keys in the order of their moments."""
    new_york = timezone(timedelta(hours=-5))
    in_yerevan = datetime(2025, 1, 1, 1, 0, tzinfo=TZ)  # 31 December 21:00 UTC
    later_in_new_york = datetime(2024, 12, 31, 23, 0, tzinfo=new_york)  # 1 January 04:00 UTC: later
    keys = shard_keys([in_yerevan, later_in_new_york], TZ)
    assert keys == ["2025", "2025"]
    utc_keys = shard_keys([in_yerevan, later_in_new_york], UTC)
    assert utc_keys == ["2024", "2025"], "in UTC the earlier moment is in the earlier year"


def test_a_dates_month_is_the_zones_at_every_offset_and_turn_of_month() -> None:
    """Only dates near the turn of a month are converted: each key is the one the date converted to the zone has,
    for offsets up to a day either way (what `fromisoformat` accepts) and the zones furthest apart."""
    offsets = [timezone(timedelta(minutes=m)) for m in (-1439, -720, -570, -60, 0, 345, 765, 840, 1439)]
    days = [(2023, 2, d) for d in (1, 2, 3, 26, 27, 28)] + [(2024, 12, d) for d in (1, 2, 3, 26, 27, 28, 29, 30, 31)]
    dates = [
        datetime(year, month, day, hour, minute, tzinfo=offset)
        for year, month, day in days
        for hour, minute in ((0, 0), (0, 30), (11, 59), (23, 59))
        for offset in offsets
    ]
    for zone in (ZoneInfo("America/St_Johns"), ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Pacific/Pago_Pago"), UTC):
        converted = [d.astimezone(zone) for d in dates]
        assert shard_keys(dates, zone) == [f"{d.year:04d}" for d in converted]
        assert shard_keys(dates, zone, limit=0) == [f"{d.year:04d}-{d.month:02d}" for d in converted]


PAGE = (
    b'<html><body><nav>Latest: one</nav><article class="a" data-pagefind-body><h1>T</h1><article>inner</article>'
    b"<p>Text</p></article><aside>Most popular: x</aside></body></html>"
)


def test_only_what_pagefind_indexes_counts() -> None:
    content = indexed_content(PAGE)
    assert content is not None and content.startswith(b'<article class="a" data-pagefind-body>')
    assert content.split(b"\0")[0].endswith(b"<p>Text</p></article>"), "nested elements of the same name counted"
    elsewhere = PAGE.replace(b"Latest: one", b"Latest: two").replace(b"popular: x", b"popular: y")
    assert content_digest(elsewhere) == content_digest(PAGE)
    assert content_digest(PAGE.replace(b"Text", b"Texts")) != content_digest(PAGE)
    field = PAGE.replace(b"<nav>", b'<nav><span data-pagefind-filter="section">News</span>')
    assert content_digest(field) != content_digest(PAGE), "a search field outside the body counts"
    assert indexed_content(b"<html><body><p>no marker</p></body></html>") is None


@dataclass
class _Page:  # what index_shard reads of a route
    output: str
    url: str


def test_pagefind_makes_the_same_index_from_only_what_it_indexes(tmp_path: Path) -> None:
    """The shards are made from `indexed_page` (faster): the files must be those the whole pages give, with
    Pagefind's title, filters, meta, sort, anchors and excerpts all coming from inside what is kept."""
    chrome = b"<header><p>Site name</p><nav>Sections, Most popular, <img src=/logo.png alt=logo></nav></header>"
    pages = {
        f"a{i}/index.html": b"<!DOCTYPE html><html lang=hy><head><title>Site</title>"
        b"</head><body>"
        + chrome
        + b'<article data-pagefind-body><h1 id="t">Headline %d</h1><h2 id="s">Part</h2>' % i
        + b"<p>Word%d text here.</p>" % i
        + b'<div hidden data-pagefind-ignore><span data-pagefind-filter="tag">T%d</span>' % (i % 2)
        + b'<span data-pagefind-sort="date">%d</span></div></article>' % (1000 + i)
        + b"<aside>Latest news and more</aside></body></html>"
        for i in range(6)
    }
    routes = [_Page(rel, "/" + rel.removesuffix("index.html")) for rel in sorted(pages)]
    whole = asyncio.run(_index_whole_pages(pages, routes))  # Pagefind fed the pages as they are
    kept = index_shard(pages.__getitem__, cast("list[Route]", routes), "hy")  # as a build does
    # Pagefind numbers pages in the order its threads finish them, so the index files may differ run to run; the
    # fragments (one per page: its text, title, filters, meta, anchors; named by their content) may not.
    assert {k: v for k, v in whole.items() if k.startswith("fragment/")} == {
        k: v for k, v in kept.items() if k.startswith("fragment/")
    }
    assert len([k for k in kept if k.startswith("fragment/")]) == len(pages)
    small = indexed_page(pages["a0/index.html"])
    assert small is not None and b"Site name" not in small and b"logo" not in small
    assert indexed_page(b"<html><body>no marker</body></html>") is None
    # What would change the index: whole pages are sent then.
    outside = pages["a0/index.html"].replace(b"<p>Site name</p>", b'<p data-pagefind-filter="x">Site</p>')
    assert indexed_page(outside) is None
    assert indexed_page(pages["a0/index.html"].replace(b"<p>Site name</p>", b"<H1>Site</H1>")) is None
    assert indexed_page(pages["a0/index.html"].replace(b"h1", b"h2")) is None


async def _index_whole_pages(pages: dict[str, bytes], routes: list[_Page]) -> dict[str, bytes]:
    async with PromptService() as service:
        index = await service.create_index(IndexConfig(force_language="hy"))
        # All sent before any reply is read, as index_shard does (Pagefind numbers pages in the order they come).
        await asyncio.gather(*(index.add_html_file(content=pages[r.output].decode(), url=r.url) for r in routes))
        files = await index.get_files()
    return kept_files({str(file["path"]): bytes(file["content"]) for file in files})
