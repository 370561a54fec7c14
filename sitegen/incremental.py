"""Which work a build can skip: articles whose file did not change, pages whose fingerprint did not change.

Articles are reused from the cache when their file's (mtime_ns, size) is unchanged, or, when only the time changed
(a `touch`, a checkout), when the bytes still have the same digest. Reused articles come without their body; bodies
are loaded (`with_bodies`) only when some page has to be rendered, so a build where nothing changed reads none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from sitegen.cache import BuildCache, Parsed
from sitegen.content import ParseSettings, digest_of
from sitegen.errors import Problem
from sitegen.load import SourceFile, read_bytes
from sitegen.model import Article
from sitegen.plan import Route
from sitegen.workers import Tick, parse_file, parse_files
from sitegen.write import Publisher


@dataclass
class LoadedArticles:
    parsed: dict[str, Parsed] = field(default_factory=dict)  # every source file, in source order
    fresh: dict[str, str] = field(default_factory=dict)  # bodies of the files parsed in this build
    files: dict[str, SourceFile] = field(default_factory=dict)

    @property
    def articles(self) -> list[Article]:
        return [p.article for p in self.parsed.values() if p.article is not None]

    @property
    def problems(self) -> list[Problem]:
        return [problem for p in self.parsed.values() for problem in p.problems]

    @property
    def without_body(self) -> list[str]:
        return [s for s, p in self.parsed.items() if p.article is not None and s not in self.fresh]

    @property
    def teasers(self) -> dict[str, str]:
        return {s: p.teaser for s, p in self.parsed.items()}


def load_articles(
    files: Sequence[SourceFile], settings: ParseSettings, cache: BuildCache, jobs: int, tick: Tick
) -> LoadedArticles:
    loaded = LoadedArticles(files={f.rel: f for f in files})
    reused: dict[str, Parsed] = {}
    to_parse: list[SourceFile] = []
    for found in files:
        hit = cache.reusable(found.rel, found.stamp) or _same_bytes(cache, found)
        if hit is None:
            to_parse.append(found)
        else:
            reused[found.rel] = hit
            tick(1)
    fresh = {r.parsed.source: r for r in parse_files(to_parse, settings, jobs, tick)}
    for found in files:  # source order, whatever was reused or parsed
        if found.rel in reused:
            loaded.parsed[found.rel] = reused[found.rel]
        else:
            loaded.parsed[found.rel] = fresh[found.rel].parsed
            loaded.fresh[found.rel] = fresh[found.rel].body
    return loaded


def _same_bytes(cache: BuildCache, found: SourceFile) -> Parsed | None:
    """A file whose time changed but whose bytes did not (a `touch`, a fresh checkout) is still the same article."""
    known = cache.articles.get(found.rel)
    if known is None:
        return None
    try:
        same = digest_of(read_bytes(found)) == known.digest
    except OSError:
        return None
    return replace(known, stamp=found.stamp) if same else None


def with_bodies(loaded: LoadedArticles, cache: BuildCache, settings: ParseSettings) -> LoadedArticles:
    """The same articles, every one with its body: from the cache, or parsed again when the cache cannot say."""
    missing = loaded.without_body
    bodies = cache.bodies(missing)
    parsed = dict(loaded.parsed)
    fresh = dict(loaded.fresh)
    for source in missing:
        known = parsed[source]
        assert known.article is not None
        if source in bodies:
            parsed[source] = replace(known, article=replace(known.article, body_html=bodies[source]))
            continue
        again = parse_file(loaded.files[source], settings)
        parsed[source] = again.parsed
        fresh[source] = again.body
    return LoadedArticles(parsed, fresh, loaded.files)


def stale_routes(
    routes: Sequence[Route],
    fingerprint: Callable[[Route], str],
    previous: Mapping[str, str],
    publisher: Publisher,
) -> tuple[list[int], dict[str, str]]:
    """The routes to render (by index) and every route's fingerprint. A route is rendered when its fingerprint
    changed or its published file is missing or not what sitegen wrote; the others are carried over untouched."""
    todo: list[int] = []
    prints: dict[str, str] = {}
    for i, route in enumerate(routes):
        prints[route.output] = fingerprint(route)
        if previous.get(route.output) != prints[route.output] or not publisher.keep(route.output):
            todo.append(i)
    return todo, prints
