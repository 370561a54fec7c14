"""Which search shard an article belongs to, and what of its page the index is made from.

The index is split into shards, one per year of publication (one per month in a year of more than 2,500
articles), each a Pagefind index of its own under `pagefind/<key>/`: an edit re-indexes one shard, a build holds one
shard's index in memory at a time, and the search page merges them all (Pagefind's `mergeIndex`). A year is the unit
because an article never moves between years unless its date is edited, and old years, the bulk of an archive, then
stay untouched for good; the month split keeps a shard of a large archive small enough to make and hold quickly.

A shard is re-indexed only when what Pagefind reads of its pages changed: the `data-pagefind-body` element (headline,
text, the hidden filter/meta/sort fields inside it) and any `data-pagefind-*` field elsewhere on the page. The rest of
a page (latest news, sidebars, the fingerprinted stylesheet's name) changes often and is not indexed.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

BODY_MARKER = b"data-pagefind-body"
_FIELD = re.compile(rb"<[^>]*\bdata-pagefind-(?:filter|meta|sort)\b[^>]*>[^<]*")
_H1 = re.compile(rb"<h1\b", re.IGNORECASE)
_TAG_NAME = re.compile(rb"<([A-Za-z][A-Za-z0-9-]*)")


@dataclass
class SearchStats:
    pages: int = 0  # article pages in the index
    reindexed: bool = False  # False: nothing indexed changed, every published shard was carried over
    seconds: float = 0.0
    files: int = 0  # files in the published index
    shards: int = 0
    shards_indexed: int = 0


YEAR_LIMIT = 2500  # a year with more articles is split into months: a shard's index stays small to make and to hold


def shard_keys(dates: Sequence[datetime | None], zone: tzinfo, limit: int = YEAR_LIMIT) -> list[str]:
    """Each article's shard, by its publication date in the site's time zone (`zone`): its year, or its month
    (`2024-03`) when its year has more than `limit` articles. All in one zone, so keys sort as the articles' moments
    do, whatever offset each date was written with (in its own offset, an article of 23:00 on 31 December in New York
    would sort into an older year than one published before it in Yerevan on 1 January)."""
    local = [None if date is None else _local_month(date, zone) for date in dates]
    years = Counter(month[0] for month in local if month is not None)
    names = {month: _key(month, month is not None and years[month[0]] > limit) for month in set(local)}
    return [names[month] for month in local]


def _key(month: tuple[int, int] | None, by_month: bool) -> str:
    if month is None:
        return "0000"
    return f"{month[0]:04d}-{month[1]:02d}" if by_month else f"{month[0]:04d}"


def _local_month(date: datetime, zone: tzinfo) -> tuple[int, int]:
    """The year and month of `date` in `zone`. An offset is less than a day either way (what a date may be written
    with, and what a zone has ever used), so two differ by less than 48 hours, and a date from the 3rd to the 26th of
    its month is in that month in any zone (every month has 28 days or more): only the others are converted
    (converting 100,000 dates was a quarter of a second of every build)."""
    if 3 <= date.day <= 26:
        return date.year, date.month
    moment = date.astimezone(zone)
    return moment.year, moment.month


def indexed_content(page: bytes) -> bytes | None:
    """What Pagefind indexes of `page`: its marked body element and every search field; None without a marked body."""
    parts = _indexed_parts(page)
    return None if parts is None else page[parts[0] : parts[1]] + b"\0" + parts[2]


def indexed_page(page: bytes) -> bytes | None:
    """Only the marked body of `page`, as a page, when Pagefind makes the very same index files of it as of the
    whole page (checked on the shared corpus: byte for byte) — in about two thirds of the time, as it need not
    parse the navigation, sidebars and footer of every page. None when something outside the body counts: a
    search field, or an `<h1>` (Pagefind takes the title from the page's first one), or no `<h1>` in the body."""
    parts = _indexed_parts(page)
    if parts is None or parts[2]:
        return None
    start, end, _ = parts
    first_h1 = _H1.search(page)
    if first_h1 is None or not start < first_h1.start() < end:
        return None
    return b"<!DOCTYPE html><html><head><meta charset=utf-8></head><body>" + page[start:end] + b"</body></html>"


def with_field(page: bytes, field: bytes) -> bytes:
    """`page` with `field` (markup: a hidden metadata element) first inside its marked body element, where Pagefind
    reads it (it skips one outside that element, or after the document's end); unchanged without a marked body."""
    marker = page.find(BODY_MARKER)
    close = page.find(b">", marker)
    return page if marker < 0 or close < 0 else page[: close + 1] + field + page[close + 1 :]


def _indexed_parts(page: bytes) -> tuple[int, int, bytes] | None:
    """Where the marked body element starts and ends, and the search fields outside it."""
    marker = page.find(BODY_MARKER)
    if marker < 0:
        return None
    start = page.rfind(b"<", 0, marker)
    name = _TAG_NAME.match(page, start)
    end = _element_end(page, start, name.group(1).lower()) if name else len(page)
    fields = b"".join(m.group(0) for m in _FIELD.finditer(page, 0, start))
    fields += b"".join(m.group(0) for m in _FIELD.finditer(page, end))
    return start, end, fields


def content_digest(page: bytes) -> str:
    content = indexed_content(page)
    return "" if content is None else hashlib.sha256(content).hexdigest()[:32]


def _element_end(page: bytes, start: int, name: bytes) -> int:
    """Where the element opened at `start` closes (nested same-named elements counted), else the end."""
    pattern = re.compile(rb"<(/?)" + re.escape(name) + rb"\b", re.IGNORECASE)
    depth = 0
    for match in pattern.finditer(page, start):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            close = page.find(b">", match.end())
            return len(page) if close < 0 else close + 1
    return len(page)
