"""The only writer of the output folder.

Pages are staged inside the output folder first (same file system, so moving them into place is an atomic rename);
nothing published changes until every page of the build has rendered. Then `commit` moves them into place one by
one in dependency order (order.py: new files first, then the files that link to them, removals last), so that a
reader never follows a link to a file that is not there, even while a commit is under way or after it was killed.
A manifest records what sitegen wrote: only those files are ever replaced or removed, and a file sitegen did not
write is never overwritten. Before a commit writes anything it names the files it will write in a small journal
beside the manifest (the pending file), so that a build killed halfway through knows, next time, which files are its
own, without writing the whole manifest (100,000 entries at an archive's size) twice per commit.

Staging is one flat folder, each file under a name derived from its path: a page per folder would cost a folder made
in staging and one removed again for every page (on this kind of disk a millisecond each, more than the rename).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import shutil
import stat
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitegen.errors import Problem, UsageError, error
from sitegen.paths import MANIFEST_FILE, PENDING_FILE, STAGING_DIR, temp_name, temp_pattern
from sitegen.publish.order import publish_order

_MANIFEST_VERSION = 1
_UNKNOWN = ("", -1)  # a file this build owns but whose content is not known (a commit was cut short)


@dataclass
class WriteStats:
    written: int = 0
    unchanged: int = 0
    removed: int = 0


@dataclass
class Publisher:
    """Stages a build's files, then publishes them all at once with `commit`, or leaves everything as it was."""

    output: Path
    previous: dict[str, tuple[str, int]] = field(default_factory=dict)  # rel → (sha256, size) as last published
    current: dict[str, tuple[str, int]] = field(default_factory=dict)
    staged: list[str] = field(default_factory=list)
    stats: WriteStats = field(default_factory=WriteStats)
    # The pages show drafts or future articles (`--drafts`, `--future`): the manifest says so, and `sitegen deploy`
    # refuses to publish such a folder.
    unpublished: bool = False
    # The published files found gone or changed in size by a check of every file earlier in this build (the intact
    # check, while the build read its sources): the others are kept without a stat each. None: check each file. A
    # file someone else deletes or changes while the build runs (it holds the site's lock: never another sitegen)
    # is then kept as it is; the next build's check finds it and renders it again.
    damaged: frozenset[str] | None = None

    @classmethod
    def open(cls, output: Path) -> Publisher:
        clean_leftovers(output)
        return cls(output, previous=read_manifest(output))

    @classmethod
    def following(cls, output: Path, published: dict[str, tuple[str, int]]) -> Publisher:
        """The next publish into a folder whose manifest this process committed last (`published`, as `current`
        was then): every file stays as it is unless it is put again or dropped. A long-running publisher changes a
        few files at a time, and need not read a manifest of 100,000 files again for each."""
        return cls(output, previous=published, current=dict(published))

    def drop(self, rel: str) -> None:
        """Publish `rel` no more: it is removed at commit (when this process wrote it)."""
        self.current.pop(rel, None)

    def put(self, rel: str, data: bytes) -> None:
        """Stage `data` for `rel`, unless the published file already has exactly these bytes."""
        self.record(rel, *self.stage(rel, data))

    def stage(self, rel: str, data: bytes) -> tuple[tuple[str, int], bool]:
        """Write `data` into staging unless it is already published; (entry, staged?) for `record`.

        Changes nothing in this object, so worker processes can stage pages and the parent records them.
        """
        entry = (hashlib.sha256(data).hexdigest(), len(data))
        if self._unchanged(rel, entry):
            return entry, False
        target = self._staged_path(rel)
        try:
            target.write_bytes(data)
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)  # the first file staged (workers may race to make it)
            target.write_bytes(data)
        return entry, True

    def _staged_path(self, rel: str) -> Path:
        return self.output / STAGING_DIR / _staging_name(rel)

    def record(self, rel: str, entry: tuple[str, int], staged: bool) -> None:
        self.current[rel] = entry
        if staged:
            self.staged.append(rel)
        else:
            self.stats.unchanged += 1

    def copy(self, rel: str, source: Path) -> None:
        self.put(rel, source.read_bytes())

    def keep(self, rel: str) -> bool:
        """Carry a published file over untouched (an incremental build that did not re-render it).

        False when there is nothing to keep (the file was never published or has vanished): render it instead.
        """
        entry = self.previous.get(rel)
        if entry is None or not self._unchanged(rel, entry):
            return False
        self.current[rel] = entry
        self.stats.unchanged += 1
        return True

    def keep_all(self, rels: list[str]) -> bool:
        """Carry several published files over, all or none: False (and nothing kept) if any cannot be kept."""
        return self.intact(rels) and all(self.keep(rel) for rel in rels)

    def intact(self, rels: list[str]) -> bool:
        """Whether each of `rels` is published and still there as it was."""
        return all(rel in self.previous and self._unchanged(rel, self.previous[rel]) for rel in rels)

    def read(self, rel: str) -> bytes:
        """The bytes `rel` will have once this build commits: staged by this build, or published and kept."""
        staged = self._staged_path(rel)
        return staged.read_bytes() if staged.is_file() else (self.output / rel).read_bytes()

    def _unchanged(self, rel: str, entry: tuple[str, int]) -> bool:
        if self.previous.get(rel) != entry:
            return False
        if self.damaged is not None:
            return rel not in self.damaged
        try:
            return os.stat(os.path.join(self.output, rel)).st_size == entry[1]  # noqa: PTH116, PTH118 - 10,000s of calls
        except OSError:
            return False

    def commit(self) -> WriteStats:
        """Publish what was staged, in dependency order (order.py), then remove what is published no more."""
        if not self.staged and self.current == self.previous:
            return self.stats  # nothing to publish, nothing to remove: leave the folder and its manifest alone
        present = self._refuse_foreign_files()
        step = _test_step_hook()
        # Record every file this commit may write before writing any: a build killed halfway through still knows,
        # next time, which files are its own. Their content is recorded as unknown, so that build rewrites them.
        write_pending(self.output, self.staged)
        output = str(self.output)
        staging = os.path.join(output, STAGING_DIR)  # noqa: PTH118 - strings, not Paths: 10,000s of files below
        for rel in publish_order(self.staged, present):
            if step is not None:
                step("publish", rel)
            _move_into_place(os.path.join(staging, _staging_name(rel)), os.path.join(output, rel))  # noqa: PTH118
            self.stats.written += 1
        self._prune(step)  # only now: every file of this build is live, and none links to what goes
        if step is not None:
            step("manifest", MANIFEST_FILE)
        write_manifest(self.output, self.current, unpublished=self.unpublished)
        (self.output / PENDING_FILE).unlink(missing_ok=True)  # stale already: it was written over the last manifest
        self.discard()
        return self.stats

    def discard(self) -> None:
        shutil.rmtree(self.output / STAGING_DIR, ignore_errors=True)

    def _refuse_foreign_files(self) -> set[str]:
        """Refuse to publish (nothing touched, staging discarded) over what is not ours; the staged files that
        replace something at their path (one lstat each, reused by the order)."""
        problems: list[Problem] = []
        present: set[str] = set()
        folders = _Folders(self.output)
        output = str(self.output)
        for rel in self.staged:
            blocked = folders.blocked(rel)
            if blocked is not None:
                problems.append(error(blocked, None, "is a file or a symlink where sitegen needs a folder: "
                                      "refusing to write through it"))  # fmt: skip
                continue
            target = os.path.join(output, rel)  # noqa: PTH118 - 10,000s of calls
            try:
                mode = os.lstat(target).st_mode
            except FileNotFoundError:
                continue  # a new file
            present.add(rel)
            if stat.S_ISDIR(mode):
                problems.append(error(target, None, "is a folder where sitegen publishes a file: refusing to replace "
                                      "it"))  # fmt: skip
            elif rel not in self.previous and not (
                stat.S_ISREG(mode) and Path(target).read_bytes() == self._staged_path(rel).read_bytes()
            ):  # a file identical to what we would write is adopted
                problems.append(error(target, None, "exists and was not written by sitegen: refusing to overwrite it"))
        if problems:
            self.discard()
            raise UsageError(problems)
        return present

    def _prune(self, step: Callable[[str, str], None] | None) -> None:
        """Remove files an earlier build wrote that no page owns any more, and folders that leaves empty."""
        folders = _Folders(self.output)
        for rel in sorted(set(self.previous) - set(self.current)):
            if step is not None:
                step("remove", rel)
            target = self.output / rel
            if folders.blocked(rel) is not None:
                continue  # a folder of ours was replaced by a link or a file: what it holds is not ours to delete
            if target.is_file() or target.is_symlink():  # a folder put where our file was is someone else's
                with contextlib.suppress(FileNotFoundError):
                    target.unlink()
            self.stats.removed += 1
            _remove_empty_parents(target.parent, self.output)


def _staging_name(rel: str) -> str:
    """The name `rel` waits under to be published, in the one staging folder: a name only `rel` has."""
    return hashlib.sha256(rel.encode("utf-8", "surrogatepass")).hexdigest()


def _move_into_place(staged: str, target: str) -> None:
    """Rename `staged` onto `target` (strings, not Paths: 10,000s of calls)."""
    try:
        os.replace(staged, target)  # noqa: PTH105
    except FileNotFoundError:  # the first file of a new folder: make it only then, not one call per file
        os.makedirs(os.path.dirname(target), exist_ok=True)  # noqa: PTH103, PTH120
        os.replace(staged, target)  # noqa: PTH105


class _Folders:
    """The folders above output paths, each looked at once (one lstat): thousands of pages share their parents."""

    REAL, ABSENT = "", "\0"  # a folder's state; any other state is the path of what is in the way

    def __init__(self, output: Path) -> None:
        self.output = str(output)
        self.seen: dict[str, str] = {}  # folder, relative to the output → its state

    def blocked(self, rel: str) -> str | None:
        """The first existing parent of `rel` that is not a real folder: writing through a symlink could leave the
        output folder, and a file where a folder is needed would fail halfway through publishing."""
        folder = rel.rpartition("/")[0]
        state = self._state(folder) if folder else self.REAL
        return None if state in (self.REAL, self.ABSENT) else state

    def _state(self, folder: str) -> str:
        known = self.seen.get(folder)
        if known is not None:
            return known
        above = folder.rpartition("/")[0]
        state = self._state(above) if above else self.REAL
        if state == self.REAL:  # look at this one; below what is absent or in the way, the answer is the same
            path = os.path.join(self.output, folder)  # noqa: PTH118
            try:
                mode = os.lstat(path).st_mode
            except FileNotFoundError:
                state = self.ABSENT
            else:
                state = self.REAL if stat.S_ISDIR(mode) else path  # lstat: a symlink, even to a folder, is in the way
        self.seen[folder] = state
        return state


def clean_leftovers(output: Path) -> None:
    """Remove what an interrupted build left in the output: staged pages never published, a half-written manifest."""
    staging = output / STAGING_DIR
    if staging.is_symlink() or staging.is_file():
        staging.unlink()  # only the link goes: staging must be a real folder inside the output
    elif staging.exists():
        shutil.rmtree(staging)  # never published, safe to drop
    for name in (MANIFEST_FILE, PENDING_FILE):
        for leftover in output.glob(temp_pattern(name)):
            leftover.unlink(missing_ok=True)  # a write cut short by a kill
    if (output / PENDING_FILE).exists() and _pending(output, _file_digest(output / MANIFEST_FILE)) is None:
        (output / PENDING_FILE).unlink(missing_ok=True)  # a commit completed but was killed before removing it


def _remove_empty_parents(folder: Path, stop: Path) -> None:
    while folder != stop and folder.is_relative_to(stop):
        try:
            folder.rmdir()  # only succeeds when empty: never removes anything sitegen did not write
        except OSError:
            return
        folder = folder.parent


def published_intact(output: Path) -> bool:
    """Every file the last build published is still there with the size it was written with."""
    return damaged_files(output, first=True) == frozenset()


def damaged_files(output: Path, *, first: bool = False) -> frozenset[str] | None:
    """The files the last build published that are gone or no longer have the size they were written with (with
    `first`, only the first one found); None when the manifest cannot say (missing, unreadable, not ours, empty, or
    a commit was cut short).

    This is what a no-op build costs at 100,000s of pages, so it reads the manifest's sizes straight from the parsed
    JSON, without rebuilding its entries as `read_manifest` does for a build that writes. A name that could lead
    out of the folder (edited by hand) makes it None, so the build that follows, or `sitegen deploy`, goes through
    `read_manifest`, which refuses it: a cheaper test than `_safe_rel`, enough to say "not intact".
    """
    return _damaged(output, _parsed_manifest(output), first)


def _parsed_manifest(output: Path) -> Any:
    """The manifest's JSON, or None when a commit was cut short (the next build completes it) or it can't be read."""
    if (output / STAGING_DIR).exists() or (output / PENDING_FILE).exists():
        return None
    try:
        return json.loads((output / MANIFEST_FILE).read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return None


def _damaged(output: Path, data: Any, first: bool) -> frozenset[str] | None:
    try:
        if data is None or data.get("version") != _MANIFEST_VERSION or not data["files"]:
            return None
        prefix = os.path.join(output, "")  # noqa: PTH118 - strings: 100,000s of calls below
        damaged = []
        for rel, entry in data["files"].items():
            if _leads_out(rel):
                return None
            try:
                if os.stat(prefix + rel).st_size != entry[1]:  # noqa: PTH116 - 100,000s of calls
                    damaged.append(rel)
            except OSError:
                damaged.append(rel)
            if first and damaged:
                break
        return frozenset(damaged)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None  # not ours: not intact, and the build that follows finds out which


@dataclass(frozen=True)
class LastBuildOutput:
    """What the last build published into a folder, all of it still there: each file's (sha256, size), and whether
    its pages show what is not published yet (a build with --drafts or --future)."""

    files: dict[str, tuple[str, int]]
    unpublished: bool


def intact_output(output: Path) -> LastBuildOutput | None:
    """The last build's files, from one reading of its manifest (`sitegen deploy`: 137,000 entries parsed once, not
    once per question, and no build's commit can come between the questions); None when they are not all there."""
    data = _parsed_manifest(output)
    if _damaged(output, data, True) != frozenset():
        return None
    try:
        entries = _entries(data["files"])
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None
    return LastBuildOutput(_inside(entries), data.get("unpublished") is True)


def _entries(files: Any) -> dict[str, tuple[str, int]]:
    """The manifest's entries as (sha256, size), checked: raises on one that is not."""
    return {str(rel): (str(entry[0]), int(entry[1])) for rel, entry in files.items()}


def _inside(entries: dict[str, tuple[str, int]]) -> dict[str, tuple[str, int]]:
    """A manifest edited by hand must not make sitegen replace or delete anything outside the output folder."""
    return {rel: entry for rel, entry in entries.items() if _safe_rel(rel)}


def _leads_out(rel: str) -> bool:
    """A manifest name that could name a file outside the output folder: absolute, a `..` part, or a backslash (which
    `_safe_rel` refuses too). `a..b.html` is a name like any other."""
    return rel.startswith(("/", "../")) or "/../" in rel or rel.endswith("/..") or rel == ".." or "\\" in rel


def read_manifest(output: Path) -> dict[str, tuple[str, int]]:
    """What sitegen wrote into `output`: the manifest, and the files a commit cut short may have written (their
    content unknown, so the next build writes them again)."""
    try:
        raw = (output / MANIFEST_FILE).read_bytes()
        data = json.loads(raw.decode("utf-8"))
        files = data["files"] if data.get("version") == _MANIFEST_VERSION else {}
        entries = _entries(files)
    except FileNotFoundError:
        raw, entries = b"", {}
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        # A manifest we cannot trust: then nothing in the folder is known to be ours, which is the safe side.
        return {}
    pending = _pending(output, hashlib.sha256(raw).hexdigest()) if (output / PENDING_FILE).exists() else None
    entries.update(dict.fromkeys(pending or (), _UNKNOWN))
    return _inside(entries)


def write_pending(output: Path, staged: list[str]) -> None:
    """Name the files a commit is about to write, over the manifest as it is now (its digest): once the commit
    writes the next manifest, the journal no longer applies, whether or not it was removed."""
    output.mkdir(parents=True, exist_ok=True)
    data = {"version": _MANIFEST_VERSION, "over": _file_digest(output / MANIFEST_FILE), "files": sorted(staged)}
    atomic_write(output / PENDING_FILE, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def _pending(output: Path, over: str) -> list[str] | None:
    """The files of a commit that was cut short over the manifest with digest `over`; None when there is none, it
    was written over another manifest, or it can't be read."""
    try:
        data = json.loads((output / PENDING_FILE).read_text(encoding="utf-8"))
        if data.get("version") != _MANIFEST_VERSION or data.get("over") != over:
            return None
        return [str(rel) for rel in data["files"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return hashlib.sha256(b"").hexdigest()


def _safe_rel(rel: str) -> bool:
    """A name inside the folder: no empty, `.` or `..` part, no backslash or NUL. Said with string tests, not a split
    per name: 137,000 names are read on every build at 100,000 articles (the split was 0.3 s of it)."""
    if not rel or "\\" in rel or "\x00" in rel or "//" in rel or rel in {".", ".."}:
        return False
    return not (rel.startswith(("/", "./", "../")) or rel.endswith(("/", "/.", "/..")) or "/./" in rel or "/../" in rel)


def write_manifest(output: Path, files: dict[str, tuple[str, int]], *, unpublished: bool = False) -> None:
    output.mkdir(parents=True, exist_ok=True)
    data: dict[str, object] = {"files": files, "generator": "sitegen", "version": _MANIFEST_VERSION}
    if unpublished:
        data["unpublished"] = True
    # The C encoder does it all: sorts the names (sort_keys), writes the (digest, size) tuples as arrays. No indent:
    # with one, json falls back to its pure-Python encoder. Sorting and copying the entries in Python first was most
    # of `sitegen build --watch`'s time per save at 100,000 articles.
    atomic_write(output / MANIFEST_FILE, json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(temp_name(path.name, os.getpid()))
    tmp.write_bytes(data)
    tmp.replace(path)


# -- a test hook ------------------------------------------------------------------------------------------------------

TEST_STEP_ENV = "SITEGEN_TEST_COMMIT_STEP"


def _test_step_hook() -> Callable[[str, str], None] | None:
    """TEST HOOK, for tests only, never set in use: with SITEGEN_TEST_COMMIT_STEP=SECONDS in the environment, each
    step of a commit (each rename into place, each removal, the last manifest write) first prints
    `sitegen-test-step N ACTION PATH` to stderr, then sleeps SECONDS. tests/commands/test_kill_during_publish.py uses
    it to SIGKILL a real `sitegen build` at a moment it chose inside the commit. Looked up once per commit: unset, a
    commit pays one environment lookup and one `is None` per file."""
    seconds = os.environ.get(TEST_STEP_ENV)
    if not seconds:
        return None
    delay, counter = float(seconds), itertools.count()

    def step(action: str, rel: str) -> None:
        sys.stderr.write(f"sitegen-test-step {next(counter)} {action} {rel}\n")
        sys.stderr.flush()
        time.sleep(delay)

    return step
