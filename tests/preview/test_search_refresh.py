"""`build --watch`'s background search refresh against a stand-in for its output sink (labelled: not the real sink;
the watch's end-to-end tests publish through the real one): a run publishes only onto the index it was planned
against."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from sitegen.preview.output_sink import OutputSink
from sitegen.preview.reporter import Reporter
from sitegen.preview.search_refresh import SearchRefresh, _Job
from sitegen.publish.pagefind import STATE_FILE
from sitegen.publish.writer import WriteStats


class _StandInSink:
    """What SearchRefresh uses of an OutputSink: the published manifest, and put_files (recorded, not written)."""

    def __init__(self, manifest: dict[str, tuple[str, int]]) -> None:
        self.manifest = manifest
        self.published: list[dict[str, bytes]] = []

    def put_files(self, files: dict[str, bytes], folders: Sequence[str], dropped: Sequence[str] = ()) -> WriteStats:
        self.published.append(files)
        return WriteStats(written=len(files))


def finished_run(output: Path, listing: tuple[str, int]) -> _Job:
    job = _Job(output, [], [], [], {STATE_FILE: b'{"shards": ["recent"]}'}, "en", {}, set())
    job.listing = listing
    assert job.finished.wait(10)
    return job


def test_a_run_planned_before_a_full_build_published_another_index_is_dropped(tmp_path: Path) -> None:
    sink = _StandInSink({STATE_FILE: ("listing-1", 10)})
    refresh = SearchRefresh(cast(OutputSink, sink), Reporter(io.StringIO(), io.StringIO()))
    job = finished_run(tmp_path, ("listing-1", 10))
    sink.manifest[STATE_FILE] = ("listing-2", 12)  # a full build (a template saved, say) published its index meanwhile
    refresh._finish(job, publish=True)
    assert sink.published == [], "its masks and shards were planned against the listing the build replaced"
    assert refresh._due, "another run is due, planned against the new index"


def test_a_run_publishes_onto_the_index_it_was_planned_against(tmp_path: Path) -> None:
    sink = _StandInSink({STATE_FILE: ("listing-1", 10)})
    refresh = SearchRefresh(cast(OutputSink, sink), Reporter(io.StringIO(), io.StringIO()))
    refresh._finish(finished_run(tmp_path, ("listing-1", 10)), publish=True)
    assert sink.published == [{STATE_FILE: b'{"shards": ["recent"]}'}] and not refresh._due
