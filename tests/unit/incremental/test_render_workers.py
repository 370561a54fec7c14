"""Rendering in worker processes (workers.render_routes): the build's own process renders its share of the chunks,
the forked workers the rest; every page is staged once, and a failure in any process is reported.

The renderer and the bodies here are stand-ins (the routes' pages are the id of the process that rendered them):
what is tested is who renders what. Real pages rendered by any number of workers are compared with one process's in
tests/unit/incremental/test_incremental_build.py."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest

from sitegen.errors import ContentError, error
from sitegen.incremental import workers
from sitegen.incremental.workers import RenderJob, render_routes
from sitegen.publish.writer import Publisher
from sitegen.site.plan import Route

pytestmark = pytest.mark.skipif(not workers.can_fork(), reason="render workers are forked")


@dataclass
class StandInRenderer:
    """Renders a page as the id of the process that rendered it; the routes named in `failing` fail."""

    failing: frozenset[str] = frozenset()

    def render(self, route: Route) -> bytes:
        if route.url in self.failing:
            raise ContentError([error(route.source, None, f"{route.url} failed in {os.getpid()}")])
        return f"{route.url} {os.getpid()}".encode()


class StandInBodies:
    def release(self) -> None:
        pass


def job_of(tmp_path: Path, count: int, failing: frozenset[str] = frozenset()) -> RenderJob:
    routes = [
        Route(f"/p/{n}/", f"p/{n}/index.html", "page.html", "page", f"Page {n}", f"page {n}") for n in range(count)
    ]
    renderer, bodies = cast(Any, StandInRenderer(failing)), cast(Any, StandInBodies())
    return RenderJob(renderer, routes, Publisher.open(tmp_path / "out"), bodies)


def renderers(job: RenderJob) -> dict[str, int]:
    """Each staged page's renderer (a process id)."""
    found = {}
    for route in job.routes:
        data = job.publisher.read(route.output) if route.output in job.publisher.staged else b""
        found[route.output] = int(data.split()[-1]) if data else 0
    return found


def test_the_build_process_renders_every_other_chunk_and_one_worker_the_others(tmp_path: Path) -> None:
    job = job_of(tmp_path, 10 * workers._CHUNK)
    ticks: list[int] = []
    assert render_routes(job, range(len(job.routes)), 2, ticks.append, 25) == []
    assert sorted(job.publisher.staged) == sorted(route.output for route in job.routes), "each page staged once"
    assert sum(ticks) == len(job.routes)
    by = renderers(job)
    assert set(by.values()) - {os.getpid()}, "a worker rendered some"
    chunks = [job.routes[i : i + workers._CHUNK] for i in range(0, len(job.routes), workers._CHUNK)]
    for n, chunk in enumerate(chunks):
        mine = {by[route.output] == os.getpid() for route in chunk}
        assert mine == {n % 2 == 0}, f"chunk {n}: the build's own process renders chunks 0, 2, 4..."


def test_with_more_jobs_the_others_go_to_jobs_minus_one_workers(tmp_path: Path) -> None:
    job = job_of(tmp_path, 12 * workers._CHUNK)
    render_routes(job, range(len(job.routes)), 3, lambda _: None, 25)
    by = renderers(job)
    assert 0 not in by.values()
    own = [route for route in job.routes if by[route.output] == os.getpid()]
    assert len(own) == 4 * workers._CHUNK, "a third of the chunks"
    assert 2 <= len(set(by.values())) <= 3  # the two workers share the rest as they are free


def test_pages_failing_in_the_build_process_and_in_a_worker_are_all_reported(tmp_path: Path) -> None:
    first, second = "/p/0/", f"/p/{workers._CHUNK}/"  # the first page of chunk 0 (own) and of chunk 1 (a worker's)
    job = job_of(tmp_path, 4 * workers._CHUNK, frozenset({first, second}))
    problems = render_routes(job, range(len(job.routes)), 2, lambda _: None, 25)
    assert sorted(p.message.split()[0] for p in problems) == sorted([first, second])
    where = sorted(p.message.split()[-1] == str(os.getpid()) for p in problems)
    assert where == [False, True], "one failed in the build's own process, one in a worker"
    assert len(job.publisher.staged) == len(job.routes) - 2
