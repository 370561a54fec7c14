"""Watch a site's sources and hand over debounced batches of changes.

watchdog callbacks only record which paths changed and wake the update loop; they never read the site. The loop then
waits until the changes stop (or a ceiling is reached) so that an editor's save dance, or a `git checkout` touching 500
files, becomes one update instead of hundreds. Editors' scratch files are ignored as files, but a rename of one onto
a real name (JetBrains, gedit) is a save of that name, so moved events are judged by where they land as well.

Only content/, templates/, static/, data/ and the config file are watched: never the output or any cache, which
would make every build trigger the next.
"""

from __future__ import annotations

import errno
import threading
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Protocol

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from sitegen.paths import CONFIG_FILES, SOURCE_DIRS, is_autosave, is_hidden
from sitegen.preview.reporter import Reporter

QUIET_SECONDS = 0.03  # a batch ends when nothing has changed for this long (an editor saves within ms)...
LONGEST_WAIT_SECONDS = 1.0  # ...or when it has been gathering for this long, so a steady stream still updates
# "Changed" for our purposes; opened/closed-without-writing and attribute changes are not edits.
_EDIT_EVENTS = frozenset({"created", "modified", "moved", "deleted", "closed"})
_SCRATCH_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".swpx", "___jb_tmp___", "___jb_old___")
_OUT_OF_WATCHES = (errno.ENOSPC, errno.EMFILE)
# Asked of the kernel: only edits. Opens and reads are left out, or every build (which reads every source file) would
# flood inotify's queue (16,384 events by default) and overflow it on a large site, losing real edits.
EVENT_FILTER: list[type[FileSystemEvent]] = [
    FileCreatedEvent, FileModifiedEvent, FileMovedEvent, FileDeletedEvent, FileClosedEvent,
    DirCreatedEvent, DirDeletedEvent, DirMovedEvent,
]  # fmt: skip

INOTIFY_HELP = (
    "sitegen: the system ran out of inotify watches ({reason}); watching by polling instead, which is slower.\n"
    "  To raise the limit: sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512\n"
    "  (and add those settings to /etc/sysctl.d/90-inotify.conf to keep them after a reboot)."
)


class ObserverLike(Protocol):
    def schedule(
        self,
        event_handler: FileSystemEventHandler,
        path: str,
        *,
        recursive: bool = False,
        event_filter: list[type[FileSystemEvent]] | None = None,
    ) -> object: ...
    def start(self) -> None: ...
    def stop(self) -> None: ...
    def join(self, timeout: float | None = None) -> None: ...


def is_scratch_name(name: str) -> bool:
    """An editor's temporary, backup, lock or swap file, or a hidden file: never content, never a reason to rebuild.

    vim: `4913` write probes (then 5036, 5159, ...), `x.md~` backups, `.x.md.swp` swap files; JetBrains:
    `x.md___jb_tmp___` / `x.md___jb_old___`; gedit: `.goutputstream-XXXXXX`; emacs: `.#x.md` lock links and
    `#x.md#` autosaves. Hidden names and autosaves are skipped by the loader too (content/sources.py), so they cannot
    change the site.
    """
    return is_hidden(name) or is_autosave(name) or name.isdigit() or name.endswith(_SCRATCH_SUFFIXES)


def is_source(rel: PurePosixPath) -> bool:
    """Whether a path relative to the site root can change the built site.

    Folders are skipped only when hidden (as the loader does): `content/news/2024/` is a year folder, not a probe.
    """
    parts = rel.parts
    if not parts:
        return False
    if len(parts) == 1:
        return parts[0] in CONFIG_FILES or parts[0] in SOURCE_DIRS
    folders, name = parts[1:-1], parts[-1]
    return parts[0] in SOURCE_DIRS and not any(is_hidden(f) for f in folders) and not is_scratch_name(name)


class _Recorder(FileSystemEventHandler):
    """Runs on watchdog's thread: records, never raises (an exception here would silently kill the observer)."""

    def __init__(self, watcher: Watcher) -> None:
        self._watcher = watcher

    def dispatch(self, event: FileSystemEvent) -> None:
        try:
            self._watcher.handle(event)
        except Exception:
            self._watcher.reporter.exception("sitegen: error while handling a file event (still watching):")


class Watcher:
    """Watches a site; `next_batch()` blocks until a debounced batch of changed paths is ready."""

    def __init__(
        self,
        root: Path,
        *,
        quiet: float = QUIET_SECONDS,
        longest: float = LONGEST_WAIT_SECONDS,
        observer_factory: Callable[[], ObserverLike] = Observer,
        reporter: Reporter | None = None,
    ) -> None:
        self.root = root.resolve()
        self.reporter = reporter or Reporter()
        self.quiet = quiet
        self.longest = longest
        self.polling = False
        self._factory = observer_factory
        self._observer: ObserverLike | None = None
        self._handler = _Recorder(self)
        self._watched: set[str] = set()
        self._lock = threading.Lock()
        self._changes: set[str] = set()
        self._first = 0.0
        self._last = 0.0
        self._wake = threading.Event()
        self._closed = False

    # -- lifecycle ---------------------------------------------------------------------------------------------------

    def start(self) -> None:
        try:
            self._observer = self._start_observer(self._factory)
        except OSError as exc:
            if exc.errno not in _OUT_OF_WATCHES:
                raise
            self.reporter.failure(INOTIFY_HELP.format(reason=exc.strerror or exc))
            self.polling = True
            self._watched.clear()
            self._observer = self._start_observer(lambda: PollingObserver(timeout=0.25))

    def _start_observer(self, factory: Callable[[], ObserverLike]) -> ObserverLike:
        observer = factory()
        # The root itself only non-recursively, for the config file and for watched folders created later; the
        # watched folders recursively. The output folder and caches are never below a watch.
        observer.schedule(self._handler, str(self.root), recursive=False, event_filter=EVENT_FILTER)
        for name in SOURCE_DIRS:
            self._watch_folder(observer, name)
        observer.start()
        return observer

    def _watch_folder(self, observer: ObserverLike, name: str) -> None:
        folder = self.root / name
        if name in self._watched or not folder.is_dir() or folder.is_symlink():
            return
        observer.schedule(self._handler, str(folder), recursive=True, event_filter=EVENT_FILTER)
        self._watched.add(name)

    def close(self) -> None:
        """Stop watching and wake `next_batch`, which then returns None."""
        self._closed = True
        self._wake.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None

    # -- watchdog's thread -------------------------------------------------------------------------------------------

    def handle(self, event: FileSystemEvent) -> None:
        if event.event_type not in _EDIT_EVENTS:
            return
        if event.is_directory and event.event_type in ("modified", "closed"):
            return  # a folder is "modified" whenever any file in it is, scratch files included
        paths = [event.src_path, getattr(event, "dest_path", "")]
        relevant = [rel for rel in (self._relative(p) for p in paths if p) if rel is not None and is_source(rel)]
        if not relevant:
            return
        for rel in relevant:
            if len(rel.parts) == 1 and rel.parts[0] in SOURCE_DIRS and self._observer is not None:
                self._watch_folder(self._observer, rel.parts[0])  # content/ (or data/...) created after start
        self.record(*(rel.as_posix() for rel in relevant))

    def _relative(self, path: bytes | str) -> PurePosixPath | None:
        text = path.decode(errors="surrogateescape") if isinstance(path, bytes) else path
        try:
            return PurePosixPath(Path(text).relative_to(self.root).as_posix())
        except ValueError:
            return None

    def record(self, *rels: str) -> None:
        now = time.monotonic()
        with self._lock:
            if not self._changes:
                self._first = now
            self._changes.update(rels)
            self._last = now
        self._wake.set()

    # -- the update loop's thread -------------------------------------------------------------------------------------

    def next_batch(self, timeout: float | None = None) -> set[str] | None:
        """Wait for changes, then until they settle; return the changed paths (relative to the root), an empty set
        when `timeout` seconds pass with no change at all, or None once closed."""
        while not self._closed:
            if not self._wake.wait(timeout):
                return set()
            if self._closed:
                return None
            delay = self._settle_delay()
            if delay > 0:
                time.sleep(delay)
                continue
            with self._lock:
                batch, self._changes = self._changes, set()
                self._wake.clear()
            if batch:
                return batch
        return None

    def _settle_delay(self) -> float:
        """How much longer to wait before the current changes form a batch (0: now)."""
        now = time.monotonic()
        with self._lock:
            if not self._changes:
                return 0.0
            return max(0.0, min(self._last + self.quiet, self._first + self.longest) - now)
