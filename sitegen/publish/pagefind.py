"""Full-text search: the published article pages indexed with Pagefind, the index published with the site.

Pagefind builds a chunked static index (a reader's browser downloads only the parts a query needs) and a small JS API
that `/search/` uses. The index is split into shards: archive shards, one per year (search_shards.py), and a recent
shard that takes the changes (search_layers.py), each a Pagefind bundle in `pagefind/<key>/`;
`pagefind/sitegen-search.json` lists them, with the archive's pages shown from the recent shard now, and the search
page merges them (Pagefind's `mergeIndex`). Each shard is made from the very bytes this build publishes, fed to
Pagefind from memory through its Python API, one shard at a time (a build holds one year's index, whatever the
archive's size), then handed file by file to the Publisher: staged, recorded in the manifest and committed
atomically with the pages it describes; a later build removes what it no longer needs (a year without articles any
more, the fragments of masked pages).

Only article pages the public may see are indexed (never drafts, scheduled or expired articles, even in a preview
build with --drafts/--future), and of each page only the element marked `data-pagefind-body` (headline and body).

Each shard folder holds a state file with, per page, the digest of its indexed content and its Pagefind id, and the
digest of the whole (plus the Pagefind version and the index language), so it always describes the index next to it.
What each page's indexed content is, by the page's bytes, is remembered in a hidden file of the output (published
with the index): only pages whose bytes changed are read again.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

from sitegen.config import Config
from sitegen.errors import Problem, UsageError, error, warning
from sitegen.paths import SEARCH_DIR, SEARCH_STATE_FILE, TEMPLATES_DIR
from sitegen.publish.search_layers import (
    RECENT,
    SHARD_STATE_FILE,
    Layout,
    Shard,
    entries,
    made_apart,
    plan_layout,
    published_shards,
    reusable,
    state,
    uncounted,
)
from sitegen.publish.search_shards import SearchStats, content_digest
from sitegen.publish.writer import Publisher
from sitegen.site.assemble import Visibility
from sitegen.site.plan import ARTICLE_PAGE, Route

STATE_FILE = f"{SEARCH_DIR}/{SEARCH_STATE_FILE}"  # the shards, recent first: what the search page merges
MEMO_FILE = ".sitegen-search-pages.json"  # each page's indexed-content digest, by its bytes' hash (a dot name: never
# served; published like any file, so it goes with search off)
_FORMAT = 2  # bump when what goes into the index changes in a way the digest cannot see


def publish_search(
    publisher: Publisher, routes: Sequence[Route], config: Config, now: datetime
) -> tuple[SearchStats, list[Problem]]:
    """Index the article pages staged or kept in `publisher` and put the index into it; with search off, nothing.

    With search off nothing is put, so an index an earlier build published is removed at commit.
    """
    if not config.search.enabled:
        return SearchStats(), []
    started = time.perf_counter()
    pages = indexable(routes, now)
    hashes = {r.output: publisher.current[r.output][0] for r in pages}
    read = _page_reader(publisher)
    digests, memo = page_digests(publisher.output, hashes, read)
    publisher.put(MEMO_FILE, memo)  # committed with the index it describes; a refused build leaves the old one
    published, damaged = published_shards(publisher.output, publisher.previous, publisher.intact)
    marked = [r for r in pages if digests[r.output]]
    layout = plan_layout(marked, digests, published, config.tz, shard_digest(config.language), damaged)
    for kept in layout.kept:
        if not publisher.keep_all(kept.files):
            message = "was changed while this build ran: nothing was published; build again to make it anew"
            raise UsageError([error(str(publisher.output / kept.folder), None, message)])
    stats = SearchStats(shards=len(layout.keys))
    masked = {entry.fragment for entry in layout.masked}
    for shard in layout.made:
        if reusable(shard, published, masked) and publisher.keep_all(published[shard.key].files):
            continue
        from sitegen.publish.pagefind_service import index_shard  # loaded only when a shard is indexed

        made = made_apart(shard, masked, lambda s: index_shard(read, s.pages, config.language, extra=s.extra))
        for rel, data in shard_files(shard, made, digests).items():
            publisher.put(rel, data)
        stats.shards_indexed += 1
    publisher.put(STATE_FILE, listing(layout))
    stats.pages = len(marked)
    stats.reindexed = stats.shards_indexed > 0
    stats.seconds = time.perf_counter() - started
    stats.files = _published_files(publisher)
    return stats, unmarked_warnings([r for r in pages if not digests[r.output]])


def _page_reader(publisher: Publisher) -> Callable[[str], bytes]:
    """A page's bytes, for the index. A kept page deleted from the output folder while this build ran (after the
    build found it there) stops the build with its name: nothing is published, and the next build, which finds it
    missing, renders it again."""

    def read(rel: str) -> bytes:
        try:
            return publisher.read(rel)
        except FileNotFoundError as exc:
            message = "was deleted while this build ran: nothing was published; build again to make it anew"
            raise UsageError([error(str(publisher.output / rel), None, message)]) from exc

    return read


def indexable(routes: Iterable[Route], now: datetime) -> list[Route]:
    """The article pages the public may see: drafts, scheduled and expired articles stay out even in preview builds.
    One `Visibility` for them all: it holds the build time once per date offset, and 100,000 pages are asked."""
    public = Visibility(now).shows
    return [r for r in routes if r.kind == ARTICLE_PAGE and r.article is not None and public(r.article)]


def page_digests(output: Path, hashes: Mapping[str, str], read: Callable[[str], bytes]) -> tuple[dict[str, str], bytes]:
    """Each page's indexed-content digest ("" without a marked body), by output path (`hashes`: each page's bytes'
    SHA-256, as the manifest records them), and the memo to publish for the next build: exactly these pages. Pages
    whose bytes the published memo knows are not read."""
    memo = _read_memo(output / MEMO_FILE)
    digests: dict[str, str] = {}
    kept: dict[str, str] = {}
    for rel, sha in hashes.items():
        digest = memo.get(sha)
        if digest is None:
            digest = content_digest(read(rel))
        digests[rel] = kept[sha] = digest
    return digests, json.dumps({"format": _FORMAT, "pages": kept}, separators=(",", ":"), sort_keys=True).encode()


def _read_memo(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}  # a memo is only a shortcut: without one every page is read
    if not isinstance(data, dict) or data.get("format") != _FORMAT or not isinstance(data.get("pages"), dict):
        return {}
    return {k: v for k, v in data["pages"].items() if isinstance(v, str)}


def shard_digest(language: str) -> Callable[[Shard, Mapping[str, str]], str]:
    """What a shard is made from, as one digest: its pages' indexed content, and what else shapes the index."""
    version = _pagefind_version()

    def digest(shard: Shard, digests: Mapping[str, str]) -> str:
        h = hashlib.sha256(f"{_FORMAT}\0{version}\0{language}\0{shard.key}".encode())
        for route in shard.pages:
            h.update(f"\0{route.url}\0{digests[route.output]}".encode())
        return h.hexdigest()

    return digest


def _pagefind_version() -> str:
    from importlib import metadata  # here: only a build with search on asks, and the module costs 30 ms to load

    try:
        return metadata.version("pagefind_bin")
    except metadata.PackageNotFoundError:
        return "unknown"


def shard_files(shard: Shard, files: Mapping[str, bytes], digests: Mapping[str, str]) -> dict[str, bytes]:
    """What a newly indexed shard publishes, by path in the output: Pagefind's files (`files`, by path in the
    shard's folder) and the state file saying what each page was indexed from (`digests`, by output path)."""
    published = {f"{shard.folder}/{rel}": data for rel, data in sorted(files.items())}
    by_url = {route.url: digests[route.output] for route in shard.pages}
    published[f"{shard.folder}/{SHARD_STATE_FILE}"] = state(shard, entries(files, by_url))
    return published


def listing(layout: Layout) -> bytes:
    """The top-level state file: the shards the search page merges (the first is its primary), and the pages of
    kept shards it hides: their ids, and what they add to each filter's counts."""
    masked = layout.masked
    return json.dumps({"generator": "sitegen", "shards": layout.keys, "recent": RECENT if RECENT in layout.keys
                       else None, "pages": layout.pages, "masked": sorted(e.fragment for e in masked),
                       "uncounted": uncounted(masked)}, indent=0).encode()  # fmt: skip


def unmarked_warnings(unmarked: Sequence[Route]) -> list[Problem]:
    if not unmarked:
        return []
    # Without the marker Pagefind would index the whole page, sidebars and navigation included: left out.
    return [warning(f"{TEMPLATES_DIR}/{unmarked[0].template}", None,
                    f"{len(unmarked)} article page(s) have no data-pagefind-body element and are left out of the "
                    f"search index, e.g. {unmarked[0].url}")]  # fmt: skip


def _published_files(publisher: Publisher) -> int:
    return sum(1 for rel in publisher.current if rel.startswith(f"{SEARCH_DIR}/"))
