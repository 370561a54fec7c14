"""The previewed site, kept in memory and brought up to date from the paths the watcher reports.

`sitegen build` must look at every file to learn what changed; the preview is told. So a save costs work in
proportion to the save, not to the archive: the saved article is read again, and when nothing that places it in the
site changed (its body, headline, summary or image was edited, not its date, section, tags, authors, URL or status),
the new version takes the old one's place in the site model and in the routes that hold it, and only the pages that
show it become stale. Anything else (an article added, deleted, re-dated, re-tagged or moved; a section index; the
analytics) assembles and plans the site again from the articles in memory, reading no other file. Templates and
static files make every page stale; the configuration starts over. Pages are rendered on request (snapshot.py).

Errors keep the last good snapshot: it is served until a change leaves no error anywhere in the site.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2

from sitegen.commands.build import build_time, distribution_for, static_files, template_folders
from sitegen.config import Config, LoadedConfig, load_config
from sitegen.content.article import INDEX_FILE, Head, ParseSettings, known_head, parse_head, parse_section_index
from sitegen.content.sources import (
    CONTENT_DIR,
    DATA_DIR,
    STATIC_DIR,
    TEMPLATES_DIR,
    SourceFile,
    content_file,
    find_content,
    read_bytes,
    read_optional,
    walk_order,
)
from sitegen.errors import ConfigError, Problem, Severity, error, errors_in
from sitegen.incremental.cache import BuildCache, Parsed, cache_key, code_digest
from sitegen.incremental.reuse import horizon, shown_everywhere
from sitegen.model import Article, SectionInfo, Site
from sitegen.preview.snapshot import LazyBodies, Snapshot
from sitegen.render.assets import Assets
from sitegen.render.renderer import Renderer, TemplateProblem, TemplateSet, make_environment
from sitegen.site.assemble import Visibility, build_site
from sitegen.site.plan import Route, plan
from sitegen.site.popular import PageViews, parse_pageviews

# What may change while an article keeps its place: in lists, feeds, sections, tags, sitemaps and URLs. Every other
# field decides where the article appears, so a change to it assembles the site again.
IN_PLACE_FIELDS = frozenset({"title", "image", "summary", "excerpt", "body_html", "reading_minutes", "digest"})
_PLACING_FIELDS = tuple(f.name for f in dataclasses.fields(Article) if f.name not in IN_PLACE_FIELDS)
# What a page other than the article's own can show of an article listed in every page's blocks.
_BODY_ONLY = frozenset({"body_html", "reading_minutes", "digest"})


@dataclass(frozen=True)
class Update:
    problems: tuple[Problem, ...] = ()  # the errors that kept the last snapshot
    warnings: tuple[Problem, ...] = ()
    published: bool = False  # a new snapshot is served
    articles: int = 0
    read: int = 0  # files read for this update
    stale: int | None = 0  # pages made stale; None: every page
    seconds: float = 0.0


@dataclass
class _Pending:
    """What changed since the last published snapshot (an update with errors publishes nothing, so it accumulates)."""

    articles: set[str] = field(default_factory=set)
    replan: bool = False  # assemble and plan the site again
    renderer: bool = False  # templates or static files: every page is stale
    check_templates: bool = False


class LiveSite:
    def __init__(self, root: Path, *, drafts: bool = True, future: bool = False) -> None:
        self.root = root.resolve()
        self.drafts = drafts
        self.future = future
        self.snapshot: Snapshot | None = None
        self._loaded: LoadedConfig | None = None
        self._settings = ParseSettings("UTC", "", "")
        self._bodies = LazyBodies(self._settings, self.root)
        self._files: dict[str, SourceFile] = {}
        self._heads: dict[str, Head] = {}
        # By source file, and "static", "pageviews", "content", "indexes" for what is not one article's.
        self._problems: dict[str, list[Problem]] = {}
        self._indexes: dict[str, SectionInfo] = {}
        self._index_stamps: dict[str, tuple[int, int]] = {}
        self._pageviews: list[PageViews] = []
        self._statics: dict[str, Path] = {}
        self._site_static: dict[str, SourceFile] = {}
        self._assets = Assets({}, frozenset())
        self._templates = TemplateSet((), self.root)
        self._env: jinja2.Environment | None = None
        self._places: _Places | None = None  # where each article is held: made once per plan
        self._horizon: float | None = None
        self._date = ""
        self._pending = _Pending()
        self._read = 0
        self._frozen = False
        self._compiled: jinja2.Environment | None = None  # the environment `prepare` has compiled every template of

    @property
    def searchable(self) -> bool:
        """The site has a search index to keep (its configuration read, search on)."""
        return self._loaded is not None and self.config.search.enabled

    @property
    def config(self) -> Config:
        assert self._loaded is not None
        return self._loaded.config

    # -- reading ---------------------------------------------------------------------------------------------------

    def load(self) -> Update:
        """Read the whole site and publish it."""
        # Reading an archive allocates millions of objects that all stay: the collector would walk them again and
        # again (a third of the time at 10,000 articles), and after the first load they never need walking at all.
        gc.disable()
        try:
            return self._unless_broken(self._load)
        finally:
            if self.snapshot is not None and not self._frozen:
                gc.freeze()
                self._frozen = True
            gc.enable()

    def _load(self) -> Update:
        started = time.perf_counter()
        self._read = 0
        try:
            self._loaded = load_config(self.root)
        except ConfigError as exc:
            self._loaded = None
            return Update(problems=tuple(exc.problems), seconds=time.perf_counter() - started)
        self._settings = ParseSettings.from_config(self.config)
        self._bodies = LazyBodies(self._settings, self.root)
        self._problems, self._files, self._heads, self._index_stamps, self._indexes = {}, {}, {}, {}, {}
        self._read_templates()
        self._read_static()
        self._read_pageviews()
        self._read_all_content()
        self._pending = _Pending(replan=True, renderer=True, check_templates=True)
        return self._publish(started)

    def update(self, changes: Iterable[str]) -> Update:
        """Bring the site up to date with these changed paths (relative to the root) and publish it if it has no
        errors."""
        return self._unless_broken(lambda: self._update(changes))

    def _unless_broken(self, work: Callable[[], Update]) -> Update:
        """An unexpected exception (a bug, an unreadable file) may leave the state half updated: the next update then
        reads everything again rather than publish from it. The last good snapshot is served meanwhile."""
        try:
            return work()
        except BaseException:
            self._loaded = None
            raise

    def _update(self, changes: Iterable[str]) -> Update:
        started = time.perf_counter()
        paths = sorted(set(changes))
        if self._loaded is None or any(len(PurePosixPath(p).parts) == 1 and p not in _FOLDERS for p in paths):
            return self.load()  # the configuration (or a first load that failed on it)
        self._read = 0
        tops = {PurePosixPath(p).parts[0] for p in paths}
        if TEMPLATES_DIR in tops:
            self._read_templates()
            self._pending.renderer = self._pending.check_templates = True
        if STATIC_DIR in tops:
            before = self._site_static.keys()
            self._read_static()
            self._pending.renderer = True
            # The plan depends on which files the site's static/ has (its own robots.txt replaces the generated one).
            self._pending.replan |= before != self._site_static.keys()
        if DATA_DIR in tops:
            self._read_pageviews()
            self._pending.replan = True
        content = [p for p in paths if PurePosixPath(p).parts[0] == CONTENT_DIR]
        if any(not p.endswith(".md") or p == CONTENT_DIR for p in content):
            self._read_all_content()  # a folder was created, moved or deleted: look at everything again
        else:
            for rel in content:
                self._read_content_file(rel)
        return self._publish(started)

    def _read_templates(self) -> None:
        self._templates = TemplateSet(template_folders(self.root), self.root)
        self._env = make_environment(self._templates, self.config)

    def _read_static(self) -> None:
        problems: list[Problem] = []
        theme, self._site_static = static_files(self.root, problems, search=self.config.search.enabled)
        statics = {**theme, **self._site_static}
        try:
            self._assets = Assets.fingerprint(statics, lambda rel: read_bytes(statics[rel]))
        except OSError:
            self._assets = Assets({}, frozenset(statics))  # a stylesheet vanished while read: its event follows
        self._statics = {rel: found.path for rel, found in statics.items()}
        self._statics.update({hashed: statics[rel].path for rel, hashed in self._assets.hashed.items()})
        distribution_for(self.config, self._site_static, self._loaded.path if self._loaded else None, problems)
        self._problems["static"] = problems

    def _read_pageviews(self) -> None:
        file = self.config.popular.file
        try:
            data = read_optional(self.root / file)
        except OSError as exc:
            self._pageviews = []
            self._set_problems("pageviews", [error(file, None, f"cannot be read: {exc.strerror or exc}")])
            return
        self._pageviews, problems = parse_pageviews(file, data)
        self._set_problems("pageviews", problems)

    def _read_all_content(self) -> None:
        sources = find_content(self.root)
        self._problems["content"] = list(sources.problems)
        self._read_indexes(sources.section_indexes)
        known = {f.rel: f for f in sources.articles}
        for rel in self._files.keys() - known.keys():
            self._forget(rel)
        fresh = [f for f in sources.articles if rel_changed(self._files.get(f.rel), f)]
        # One process: front-matter is quick to read, and sending 10,000 articles back from workers costs as much
        # as reading them (and a fork could copy a lock that a request thread holds).
        cached = self._cached_articles() if self.snapshot is None else {}
        for found in fresh:
            self._keep(*self._read_article(found, cached.get(found.rel)))
        if fresh or known.keys() != self._files.keys():
            self._files = {rel: self._files[rel] for rel in known}  # the walk's order, as `sitegen build` reads
            self._heads = {rel: self._heads[rel] for rel in known if rel in self._heads}
            self._pending.replan = True
        self._pending.articles.update(f.rel for f in fresh)
        self._read += len(fresh)

    def _cached_articles(self) -> Mapping[str, Parsed]:
        """The articles the last `sitegen build` of this site parsed (the preview's search index is one), when it
        parsed them with this sitegen and these settings: a preview starts several times faster from them."""
        cache = BuildCache.open(self.root, cache_key(code_digest(), self._settings))
        cache.read_state()
        return cache.articles

    def _read_article(self, found: SourceFile, known: Parsed | None) -> tuple[SourceFile, Head | None, list[Problem]]:
        if known is not None and known.article is not None and known.stamp == found.stamp:
            # Unchanged since the build read it, as `sitegen build` trusts: not even read (its body is, when shown).
            return found, Head(replace(known.article, body_html="", reading_minutes=0), None, 0), list(known.problems)
        if known is not None and known.article is not None:
            try:
                head = known_head(known.article, read_bytes(found))
            except OSError:
                head = None
            if head is not None:
                return found, head, list(known.problems)
        return _read_head(found, self._settings)

    def _read_indexes(self, files: Sequence[SourceFile]) -> None:
        stamps = {f.rel: f.stamp for f in files}
        if stamps == self._index_stamps:
            return
        indexes: dict[str, SectionInfo] = {}
        problems: list[Problem] = []
        for found in files:
            try:
                data = read_bytes(found)
            except OSError:
                continue  # deleted since the folder was listed: its own event follows
            info, found_problems = parse_section_index(found.rel, data, self._settings)
            problems += found_problems
            if info is not None:
                indexes[info.path] = info
        self._index_stamps = stamps
        self._set_problems("indexes", problems)
        if indexes != self._indexes:  # a touch or a checkout changes stamps, not sections
            self._indexes = indexes
            self._pending.replan = True

    def _read_content_file(self, rel: str) -> None:
        if PurePosixPath(rel).name == INDEX_FILE:
            self._read_indexes(find_content(self.root).section_indexes)
            return
        found = content_file(self.root, rel)
        if found is None:
            if rel in self._files:
                self._forget(rel)
                self._pending.replan = True
            return
        if not rel_changed(self._files.get(rel), found):
            return  # an event without an edit (a file closed, a touch that changed nothing we keep)
        new = rel not in self._files
        _, head, problems = _read_head(found, self._settings)
        self._keep(found, head, problems)
        if new:  # files and articles are kept in the order a build reads them
            self._pending.replan = True
            self._files = dict(sorted(self._files.items(), key=lambda item: walk_order(item[0])))
            self._heads = {source: self._heads[source] for source in self._files if source in self._heads}
        self._pending.articles.add(rel)
        self._read += 1
        if head is not None:
            # The article being edited is about to be looked at.
            self._set_problems(rel, [*self._problems.get(rel, []), *self._bodies.convert(head)])

    def _keep(self, found: SourceFile, head: Head | None, problems: list[Problem]) -> None:
        self._files[found.rel] = found
        self._set_problems(found.rel, problems)
        if head is None:
            self._heads.pop(found.rel, None)
        else:
            self._heads[found.rel] = head

    def _set_problems(self, rel: str, problems: list[Problem]) -> None:
        """Only files with problems are kept: every update goes through them all."""
        if problems:
            self._problems[rel] = problems
        else:
            self._problems.pop(rel, None)

    def _forget(self, rel: str) -> None:
        self._files.pop(rel, None)
        self._heads.pop(rel, None)
        self._problems.pop(rel, None)
        self._pending.replan = True

    # -- publishing ------------------------------------------------------------------------------------------------

    def _publish(self, started: float) -> Update:
        problems = [p for found in self._problems.values() for p in found]
        errors = errors_in(problems)
        warnings = tuple(p for p in problems if p.severity is not Severity.ERROR)
        result = Update(warnings=warnings, articles=len(self._heads), read=self._read)
        try:
            if errors:
                raise _Failed(errors)
            now = build_time()
            snapshot, stale, assembled = self._next_snapshot(now)
        except _Failed as exc:
            return dataclasses.replace(result, problems=tuple(exc.problems), seconds=time.perf_counter() - started)
        if assembled:  # what the next update compares with: changed only by a snapshot that is published
            self._places = None
            self._date = now.astimezone(self.config.tz).date().isoformat()
            self._horizon = horizon((head.article for head in self._heads.values()), now)
        self.snapshot = snapshot
        self._pending = _Pending()
        self._bodies.reported.update(warnings)  # printed with this update: not again when a page converts the body
        return dataclasses.replace(result, published=True, stale=stale, seconds=time.perf_counter() - started)

    def _next_snapshot(self, now: datetime) -> tuple[Snapshot, int | None, bool]:
        """The next snapshot, how many pages are stale (None: all), and whether the site was assembled again."""
        old = self.snapshot
        date = now.astimezone(self.config.tz).date().isoformat()
        moved_on = date != self._date or (self._horizon is not None and now.timestamp() >= self._horizon)
        if old is None or self._pending.replan or moved_on or not self._in_place(old):
            snapshot, stale, assembled = self._assemble(now), None, True
        else:
            (snapshot, stale), assembled = self._swap(old), False
        if self._pending.check_templates:
            _check_templates(snapshot, render=old is not None)
        return snapshot, stale, assembled

    def _in_place(self, old: Snapshot) -> bool:
        """Every changed article can simply take its old version's place."""
        for rel in self._pending.articles:
            before, after = old.heads.get(rel), self._heads.get(rel)
            if before is None or after is None or _placing(before.article) != _placing(after.article):
                return False
        return True

    def _assemble(self, now: datetime) -> Snapshot:
        config = self.config
        visibility = Visibility(now, self.drafts, self.future)
        articles = [head.article for head in self._heads.values()]
        site = build_site(articles, self._indexes, config, visibility, self._pageviews)
        distribution = distribution_for(config, self._site_static, None, [])
        routes, problems = plan(site, config.page_size, distribution.planner(), search=config.search.enabled)
        if errors_in(problems):
            raise _Failed(problems)
        return self._snapshot(site, {route.output: route for route in routes}, {})

    def _swap(self, old: Snapshot) -> tuple[Snapshot, int | None]:
        site, routes = old.site, dict(old.routes)
        places = self._places_in(old)
        stale: set[str] = set()
        everywhere = False
        for rel in self._pending.articles:
            before, after = old.heads[rel].article, self._heads[rel].article
            if before is after:
                continue
            if any(a is before for a in shown_everywhere(site)) and _shown_fields_changed(before, after):
                everywhere = True  # its headline is in a block on every page
            site = _swapped_site(site, before, after, places.lists.get(rel, []))
            for output in places.routes.get(rel, []):
                routes[output] = _swapped_route(routes[output], before, after)
                stale.add(output)
        everywhere = everywhere or self._pending.renderer
        rendered = old.pages.copy()  # one step: request threads may be adding pages to it meanwhile
        pages = {} if everywhere else {rel: page for rel, page in rendered.items() if rel not in stale}
        return self._snapshot(site, routes, pages), None if everywhere else len(stale)

    def _snapshot(self, site: Site, routes: dict[str, Route], pages: dict[str, bytes]) -> Snapshot:
        assert self._env is not None
        heads = dict(self._heads)
        try:
            self._bodies.fill(shown_everywhere(site), heads)  # the blocks every page shows may show them whole
            renderer = Renderer(self._env, self._templates, site, self.config, self._assets.url)
        except TemplateProblem as exc:
            raise _Failed([exc.problem]) from exc
        return Snapshot(site, routes, self._statics, renderer, heads, self._bodies, pages)

    def prepare(self) -> None:
        """Work done ahead while the editor is not saving: where each article is held (the next in-place save needs
        it), and every template compiled, so that the snapshot being served never reads a template file again (a
        template edit that breaks it must not reach the last good site through a template not loaded yet)."""
        if self.snapshot is None:
            return
        self._places_in(self.snapshot)
        env = self.snapshot.renderer.env
        if env is not self._compiled:
            self._compiled = env
            for name in env.list_templates():
                with contextlib.suppress(jinja2.TemplateError, OSError, UnicodeDecodeError):
                    env.get_template(name)  # a broken one is reported when a page uses it

    def _places_in(self, snapshot: Snapshot) -> _Places:
        """Where each article is held (made once per plan: when idle, or by the first save that needs it)."""
        if self._places is None:
            self._places = _Places.of(snapshot)
        return self._places


@dataclass(frozen=True)
class _Places:
    """Where the site and its routes hold each article, by source: a swap touches these and nothing else."""

    routes: dict[str, list[str]]  # the outputs of the routes holding it
    lists: dict[str, list[tuple[str, str]]]  # (Site field, key) of the lists of a mapping field holding it

    @classmethod
    def of(cls, snapshot: Snapshot) -> _Places:
        routes: dict[str, list[str]] = {}
        for output, route in snapshot.routes.items():
            for source in sources_in(route):
                routes.setdefault(source, []).append(output)
        lists: dict[str, list[tuple[str, str]]] = {}
        for name in _SITE_FIELDS:
            value = getattr(snapshot.site, name)
            if not isinstance(value, Mapping):
                continue
            for key, items in value.items():
                for item in items if isinstance(items, tuple) else ():
                    if type(item) is Article:
                        lists.setdefault(item.source, []).append((name, key))
        return cls(routes, lists)


class _Failed(Exception):  # noqa: N818 - it carries problems, it is not a bug
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


_FOLDERS = frozenset({CONTENT_DIR, TEMPLATES_DIR, STATIC_DIR, DATA_DIR})


def _read_head(found: SourceFile, settings: ParseSettings) -> tuple[SourceFile, Head | None, list[Problem]]:
    """An article's front-matter stage (see content.parse_head); the preview converts bodies only when shown."""
    try:
        data = read_bytes(found)
    except OSError as exc:
        return found, None, [error(found.rel, None, f"cannot be read: {exc.strerror or exc}")]
    head, problems = parse_head(found.rel, data, settings)
    return found, head, problems


_ROUTE_FIELDS = tuple(f.name for f in dataclasses.fields(Route))
_SITE_FIELDS = tuple(f.name for f in dataclasses.fields(Site))


def sources_in(route: Route) -> set[str]:
    """The articles a route holds, by source: in its fields or in tuples in them. Routes hold articles no deeper
    (tests check this against workers.articles_in, which looks everywhere but is ten times slower)."""
    found: set[str] = set()
    for name in _ROUTE_FIELDS:
        value = getattr(route, name)
        if type(value) is Article:
            found.add(value.source)
        elif type(value) is tuple:
            found.update(item.source for item in value if type(item) is Article)
    return found


def rel_changed(known: SourceFile | None, found: SourceFile) -> bool:
    return known is None or known.stamp != found.stamp


def _placing(article: Article) -> tuple[Any, ...]:
    return tuple(getattr(article, name) for name in _PLACING_FIELDS)


def _shown_fields_changed(before: Article, after: Article) -> bool:
    return any(getattr(before, f) != getattr(after, f) for f in IN_PLACE_FIELDS - _BODY_ONLY)


def _check_templates(snapshot: Snapshot, *, render: bool) -> None:
    """Compile every template the routes use (a syntax error is found at once, not on the page that needs it), and
    after a template edit render one page of each, so a broken edit keeps the last good site instead."""
    samples: dict[str, str] = {}
    for output, route in snapshot.routes.items():
        samples.setdefault(route.template, output)
    problems: list[Problem] = []
    for template, output in samples.items():
        try:
            if render:
                snapshot.page(output)
            elif template.endswith(".html"):
                snapshot.renderer.env.get_template(template)
        except TemplateProblem as exc:
            problems.append(exc.problem)
        except jinja2.TemplateSyntaxError as exc:
            where = snapshot.renderer.templates.display(exc.filename) if exc.filename else f"templates/{template}"
            problems.append(error(where, exc.lineno, f"template syntax error: {exc.message}"))
    if problems:
        raise _Failed(problems)


def _swapped(value: Any, before: Article, after: Article) -> Any:
    """`value` with `after` where it held `before` (itself, or an item of a tuple), sharing all the rest."""
    if value is before:
        return after
    if isinstance(value, tuple):
        ids = list(map(id, value))  # found by identity: comparing articles field by field would be slow
        if id(before) in ids:
            at = ids.index(id(before))
            return (*value[:at], after, *value[at + 1 :])
    return value


def _swapped_site(site: Site, before: Article, after: Article, lists: list[tuple[str, str]]) -> Site:
    """The site with `after` in place of `before`: in its fields, and in the lists of its mapping fields that
    `lists` names (the sections, tags and authors listing it; looking through every list would take longer)."""
    changes: dict[str, Any] = {}
    for name in _SITE_FIELDS:
        value = getattr(site, name)
        if isinstance(value, Mapping):
            keys = [key for field_name, key in lists if field_name == name]
            if keys:
                changes[name] = {**value, **{key: _swapped(value[key], before, after) for key in keys}}
        elif (new := _swapped(value, before, after)) is not value:
            changes[name] = new
    return dataclasses.replace(site, **changes) if changes else site


def _swapped_fields(value: Any, before: Article, after: Article) -> Any:
    """A route with `after` wherever its fields held `before`: generic over its fields."""
    changes = {}
    for f in dataclasses.fields(value):
        current = getattr(value, f.name)
        new = _swapped(current, before, after)
        if new is not current:
            changes[f.name] = new
    return dataclasses.replace(value, **changes) if changes else value


def _swapped_route(route: Route, before: Article, after: Article) -> Route:
    swapped: Route = _swapped_fields(route, before, after)
    if route.article is before and route.title == before.title:
        swapped = dataclasses.replace(swapped, title=after.title)  # an article's page is titled after it
    return swapped
