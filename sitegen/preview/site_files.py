"""What the preview has read of a site, kept in memory and refreshed by the paths the watcher reports.

Each input (configuration, templates, static files, analytics, section indexes, every article's front-matter) is read
through the pipeline's own readers, so the preview sees the site exactly as `sitegen build` does; a save reads again
only what it touched, and records in `pending` what the next snapshot must redo.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sitegen.config import Config, LoadedConfig, load_config
from sitegen.content.article import Head
from sitegen.content.settings import ParseSettings
from sitegen.content.sources import SourceFile, content_file, find_content, walk_order
from sitegen.errors import Problem
from sitegen.incremental.listing import Statics, list_static, template_set
from sitegen.paths import CONTENT_DIR, DATA_DIR, INDEX_FILE, MARKDOWN_SUFFIX, SOURCE_DIRS, STATIC_DIR, TEMPLATES_DIR
from sitegen.pipeline import (
    Inputs,
    config_problems,
    fingerprint_assets,
    read_pageviews,
    read_section_indexes,
)
from sitegen.preview.reading import Converter, body_store, cached_articles, read_article, read_head
from sitegen.preview.reporter import Reporter
from sitegen.render.renderer import make_environment

FOLDERS = frozenset(SOURCE_DIRS)


@dataclass
class Pending:
    """What changed since the last published snapshot (an update with errors publishes nothing, so it accumulates)."""

    articles: set[str] = field(default_factory=set)
    replan: bool = False  # assemble and plan the site again
    renderer: bool = False  # templates or static files: every page is stale
    check_templates: bool = False


class SiteFiles:
    def __init__(self, root: Path, loaded: LoadedConfig, inputs: Inputs, reporter: Reporter) -> None:
        self.root = root
        self.loaded = loaded
        self.inputs = inputs
        self.settings = ParseSettings.from_config(loaded.config)
        self.converter = Converter(self.settings, root, reporter, store=body_store(root, self.settings))
        self.files: dict[str, SourceFile] = {}
        self.heads: dict[str, Head] = {}
        # By source file, and "static", "pageviews", "content", "indexes" for what is not one article's. Only files
        # with problems are kept: every update goes through them all.
        self.problems: dict[str, list[Problem]] = {}
        self.index_stamps: dict[str, tuple[int, int]] = {}
        self.pending = Pending(replan=True, renderer=True, check_templates=True)
        self.read = 0  # files read since the last snapshot

    @classmethod
    def read_all(cls, root: Path, reporter: Reporter, *, cached: bool) -> SiteFiles:
        """Every input of the site. Raises UsageError for a configuration it cannot use."""
        loaded = load_config(root)
        templates = template_set(root)
        empty = Statics({}, {})  # each reader below fills in its part
        inputs = Inputs(loaded.config, empty, fingerprint_assets(empty), templates,
                        make_environment(templates, loaded.config), {}, ())  # fmt: skip
        files = cls(root, loaded, inputs, reporter)
        files.read_static()
        files.read_pageviews()
        files.read_content(cached=cached)
        return files

    @property
    def config(self) -> Config:
        return self.loaded.config

    def refresh(self, paths: Sequence[str]) -> None:
        """Read again what these changed paths (relative to the root; not the configuration) touched."""
        tops = {PurePosixPath(p).parts[0] for p in paths}
        if TEMPLATES_DIR in tops:
            self.read_templates()
            self.pending.renderer = self.pending.check_templates = True
        if STATIC_DIR in tops:
            before = self.inputs.statics.site.keys()
            self.read_static()
            self.pending.renderer = True
            # The plan depends on which files the site's static/ has (its own robots.txt replaces the generated one).
            self.pending.replan |= before != self.inputs.statics.site.keys()
        if DATA_DIR in tops:
            self.read_pageviews()
            self.pending.replan = True
        content = [p for p in paths if PurePosixPath(p).parts[0] == CONTENT_DIR]
        if any(not p.endswith(MARKDOWN_SUFFIX) or p == CONTENT_DIR for p in content):
            self.read_content(cached=False)  # a folder was created, moved or deleted: look at everything again
        else:
            for rel in content:
                self.read_content_file(rel)

    def read_templates(self) -> None:
        templates = template_set(self.root)
        self._replace(templates=templates, env=make_environment(templates, self.config))

    def read_static(self) -> None:
        statics, problems = list_static(self.root, self.config)
        self._replace(statics=statics, assets=fingerprint_assets(statics))
        self.set_problems("static", [*problems, *config_problems(self.loaded)])

    def read_pageviews(self) -> None:
        pageviews, problems = read_pageviews(self.root, self.config)
        self._replace(pageviews=pageviews)
        self.set_problems("pageviews", problems)

    def read_content(self, *, cached: bool) -> None:
        """Every article and section index; with `cached`, articles unchanged since the last build come from its
        cache. One process: front-matter is quick to read, and sending 10,000 articles back from workers costs as
        much as reading them (and a fork could copy a lock that a request thread holds)."""
        sources = find_content(self.root)
        self.set_problems("content", list(sources.problems))
        if tuple(self.inputs.resources) != sources.resources:  # page bundles' files: served beside their articles
            self._replace(resources=sources.resources)
            self.pending.replan = True
        self.read_indexes(sources.section_indexes)
        known = {f.rel: f for f in sources.articles}
        for rel in self.files.keys() - known.keys():
            self.forget(rel)
        fresh = [f for f in sources.articles if changed(self.files.get(f.rel), f)]
        from_build = cached_articles(self.root, self.settings) if cached else {}
        for found in fresh:
            head, problems = read_article(found, from_build.get(found.rel), self.settings)
            self.keep(found, head, problems)
        if fresh or known.keys() != self.files.keys():
            self.files = {rel: self.files[rel] for rel in known}  # the walk's order, as `sitegen build` reads
            self.heads = {rel: self.heads[rel] for rel in known if rel in self.heads}
            self.pending.replan = True
        self.pending.articles.update(f.rel for f in fresh)
        self.read += len(fresh)

    def read_indexes(self, files: Iterable[SourceFile]) -> None:
        files = list(files)
        stamps = {f.rel: f.stamp for f in files}
        if stamps == self.index_stamps:
            return
        indexes, problems = read_section_indexes(files, self.settings)
        self.index_stamps = stamps
        self.set_problems("indexes", problems)
        if indexes != self.inputs.indexes:  # a touch or a checkout changes stamps, not sections
            self._replace(indexes=indexes)
            self.pending.replan = True

    def read_content_file(self, rel: str) -> None:
        if PurePosixPath(rel).name == INDEX_FILE:
            self.read_indexes(find_content(self.root).section_indexes)
            return
        found = content_file(self.root, rel)
        if found is None:
            if rel in self.files:
                self.forget(rel)
            return
        if not changed(self.files.get(rel), found):
            return  # an event without an edit (a file closed, a touch that changed nothing we keep)
        new = rel not in self.files
        head, problems = read_head(found, self.settings)
        self.keep(found, head, problems)
        if new:  # files and articles are kept in the order a build reads them
            self.pending.replan = True
            self.files = dict(sorted(self.files.items(), key=lambda item: walk_order(item[0])))
            self.heads = {source: self.heads[source] for source in self.files if source in self.heads}
        self.pending.articles.add(rel)
        self.read += 1
        if head is not None:  # the article being edited is about to be looked at: its body's problems show now
            self.set_problems(rel, [*self.problems.get(rel, []), *self.converter.convert_now(head)])

    def keep(self, found: SourceFile, head: Head | None, problems: list[Problem]) -> None:
        self.files[found.rel] = found
        self.set_problems(found.rel, problems)
        if head is None:
            self.heads.pop(found.rel, None)
        else:
            self.converter.attach(head)
            self.heads[found.rel] = head

    def forget(self, rel: str) -> None:
        self.files.pop(rel, None)
        self.heads.pop(rel, None)
        self.problems.pop(rel, None)
        self.pending.replan = True

    def set_problems(self, key: str, problems: list[Problem]) -> None:
        if problems:
            self.problems[key] = problems
        else:
            self.problems.pop(key, None)

    def _replace(self, **changes: object) -> None:
        self.inputs = dataclasses.replace(self.inputs, **changes)  # type: ignore[arg-type]


def changed(known: SourceFile | None, found: SourceFile) -> bool:
    return known is None or known.stamp != found.stamp
