"""Worker processes for the two CPU-heavy stages: parsing Markdown and rendering pages.

Processes, not threads: both stages are pure Python and would hold the GIL. The start method is 'fork': render
workers inherit the assembled site, the Jinja environment with its compiled templates and the shared blocks from the
parent for free, where 'spawn' would have to pickle the whole site into every worker. Where 'fork' does not exist
(Windows) the work stays in one process. Small jobs stay in one process too: starting workers costs more than it saves.

The output never depends on the number of workers: parse results are kept in input order, and every page is written
under its own name whatever order the workers finish in.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.pool import Pool
from typing import TypeVar

from sitegen.cache import Parsed, teaser_digest
from sitegen.content import ParseSettings, digest_of, parse_article
from sitegen.errors import Problem
from sitegen.load import SourceFile, read_bytes
from sitegen.plan import Route
from sitegen.render import Renderer, TemplateProblem
from sitegen.write import Publisher

MIN_PARALLEL_PARSE = 64  # files: below this one process is faster than starting workers
MIN_PARALLEL_RENDER = 128  # pages
_CHUNK = 32

Tick = Callable[[int], None]
T = TypeVar("T")


def default_jobs() -> int:
    return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


@dataclass(frozen=True)
class ParsedFile:
    parsed: Parsed
    body: str  # the article's body HTML ("" for a file with errors), stored in the cache


def parse_file(found: SourceFile, settings: ParseSettings) -> ParsedFile:
    data = read_bytes(found)
    article, problems = parse_article(found.rel, data, settings)
    body = article.body_html if article is not None else ""
    teaser = teaser_digest(article) if article is not None else ""
    parsed = Parsed(found.rel, found.stamp, digest_of(data), article, tuple(problems), teaser)
    return ParsedFile(parsed, body)


def parse_files(files: Sequence[SourceFile], settings: ParseSettings, jobs: int, tick: Tick) -> Iterator[ParsedFile]:
    """Parse `files`, in their order."""
    if jobs <= 1 or len(files) < MIN_PARALLEL_PARSE or not can_fork():
        for found in files:
            yield parse_file(found, settings)
            tick(1)
        return
    global _settings
    _settings = settings
    with _pool(jobs) as pool:
        for result in pool.imap(_parse_in_worker, files, chunksize=_CHUNK):
            yield result
            tick(1)


_settings: ParseSettings | None = None


def _parse_in_worker(found: SourceFile) -> ParsedFile:
    assert _settings is not None
    return parse_file(found, _settings)


@dataclass(frozen=True)
class Staged:
    rel: str
    entry: tuple[str, int]
    staged: bool


@dataclass(frozen=True)
class RenderJob:
    renderer: Renderer
    routes: Sequence[Route]
    publisher: Publisher


def render_routes(job: RenderJob, todo: Sequence[int], jobs: int, tick: Tick, max_problems: int) -> list[Problem]:
    """Render the routes numbered `todo` and stage them; the problems of those that fail (at most `max_problems`)."""
    problems: list[Problem] = []
    if jobs <= 1 or len(todo) < MIN_PARALLEL_RENDER or not can_fork():
        results: Iterator[tuple[list[Staged], list[Problem]]] = (_render_chunk(job, [i]) for i in todo)
        return _collect(job, results, problems, tick, max_problems)
    global _job
    _job = job
    chunks = [list(todo[i : i + _CHUNK]) for i in range(0, len(todo), _CHUNK)]
    gc.freeze()  # objects the workers inherit are not touched by their collector: fewer copied pages
    try:
        with _pool(jobs) as pool:
            return _collect(job, pool.imap_unordered(_render_in_worker, chunks), problems, tick, max_problems)
    finally:
        gc.unfreeze()
        _job = None


def _collect(job: RenderJob, results: Iterator[tuple[list[Staged], list[Problem]]], problems: list[Problem],
             tick: Tick, max_problems: int) -> list[Problem]:  # fmt: skip
    for staged, failed in results:
        for page in staged:
            job.publisher.record(page.rel, page.entry, page.staged)
        for problem in failed:
            if problem not in problems:
                problems.append(problem)
        tick(len(staged) + len(failed))
        if len(problems) >= max_problems:
            break  # one broken base template fails every page: report it once, not ten thousand times
    return problems


_job: RenderJob | None = None


def _render_in_worker(chunk: list[int]) -> tuple[list[Staged], list[Problem]]:
    assert _job is not None
    return _render_chunk(_job, chunk)


def _render_chunk(job: RenderJob, chunk: list[int]) -> tuple[list[Staged], list[Problem]]:
    staged: list[Staged] = []
    problems: list[Problem] = []
    for i in chunk:
        route = job.routes[i]
        try:
            data = job.renderer.render(route)
        except TemplateProblem as exc:
            problems.append(exc.problem)
            continue
        entry, wrote = job.publisher.stage(route.output, data)
        staged.append(Staged(route.output, entry, wrote))
    return staged, problems


def _pool(jobs: int) -> Pool:
    return multiprocessing.get_context("fork").Pool(jobs)
