"""Build state kept between runs in `<site>/.sitegen-cache/`: parsed articles and what each page was made from.

The state is one SQLite file (standard library, no pickle): each build's changes are saved in one transaction, so
the file on disk always holds either the previous build's state or the new one, never half of each. Articles are
stored as JSON of their fields, their bodies in a separate column that is read only when a page has to be rendered.

A cache that cannot be read (garbage, truncated, locked, written by another sitegen or with other parse settings)
is thrown away and the build starts from nothing: the cache may make a build faster, never different.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import sqlite3
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sitegen import __version__
from sitegen.errors import Problem, Severity, warning
from sitegen.model import Article

CACHE_DIR = ".sitegen-cache"
STATE_FILE = "state.sqlite3"
_FORMAT = "sitegen-build-state"
_VERSION = 1
_PACKAGE = Path(__file__).resolve().parent

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
    source TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL, digest TEXT NOT NULL,
    article TEXT, teaser TEXT NOT NULL, problems TEXT NOT NULL, body TEXT NOT NULL
);
CREATE TABLE routes (
    folder TEXT NOT NULL, output TEXT NOT NULL, fingerprint TEXT NOT NULL, PRIMARY KEY (folder, output)
);
"""


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
    """sitegen's own source: a new version (or a local edit of it) parses and renders differently."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(_PACKAGE.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:20]


def teaser_digest(article: Article) -> str:
    """Every field of an article but its body (and the digest that changes with it): a teaser's inputs."""
    fields = {k: v for k, v in encode_article(article).items() if k not in ("body_html", "digest")}
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:20]


@dataclass
class BuildCache:
    """The state of the previous build, and what this build changes in it."""

    path: Path | None  # None: no cache (read-only site, or --clean with nowhere to write)
    key: str
    articles: dict[str, Parsed] = field(default_factory=dict)
    # output folder → {file in it → the fingerprint of what it was rendered from}. By folder, so that building into
    # two folders in turn (a preview server and `build`) does not make each build a full one.
    routes: dict[str, dict[str, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # why an unreadable cache was not used
    stale: bool = False  # the file on disk is not this build's to update: replace it

    @classmethod
    def open(cls, root: Path, key: str, *, clean: bool = False) -> BuildCache:
        path = root / CACHE_DIR / STATE_FILE
        cache = cls(path, key)
        if clean or not path.exists():
            cache.stale = True
            return cache
        try:
            cache._read()
        except CacheUnusable:  # another sitegen or other settings: expected, and nothing to warn about
            cache._forget()
        except (sqlite3.Error, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
            cache._forget()
            cache.problems.append(warning(str(path), None, f"build cache unreadable ({exc}): building everything"))
        return cache

    def _forget(self) -> None:
        self.articles, self.routes = {}, {}
        self.stale = True

    def _read(self) -> None:
        assert self.path is not None
        with contextlib.closing(_connect(self.path)) as db:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("format") != _FORMAT or meta.get("version") != str(_VERSION):
                raise CacheUnusable("written by another program or version")
            if meta.get("key") != self.key:
                raise CacheUnusable("made with other settings or another sitegen")
            rows = db.execute("SELECT source, mtime_ns, size, digest, article, teaser, problems FROM articles")
            for source, mtime_ns, size, digest, article, teaser, problems in rows:
                self.articles[source] = Parsed(
                    source=str(source),
                    stamp=(int(mtime_ns), int(size)),
                    digest=str(digest),
                    article=None if article is None else decode_article(json.loads(article), body=""),
                    problems=tuple(_decode_problem(p) for p in json.loads(problems)),
                    teaser=str(teaser),
                )
            for folder, output, fingerprint in db.execute("SELECT folder, output, fingerprint FROM routes"):
                self.routes.setdefault(str(folder), {})[str(output)] = str(fingerprint)

    def routes_for(self, folder: str) -> dict[str, str]:
        return self.routes.get(folder, {})

    def reusable(self, source: str, stamp: tuple[int, int]) -> Parsed | None:
        found = self.articles.get(source)
        return found if found is not None and found.stamp == stamp else None

    def bodies(self, sources: Iterable[str]) -> dict[str, str]:
        """Bodies of cached articles; any that cannot be read are simply missing (the caller parses them again)."""
        wanted = set(sources)
        if not wanted or self.path is None or not self.path.exists():
            return {}
        try:
            with contextlib.closing(_connect(self.path)) as db:
                rows = db.execute("SELECT source, digest, body FROM articles").fetchall()
        except sqlite3.Error:
            return {}
        return {
            str(s): str(b) for s, d, b in rows if s in wanted and s in self.articles and self.articles[s].digest == d
        }

    def save(
        self,
        parsed: Mapping[str, Parsed],
        fresh: Mapping[str, str],
        routes: Mapping[str, str],
        output: str,
    ) -> list[Problem]:
        """Record this build: `parsed` every source file now, `fresh` bodies of the ones parsed this time,
        `routes` the fingerprint of every published page. Returns a warning when the state cannot be saved."""
        if self.path is None:
            return []
        try:
            self._save(parsed, fresh, routes, output)
        except (sqlite3.Error, OSError) as exc:
            return [warning(str(self.path), None, f"could not save the build cache ({exc}): next build is a full one")]
        return []

    def _save(self, parsed: Mapping[str, Parsed], fresh: Mapping[str, str], routes: Mapping[str, str],
              output: str) -> None:  # fmt: skip
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
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
            gone = [(s,) for s in self.articles.keys() - parsed.keys()]
            db.executemany("DELETE FROM articles WHERE source = ?", gone)
            db.executemany(
                "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (_article_row(parsed[s], body) for s, body in fresh.items()),
            )
            restamped = [
                (p.stamp[0], p.stamp[1], s)
                for s, p in parsed.items()
                if s not in fresh and s in self.articles and self.articles[s].stamp != p.stamp
            ]
            db.executemany("UPDATE articles SET mtime_ns = ?, size = ? WHERE source = ?", restamped)
            previous = {} if reset else self.routes_for(output)
            dropped = [(output, o) for o in previous.keys() - routes.keys()]
            for folder, known in self.routes.items():
                if not Path(folder).is_dir():  # an output folder that was deleted: forget it
                    dropped += [(folder, o) for o in known]
            db.executemany("DELETE FROM routes WHERE folder = ? AND output = ?", dropped)
            db.executemany(
                "INSERT OR REPLACE INTO routes VALUES (?, ?, ?)",
                [(output, o, f) for o, f in routes.items() if previous.get(o) != f],
            )

    def _usable_on_disk(self) -> bool:
        """True when the file holds a cache this build read (so it can be updated in place)."""
        return self.path is not None and self.path.exists() and not self.stale and bool(self.articles)


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


def _article_row(p: Parsed, body: str) -> tuple[Any, ...]:
    article = None if p.article is None else json.dumps(encode_article(p.article, body=False), ensure_ascii=False)
    problems = json.dumps([[x.path, x.line, x.message, x.severity.value] for x in p.problems], ensure_ascii=False)
    return (p.source, p.stamp[0], p.stamp[1], p.digest, article, p.teaser, problems, body)


def _decode_problem(row: list[Any]) -> Problem:
    path, line, message, severity = row
    return Problem(str(path), None if line is None else int(line), str(message), Severity(severity))


# ---- Articles as JSON: driven by the dataclasses' type hints, so a field added to the model is stored too.


def encode_article(article: Article, *, body: bool = True) -> dict[str, Any]:
    encoded = _encode(article)
    assert isinstance(encoded, dict)
    if not body:
        encoded.pop("body_html")
    return encoded


def decode_article(data: Mapping[str, Any], *, body: str) -> Article:
    article = _decode({**data, "body_html": body}, Article)
    assert isinstance(article, Article)
    return article


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, datetime):
        zone = value.tzinfo.key if isinstance(value.tzinfo, ZoneInfo) else None
        # A zone keeps its name (templates may print it); a fixed offset is part of the ISO text.
        naive = value.replace(tzinfo=None).isoformat() if zone else value.isoformat()
        return {"datetime": naive, "zone": zone, "fold": value.fold}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    raise TypeError(f"cannot store a {type(value).__name__} in the build cache")


def _decode(value: Any, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None and len(options) < len(typing.get_args(hint)):
            return None
        if len(options) != 1:
            raise TypeError(f"cannot read {hint} from the build cache")
        return _decode(value, options[0])
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return tuple(_decode(v, item) for v in _expect(value, list))
    if hint is datetime:
        moment = datetime.fromisoformat(_expect(value["datetime"], str))
        zone = value["zone"]
        return moment.replace(tzinfo=ZoneInfo(zone), fold=int(value["fold"])) if zone else moment
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = _hints(hint)
        names = [f.name for f in dataclasses.fields(hint)]
        data = _expect(value, dict)
        return hint(**{n: _decode(data[n], hints[n]) for n in names})
    if hint in (str, bool, int, float):
        if hint is int and isinstance(value, bool):
            raise TypeError("expected a number")
        return _expect(value, hint)
    raise TypeError(f"cannot read {hint} from the build cache")


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _expect(value: Any, kind: type) -> Any:
    if not isinstance(value, kind):
        raise TypeError(f"expected {kind.__name__}, found {type(value).__name__}")
    return value
