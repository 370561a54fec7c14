from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sitegen.publish.search_shards import content_digest, indexed_content, shard_keys

TZ = timezone(timedelta(hours=4))


def test_a_shard_per_year_and_per_month_in_a_crowded_year() -> None:
    dates = [datetime(2023, 5, 1, tzinfo=TZ), datetime(2024, 1, 2, tzinfo=TZ), datetime(2024, 3, 2, tzinfo=TZ),
             datetime(2024, 3, 9, tzinfo=TZ), datetime(2022, 12, 31, 23, tzinfo=TZ)]  # fmt: skip
    assert shard_keys(dates) == ["2023", "2024", "2024", "2024", "2022"]
    assert shard_keys(dates, limit=2) == ["2023", "2024-01", "2024-03", "2024-03", "2022"]
    assert sorted(set(shard_keys(dates, limit=2)), reverse=True) == ["2024-03", "2024-01", "2023", "2022"]


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
