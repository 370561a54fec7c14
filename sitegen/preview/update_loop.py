"""The preview's update loop and what browsers are told about it.

A thin loop over the live site (live_site.py): the first batch reads the whole site, each later debounced batch of
changes is one `LiveSite.update`. After each one the outcome goes to the loop's sink: for `serve` (Updater, here) a new
snapshot bumps the epoch (browsers then check whether *their* page or stylesheets changed), a failed update keeps the
last good snapshot and carries its problems to every open page; for `build --watch` (output_sink.py) the changed pages
are written to the output folder. The search index is left to a background job once the editor pauses
(search_build.py for `serve`, search_refresh.py for `build --watch`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from sitegen.errors import Problem, error
from sitegen.preview.live_site import LiveSite, Update
from sitegen.preview.reporter import Reporter
from sitegen.preview.snapshot import Snapshot
from sitegen.preview.watcher import Watcher


@dataclass(frozen=True)
class Outcome:
    serial: int = 0  # every finished update, good or bad
    epoch: int = 0  # the published site: bumps only when an update succeeded
    problems: tuple[Problem, ...] = ()
    ready: bool = False  # the first read has finished (browsers may have to wait for it)
    site: Snapshot | None = None  # what is served: the last good snapshot

    def as_json(self) -> dict[str, object]:
        return {
            "epoch": self.epoch,
            "problems": [{"path": p.path, "line": p.line, "message": p.message} for p in self.problems],
        }


@dataclass
class PreviewState:
    """The latest update's outcome, shared by the update loop (writer) and request threads (readers)."""

    # Starts at the clock so that a browser reconnecting to a restarted server sees a new epoch and checks its page.
    outcome: Outcome = field(default_factory=lambda: Outcome(epoch=time.time_ns() // 1_000_000))
    closed: bool = False
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, problems: Iterable[Problem], site: Snapshot | None) -> Outcome:
        """A finished update: `site` is what is served from now on; the epoch moves when it is a new one."""
        with self._cond:
            old = self.outcome
            epoch = old.epoch + int(site is not old.site)
            self.outcome = Outcome(old.serial + 1, epoch, tuple(problems), ready=True, site=site)
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


class Sink(Protocol):
    """Where the loop's updates go: browsers (Updater, for `serve`) or files (output_sink.OutputUpdater, for `build
    --watch`)."""

    live: LiveSite
    reporter: Reporter

    def apply(self, changes: set[str] | None) -> bool:
        """Bring the live site up to date with `changes` (None: read it all) and publish it; True when a new version
        of the site was published."""
        ...

    def indexable(self) -> bool:
        """The search index may be brought up to date now (search is on, the site has no errors)."""
        ...

    def idle(self) -> bool:
        """Work done while no save comes: getting ready for the next one; True when that published a new version."""
        ...


class Index(Protocol):
    """A search index kept in the background: paused while a save is handled, caught up when the editor pauses."""

    def pause(self) -> None: ...
    def site_changed(self) -> None: ...
    def catch_up(self, *, start: bool = True) -> None: ...


class Updater:
    """Brings the live site up to date with a batch of changes and publishes the outcome to browsers."""

    def __init__(self, live: LiveSite, state: PreviewState) -> None:
        self.live = live
        self.state = state
        self.reporter = live.reporter
        self.updates = 0

    def apply(self, changes: set[str] | None = None) -> bool:
        epoch = self.state.outcome.epoch
        return self._apply(changes).epoch != epoch

    def indexable(self) -> bool:
        return self.live.searchable and not self.state.outcome.problems

    def idle(self) -> bool:
        self.live.prepare()
        return False

    def _apply(self, changes: set[str] | None) -> Outcome:
        self.updates += 1
        try:
            update = self.live.load() if changes is None else self.live.update(changes)
        except Exception as exc:  # a bug must not end the preview: show it, keep serving
            self.reporter.exception("sitegen: internal error (still serving the last good site):")
            problem = error("sitegen", None, f"internal error: {exc!r}")
            return self.state.publish([problem], self.state.outcome.site)
        self.reporter.problems(update.warnings)
        if not update.published:
            self.reporter.problems(update.problems, once=False)
            self.reporter.failure(f"sitegen: {_count(update.problems)}; still serving the last good site")
            return self.state.publish(update.problems, self.state.outcome.site)
        self.reporter.status(_updated(update, changes))
        return self.state.publish((), self.live.snapshot)


def _updated(update: Update, changes: set[str] | None) -> str:
    took = f"{update.seconds * 1000:.0f} ms"
    if changes is None:
        articles = f"{update.articles:,} article{'s' * (update.articles != 1)}"
        return f"Read {articles} in {took}; pages are rendered when first requested"
    stale = "every page" if update.stale is None else f"{update.stale} page{'s' * (update.stale != 1)}"
    return f"Updated after {_changed(changes)} in {took}: {stale} to render again"


INDEX_AFTER_QUIET = 1.0  # seconds without a save before the search index catches up
IDLE_TICK = 0.1  # seconds: how often an idle loop looks at the search index


def run_update_loop(watcher: Watcher, updater: Sink, index: Index | None = None, *, load: bool = True) -> None:
    """The first load (unless the caller has loaded the live site), then one update per debounced batch until the
    watcher is closed.

    Idle moments get the live site ready for the next save. The search index is built in the background once the
    editor has paused: Pagefind re-indexes every article (seconds to a minute on a large archive), which must never
    hold a page's reload back, so a save pauses it.
    """
    if load:
        updater.apply(None)
    quiet_since = time.monotonic()
    while (batch := watcher.next_batch(IDLE_TICK)) is not None:
        try:
            if batch:
                if index is not None:
                    index.pause()  # the editor's save comes first
                if updater.apply(batch) and index is not None:
                    index.site_changed()
                quiet_since = time.monotonic()
                continue
            if updater.idle() and index is not None:
                index.site_changed()
            if index is not None and time.monotonic() - quiet_since >= INDEX_AFTER_QUIET:
                index.catch_up(start=updater.indexable())
        except Exception:
            updater.reporter.exception("sitegen: error in the update loop (still running):")


def _changed(changes: set[str]) -> str:
    names = sorted(changes)
    return names[0] if len(names) == 1 else f"{len(names)} changes ({names[0]}, ...)"


def _count(problems: Iterable[Problem]) -> str:
    n = len(list(problems))
    return f"{n} problem" if n == 1 else f"{n} problems"
