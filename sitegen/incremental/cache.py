"""Build state kept between runs in `<site>/.sitegen-cache/`: parsed articles and what each page was made from.

The state is one SQLite file (standard library, no pickle): each build's changes are saved in one transaction, so
the file on disk always holds either the previous build's state or the new one, never half of each. Articles are
stored as JSON of their fields; their bodies are files of their own (see bodies.py).

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
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sitegen import __version__, paths
from sitegen.errors import Problem, Severity, warning
from sitegen.model import Article, Body

_FORMAT = "sitegen-build-state"
_VERSION = 8  # 8: articles have a guid, and know the images their body shows; images have a focal point; 6: routes keep
# their moment, the build its site key (dependencies.py)
_CODE_SUFFIXES = frozenset({".py", ".js"})
_PACKAGE = Path(__file__).resolve().parents[1]  # the sitegen package, every subpackage included

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
    source TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL, digest TEXT NOT NULL,
    article TEXT, teaser TEXT NOT NULL, problems TEXT NOT NULL
);
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
        )


@dataclass(frozen=True)
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
    fields[_DIGEST] = ""
    fields[_BODY_IMAGES] = []  # found in the body: lists do not show them
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
            query = "SELECT source, mtime_ns, size, digest, article, teaser, problems FROM articles"
            rows = db.execute(query).fetchall()
            # One JSON document for all rows: ten thousand small json.loads calls cost more than the parsing.
            articles = json.loads("[" + ",".join(r[4] or "null" for r in rows) + "]")
            problems = json.loads("[" + ",".join(r[6] for r in rows) + "]")
            for (source, mtime_ns, size, digest, _, teaser, _), article, found in zip(
                rows, articles, problems, strict=True
            ):
                self.articles[source] = Parsed(
                    source=str(source),
                    stamp=(int(mtime_ns), int(size)),
                    digest=str(digest),
                    article=None if article is None else decode_article(article),
                    problems=tuple(_decode_problem(p) for p in found) if found else (),
                    teaser=str(teaser),
                )
            query = "SELECT folder, output, fingerprint, moment FROM routes"
            for folder, output, fingerprint, moment in db.execute(query):
                made = Made(str(fingerprint), None if moment is None else float(moment))
                self.routes.setdefault(str(folder), {})[str(output)] = made

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
            db.executemany(
                "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?)",
                [_article_row(parsed[s]) for s in fresh],
            )
            restamped = [
                (p.stamp[0], p.stamp[1], s)
                for s, p in parsed.items()
                if s in self.articles and self.articles[s].stamp != p.stamp and self.articles[s].digest == p.digest
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
                [(output, o, m.fingerprint, m.moment) for o, m in routes.items() if previous.get(o) != m],
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


def _article_row(p: Parsed) -> tuple[Any, ...]:
    article = None if p.article is None else json.dumps(encode_article(p.article), ensure_ascii=False)
    problems = json.dumps([[x.path, x.line, x.message, x.severity.value] for x in p.problems], ensure_ascii=False)
    return (p.source, p.stamp[0], p.stamp[1], p.digest, article, p.teaser, problems)


def _decode_problem(row: list[Any]) -> Problem:
    path, line, message, severity = row
    return Problem(str(path), None if line is None else int(line), str(message), Severity(severity))


# ---- Articles as JSON: driven by the dataclasses' type hints, so a field added to the model is stored too.


# Dataclasses are stored as lists of their fields' values, in field order: half the size of objects with names, and
# read twice as fast. The code digest in the cache key covers a change of the fields.
_ARTICLE_FIELDS = [f.name for f in dataclasses.fields(Article)]
_DIGEST = _ARTICLE_FIELDS.index("digest")
_BODY_IMAGES = _ARTICLE_FIELDS.index("images")


def encode_article(article: Article) -> list[Any]:
    """An article's fields; its body as what lists show (excerpt, reading time): the HTML is in the body store."""
    encoded = _encode(article)
    assert isinstance(encoded, list)
    return encoded


def decode_article(data: list[Any]) -> Article:
    """An article as encoded: its body has no HTML (a build loads it from the body store when a page shows it)."""
    article = _decoder(Article)(_expect(data, list))
    assert isinstance(article, Article)
    return article


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, datetime):
        zone = value.tzinfo.key if isinstance(value.tzinfo, ZoneInfo) else None
        # A zone keeps its name (templates may print it); a fixed offset is part of the ISO text.
        naive = value.replace(tzinfo=None).isoformat() if zone else value.isoformat()
        return [naive, zone, value.fold]
    if isinstance(value, Body):
        excerpt, minutes = value.known
        return [excerpt, minutes]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [_encode(getattr(value, f.name)) for f in dataclasses.fields(value)]
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    raise TypeError(f"cannot store a {type(value).__name__} in the build cache")


Decoder = Callable[[Any], Any]
_DECODERS: dict[Any, Decoder] = {}


def _decoder(hint: Any) -> Decoder:
    """A function that rebuilds a value of type `hint` from its JSON, checking types on the way (a cache edited by
    hand or by another program fails here, and the build starts from nothing). Made once per type: ten thousand
    articles are read on every build."""
    if hint not in _DECODERS:
        _DECODERS[hint] = _make_decoder(hint)
    return _DECODERS[hint]


def _make_decoder(hint: Any) -> Decoder:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(options) != 1 or len(typing.get_args(hint)) != 2:
            raise TypeError(f"cannot read {hint} from the build cache")
        inner = _decoder(options[0])
        return lambda value: None if value is None else inner(value)
    if origin is tuple:
        item_hint = typing.get_args(hint)[0]
        if item_hint in _SIMPLE:  # aliases, image paths, a focal point: checked without a call per item
            return lambda value: _simple_tuple(_expect(value, list), item_hint)
        item = _decoder(item_hint)
        return lambda value: tuple([item(v) for v in _expect(value, list)])
    if hint is datetime:
        return _decode_datetime
    if hint is Body:
        return _decode_body
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass_decoder(hint)
    if hint in (str, bool, int, float):
        return lambda value: value if type(value) is hint else _expect(value, hint)
    raise TypeError(f"cannot read {hint} from the build cache")


def _dataclass_decoder(cls: type) -> Decoder:
    decode = _compiled_decoder(cls)
    if cls is Article:
        return decode
    # Tags, authors and images repeat across thousands of articles: decode each once, and share one object.
    interned: dict[Any, Any] = {}

    def decode_shared(value: Any) -> Any:
        try:
            key: Any = tuple(value)
            hash(key)
        except TypeError:  # a field that is itself a list
            key = json.dumps(value)
        if key not in interned:
            interned[key] = decode(value)
        return interned[key]

    return decode_shared


_SIMPLE = {str: "str", bool: "bool", int: "int", float: "float"}


def _compiled_decoder(cls: type) -> Decoder:
    """The decoder of one dataclass, written out as Python source and compiled once, the way `dataclasses` makes
    `__init__`: a loop over per-field reader functions costs a function call per field, and 100,000 articles of 21
    fields are read on every build (half of an incremental build's reading at that size). The object is made without
    its `__init__` (a frozen dataclass sets each field through `object.__setattr__`): its fields are set at once,
    which is what `__init__` would do, as the model's dataclasses have no `__post_init__`."""
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    namespace: dict[str, Any] = {"_cls": cls, "_new": object.__new__, "_set": object.__setattr__, "_expect": _expect}
    lines = [
        "def decode(value):",
        f"    if type(value) is not list or len(value) != {len(names)}:",
        f"        raise TypeError('expected the {len(names)} fields of a {cls.__name__}')",
        f"    {', '.join(f'v{i}' for i in range(len(names)))}, = value",
    ]
    for i, name in enumerate(names):
        lines += _field_reader(f"v{i}", hints[name], namespace, f"r{i}")
    fields = ", ".join(f"{name!r}: v{i}" for i, name in enumerate(names))
    lines += ["    made = _new(_cls)", f"    _set(made, '__dict__', {{{fields}}})", "    return made"]
    exec("\n".join(lines), namespace)  # the source is made above from the dataclass's own field names
    decode: Decoder = namespace["decode"]
    return decode


def _field_reader(var: str, hint: Any, namespace: dict[str, Any], reader: str) -> list[str]:
    """Source lines that check `var` as a `hint` and turn it into one: simple values are checked in place, anything
    else goes through the hint's decoder."""
    optional = typing.get_origin(hint) in (types.UnionType, typing.Union) and type(None) in typing.get_args(hint)
    inner = next((a for a in typing.get_args(hint) if a is not type(None)), hint) if optional else hint
    if inner in _SIMPLE and (not optional or len(typing.get_args(hint)) == 2):
        kind = _SIMPLE[inner]
        namespace[kind] = inner
        check = f"type({var}) is not {kind}"
        if optional:
            check = f"{var} is not None and {check}"
        return [f"    if {check}:", f"        {var} = _expect({var}, {kind})"]
    namespace[reader] = _decoder(hint)
    return [f"    {var} = {reader}({var})"]


def _simple_tuple(items: list[Any], kind: type) -> tuple[Any, ...]:
    for item in items:
        if type(item) is not kind:
            _expect(item, kind)
    return tuple(items)


def _decode_body(value: Any) -> Body:
    excerpt, minutes = _expect(value, list)
    return Body(
        None, None if excerpt is None else _expect(excerpt, str), None if minutes is None else _expect(minutes, int)
    )


def _decode_datetime(value: Any) -> datetime:
    text, zone, fold = _expect(value, list)
    moment = datetime.fromisoformat(_expect(text, str))
    return moment.replace(tzinfo=_zone(zone), fold=int(fold)) if zone else moment


_ZONES: dict[str, ZoneInfo] = {}


def _zone(key: str) -> ZoneInfo:
    """ZoneInfo keeps one instance per key too, but asking it costs more than the date's parsing: 300,000 dates are
    read at 100,000 articles."""
    zone = _ZONES.get(key)
    if zone is None:
        zone = _ZONES[key] = ZoneInfo(key)
    return zone


def _expect(value: Any, kind: type) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"expected {kind.__name__}, found {type(value).__name__}")
    return value
