"""`sitegen import wordpress|hugo|jekyll`: options in, an importer run, its report out.

A site folder without a configuration gets one first (from the export's title, address and language), so that
`sitegen import wordpress export.xml newsite` followed by `sitegen build newsite` just works.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sitegen.commands.scaffold import SiteRequest, config_text, ensure_gitignore
from sitegen.config import Config, build_time, load_config
from sitegen.errors import UsageError
from sitegen.importers import hugo, jekyll, wpplan
from sitegen.importers.report import ImportReport
from sitegen.importers.wordpress import WordPressImport, import_wordpress
from sitegen.importers.wxr import read_channel
from sitegen.paths import CONFIG_FILE, CONFIG_FILES


@dataclass(frozen=True)
class ImportOptions:
    source: Path  # the export file, or the other generator's site folder
    site: Path
    uploads: Path | None = None
    force: bool = False
    categories: str = "sections"
    section: str = "news"


def import_from_wordpress(options: ImportOptions) -> ImportReport:
    if not options.source.is_file():
        raise UsageError(f"{options.source}: no such export file")
    if options.uploads is not None and not options.uploads.is_dir():
        raise UsageError(f"--uploads {options.uploads}: no such folder")
    channel = read_channel(options.source)  # refuses a hostile export before anything is created
    language = (channel.language or "en").split("-")[0].lower() or "en"
    config = _site_config(options.site, SiteRequest(options.site, channel.title or "News", channel.link, language))
    job = WordPressImport(options.source, options.site, config, build_time(), options.uploads, options.force,
                          wpplan.Options(options.categories, options.section))  # fmt: skip
    return import_wordpress(job)


def _site_config(folder: Path, request: SiteRequest) -> Config:
    """The site's configuration; a folder without one gets a sitegen.toml made from the export first."""
    if not any((folder / name).is_file() for name in CONFIG_FILES):
        folder.mkdir(parents=True, exist_ok=True)
        base = request.base_url.rstrip("/")
        request = SiteRequest(folder, request.title, base if base.startswith(("http://", "https://")) else "",
                              request.language, request.timezone)  # fmt: skip
        (folder / CONFIG_FILE).write_text(config_text(request), encoding="utf-8")
        ensure_gitignore(folder)
    return load_config(folder).config


def run(kind: str, options: ImportOptions) -> ImportReport:
    if kind == "wordpress":
        return import_from_wordpress(options)
    if not options.source.is_dir():
        raise UsageError(f"{options.source}: no such {kind.title()} site folder")
    if options.source.resolve() == options.site.resolve():
        raise UsageError(f"{options.site}: import into a new folder, not into the {kind.title()} site itself")
    if kind == "hugo":
        settings = hugo.read_config(options.source)
        config = _site_config(options.site, SiteRequest(options.site, *hugo.site_details(settings)))
        return hugo.import_hugo(hugo.HugoImport(options.source, options.site, config, options.force))
    settings = jekyll.read_config(options.source)
    config = _site_config(options.site, SiteRequest(options.site, *jekyll.site_details(settings)))
    return jekyll.import_jekyll(jekyll.JekyllImport(options.source, options.site, config, options.section,
                                                    options.force))  # fmt: skip
