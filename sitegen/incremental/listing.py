"""Listing a site: every file it is made from, by name and stamp, and no file read.

It is the first stage of every build, `sitegen check` and the preview (pipeline.py gives the order), and all that a
build with nothing to do needs besides the last build's state: so it loads no parser, renderer or image library
(commands/build.py decides before importing them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sitegen.config import Config, LoadedConfig
from sitegen.content.sources import SourceFile, Sources, find_content, find_static
from sitegen.errors import Problem
from sitegen.paths import STATIC_DIR, TEMPLATES_DIR
from sitegen.render.theme import SEARCH_ASSETS, TemplateSet, default_theme


@dataclass(frozen=True)
class Statics:
    """The theme's static files and the site's own (which win); their fingerprinted names are in `Assets`."""

    theme: Mapping[str, SourceFile]
    site: Mapping[str, SourceFile]

    @property
    def files(self) -> dict[str, SourceFile]:
        return {**self.theme, **self.site}


@dataclass(frozen=True)
class Listing:
    """Every file a site is made from, by name and stamp: what an incremental build compares with the last one."""

    root: Path
    loaded: LoadedConfig
    templates: TemplateSet
    statics: Statics
    content: Sources

    @property
    def config(self) -> Config:
        return self.loaded.config

    def template_files(self) -> list[SourceFile]:
        return [found for folder in self.templates.folders for found in find_static(folder, folder)[0].values()]


def list_site(root: Path, loaded: LoadedConfig) -> tuple[Listing, list[Problem]]:
    statics, problems = list_static(root, loaded.config)
    content = find_content(root)
    listing = Listing(root, loaded, template_set(root), statics, content)
    return listing, [*content.problems, *problems]


def template_set(root: Path) -> TemplateSet:
    """The site's own templates/ (overrides) before the theme's."""
    own = root / TEMPLATES_DIR
    theme = default_theme().templates
    folders = [own] if own.is_dir() and own.resolve() != theme.resolve() else []
    return TemplateSet((*folders, theme), root)


def list_static(root: Path, config: Config) -> tuple[Statics, list[Problem]]:
    """The theme's static files (without the search page's script when search is off) and the site's own."""
    theme = default_theme().static
    theme_files, _ = find_static(theme, theme)
    if not config.search.enabled:
        theme_files = {rel: found for rel, found in theme_files.items() if rel not in SEARCH_ASSETS}
    site_files, problems = find_static(root, root / STATIC_DIR)
    return Statics(theme_files, site_files), problems
