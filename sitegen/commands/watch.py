"""`sitegen build --watch`: a long-running publisher. One `sitegen build`, then the preview's engine writing every
save to the output folder (sitegen.preview.output_sink), until Ctrl-C or SIGTERM.

The site's build lock is held for the whole run: a `sitegen build` of the same site meanwhile stops with a clear
message instead of mixing its files with these. Order matters at the start: the watcher starts before anything is read
and the live site is read before the build, so a save made while either runs is never lost. The build may have seen
it (publishing it again then writes nothing); the live site sees it as a change either way.

Stopping: the first Ctrl-C (or SIGTERM) lets the publish under way finish or drops it (a page render stops at once,
nothing of it published; a commit or a whole build completes), then exits 0 with no staging folder left. A second
one stops at once, like an interrupted `sitegen build`, whose leftovers the next build removes.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

from sitegen.commands.build import BuildOptions, BuildResult, build_holding_lock
from sitegen.errors import EXIT_OK, ContentError, Problem
from sitegen.preview.live_site import LiveSite
from sitegen.preview.output_sink import FullBuild, OutputSink, OutputUpdater
from sitegen.preview.reporter import Reporter
from sitegen.preview.search_refresh import SearchRefresh
from sitegen.preview.update_loop import run_update_loop
from sitegen.preview.watcher import Watcher
from sitegen.publish.guards import check_output_folder
from sitegen.publish.lock import site_lock


def watch(options: BuildOptions, report_build: Callable[[BuildResult], None], *, quiet: bool = False) -> int:
    """Build, then publish every save until stopped. Raises UsageError (exit 2) when the output folder is refused,
    another build holds the site, or the first build is refused; content errors are printed and waited out."""
    root = options.root.resolve()
    check_output_folder(root, options.output)  # before the lock creates anything: a refusal touches nothing
    with site_lock(root), open(os.devnull, "w", encoding="utf-8") as devnull:  # noqa: PTH123 - a stream, not a path
        reporter = Reporter(out=devnull if quiet else None)
        return _Watch(options, root, reporter, report_build).run()


class _Watch:
    def __init__(self, options: BuildOptions, root: Path, reporter: Reporter,
                 report_build: Callable[[BuildResult], None]) -> None:  # fmt: skip
        self.options = options
        self.reporter = reporter
        self.report_build = report_build
        self.watcher = Watcher(root, reporter=reporter)
        self.live = LiveSite(root, drafts=options.drafts, future=options.future, reporter=reporter)
        self.sink = OutputSink(root, options.output, self._full_build, unpublished=options.drafts or options.future)
        self.updater = OutputUpdater(self.live, self.sink)
        self.search = SearchRefresh(self.sink, reporter)

    def run(self) -> int:
        # Installed explicitly: a process started in the background inherits an ignored SIGINT and would never stop.
        previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
        loop: threading.Thread | None = None
        try:
            self.watcher.start()  # first: a save made from here on is seen
            self._start()
            loop = threading.Thread(target=run_update_loop, args=(self.watcher, self.updater, self.search),
                                    kwargs={"load": False}, name="sitegen-watch", daemon=True)  # fmt: skip
            loop.start()
            self.reporter.status(f"Watching {self.live.root} for changes, publishing into {self.options.output} "
                                 "(Ctrl-C to stop)")  # fmt: skip
            threading.Event().wait()
        except KeyboardInterrupt:
            self.reporter.failure("\nStopping.")
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)  # a second Ctrl-C stops at once
            self._stop(loop)
        return EXIT_OK

    def _start(self) -> None:
        """Read the live site, then build; the folder then shows the live site as read (or something newer, which
        its change events bring it up to)."""
        update = self.live.load()
        try:
            result = build_holding_lock(self.options)
        except ContentError as exc:
            self.reporter.problems(exc.problems, once=False)
            self.reporter.failure(f"sitegen: {_count(exc.problems)}, nothing published; waiting for a fix")
            return  # the sink knows no published site: the first good update builds again
        self.reporter.problems(result.warnings)
        self.report_build(result)
        if update.published and self.live.snapshot is not None:
            self.sink.adopt(self.live.snapshot)

    def _full_build(self) -> FullBuild:
        result = build_holding_lock(dataclasses.replace(self.options, clean=False))  # --clean was for the first
        return FullBuild(result.rendered, result.stats, tuple(result.warnings))

    def _stop(self, loop: threading.Thread | None) -> None:
        self.sink.stopping.set()  # a render under way stops at its next page
        self.watcher.close()  # the loop ends after the update it is in
        if loop is not None:
            loop.join()
        self.search.close()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _count(problems: Sequence[Problem]) -> str:
    return f"{len(problems)} problem" if len(problems) == 1 else f"{len(problems)} problems"
