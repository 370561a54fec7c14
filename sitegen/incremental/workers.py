"""Worker processes for the CPU-heavy stages: parsing Markdown, encoding images and rendering pages.

Processes, not threads: both stages are pure Python and would hold the GIL. The start method is 'fork': render
workers inherit the assembled site, the Jinja environment with its compiled templates and the shared blocks from the
parent for free, where 'spawn' would have to pickle the whole site into every worker. Where 'fork' does not exist
(Windows) the work stays in one process. Small jobs stay in one process too: starting workers costs more than it saves.

The output never depends on the number of workers: parse results are kept in input order, and every page is written
under its own name whatever order the workers finish in.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from multiprocessing.pool import IMapIterator, Pool
from typing import Any, TypeVar

from sitegen.content.article import digest_of, parse_article
from sitegen.content.settings import ParseSettings
from sitegen.content.sources import SourceFile, read_bytes
from sitegen.errors import ContentError, Problem
from sitegen.images.catalogue import EncodeResult, EncodeTask, run_task
from sitegen.incremental.bodies import Bodies, BodyStore
from sitegen.incremental.cache import Parsed, teaser_digest
from sitegen.model import Body
from sitegen.publish.writer import Publisher
from sitegen.render.renderer import Renderer
from sitegen.site.plan import Route

MIN_PARALLEL_PARSE = 64  # files: below this one process is faster than starting workers
MIN_PARALLEL_RENDER = 128  # pages
MIN_PARALLEL_IMAGES = 2  # sources: decoding and encoding one takes a good part of a second
_CHUNK = 32

Tick = Callable[[int], None]
T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def parse_file(found: SourceFile, settings: ParseSettings, store: BodyStore) -> Parsed:
    data = read_bytes(found)
    article, problems = parse_article(found.rel, data, settings)
    teaser = teaser_digest(article) if article is not None else ""
    if article is not None and store.put(article.digest, article.body_html):
        # The parent gets what lists show; a page loads the HTML from the store (else it stays in the article).
        article = replace(article, body=Body(None, article.excerpt, article.reading_minutes))
    return Parsed(found.rel, found.stamp, digest_of(data), article, tuple(problems), teaser)


def parse_files(
    files: Sequence[SourceFile], settings: ParseSettings, store: BodyStore, jobs: int, tick: Tick
) -> Iterator[Parsed]:
    """Parse `files`, in their order."""
    for result in ordered_map(partial(parse_file, settings=settings, store=store), files, jobs, MIN_PARALLEL_PARSE):
        yield result
        tick(1)


def encode_images(tasks: Sequence[EncodeTask], jobs: int, tick: Tick) -> Iterator[EncodeResult]:
    """Decode each source and encode the derivatives the store lacks, in their order; a worker writes each file into
    the store itself, and tells the parent only what it found (a photo's size, or why it could not be used)."""
    for result in ordered_map(run_task, tasks, jobs, MIN_PARALLEL_IMAGES, chunk=1):  # seconds each: no batching
        yield result
        tick(1)


def ordered_map(func: Callable[[T], R], items: Sequence[T], jobs: int, min_parallel: int,
                chunk: int = _CHUNK) -> Iterator[R]:  # fmt: skip
    """`func` over `items`, results in input order, in forked workers when there are enough items to pay for them.

    The workers inherit `func` (and whatever it holds: settings, a store) through fork rather than by pickling.
    """
    if jobs <= 1 or len(items) < min_parallel or not can_fork():
        yield from map(func, items)
        return
    global _task
    _task = func
    try:
        with _pool(jobs) as pool:
            yield from pool.imap(_run_task, items, chunksize=chunk)
    finally:
        _task = None


_task: Callable[[Any], Any] | None = None


def _run_task(item: object) -> object:
    assert _task is not None
    return _task(item)


@dataclass(frozen=True)
class Staged:
    rel: str
    entry: tuple[str, int]
    staged: bool


Rendered = tuple[list[Staged], list[Problem]]  # a chunk's pages as staged, and the problems of those that failed


@dataclass(frozen=True)
class RenderJob:
    renderer: Renderer
    routes: Sequence[Route]
    publisher: Publisher
    bodies: Bodies


def render_routes(job: RenderJob, todo: Sequence[int], jobs: int, tick: Tick, max_problems: int) -> list[Problem]:
    """Render the routes numbered `todo` and stage them; the problems of those that fail (at most `max_problems`).
    The caller has frozen the site it rendered from (`gc.freeze`, see commands/incremental_build.py): the collector
    walking an archive's objects again and again while pages are rendered costs a seventh of a build, and forked
    workers would copy every page of memory it touches.

    With `jobs` processes, this one is one of them: it renders every `jobs`th chunk of pages, `jobs - 1` forked
    workers the others. A parent that only waited for its workers would be one more process holding the whole site:
    a worker's memory is mostly the parent's, copied page by page as rendering reads the articles (at 100,000
    articles about 450 MB each)."""
    if jobs <= 1 or len(todo) < MIN_PARALLEL_RENDER or not can_fork():
        results: Iterator[Rendered] = (_render_chunk(job, [i]) for i in todo)
        return _collect(job, results, tick, max_problems)
    global _job
    _job = job
    chunks = [list(todo[i : i + _CHUNK]) for i in range(0, len(todo), _CHUNK)]
    own, theirs = chunks[::jobs], [chunk for n, chunk in enumerate(chunks) if n % jobs]
    try:
        with _pool(jobs - 1) as pool:
            return _collect(job, _shared(job, own, pool.imap_unordered(_render_in_worker, theirs)), tick, max_problems)
    finally:
        _job = None


def _shared(job: RenderJob, own: list[list[int]], theirs: IMapIterator[Rendered]) -> Iterator[Rendered]:
    """This process's chunks as it renders them, with the workers' results as they arrive in between, then the rest
    of theirs. Chunks are dealt in turn, so each process gets the same mix of pages (article pages first, then
    lists): they finish at about the same time."""
    waiting = True  # results of the workers still to come
    for chunk in own:
        yield _render_chunk(job, chunk)
        while waiting:
            try:
                yield theirs.next(timeout=0)
            except multiprocessing.TimeoutError:
                break  # none ready: render the next chunk
            except StopIteration:
                waiting = False
    if waiting:
        yield from theirs


def _collect(job: RenderJob, results: Iterator[Rendered], tick: Tick,
             max_problems: int) -> list[Problem]:  # fmt: skip
    """Record the pages staged, by this process or a worker; the problems of those that failed, each once."""
    problems: list[Problem] = []
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


def _render_in_worker(chunk: list[int]) -> Rendered:
    assert _job is not None
    return _render_chunk(_job, chunk)


def _render_chunk(job: RenderJob, chunk: list[int]) -> Rendered:
    staged: list[Staged] = []
    problems: list[Problem] = []
    for i in chunk:
        route = job.routes[i]
        try:
            data = job.renderer.render(route)  # a body is loaded when the page shows it
        except ContentError as exc:
            problems.append(exc.problem)
            continue
        finally:
            job.bodies.release()  # a worker holds the bodies of the page it renders, not of every page
        entry, wrote = job.publisher.stage(route.output, data)
        staged.append(Staged(route.output, entry, wrote))
    return staged, problems


def _pool(jobs: int) -> Pool:
    return multiprocessing.get_context("fork").Pool(jobs)
