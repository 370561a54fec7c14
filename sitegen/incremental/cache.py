"""Build state kept between runs in `<site>/.sitegen-cache/`: parsed articles and what each page was made from.

The state is one SQLite file (standard library, no pickle): each build's changes are saved in one transaction, so
the file on disk always holds either the previous build's state or the new one, never half of each. Articles are
stored as JSON of their fields, their tags and authors by number in a table of terms; their bodies are files of their
own (see bodies.py).

A cache that cannot be read (garbage, truncated, locked, written by another sitegen or with other parse settings)
is thrown away and the build starts from nothing: the cache may make a build faster, never different.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitegen import __version__, paths
from sitegen.errors import Problem, Severity, warning
from sitegen.incremental.encoding import (
    BODY_IMAGES_FIELD,
    DIGEST_FIELD,
    TermTable,
    decode_article,
    decode_term,
    encode_article,
    encode_term,
)
from sitegen.model import Article

_FORMAT = "sitegen-build-state"
# 9: tags and authors in a table of their own, articles name them by number; 8: articles have a guid, and know the
# images their body shows; images have a focal point; 6: routes keep their moment, the build its site key
# (dependencies.py)
_VERSION = 9
_READ_BATCH = 2000  # articles decoded at a time: their JSON is freed before the next batch is read
_CODE_SUFFIXES = frozenset({".py", ".js"})
_PACKAGE = Path(__file__).resolve().parents[1]  # the sitegen package, every subpackage included

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
    source TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL, digest TEXT NOT NULL,
    article TEXT, teaser TEXT NOT NULL, problems TEXT NOT NULL
);
CREATE TABLE terms (id INTEGER PRIMARY KEY, term TEXT NOT NULL);
CREATE TABLE routes (
    folder TEXT NOT NULL, output TEXT NOT NULL, fingerprint TEXT NOT NULL, moment REAL, PRIMARY KEY (folder, output)
);
"""


@dataclass(frozen=True)
class LastBuild:
    """What the previous build saw and made: when all of its inputs are unchanged, there is nothing to do."""

    inputs: str  # digest of every input: files' stamps, configuration, options, build date, output folder
    horizon: float | None  # the next moment an article appears or expires: the site changes then by itself
    articles: int
    pages: int
    warnings: tuple[Problem, ...]
    claims: str = ""  # the URLs its routes claim (plan.claims), found safe and claimed once

    def to_json(self) -> str:
        data = dataclasses.asdict(self)
        data["warnings"] = [[p.path, p.line, p.message, p.severity.value] for p in self.warnings]
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> LastBuild:
        data = json.loads(text)
        horizon = data["horizon"]
        return cls(
            inputs=str(data["inputs"]),
            horizon=None if horizon is None else float(horizon),
            articles=int(data["articles"]),
            pages=int(data["pages"]),
            warnings=tuple(_decode_problem(p) for p in data["warnings"]),
            claims=str(data.get("claims", "")),
        )


@dataclass(frozen=True, slots=True)  # one per page: 137,000 at 100,000 articles, a dict each without slots
class Made:
    """What a published page was made from (its fingerprint), and its moment: the newest publication time among the
    articles it shows, None for pages that show none or no edition (incremental/dependencies.py)."""

    fingerprint: str
    moment: float | None


class CacheUnusable(Exception):  # noqa: N818 - an expected outcome, handled by starting from nothing
    pass


@dataclass(frozen=True)
class Parsed:
    """One source file's parse result, as the cache keeps it."""

    source: str
    stamp: tuple[int, int]  # (mtime_ns, size) of the file when it was read
    digest: str  # of the file's bytes
    article: Article | None  # None when the file has errors; bodies of cached articles are loaded on demand
    problems: tuple[Problem, ...]
    teaser: str  # digest of everything but the body: what list pages show of it


def code_digest() -> str:
    """sitegen's own source, every module of every subpackage and the files it ships beside them (the live-reload
    script): a new version, or a local edit of any of it, parses and renders differently."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(_PACKAGE.rglob("*"), key=lambda p: p.relative_to(_PACKAGE).as_posix()):
        if path.suffix not in _CODE_SUFFIXES or "__pycache__" in path.parts or not path.is_file():
            continue
        h.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:20]


def cache_key(code: str, settings: object) -> str:
    """What the cache's contents depend on: sitegen's code and the settings articles are parsed with."""
    return f"{code}:{settings}"


def teaser_digest(article: Article) -> str:
    """Every field of an article but its body (and the digest that changes with it): a teaser's inputs."""
    fields = encode_article(article)
    fields[DIGEST_FIELD] = ""
    fields[BODY_IMAGES_FIELD] = []  # found in the body: lists do not show them
    return hashlib.sha256(json.dumps(fields).encode()).hexdigest()[:20]


@dataclass
class BuildCache:
    """The state of the previous build, and what this build changes in it."""

    path: Path | None  # None: no cache (read-only site, or --clean with nowhere to write)
    key: str
    articles: dict[str, Parsed] = field(default_factory=dict)
    # output folder → {file in it → what it was rendered from}. By folder, so that building into two folders in turn
    # (a preview server and `build`) does not make each build a full one.
    routes: dict[str, dict[str, Made]] = field(default_factory=dict)
    terms: TermTable = field(default_factory=TermTable)  # the tags and authors the stored articles name by number
    index: str = ""  # the last build's site key (dependencies.SiteKey, as JSON); empty: not known
    problems: list[Problem] = field(default_factory=list)  # why an unreadable cache was not used
    stale: bool = False  # the file on disk is not this build's to update: replace it
    last: LastBuild | None = None  # what the previous build saw and made

    @classmethod
    def open(cls, root: Path, key: str, *, clean: bool = False) -> BuildCache:
        path = root / paths.CACHE_DIR / paths.STATE_FILE
        cache = cls(path, key)
        if clean or not path.exists():
            cache.stale = True
            return cache
        cache._guarded(cache._read_meta)
        return cache

    def read_state(self) -> None:
        """Read the parsed articles and the fingerprints (the part of the cache that grows with the archive)."""
        if not self.stale:
            self._guarded(self._read_state)

    def _guarded(self, read: Callable[[], None]) -> None:
        try:
            read()
        except CacheUnusable:  # another sitegen or other settings: expected, and nothing to warn about
            self._forget()
        except (sqlite3.Error, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
            self._forget()
            self.problems.append(warning(str(self.path), None, f"build cache unreadable ({exc}): building everything"))

    def _forget(self) -> None:
        self.articles, self.routes, self.last, self.index = {}, {}, None, ""
        self.terms = TermTable()
        self.stale = True

    def _read_meta(self) -> None:
        assert self.path is not None
        with contextlib.closing(_connect(self.path)) as db:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("format") != _FORMAT or meta.get("version") != str(_VERSION):
            raise CacheUnusable("written by another program or version")
        if meta.get("key") != self.key:
            raise CacheUnusable("made with other settings or another sitegen")
        self.last = LastBuild.from_json(meta["last"]) if meta.get("last") else None
        self.index = str(meta.get("index", ""))

    def _read_state(self) -> None:
        assert self.path is not None
        with contextlib.closing(_connect(self.path)) as db:
            self.terms = _read_terms(db)
            query = "SELECT source, mtime_ns, size, digest, article, teaser, problems FROM articles"
            rows = db.execute(query)
            while batch := rows.fetchmany(_READ_BATCH):
                self._read_articles(batch)
            query = "SELECT folder, output, fingerprint, moment FROM routes"
            for folder, output, fingerprint, moment in db.execute(query):
                made = Made(str(fingerprint), None if moment is None else float(moment))
                self.routes.setdefault(str(folder), {})[str(output)] = made

    def _read_articles(self, rows: list[tuple[Any, ...]]) -> None:
        # One JSON document per batch of rows: thousands of small json.loads calls cost more than the parsing. In
        # batches, not all at once: the JSON of 100,000 articles, as text and as lists, is 380 MB more at the peak.
        articles = json.loads("[" + ",".join(r[4] or "null" for r in rows) + "]")
        problems = json.loads("[" + ",".join(r[6] for r in rows) + "]")
        for row, article, found in zip(rows, articles, problems, strict=True):
            source, mtime_ns, size, digest, _, teaser, _ = row
            decoded = None if article is None else decode_article(article, self.terms)
            if decoded is not None:  # the row's source and digest are the article's: one string each, not two
                source = decoded.source if decoded.source == source else source
                digest = decoded.digest if decoded.digest == digest else digest
            self.articles[source] = Parsed(
                source=str(source),
                stamp=(int(mtime_ns), int(size)),
                digest=str(digest),
                article=decoded,
                problems=tuple(_decode_problem(p) for p in found) if found else (),
                teaser=str(teaser),
            )

    def routes_for(self, folder: str) -> dict[str, Made]:
        return self.routes.get(folder, {})

    def reusable(self, source: str, stamp: tuple[int, int]) -> Parsed | None:
        found = self.articles.get(source)
        return found if found is not None and found.stamp == stamp else None

    def save(
        self,
        parsed: Mapping[str, Parsed],
        fresh: Iterable[str],
        routes: Mapping[str, Made],
        output: str,
        last: LastBuild | None = None,
        index: str = "",
    ) -> list[Problem]:
        """Record this build: `parsed` every source file now, `fresh` the ones parsed this time, `routes` what every
        published page was made from, `index` the site key. Returns a warning when the state cannot be saved."""
        if self.path is None:
            return []
        try:
            self._save(parsed, fresh, routes, output, last, index)
        except (sqlite3.Error, OSError) as exc:
            return [warning(str(self.path), None, f"could not save the build cache ({exc}): next build is a full one")]
        return []

    def _save(self, parsed: Mapping[str, Parsed], fresh: Iterable[str], routes: Mapping[str, Made],
              output: str, last: LastBuild | None, index: str) -> None:  # fmt: skip
        assert self.path is not None
        reset = not self._usable_on_disk()
        if reset:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _ignore_in_git(self.path.parent)
            for leftover in (self.path, self.path.with_name(self.path.name + "-journal")):
                leftover.unlink(missing_ok=True)
        with contextlib.closing(_connect(self.path)) as db, _transaction(db):
            if reset:
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    db.execute(statement)
            meta = {"format": _FORMAT, "version": str(_VERSION), "key": self.key}
            meta["last"] = last.to_json() if last else ""
            meta["index"] = index
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
            gone = [(s,) for s in self.articles.keys() - parsed.keys()]
            db.executemany("DELETE FROM articles WHERE source = ?", gone)
            # Rows made as they are written (a generator): the JSON of every article of a first build at once is
            # hundreds of MB.
            terms = TermTable() if reset else self.terms
            db.executemany(
                "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?)",
                (_article_row(parsed[s], terms) for s in fresh),
            )
            added = [(i, json.dumps(encode_term(term), ensure_ascii=False)) for i, term in terms.added()]
            db.executemany("INSERT INTO terms VALUES (?, ?)", added)
            cached = self.articles.get
            restamped = [  # most are the very objects read from the cache: told apart by identity, 100,000 times
                (p.stamp[0], p.stamp[1], s)
                for s, p in parsed.items()
                if (was := cached(s)) is not p and was is not None and was.stamp != p.stamp and was.digest == p.digest
            ]
            db.executemany("UPDATE articles SET mtime_ns = ?, size = ? WHERE source = ?", restamped)
            previous = {} if reset else self.routes_for(output)
            dropped = [(output, o) for o in previous.keys() - routes.keys()]
            for folder, known in self.routes.items():
                if not Path(folder).is_dir():  # an output folder that was deleted: forget it
                    dropped += [(folder, o) for o in known]
            db.executemany("DELETE FROM routes WHERE folder = ? AND output = ?", dropped)
            db.executemany(
                "INSERT OR REPLACE INTO routes VALUES (?, ?, ?, ?)",
                [
                    (output, o, m.fingerprint, m.moment)
                    for o, m in routes.items()
                    if (old := previous.get(o)) is not m and old != m
                ],
            )

    def _usable_on_disk(self) -> bool:
        """True when the file holds a cache this build read (so it can be updated in place)."""
        return self.path is not None and self.path.exists() and not self.stale and bool(self.articles)


def forget_pages(root: Path, output: str, pages: Iterable[str]) -> list[Problem]:
    """`pages` of the output folder `output` are about to be rewritten or removed by something other than a build
    (`sitegen build --watch`): their fingerprints would no longer describe them, and the folder is no longer what the
    last build left (no "nothing changed" shortcut). Forgotten before the files are written, so a publisher killed in
    between costs the next build a few renders, never a stale page. A cache that cannot be updated is deleted, for
    the same reason; then the next build is a full one."""
    path = root / paths.CACHE_DIR / paths.STATE_FILE
    rows = [(output, page) for page in pages]
    if not rows or not path.exists():
        return []
    try:
        with contextlib.closing(_connect(path)) as db, _transaction(db):
            db.executemany("DELETE FROM routes WHERE folder = ? AND output = ?", rows)
            db.execute("UPDATE meta SET value = '' WHERE key IN ('last', 'index')")
    except sqlite3.Error as exc:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        return [warning(str(path), None, f"could not update the build cache ({exc}): removed it, the next build is "
                        "a full one")]  # fmt: skip
    return []


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=10, isolation_level=None)  # transactions are explicit: see _transaction
    db.execute("PRAGMA synchronous = NORMAL")
    return db


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    """All of a build's changes, schema included, or none of them."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _ignore_in_git(folder: Path) -> None:
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# sitegen's build cache: safe to delete, never commit\n*\n", encoding="utf-8")


def _read_terms(db: sqlite3.Connection) -> TermTable:
    """The terms table, numbered from 0 without a gap (else the rows' numbers would not mean what they meant)."""
    rows = db.execute("SELECT id, term FROM terms ORDER BY id").fetchall()
    if any(row[0] != i for i, row in enumerate(rows)):
        raise ValueError("the terms table has a gap")
    return TermTable([decode_term(json.loads(term)) for _, term in rows])


def _article_row(p: Parsed, terms: TermTable) -> tuple[Any, ...]:
    article = None if p.article is None else json.dumps(encode_article(p.article, terms), ensure_ascii=False)
    problems = json.dumps([[x.path, x.line, x.message, x.severity.value] for x in p.problems], ensure_ascii=False)
    return (p.source, p.stamp[0], p.stamp[1], p.digest, article, p.teaser, problems)


def _decode_problem(row: list[Any]) -> Problem:
    path, line, message, severity = row
    return Problem(str(path), None if line is None else int(line), str(message), Severity(severity))
