"""The derivative store: resized images kept between builds in `.sitegen-cache/images/`, named by their recipe's key.

A key is a digest of the source's bytes and of everything that shapes the output, so a file in the store is always
right for its name: a second build finds every derivative and encodes nothing, and a changed image (new bytes, new
digest) misses only its own. An index (SQLite, one transaction per build) remembers each source file's digest by its
stamp, so an unchanged photo is not read and hashed again, and what decoding it told (its size after orientation,
transparency, animation), so its derivatives are planned without decoding it. A damaged index is thrown away: it
makes builds faster, never different.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path

from sitegen.content.sources import SourceFile, read_bytes
from sitegen.images.recipes import Probe, Recipe
from sitegen.paths import CACHE_DIR, IMAGE_CACHE_DIR, IMAGE_INDEX_FILE, temp_name

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (rel TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER, digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS shown (path TEXT PRIMARY KEY, digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS probes (
    digest TEXT PRIMARY KEY, width INTEGER NOT NULL, height INTEGER NOT NULL, alpha INTEGER NOT NULL,
    animated INTEGER NOT NULL
);
"""


def source_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:24]


class DerivativeStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._files: dict[str, tuple[int, int, str]] = {}
        self._probes: dict[str, Probe] = {}
        self.last_shown: dict[str, str] = {}  # site path → digest, as the last published build showed them
        self._changed = False

    @classmethod
    def of_site(cls, root: Path, *, clean: bool = False) -> DerivativeStore:
        store = cls(root / CACHE_DIR / IMAGE_CACHE_DIR)
        if not clean:
            store._read_index()
        return store

    def path(self, recipe: Recipe) -> Path:
        return self.folder / recipe.key[:2] / f"{recipe.key}.{recipe.suffix}"

    def has(self, recipe: Recipe) -> bool:
        return self.path(recipe).is_file()

    def put(self, recipe: Recipe, data: bytes) -> None:
        """Written under a temporary name and renamed: a reader (another worker, a killed build's successor) sees the
        whole file or none."""
        target = self.path(recipe)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(temp_name(target.name, os.getpid()))
        tmp.write_bytes(data)
        tmp.replace(target)

    def digest_of(self, found: SourceFile) -> str:
        """The digest of a source's bytes: remembered by stamp, else read (raises OSError)."""
        known = self._files.get(found.rel)
        if known is not None and known[:2] == found.stamp:
            return known[2]
        digest = source_digest(read_bytes(found))
        self._files[found.rel] = (*found.stamp, digest)
        self._changed = True
        return digest

    def probe(self, digest: str) -> Probe | None:
        return self._probes.get(digest)

    def remember(self, digest: str, probe: Probe) -> None:
        if self._probes.get(digest) != probe:
            self._probes[digest] = probe
            self._changed = True

    def save(self, shown: Mapping[str, str]) -> None:
        """The index, with only the sources this build showed (one transaction); never fails a build."""
        keep = set(shown.values())
        files = {rel: v for rel, v in self._files.items() if v[2] in keep}
        probes = {d: p for d, p in self._probes.items() if d in keep}
        if not self._changed and len(files) == len(self._files) and dict(shown) == self.last_shown:
            return
        with contextlib.suppress(OSError, sqlite3.Error):
            self.folder.mkdir(parents=True, exist_ok=True)
            with contextlib.closing(sqlite3.connect(self.folder / IMAGE_INDEX_FILE)) as db, db:
                db.executescript(_SCHEMA)
                db.execute("DELETE FROM files")
                db.execute("DELETE FROM probes")
                db.execute("DELETE FROM shown")
                db.executemany("INSERT INTO shown VALUES (?, ?)", sorted(shown.items()))
                db.executemany("INSERT INTO files VALUES (?, ?, ?, ?)", [(r, *v) for r, v in files.items()])
                db.executemany("INSERT INTO probes VALUES (?, ?, ?, ?, ?)",
                               [(d, p.width, p.height, p.alpha, p.animated) for d, p in probes.items()])  # fmt: skip

    def prune(self, keep: Iterable[Recipe]) -> int:
        """Remove the derivatives no page of this build shows; how many went."""
        wanted = {self.path(r) for r in keep}
        removed = 0
        for path in self.folder.glob("??/*"):
            if path not in wanted:
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed += 1
        return removed

    def _read_index(self) -> None:
        path = self.folder / IMAGE_INDEX_FILE
        if not path.is_file():
            return
        try:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                files = db.execute("SELECT rel, mtime_ns, size, digest FROM files").fetchall()
                probes = db.execute("SELECT digest, width, height, alpha, animated FROM probes").fetchall()
                shown = db.execute("SELECT path, digest FROM shown").fetchall()
            self._files = {str(r): (int(m), int(s), str(d)) for r, m, s, d in files}
            self._probes = {str(d): Probe(int(w), int(h), bool(a), bool(n)) for d, w, h, a, n in probes}
            self.last_shown = {str(p): str(d) for p, d in shown}
        except (sqlite3.Error, ValueError, TypeError):
            self._files, self._probes, self.last_shown = {}, {}, {}  # damaged or foreign: start from nothing
