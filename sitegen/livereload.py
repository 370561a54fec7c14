"""The preview's build loop and what browsers are told about it.

A thin loop over the engine: each debounced batch of changes is one `build(BuildOptions(...))`, the same call
`sitegen build` makes, so whatever makes the engine incremental makes the preview fast too. After each build the
outcome is published: a successful build bumps the epoch (browsers then check whether *their* page or stylesheets
changed), a failed one keeps the last good site and carries its problems to every open page.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from sitegen.build import BuildOptions, BuildResult, build
from sitegen.errors import Problem, SitegenError, error, errors_in
from sitegen.watch import Watcher

BuildFunction = Callable[[BuildOptions], BuildResult]


@dataclass(frozen=True)
class Outcome:
    serial: int = 0  # every finished build, good or bad
    epoch: int = 0  # the published site: bumps only when a build succeeded
    problems: tuple[Problem, ...] = ()
    ready: bool = False  # a first build has finished (browsers may have to wait for it)

    def as_json(self) -> dict[str, object]:
        return {
            "epoch": self.epoch,
            "problems": [{"path": p.path, "line": p.line, "message": p.message} for p in self.problems],
        }


@dataclass
class PreviewState:
    """The latest build outcome, shared by the build loop (writer) and request threads (readers)."""

    # Starts at the clock so that a browser reconnecting to a restarted server sees a new epoch and checks its page.
    outcome: Outcome = field(default_factory=lambda: Outcome(epoch=time.time_ns() // 1_000_000))
    closed: bool = False
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, problems: Iterable[Problem], *, site_changed: bool) -> Outcome:
        with self._cond:
            old = self.outcome
            self.outcome = Outcome(old.serial + 1, old.epoch + int(site_changed), tuple(problems), ready=True)
            self._cond.notify_all()
            return self.outcome

    def wait_ready(self, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self.outcome.ready or self.closed, timeout)

    def wait_newer(self, serial: int | None, timeout: float) -> Outcome | None:
        """The outcome once its serial differs from `serial`; None on timeout or close."""
        with self._cond:
            self._cond.wait_for(lambda: self.outcome.serial != serial or self.closed, timeout)
            return None if self.closed or self.outcome.serial == serial else self.outcome

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()


class Rebuilder:
    """Runs the engine for a batch of changes and publishes the outcome."""

    def __init__(self, options: BuildOptions, state: PreviewState, build_function: BuildFunction = build) -> None:
        self.options = options
        self.state = state
        self.builds = 0
        self._build = build_function
        self._warned: set[Problem] = set()

    def rebuild(self, changes: set[str] | None = None) -> Outcome:
        self.builds += 1
        try:
            result = self._build(replace(self.options, search_index=False))
        except SitegenError as exc:
            _print_problems(exc.problems)
            print(f"sitegen: {_count(exc.problems)}; still serving the last good site", file=sys.stderr)
            return self.state.publish(exc.problems, site_changed=False)
        except Exception as exc:  # a bug must not end the preview: show it, keep serving
            traceback.print_exc(file=sys.stderr)
            return self.state.publish([error("sitegen", None, f"internal error: {exc!r}")], site_changed=False)
        self._report(result, changes)
        return self.state.publish(errors_in(result.warnings), site_changed=True)

    def index_search(self) -> None:
        """Bring the search index up to date with the served pages; pages themselves do not change."""
        try:
            result = self._build(replace(self.options, search_index=True))
        except SitegenError as exc:
            _print_problems(exc.problems)  # the next save rebuilds and shows them; the last good site stays
            return
        except Exception:
            traceback.print_exc(file=sys.stderr)
            return
        if result.search.reindexed:
            print(f"Search index: {result.search.pages} articles in {result.search.seconds:.1f} s", flush=True)

    def _report(self, result: BuildResult, changes: set[str] | None) -> None:
        fresh = [w for w in result.warnings if w not in self._warned]
        self._warned.update(result.warnings)
        _print_problems(fresh)
        stats = result.stats
        what = "Built" if changes is None else f"Rebuilt after {_changed(changes)}:"
        print(
            f"{what} {result.articles} articles, {stats.written} files written, {stats.removed} removed "
            f"in {result.seconds * 1000:.0f} ms",
            flush=True,
        )


INDEX_AFTER_QUIET = 1.0  # seconds without a save before the search index catches up


def run_build_loop(watcher: Watcher, rebuilder: Rebuilder) -> None:
    """The first build, then one build per debounced batch until the watcher is closed.

    Builds for saves leave the search index alone: Pagefind re-indexes every article (seconds on a large archive),
    which would hold every page's reload back. The index catches up once the editor pauses.
    """
    rebuilder.rebuild(None)
    index_due = True
    while (batch := watcher.next_batch(INDEX_AFTER_QUIET if index_due else None)) is not None:
        if batch:
            rebuilder.rebuild(batch)
            index_due = True
        else:
            rebuilder.index_search()
            index_due = False


def _changed(changes: set[str]) -> str:
    names = sorted(changes)
    return names[0] if len(names) == 1 else f"{len(names)} changes ({names[0]}, ...)"


def _count(problems: Iterable[Problem]) -> str:
    n = len(list(problems))
    return f"{n} problem" if n == 1 else f"{n} problems"


def _print_problems(problems: Iterable[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)
