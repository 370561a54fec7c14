"""Which shards a build makes, keeps and masks: the search index as archive shards that stay put and one small
recent shard that takes the changes.

Pagefind cannot change an index, and it indexes about 250 pages a second on the build machine, so a year of 1,000
articles costs 4 s to make again: more than the whole rest of a build that publishes one story. So a build never
makes an archive shard (a year, or a month: search_shards.py) again for an edit or a new article:
- the recent shard holds the newest `WINDOW` articles and every article added or changed since its archive shard was
  made; it is a few hundred pages at most, made again whenever one of them changes;
- an archive shard is kept as published. Its pages changed since are masked: the listing names their Pagefind ids,
  the search page drops them from its results and its filter counts, and their fragment files (the text a result
  shows) are removed from the output;
- when the recent shard holds more than `LIMIT` pages, those older than the window are folded into their archive
  shards, which are made again: once per `LIMIT - WINDOW` publishes, not at every one;
- an archive shard with a page that is published no more (deleted, made a draft, scheduled, expired, its body marker
  gone) is made again in that very build: nothing unpublished stays in an index file.

The window is what keeps the recent shard's results in their place. Pagefind scores by BM25, whose inverse document
frequency comes from each index's own page counts: in an index of three pages every word looks common, and its
results would rank below every archive result. With a hundred pages or more, a word's share of pages, and so its
weight, is about what an archive shard gives it.
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any, NamedTuple

from sitegen.paths import SEARCH_DIR
from sitegen.publish.search_shards import shard_keys
from sitegen.site.plan import Route

RECENT = "recent"  # the recent shard's folder under pagefind/
WINDOW = 100  # the newest articles, always in the recent shard: its word statistics stay like an archive shard's
LIMIT = 250  # the recent shard's size at which the pages older than the window go to their archive shards
# Added to each page the recent shard indexes, so that its Pagefind id (a hash of what the index holds of the page)
# differs from the one an archive shard gave the same text: a page edited and then changed back is shown from the
# recent shard while its archive id stays masked.
RECENT_FIELD = '<span hidden data-pagefind-meta="layer:recent"></span>'
SHARD_STATE_FILE = "sitegen-shard.json"  # in each shard's folder: what that shard was made from
_FRAGMENT_DIR = "fragment/"
_FRAGMENT_SUFFIX = ".pf_fragment"
_FRAGMENT_SIGNATURE = b"pagefind_dcd"  # how Pagefind starts every file once decompressed
_SALTS = 8  # tries at ids apart from the masked ones: each clashes with a chance of about a thousandth


@dataclass
class Shard:
    """A shard to make (or to carry over, when the published one was made from exactly these pages)."""

    key: str  # its folder under pagefind/
    pages: list[Route] = field(default_factory=list)  # with a marked body, by URL
    digest: str = ""
    salt: int = 0  # above 0: indexed again, so that its pages' ids differ from masked ones (made_apart)

    @property
    def folder(self) -> str:
        return f"{SEARCH_DIR}/{self.key}"

    @property
    def extra(self) -> str:
        """What is added to each of its pages for the index."""
        salt = f'<span hidden data-pagefind-meta="salt:{self.salt}"></span>' if self.salt else ""
        return (RECENT_FIELD if self.key == RECENT else "") + salt


class Entry(NamedTuple):
    """What a published shard's state file says of one of its pages (a tuple: 100,000 are read per build)."""

    digest: str  # of the page's indexed content, when the shard was made
    fragment: str  # Pagefind's id of the page: the name of its fragment file, what a search result's `id` is
    filters: Mapping[str, Sequence[str]]  # its filter values (section, tag, author), to take out of the counts


class Unreadable(Exception):  # noqa: N818 - an expected outcome: the shard is made again
    """A published shard's state file that does not read as sitegen writes it."""


@dataclass
class Published:
    """A published shard, intact, as its state file describes it. Its pages are read from the state only when a
    build needs them: at 100,000 articles reading all 121 states was a second of every build, and a shard whose
    pages are all as they were is known from its digest alone (plan_layout)."""

    key: str
    digest: str
    loaded: dict[str, Entry] | None  # by URL; None: not read yet (`read` reads them)
    files: list[str]  # its files, by path in the output
    fragments: frozenset[str]  # the ids whose fragment file is still published
    read: Callable[[], dict[str, Entry]] | None = None  # raises Unreadable

    @property
    def entries(self) -> dict[str, Entry]:
        """Its pages, by URL; raises Unreadable when its state does not read."""
        if self.loaded is None:
            if self.read is None:
                raise Unreadable(self.key)
            self.loaded = self.read()
        return self.loaded


@dataclass
class Kept:
    """A published archive shard carried over as it is, less what changed since it was made."""

    key: str
    files: list[str]  # to keep: all but the masked pages' fragments
    masked: list[Entry]  # its pages shown from the recent shard now
    pages: int  # that it still shows

    @property
    def folder(self) -> str:
        return f"{SEARCH_DIR}/{self.key}"


@dataclass
class Layout:
    made: list[Shard]  # archive shards made again and the recent shard (last), each with pages
    kept: list[Kept]

    @property
    def keys(self) -> list[str]:
        """Every shard the search page merges: the recent one first (the primary), then the archive, newest first."""
        archive = sorted({shard.key for shard in self.made if shard.key != RECENT} | {k.key for k in self.kept})
        return [RECENT] * any(shard.key == RECENT for shard in self.made) + archive[::-1]

    @property
    def pages(self) -> int:
        return sum(len(shard.pages) for shard in self.made) + sum(kept.pages for kept in self.kept)

    @property
    def masked(self) -> list[Entry]:
        return [entry for kept in self.kept for entry in kept.masked]


def plan_layout(
    pages: Sequence[Route],
    digests: Mapping[str, str],
    published: Mapping[str, Published],
    zone: tzinfo,
    shard_digest: Callable[[Shard, Mapping[str, str]], str],
    damaged: Iterable[str] = (),
) -> Layout:
    """Where each of `pages` (published articles with a marked body, `digests` their indexed content's by output
    path) is indexed, given the shards `published` by the last build (by key) and those it published that are
    `damaged` (a file deleted by hand, say: made again)."""
    marked = sorted(pages, key=lambda r: r.url)
    current = {route.url: route for route in marked}
    dates = [_date(route) for route in marked]
    keys = dict(zip(current, shard_keys(dates, zone), strict=True))
    newest = _newest(marked, dates, WINDOW)
    archive = {key: shard for key, shard in published.items() if key != RECENT}
    candidates: dict[str, list[Route]] = {}  # what each archive shard would be made from now
    for route in marked:
        if route.url not in newest:
            candidates.setdefault(keys[route.url], []).append(route)
    whole = {key for key, shard in archive.items() if _whole(shard, candidates.get(key, []), digests, shard_digest)}
    live, remade = _liveness(archive, whole, candidates, current, keys, digests)
    remade |= set(damaged) - {RECENT}
    while True:
        recent = _recent(marked, keys, newest, live, remade)
        if len(recent) > LIMIT:
            remade |= {keys[route.url] for route in recent if route.url not in newest}
            recent = _recent(marked, keys, newest, live, remade)
        kept = [_kept(shard, live[key], key in whole) for key, shard in sorted(archive.items())
                if key not in remade and live[key]]  # fmt: skip
        clashing = _clashing(kept, archive, live, whole)
        if not clashing:
            break
        remade |= clashing  # made again, they have no masked pages
    made = [Shard(key, candidates.get(key, [])) for key in sorted(remade)]
    made = [shard for shard in made if shard.pages]  # a year with no articles any more: its shard goes
    if recent:
        made.append(Shard(RECENT, recent))
    for shard in made:
        shard.digest = shard_digest(shard, digests)
    return Layout(made, kept)


def _date(route: Route) -> Any:
    return route.article.date if route.article is not None else None


def _newest(pages: Sequence[Route], dates: Sequence[Any], count: int) -> set[str]:
    """The URLs of the `count` newest `pages` (`dates`: theirs; undated last; among equal dates, by URL). Compared as
    plain tuples, without a key function: a call per page of the archive was a third of the layout's time."""
    dated = heapq.nlargest(count, ((d, r.url) for d, r in zip(dates, pages, strict=True) if d is not None))
    undated = [r.url for d, r in zip(dates, pages, strict=True) if d is None][: count - len(dated)]
    return {url for _, url in dated} | set(undated)


def _liveness(
    archive: Mapping[str, Published],
    whole: set[str],
    candidates: Mapping[str, Sequence[Route]],
    current: Mapping[str, Route],
    keys: Mapping[str, str],
    digests: Mapping[str, str],
) -> tuple[dict[str, set[str]], set[str]]:
    """The URLs each archive shard still shows as they are, and the shards to make again: those with a page published
    no more (taken out at once, whatever that costs) and those whose state does not read. Only the states of shards
    not whole are read."""
    live: dict[str, set[str]] = {}
    remade: set[str] = set()
    for key, shard in archive.items():
        if key in whole:
            live[key] = {route.url for route in candidates[key]}
            continue
        try:
            live[key] = _live(shard, current, keys, digests)
            if any(url not in current for url in shard.entries):
                remade.add(key)
        except Unreadable:
            live[key] = set()
            remade.add(key)
    return live, remade


def _whole(
    shard: Published,
    pages: Sequence[Route],
    digests: Mapping[str, str],
    shard_digest: Callable[[Shard, Mapping[str, str]], str],
) -> bool:
    """Whether `shard` shows exactly `pages` as they are now, every fragment still there: it was made from the very
    pages its key would be made from now (its digest covers each page's URL and indexed content), and nothing of it
    has been masked since (a masked page's fragment is gone). Its state need not be read."""
    return (
        bool(pages)
        and len(shard.fragments) == len(pages)
        and shard.digest == shard_digest(Shard(shard.key, list(pages)), digests)
    )


def _live(
    shard: Published, current: Mapping[str, Route], keys: Mapping[str, str], digests: Mapping[str, str]
) -> set[str]:
    """The URLs `shard` still shows as they are: published, in its key, unchanged, their fragment still there."""
    return {
        url
        for url, entry in shard.entries.items()
        if url in current
        and keys[url] == shard.key
        and digests[current[url].output] == entry.digest
        and entry.fragment in shard.fragments
    }


def _recent(
    marked: Sequence[Route], keys: Mapping[str, str], newest: set[str], live: Mapping[str, set[str]], remade: set[str]
) -> list[Route]:
    """The pages no kept archive shard shows and no remade one takes (a remade shard takes its key's pages older
    than the window)."""
    shown = set().union(*(urls for key, urls in live.items() if key not in remade))
    return [r for r in marked if r.url not in shown and not (keys[r.url] in remade and r.url not in newest)]


def _clashing(
    kept: Sequence[Kept], archive: Mapping[str, Published], live: Mapping[str, set[str]], whole: set[str]
) -> set[str]:
    """The kept shards with a masked page whose id a page shown from another kept shard has: Pagefind's ids are 7
    hex digits, unique within one index only, and the search page drops every result with a masked id. A whole
    shard shows every id it has a fragment for."""
    if not any(k.masked for k in kept):
        return set()
    shown: set[str] = set()
    for k in kept:
        shard = archive[k.key]
        shown |= shard.fragments if k.key in whole else {shard.entries[url].fragment for url in live[k.key]}
    return {k.key for k in kept if any(entry.fragment in shown for entry in k.masked)}


def reusable(shard: Shard, published: Mapping[str, Published], masked: set[str]) -> bool:
    """Whether the published shard of `shard`'s key was made from exactly its pages, has every page's fragment,
    and shows none under a masked id."""
    found = published.get(shard.key)
    if found is None or found.digest != shard.digest:
        return False
    try:
        ids = {entry.fragment for entry in found.entries.values()}
    except Unreadable:
        return False
    return ids <= found.fragments and not ids & masked


def made_apart(shard: Shard, masked: set[str], index: Callable[[Shard], Mapping[str, bytes]]) -> Mapping[str, bytes]:
    """`shard`'s index files (`index` makes them), none of whose pages has a masked id. A clash (about one build in
    a thousand that masks pages) is indexed again with a salt field, which gives every page another id."""
    files: Mapping[str, bytes] = {}
    for salt in range(_SALTS):
        shard.salt = salt
        files = index(shard)
        if not files or not masked & fragment_ids(files):
            break
    return files


def fragment_ids(files: Iterable[str]) -> set[str]:
    """The ids of the pages of an index's files, by path in its folder."""
    return {fragment for rel in files if (fragment := _fragment_id(rel)) is not None}


def _fragment_id(rel: str) -> str | None:
    """The id of the page whose fragment is `rel` (a path in a shard's folder); None for another file."""
    if rel.startswith(_FRAGMENT_DIR) and rel.endswith(_FRAGMENT_SUFFIX):
        return rel[len(_FRAGMENT_DIR) : -len(_FRAGMENT_SUFFIX)]
    return None


def _kept(shard: Published, live: set[str], whole: bool) -> Kept:
    if whole:
        return Kept(shard.key, shard.files, [], len(live))
    masked = [entry for url, entry in sorted(shard.entries.items()) if url not in live]
    gone = {_fragment_file(shard.key, entry.fragment) for entry in masked}
    return Kept(shard.key, [rel for rel in shard.files if rel not in gone], masked, len(live))


def _fragment_file(key: str, fragment: str) -> str:
    return f"{SEARCH_DIR}/{key}/{_FRAGMENT_DIR}{fragment}{_FRAGMENT_SUFFIX}"


def uncounted(masked: Iterable[Entry]) -> dict[str, dict[str, int]]:
    """What the masked pages add to the index's filter counts, which the search page takes off."""
    counts: dict[str, Counter[str]] = {}
    for entry in masked:
        for name, values in entry.filters.items():
            counts.setdefault(name, Counter()).update(values)
    return {name: dict(sorted(counter.items())) for name, counter in sorted(counts.items())}


def entries(files: Mapping[str, bytes], digests: Mapping[str, str]) -> dict[str, Entry]:
    """Each page of a newly made shard (`files`, Pagefind's, by path in its folder), by URL, from its fragment;
    `digests`: each page's indexed-content digest, by URL."""
    found: dict[str, Entry] = {}
    for rel, data in files.items():
        page_id = _fragment_id(rel)
        if page_id is None:
            continue
        fragment = json.loads(gzip.decompress(data).removeprefix(_FRAGMENT_SIGNATURE))
        url = fragment["url"]
        filters = {str(k): [str(v) for v in vs] for k, vs in sorted(fragment.get("filters", {}).items())}
        found[url] = Entry(digests.get(url, ""), page_id, filters)
    return dict(sorted(found.items()))


def state(shard: Shard, made: Mapping[str, Entry]) -> bytes:
    """A made shard's state file: its digest and, per page, what it was indexed from."""
    pages = {url: [e.digest, e.fragment, e.filters] for url, e in made.items()}
    return json.dumps({"generator": "sitegen", "digest": shard.digest, "pages": pages}, separators=(",", ":")).encode()


def published_shards(
    output: Path, manifest: Mapping[str, tuple[str, int]], intact: Callable[[list[str]], bool]
) -> tuple[dict[str, Published], set[str]]:
    """The shards the last build published in `output` (`manifest`: its files), by key, those whose state file
    reads and whose every file is there as published (`intact`); and the keys of the others, damaged."""
    folders: dict[str, list[str]] = {}
    for rel in manifest:
        if rel.startswith(f"{SEARCH_DIR}/") and rel.count("/") >= 2:
            folders.setdefault(rel.split("/", 2)[1], []).append(rel)
    shards = {}
    for key, files in folders.items():
        shard = _read_state(output, manifest, key, files)
        if shard is not None and intact(files):
            shards[key] = shard
    return shards, set(folders) - set(shards)


def _read_state(output: Path, manifest: Mapping[str, tuple[str, int]], key: str, files: list[str]) -> Published | None:
    """A published shard whose state file is there as published, its pages left to read when asked for."""
    rel = f"{SEARCH_DIR}/{key}/{SHARD_STATE_FILE}"
    if rel not in manifest:
        return None
    sha = manifest[rel][0]
    try:
        data = _bytes(output / rel, sha)
    except Unreadable:
        return None
    folder = f"{SEARCH_DIR}/{key}/"
    fragments = frozenset(fragment_ids(name.removeprefix(folder) for name in files))
    head = _STATE_HEAD.match(data)  # the digest, where `state` writes it: the pages need not be parsed to know it
    if head is None:
        try:
            return Published(key, str(json.loads(data)["digest"]), _entries_of(data), sorted(files), fragments)
        except (Unreadable, ValueError, KeyError, TypeError):
            return None  # an older build's state, or damaged: the shard is made again
    # Read again when asked, not held: the states of 100,000 articles are 23 MB, and most are never asked for.
    return Published(
        key, head.group(1).decode(), None, sorted(files), fragments, lambda: _entries_of(_bytes(output / rel, sha))
    )


def _bytes(path: Path, sha: str) -> bytes:
    """The file's bytes, if they are still the ones published (`sha`)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Unreadable(str(exc)) from exc
    if hashlib.sha256(data).hexdigest() != sha:
        raise Unreadable(f"{path} changed")
    return data


_STATE_HEAD = re.compile(rb'\{"generator":"sitegen","digest":"([0-9a-f]{64})","pages":\{')


def _entries_of(data: bytes) -> dict[str, Entry]:
    """The pages of a state file, by URL."""
    try:
        raw = json.loads(data)
        # Trusted as written (its bytes are the manifest's): only its shape is checked, not each filter value.
        made = {url: Entry(d, f, filters) for url, (d, f, filters) in raw["pages"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise Unreadable(str(exc)) from exc
    if not all(isinstance(e.digest, str) and isinstance(e.fragment, str) and isinstance(e.filters, dict)
               for e in made.values()):  # fmt: skip
        raise Unreadable("not a state of pages")
    return made
