"""Full-text search: the published article pages indexed with Pagefind, the index published with the site.

Pagefind builds a chunked static index (a reader's browser downloads only the parts a query needs) and a small JS API
that `/search/` uses. The index is split into shards, one per year (search_shards.py), each a Pagefind bundle in
`pagefind/<year>/`; `pagefind/sitegen-search.json` lists them, newest first, and the search page merges them
(Pagefind's `mergeIndex`). Each shard is made from the very bytes this build publishes, fed to Pagefind from memory
through its Python API, one shard at a time (a build holds one year's index, whatever the archive's size), then
handed file by file to the Publisher: staged, recorded in the manifest and committed atomically with the pages it
describes; a later build removes what it no longer needs (a year without articles any more).

Only article pages the public may see are indexed (never drafts, scheduled or expired articles, even in a preview
build with --drafts/--future), and of each page only the element marked `data-pagefind-body` (headline and body).

A shard is re-indexed only when what is indexed of its pages changed: each shard folder holds a state file with the
digest of its pages' indexed content (plus the Pagefind version and the index language), so it always describes the
index next to it. What each page's indexed content is, by the page's bytes, is remembered in a hidden file of the
output (published with the index): only pages whose bytes changed are read again.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from sitegen.config import Config
from sitegen.errors import Problem, UsageError, error, warning
from sitegen.paths import SEARCH_DIR, SEARCH_STATE_FILE, TEMPLATES_DIR
from sitegen.publish.search_shards import SearchStats, content_digest, shard_keys
from sitegen.publish.writer import Publisher
from sitegen.site.assemble import Visibility
from sitegen.site.plan import ARTICLE_PAGE, Route

STATE_FILE = f"{SEARCH_DIR}/{SEARCH_STATE_FILE}"  # the shards, newest first: what the search page merges
SHARD_STATE_FILE = "sitegen-shard.json"  # in each shard's folder: what that shard was made from
MEMO_FILE = ".sitegen-search-pages.json"  # each page's indexed-content digest, by its bytes' hash (a dot name: never
# served; published like any file, so it goes with search off)
_FORMAT = 2  # bump when what goes into the index changes in a way the digest cannot see


@dataclass
class Shard:
    key: str  # its folder under pagefind/
    pages: list[Route] = field(default_factory=list)  # with a marked body, by URL
    unmarked: list[Route] = field(default_factory=list)
    digest: str = ""

    @property
    def folder(self) -> str:
        return f"{SEARCH_DIR}/{self.key}"


def publish_search(
    publisher: Publisher, routes: Sequence[Route], config: Config, now: datetime
) -> tuple[SearchStats, list[Problem]]:
    """Index the article pages staged or kept in `publisher` and put the index into it; with search off, nothing.

    With search off nothing is put, so an index an earlier build published is removed at commit.
    """
    if not config.search.enabled:
        return SearchStats(), []
    started = time.perf_counter()
    pages = [r for r in routes if indexable(r, now)]
    hashes = {r.output: publisher.current[r.output][0] for r in pages}
    read = _page_reader(publisher)
    digests, memo = page_digests(publisher.output, hashes, read)
    publisher.put(MEMO_FILE, memo)  # committed with the index it describes; a refused build leaves the old one
    planned = plan_shards(pages, digests, config.language, config.tz)
    shards = [shard for shard in planned if shard.pages]
    stats = SearchStats(shards=len(shards))
    for shard in shards:
        if _carry_over(publisher, shard):
            continue
        from sitegen.publish.pagefind_service import index_shard  # loaded only when a shard is indexed

        for rel, data in shard_files(shard, index_shard(read, shard.pages, config.language)).items():
            publisher.put(rel, data)
        stats.shards_indexed += 1
    publisher.put(STATE_FILE, listing(shards))
    stats.pages = sum(len(s.pages) for s in shards)
    stats.reindexed = stats.shards_indexed > 0
    stats.seconds = time.perf_counter() - started
    stats.files = _published_files(publisher)
    return stats, unmarked_warnings(planned)


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


def indexable(route: Route, now: datetime) -> bool:
    """An article page the public may see: drafts, scheduled and expired articles stay out even in preview builds."""
    article = route.article
    return route.kind == ARTICLE_PAGE and article is not None and Visibility(now).shows(article)


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


def plan_shards(pages: Sequence[Route], digests: Mapping[str, str], language: str, zone: tzinfo) -> list[Shard]:
    """The shards `pages` make, newest first (years and months in the site's time zone, `zone`), each with the digest
    of what it indexes (one whose pages all lack the body marker has none to index: it is not published)."""
    shards: dict[str, Shard] = {}
    ordered = sorted(pages, key=lambda r: r.url)
    keys = shard_keys([route.article.date if route.article is not None else None for route in ordered], zone)
    for route, key in zip(ordered, keys, strict=True):
        shard = shards.setdefault(key, Shard(key))
        (shard.pages if digests[route.output] else shard.unmarked).append(route)
    for shard in shards.values():
        h = hashlib.sha256(f"{_FORMAT}\0{_pagefind_version()}\0{language}\0{shard.key}".encode())
        for route in shard.pages:
            h.update(f"\0{route.url}\0{digests[route.output]}".encode())
        shard.digest = h.hexdigest()
    return [shards[key] for key in sorted(shards, reverse=True)]


def _pagefind_version() -> str:
    from importlib import metadata  # here: only a build with search on asks, and the module costs 30 ms to load

    try:
        return metadata.version("pagefind_bin")
    except metadata.PackageNotFoundError:
        return "unknown"


def shard_state(shard: Shard) -> dict[str, Any]:
    """What a shard was made from; a build that keeps it repeats its warning from here."""
    state: dict[str, Any] = {"generator": "sitegen", "digest": shard.digest, "pages": len(shard.pages),
                             "unmarked": len(shard.unmarked)}  # fmt: skip
    if shard.unmarked:
        state.update(template=shard.unmarked[0].template, example=shard.unmarked[0].url)
    return state


def shard_files(shard: Shard, files: Mapping[str, bytes]) -> dict[str, bytes]:
    """What a newly indexed shard publishes, by path in the output: Pagefind's files (`files`, by path in the
    shard's folder) and the state file saying what they were made from."""
    published = {f"{shard.folder}/{rel}": data for rel, data in sorted(files.items())}
    published[f"{shard.folder}/{SHARD_STATE_FILE}"] = json.dumps(shard_state(shard), indent=0).encode()
    return published


def listing(shards: Sequence[Shard]) -> bytes:
    """The top-level state file: the shards the search page merges, newest first (the first is its primary)."""
    return json.dumps({"generator": "sitegen", "shards": [s.key for s in shards],
                       "pages": sum(len(s.pages) for s in shards)}, indent=0).encode()  # fmt: skip


def unmarked_warnings(shards: Sequence[Shard]) -> list[Problem]:
    unmarked = [route for shard in shards for route in shard.unmarked]
    if not unmarked:
        return []
    # Without the marker Pagefind would index the whole page, sidebars and navigation included: left out.
    return [warning(f"{TEMPLATES_DIR}/{unmarked[0].template}", None,
                    f"{len(unmarked)} article page(s) have no data-pagefind-body element and are left out of the "
                    f"search index, e.g. {unmarked[0].url}")]  # fmt: skip


def published_shard_digest(output: Path, key: str) -> str | None:
    """The digest the shard `key` in `output` was made from, as its state file says (None: no such shard)."""
    try:
        state = json.loads((output / SEARCH_DIR / key / SHARD_STATE_FILE).read_bytes())
    except (OSError, ValueError):
        return None
    digest = state.get("digest") if isinstance(state, dict) else None
    return digest if isinstance(digest, str) else None


def _carry_over(publisher: Publisher, shard: Shard) -> bool:
    """Keep the published shard when it was made from exactly these pages (all its files or none)."""
    state_file = f"{shard.folder}/{SHARD_STATE_FILE}"
    entry = publisher.previous.get(state_file)
    if entry is None:
        return False
    try:
        data = (publisher.output / state_file).read_bytes()
        if hashlib.sha256(data).hexdigest() != entry[0] or json.loads(data).get("digest") != shard.digest:
            return False
    except (OSError, ValueError, AttributeError):
        return False
    return publisher.keep_all(sorted(rel for rel in publisher.previous if rel.startswith(f"{shard.folder}/")))


def _published_files(publisher: Publisher) -> int:
    return sum(1 for rel in publisher.current if rel.startswith(f"{SEARCH_DIR}/"))
