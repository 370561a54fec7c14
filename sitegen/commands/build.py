"""`sitegen build`: decides from names and stamps alone whether there is anything to build; when there is, the
incremental build (commands/incremental_build.py) reads, plans, renders and publishes what changed.

The decision loads no parser, renderer or image library: at 100,000 articles a build with nothing to do is a listing
of the archive, a look at the last build's state and a check of the output (by another process, meanwhile), and
importing those libraries would be a fifth of it.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sitegen.config import build_time, load_config
from sitegen.content.settings import ParseSettings
from sitegen.errors import Problem
from sitegen.incremental.cache import BuildCache, cache_key, code_digest
from sitegen.incremental.listing import Listing, list_site
from sitegen.incremental.up_to_date import inputs_digest, nothing_changed
from sitegen.progress import Progress
from sitegen.publish.guards import check_output_folder
from sitegen.publish.intact_check import IntactCheck
from sitegen.publish.lock import site_lock
from sitegen.publish.search_shards import SearchStats
from sitegen.publish.writer import WriteStats, clean_leftovers


@dataclass(frozen=True)
class BuildOptions:
    root: Path
    output: Path
    drafts: bool = False
    future: bool = False
    clean: bool = False  # ignore the build cache: parse and render everything
    jobs: int = 0  # worker processes; 0: one per CPU
    progress: Progress = field(default_factory=Progress)


@dataclass
class BuildResult:
    articles: int = 0
    pages: int = 0
    rendered: int = 0
    skipped: int = 0  # pages whose fingerprint was unchanged: carried over without rendering
    fingerprinted: int = 0  # pages the changes could reach (the others were not looked at)
    parsed: int = 0  # source files parsed (the others came from the cache)
    stats: WriteStats = field(default_factory=WriteStats)
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    search: SearchStats = field(default_factory=SearchStats)
    images: int = 0  # images the published pages show
    encoded: int = 0  # derivatives encoded (the others were in the store)


@dataclass(frozen=True)
class Survey:
    """What a build found before reading any file: its listing, the last build's state, and the digest of every
    input by stamp (`inputs`), which says whether there is anything to do."""

    root: Path
    now: datetime
    started: float  # perf_counter() when the build began
    listing: Listing
    problems: tuple[Problem, ...]  # the listing's
    settings: ParseSettings
    code: str  # code_digest()
    key: str  # the build cache's key
    cache: BuildCache
    inputs: str
    up_to_date: bool  # the last build read exactly these inputs, nothing appeared or expired since, output intact
    intact: IntactCheck  # whether the output is as the last build left it; its damaged files, for the publisher


def build(options: BuildOptions) -> BuildResult:
    """Build the site, holding its lock: a second build of the same site at once stops with a clear message."""
    root = options.root.resolve()
    check_output_folder(root, options.output)  # before the lock creates anything: a refusal touches nothing
    with site_lock(root):
        return build_holding_lock(options)


def build_holding_lock(options: BuildOptions) -> BuildResult:
    """The build, for a caller that holds the site's lock already (`sitegen build --watch` holds it while it runs)."""
    started = time.perf_counter()
    # Reading and planning an archive makes millions of objects that all live until the build ends: the collector
    # would walk them again and again and free nothing (a third of an incremental build at 100,000 articles). It is
    # paused until the site is planned; then what was made is frozen (never walked again, nor copied by forked render
    # workers when the collector would touch it), and the collector runs for what rendering makes.
    collecting = gc.isenabled()  # a caller may have paused the collector itself: leave it paused
    gc.disable()
    try:
        survey = _survey(options, started)
        with survey.intact:  # stopped when the build ends, if the build never asked
            if survey.up_to_date:
                return _nothing_to_do(survey)
            # Something changed: only now do the parser, the renderer and the image libraries load.
            from sitegen.commands.incremental_build import IncrementalBuild

            return IncrementalBuild(options, survey).run(collecting)
    finally:
        gc.unfreeze()
        if collecting:
            gc.enable()


def _survey(options: BuildOptions, started: float) -> Survey:
    """The site's listing and the last build's state, and whether this build would render and write nothing."""
    root = options.root.resolve()
    loaded = load_config(root)
    now = build_time()
    clean_leftovers(options.output)  # an interrupted build's temporary files go even when nothing else changed
    # Checked by another process while the site is listed (and, when something changed, while the build reads it);
    # never needed by --clean, which builds and writes everything anyway.
    intact = IntactCheck(options.output) if options.clean else IntactCheck.start(options.output)
    try:
        listing, problems = list_site(root, loaded)
        settings = ParseSettings.from_config(listing.config)
        code = code_digest()
        key = cache_key(code, settings)
        cache = BuildCache.open(root, key, clean=options.clean)
        inputs = _inputs_key(options, listing, code, now)
        up_to_date = nothing_changed(cache.last, inputs, now, intact.result)
    except BaseException:
        intact.cancel()
        raise
    return Survey(root, now, started, listing, tuple(problems), settings, code, key, cache, inputs, up_to_date,
                  intact)  # fmt: skip


def _inputs_key(options: BuildOptions, listing: Listing, code: str, now: datetime) -> str:
    """Every input by stamp, with the options and the local date: unchanged, the build has nothing to do."""
    config = listing.config
    return inputs_digest(
        [code, config.digest(), f"{options.drafts}:{options.future}", now.astimezone(config.tz).date().isoformat(),
         str(options.output.resolve()), *(str(f) for f in listing.templates.folders),
         _stamp(listing.root / config.popular.file)],
        [*listing.content.articles, *listing.content.section_indexes, *listing.content.resources,
         *listing.statics.files.values(), *listing.template_files()],
    )  # fmt: skip


def _nothing_to_do(survey: Survey) -> BuildResult:
    """The previous build's result, unchanged: same pages, same warnings, nothing rendered or written."""
    last = survey.cache.last
    assert last is not None
    result = BuildResult(articles=last.articles, pages=last.pages, skipped=last.pages,
                         warnings=list(last.warnings))  # fmt: skip
    result.stats.unchanged = last.pages
    result.seconds = time.perf_counter() - survey.started
    return result


def _stamp(path: Path) -> str:
    try:
        stat = path.stat()
    except OSError:
        return f"{path}: missing"
    return f"{path}:{stat.st_mtime_ns}:{stat.st_size}"
