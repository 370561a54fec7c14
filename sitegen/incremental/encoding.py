"""Articles as the build cache stores them: JSON lists of their fields, driven by the dataclasses' type hints, so a
field added to the model is stored too. Reading checks every value's type: a cache edited by hand or written by
another program fails here, and the build starts from nothing (cache.py)."""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sitegen.content.offsets import shared_offset
from sitegen.model import Article, Body, Term

# Dataclasses are stored as lists of their fields' values, in field order: half the size of objects with names, and
# read twice as fast. The code digest in the cache key covers a change of the fields.
_ARTICLE_FIELDS = [f.name for f in dataclasses.fields(Article)]
DIGEST_FIELD = _ARTICLE_FIELDS.index("digest")
BODY_IMAGES_FIELD = _ARTICLE_FIELDS.index("images")
_SUMMARY, _BODY = _ARTICLE_FIELDS.index("summary"), _ARTICLE_FIELDS.index("body")
_TERM_FIELDS = [_ARTICLE_FIELDS.index(name) for name in ("authors", "tags")]
_TERMS_HINT = tuple[Term, ...]
# Texts that thousands of articles share ("article", a section's path): one string each, not one per article.
_REPEATED = [_ARTICLE_FIELDS.index(name) for name in ("kind", "section")]
_REPEATED_TEXTS: dict[str, str] = {}


class TermTable:
    """The tags and authors of a build cache, each stored once: article rows name them by number. Seven terms an
    article, a few hundred in all: as text in every row they were a quarter of the JSON read on every build."""

    def __init__(self, terms: Sequence[Term] = ()) -> None:
        self.terms = list(terms)
        self._ids = {term: i for i, term in enumerate(self.terms)}
        self.known = len(self.terms)  # the terms stored already; those after them are new (`added`)

    def id_of(self, term: Term) -> int:
        found = self._ids.get(term)
        if found is None:
            found = self._ids[term] = len(self.terms)
            self.terms.append(term)
        return found

    def added(self) -> list[tuple[int, Term]]:
        """The terms numbered since the table was read: what saving it adds."""
        return list(enumerate(self.terms))[self.known :]


def encode_term(term: Term) -> list[Any]:
    return [term.name, term.slug, term.url]


def decode_term(data: Any) -> Term:
    term = _decode_term(data)
    assert isinstance(term, Term)
    return term


def encode_article(article: Article, terms: TermTable | None = None) -> list[Any]:
    """An article's fields; its body as what lists show (excerpt, reading time): the HTML is in the body store. With
    `terms`, its tags and authors are their numbers in the table (new ones are added to it)."""
    encoded = _encode(article)
    assert isinstance(encoded, list)
    if terms is not None:
        for i in _TERM_FIELDS:
            encoded[i] = [terms.id_of(term) for term in getattr(article, _ARTICLE_FIELDS[i])]
    return encoded


def decode_article(data: list[Any], terms: TermTable | None = None) -> Article:
    """An article as encoded (with `terms`: its tags and authors by number in the table); its body has no HTML (a
    build loads it from the body store when a page shows it)."""
    if type(data) is list and len(data) == len(_ARTICLE_FIELDS):
        _share_texts(data)
    checked = _expect(data, list)
    article = _decode_article(checked) if terms is None else _decode_numbered(checked, terms.terms)
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


def _share_texts(data: list[Any]) -> None:
    """The same text once in memory, before the fields are checked and decoded (a value of another type is left for
    the check to refuse): a section's path and the kind are shared by all the articles that have them, and an excerpt
    that is the summary is the summary's string. Each article's strings, as read from JSON, are its own: at 100,000
    articles these copies were tens of MB."""
    for i in _REPEATED:
        text = data[i]
        if type(text) is str:
            data[i] = _REPEATED_TEXTS.setdefault(text, text)
    summary, body = data[_SUMMARY], data[_BODY]
    if type(summary) is str and type(body) is list and body and body[0] == summary:
        body[0] = summary


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
            return lambda value: _simple_tuple(value if type(value) is list else _expect(value, list), item_hint)
        item = _decoder(item_hint)
        return lambda value: tuple([item(v) for v in (value if type(value) is list else _expect(value, list))])
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
            return interned[tuple(value)]  # 500,000 terms are read at 100,000 articles: one lookup for most
        except KeyError:
            key: Any = tuple(value)
        except TypeError:  # a field that is itself a list (or not a list at all: decode refuses it)
            key = json.dumps(value)
            if key in interned:
                return interned[key]
        found = interned[key] = decode(value)
        return found

    return decode_shared


_SIMPLE = {str: "str", bool: "bool", int: "int", float: "float"}


def _compiled_decoder(cls: type, numbered: bool = False) -> Decoder:
    """The decoder of one dataclass, written out as Python source and compiled once, the way `dataclasses` makes
    `__init__`: a loop over per-field reader functions costs a function call per field, and 100,000 articles of 21
    fields are read on every build. The object is made by its own `__init__`: setting its `__dict__` directly was
    faster here, but left every article with a plain dict instead of the shared-key one, and all later attribute reads
    (assembling, planning, sitemaps) slower by more than it saved."""
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    namespace: dict[str, Any] = {"_cls": cls, "_expect": _expect, "_numbered": _numbered_terms}
    lines = [
        "def decode(value, _terms=None):" if numbered else "def decode(value):",
        f"    if type(value) is not list or len(value) != {len(names)}:",
        f"        raise TypeError('expected the {len(names)} fields of a {cls.__name__}')",
        f"    {', '.join(f'v{i}' for i in range(len(names)))}, = value",
    ]
    for i, name in enumerate(names):
        if numbered and hints[name] == _TERMS_HINT:  # tags and authors by their number in the cache's table
            lines.append(f"    v{i} = _numbered(v{i}, _terms)")
            continue
        lines += _field_reader(f"v{i}", hints[name], namespace, f"r{i}")
    lines.append(f"    return _cls({', '.join(f'v{i}' for i in range(len(names)))})")
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
    if optional and len(typing.get_args(hint)) == 2:  # most optional fields are None: no call for those
        namespace[reader] = _decoder(inner)
        return [f"    if {var} is not None:", f"        {var} = {reader}({var})"]
    namespace[reader] = _decoder(hint)
    return [f"    {var} = {reader}({var})"]


_INTS = frozenset({int})


def _numbered_terms(value: Any, terms: list[Term]) -> tuple[Term, ...]:
    """Terms by number: a list of numbers of the table, each checked (a negative one would count from its end)."""
    if type(value) is not list:
        _expect(value, list)
    if value and (not _INTS.issuperset(map(type, value)) or min(value) < 0):
        raise TypeError("expected numbers of the terms table")
    return tuple([terms[i] for i in value])  # a number past the table's end: IndexError, the cache is not used


def _simple_tuple(items: list[Any], kind: type) -> tuple[Any, ...]:
    for item in items:
        if type(item) is not kind:
            _expect(item, kind)
    return tuple(items)


def _decode_body(value: Any) -> Body:
    excerpt, minutes = value if type(value) is list else _expect(value, list)
    if excerpt is not None and type(excerpt) is not str:
        _expect(excerpt, str)
    if minutes is not None and type(minutes) is not int:
        _expect(minutes, int)
    return Body(None, excerpt, minutes)


def _decode_datetime(value: Any) -> datetime:
    text, zone, fold = value if type(value) is list else _expect(value, list)
    if type(text) is not str:
        _expect(text, str)
    if zone:
        return datetime.fromisoformat(text).replace(tzinfo=_zone(zone), fold=int(fold))
    # Most dates end in the same few offsets ("+04:00"): the wall time is read and given the process's one tzinfo
    # of that offset (offsets.py), the same datetime as shared_offset makes, without working the offset out again.
    suffix = text[-6:]
    shared = _OFFSETS.get(suffix)
    if shared is not None and "T" in text:
        wall = datetime.fromisoformat(text[:-6])
        if wall.tzinfo is None:  # else two offsets, say: refused below, as any text fromisoformat refuses
            return wall.replace(tzinfo=shared)
    moment = shared_offset(datetime.fromisoformat(text))
    if _OFFSET_SUFFIX.fullmatch(suffix) and moment.tzinfo is not None and moment.isoformat().endswith(suffix):
        _OFFSETS[suffix] = moment.tzinfo
    return moment


_OFFSETS: dict[str, tzinfo] = {}  # "+04:00" → the shared tzinfo of that offset
_OFFSET_SUFFIX = re.compile(r"[+-]\d\d:\d\d")


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


_decode_article = _decoder(Article)  # made once: 100,000 articles are read on every build
# The same, with tags and authors by their number in the table given as its second argument.
_decode_numbered = typing.cast(Callable[[Any, list[Term]], Any], _compiled_decoder(Article, numbered=True))
_decode_term = _decoder(Term)
