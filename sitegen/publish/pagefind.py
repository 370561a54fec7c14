"""Full-text search: the published article pages indexed with Pagefind, the index published with the site.

Pagefind builds a chunked static index (a reader's browser downloads only the parts a query needs) and a small JS API
that `/search/` uses. The index is made from the very bytes this build publishes (copied to a scratch folder and
indexed there by the Pagefind CLI), then handed file by file to the Publisher: it is staged, recorded in the manifest
and committed atomically with the pages it describes, and a later build removes what it no longer needs.

Only article pages the public may see are indexed (never drafts, scheduled or expired articles, even in a preview
build with --drafts/--future), and of each page only the element marked `data-pagefind-body` (headline and body).

Re-indexing is skipped when no indexed page changed: a digest of the indexed pages' bytes (plus the Pagefind version
and the index language) is published inside the index folder, so it always describes the index next to it.

`sitegen serve` keeps its index by running a whole `sitegen build` in the background (preview/search_build.py).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sitegen.config import Config
from sitegen.errors import Problem, UsageError, error, warning
from sitegen.paths import SEARCH_DIR, SEARCH_STATE_FILE, TEMPLATES_DIR
from sitegen.publish.writer import Publisher
from sitegen.site.assemble import Visibility
from sitegen.site.plan import ARTICLE_PAGE, Route

STATE_FILE = f"{SEARCH_DIR}/{SEARCH_STATE_FILE}"
BODY_MARKER = b"data-pagefind-body"
SEARCH_ASSETS = ("js/search.js",)  # theme files only the search page uses: not published with search off
_FORMAT = 1  # bump when what goes into the index changes in a way the digest cannot see


@dataclass
class SearchStats:
    pages: int = 0  # article pages in the index
    reindexed: bool = False  # False: nothing indexed changed, the published index was carried over
    seconds: float = 0.0
    files: int = 0  # files in the published index


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
    digest = index_digest({r.output: publisher.current[r.output][0] for r in pages}, pages, config.language)
    state = _carry_over(publisher, digest)
    reindexed = state is None
    if state is None:
        files, unmarked = run_pagefind(publisher.read, pages, config.language)
        state = index_state(digest, len(pages) - len(unmarked), unmarked)
        for rel, data in index_files(files, state).items():
            publisher.put(rel, data)
    problems: list[Problem] = []
    if state.get("unmarked"):
        # Without the marker Pagefind would index the whole page, sidebars and navigation included: left out.
        problems.append(warning(f"{TEMPLATES_DIR}/{state['template']}", None,
                                f"{state['unmarked']} article page(s) have no data-pagefind-body element and are left "
                                f"out of the search index, e.g. {state['example']}"))  # fmt: skip
    stats = SearchStats(
        int(state.get("pages", 0)), reindexed, time.perf_counter() - started, _published_files(publisher)
    )
    return stats, problems


def indexable(route: Route, now: datetime) -> bool:
    """An article page the public may see: drafts, scheduled and expired articles stay out even in preview builds."""
    article = route.article
    return route.kind == ARTICLE_PAGE and article is not None and Visibility(now).shows(article)


def index_digest(hashes: Mapping[str, str], pages: Sequence[Route], language: str) -> str:
    """What the index is made of: each indexed page's URL and bytes (`hashes`: the SHA-256 of each page's bytes, by
    output, as the manifest records them), the language, and the Pagefind version (a new Pagefind writes a
    different index from the same pages)."""
    h = hashlib.sha256(f"{_FORMAT}\0{_pagefind_version()}\0{language}".encode())
    for route in sorted(pages, key=lambda r: r.url):
        h.update(f"\0{route.url}\0{hashes[route.output]}".encode())
    return h.hexdigest()


def _pagefind_version() -> str:
    try:
        return metadata.version("pagefind_bin")
    except metadata.PackageNotFoundError:
        return "unknown"


def index_state(digest: str, indexed: int, unmarked: Sequence[Route]) -> dict[str, Any]:
    """What the published index was made from; a build that keeps the index repeats its warning from here."""
    state: dict[str, Any] = {"generator": "sitegen", "digest": digest, "pages": indexed, "unmarked": len(unmarked)}
    if unmarked:
        state.update(template=unmarked[0].template, example=unmarked[0].url)
    return state


def index_files(files: Mapping[str, bytes], state: dict[str, Any]) -> dict[str, bytes]:
    """What a new index publishes, by path in the output: Pagefind's files (`files`, by path in the index folder)
    and the state file saying what they were made from."""
    published = {f"{SEARCH_DIR}/{rel}": data for rel, data in sorted(files.items())}
    published[STATE_FILE] = json.dumps(state, indent=0, ensure_ascii=False).encode()
    return published


def published_digest(output: Path) -> str | None:
    """The digest of the pages the index in `output` was made from, as its state file says (None: no index)."""
    try:
        state = json.loads((output / STATE_FILE).read_bytes())
    except (OSError, ValueError):
        return None
    digest = state.get("digest") if isinstance(state, dict) else None
    return digest if isinstance(digest, str) else None


def _carry_over(publisher: Publisher, digest: str) -> dict[str, Any] | None:
    """Keep the published index when it was made from exactly these pages (all its files or none); its state."""
    entry = publisher.previous.get(STATE_FILE)
    if entry is None:
        return None
    try:
        data = (publisher.output / STATE_FILE).read_bytes()
        state = json.loads(data)
        if hashlib.sha256(data).hexdigest() != entry[0] or state.get("digest") != digest:
            return None
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(state, dict):
        return None
    kept = publisher.keep_all(sorted(rel for rel in publisher.previous if rel.startswith(f"{SEARCH_DIR}/")))
    return state if kept else None


def _published_files(publisher: Publisher) -> int:
    return sum(1 for rel in publisher.current if rel.startswith(f"{SEARCH_DIR}/"))


def run_pagefind(
    read: Callable[[str], bytes], pages: Sequence[Route], language: str
) -> tuple[dict[str, bytes], list[Route]]:
    """Index `pages` (`read` gives a page's bytes by its output path) with the Pagefind CLI; return its output files
    by path relative to the index folder, and the pages left out because they have no `data-pagefind-body` element.

    The pages are copied into a scratch folder first: this build's pages live partly in the staging area and partly
    in the published folder (unchanged ones), and Pagefind must see neither the other pages nor an old index.
    Pagefind's Python API was measured and rejected: its service reads one reply per 0.1 s, 17 minutes for 10,000
    pages, while the CLI indexes them in about 30 s.
    """
    with tempfile.TemporaryDirectory(prefix="sitegen-pagefind-") as scratch:
        site, out = Path(scratch, "site"), Path(scratch, "index")
        unmarked = [route for route in pages if not write_page(site, route, read(route.output))]
        if len(unmarked) == len(pages):
            return {}, unmarked  # Pagefind refuses a site with no pages; the search page then says so
        try:
            done = subprocess.run(pagefind_command(site, out, language), capture_output=True, text=True, check=False,
                                  cwd=scratch)  # fmt: skip
        except OSError as exc:
            raise pagefind_failed(repr(exc)) from exc
        if done.returncode != 0:
            raise pagefind_failed((done.stderr or done.stdout).strip()[-2000:] or f"exit status {done.returncode}")
        return read_index(out), unmarked


def write_page(site: Path, route: Route, data: bytes) -> bool:
    """Put a page into the folder Pagefind indexes; False (and nothing written) when it has no marked body: without
    the marker Pagefind would index the whole page, sidebars and navigation included."""
    if BODY_MARKER not in data:
        return False
    target = site / route.output
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return True


def pagefind_command(site: Path, out: Path, language: str) -> list[str]:
    # One language for the whole site, whatever a template's `lang` says: Pagefind splits indexes by language
    # and the browser searches only the index of the search page's language, so a second one would be unfindable.
    return [sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(out),
            "--force-language", language, "--silent"]  # fmt: skip


def read_index(out: Path) -> dict[str, bytes]:
    """The files Pagefind wrote, by path relative to its output folder."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def pagefind_failed(reason: str) -> UsageError:
    return UsageError([error("[search]", None, f"Pagefind could not build the search index: {reason} (install "
                              "pagefind[bin], or turn search off with enabled = false in [search])")])  # fmt: skip
