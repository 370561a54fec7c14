"""`sitegen import hugo`: a Hugo site's content, static files and configuration into a sitegen site.

- `content/` keeps its layout (sections, `_index.md`, page bundles with their files, headless bundles): sitegen reads
  Hugo's front-matter, TOML and JSON included. Files at the content root (`about.md`) become standalone pages, as
  Hugo shows them; layout stubs (no title, no text, only `layout`/`type`: a Hugo template's page) are reported.
- URLs: a page's `url`, or its section's `permalinks` pattern, is its old URL; when sitegen's differs it becomes an
  alias. `aliases` are kept.
- Shortcodes: `ref`/`relref` become the page's new URL, `param` the value, `gist` a link, comments go; sitegen's
  renderer converts highlight, figure, youtube, vimeo, tweet and instagram; the rest is kept and reported.
- `static/` → `static/`; `assets/` → `static/` (Hugo Pipes are not run: reported); `layouts/`, `themes/`, `data/`,
  `i18n/`, `archetypes/`, menus, custom taxonomies and params are reported.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from sitegen.config import Config
from sitegen.content.article import parse_head
from sitegen.content.settings import ParseSettings
from sitegen.importers import generator
from sitegen.importers.files import SiteWriter
from sitegen.importers.report import ImportReport
from sitegen.paths import BUNDLE_INDEX_STEM, CONTENT_DIR, INDEX_FILE, MARKDOWN_SUFFIXES, STATIC_DIR
from sitegen.urls import normalise_url, slugify

CONFIG_NAMES = tuple(f"{d}{n}.{e}" for d in ("", "config/_default/") for n in ("hugo", "config")
                     for e in ("toml", "yaml", "yml", "json"))  # fmt: skip
REPORTED_FOLDERS = ("layouts", "themes", "data", "i18n", "archetypes", "resources")


@dataclass(frozen=True)
class HugoImport:
    source: Path
    site: Path
    config: Config
    force: bool = False


def read_config(source: Path) -> dict[str, Any]:
    """The site's configuration with its keys in lower case (Hugo reads them without case)."""
    for name in CONFIG_NAMES:
        path = source / name
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            loaded = tomllib.loads(text) if path.suffix == ".toml" else (
                json.loads(text) if path.suffix == ".json" else yaml.safe_load(text))  # fmt: skip
            return _lower(loaded) if isinstance(loaded, dict) else {}
    return {}


def _lower(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k).lower(): _lower(v) for k, v in value.items()}
    return value


def site_details(settings: dict[str, Any]) -> tuple[str, str, str, str]:
    """(title, base URL, language, time zone) for the new site's sitegen.toml."""
    language = str(settings.get("languagecode") or settings.get("defaultcontentlanguage") or "en")
    base = str(settings.get("baseurl") or "").rstrip("/")
    return (str(settings.get("title") or "News"), base, language.split("-")[0].split("_")[0].lower(),
            str(settings.get("timezone") or "UTC"))  # fmt: skip


def import_hugo(job: HugoImport) -> ImportReport:
    report = ImportReport("hugo", str(job.source), str(job.site))
    settings = read_config(job.source)
    _report_config(settings, report)
    permalinks = {str(k).strip("/"): str(v) for k, v in (settings.get("permalinks") or {}).items()}
    writer = SiteWriter(job.site, force=job.force)
    articles, indexes = _content(job, writer, report)
    parse = ParseSettings.from_config(job.config)
    for plan in articles:
        head, _ = parse_head(plan.rel, generator.rendered(plan, body=False).encode("utf-8"), parse)
        if head is not None and not plan.old_url:
            plan.old_url = _old_url(plan, permalinks, head.article)
    generator.settle_urls(articles, job.config, report)
    by_path = _by_path(articles + indexes)

    def resolve(ref: str) -> str | None:
        return by_path.get(_ref_key(ref)) or by_path.get(_ref_key(ref).rsplit("/", 1)[-1])

    for plan in articles + indexes:
        generator.write(plan, resolve, settings, str(settings.get("baseurl") or ""), writer, report)
    report.counts["sections"] = len(indexes)
    report.counts["static files"] = generator.copy_tree(job.source / "static", STATIC_DIR, writer)
    assets = generator.copy_tree(job.source / "assets", STATIC_DIR, writer)
    if assets:
        report.note("assets/", None, "", f"{assets} files copied to static/ as they are: Hugo Pipes are not run")
    for folder in REPORTED_FOLDERS:
        if (job.source / folder).is_dir() and any((job.source / folder).iterdir()):
            report.skipped[f"{folder}/ (Hugo's own; sitegen has its theme)"] += 1
    writer.save()
    report.files.update(writer.outcomes.values())
    return report


def _content(job: HugoImport, writer: SiteWriter,
             report: ImportReport) -> tuple[list[generator.Planned], list[generator.Planned]]:  # fmt: skip
    """The Markdown files (articles and section pages) to convert; every other content file copied as it is."""
    articles: list[generator.Planned] = []
    indexes: list[generator.Planned] = []
    content = job.source / CONTENT_DIR
    bundles = {p.parent for p in content.rglob(f"{BUNDLE_INDEX_STEM}.*") if p.name.endswith(MARKDOWN_SUFFIXES)}
    for path in sorted(content.rglob("*")) if content.is_dir() else []:
        rel = PurePosixPath(path.relative_to(content).as_posix())
        if not path.is_file() or any(p.startswith(".") for p in rel.parts):
            continue
        target = f"{CONTENT_DIR}/{rel}"
        inside = any(folder in bundles for folder in path.parents) and path.stem != BUNDLE_INDEX_STEM
        if not path.name.endswith(MARKDOWN_SUFFIXES) or inside:
            writer.copy(path, target)  # a bundle's file, Markdown too (a part of its page, as in Hugo)
            report.counts["bundle files"] += 1
            continue
        plan = generator.read(path, target, report)
        if plan is None:
            continue
        if path.name.startswith("_index."):
            plan.rel = f"{CONTENT_DIR}/{rel.parent}/{INDEX_FILE}".replace("/./", "/")
            indexes.append(plan)
        elif _prepared(plan, rel, report):
            articles.append(plan)
    return articles, indexes


def _prepared(plan: generator.Planned, rel: PurePosixPath, report: ImportReport) -> bool:
    """The front-matter changes sitegen needs; False for a layout stub, which is not imported."""
    keys = {k.lower(): f for k, f in plan.doc.fields.items()}
    if "title" not in keys and not plan.doc.body.strip() and ({"layout", "type"} & keys.keys()):
        report.note(f"{CONTENT_DIR}/{rel}", None, "", "not imported: it only chooses a Hugo layout (no title, no "
                    "text); sitegen's theme makes its own archive and list pages", "warning")  # fmt: skip
        report.skipped["layout stubs"] += 1
        return False
    kind = keys.get("type")
    if kind is not None and kind.value != "page":
        plan.drop.add("type")
        report.note(plan.rel, kind.line, "", f"type: {kind.value!r} (a Hugo layout choice) dropped")
    url = keys.get("url")
    if url is not None and isinstance(url.value, str):
        plan.old_url = url.value
        plan.drop.add("url")
    if len(rel.parts) == 1:
        plan.add.setdefault("type", "page")  # content/about.md: a page of its own in Hugo, not a story
    return True


def _old_url(plan: generator.Planned, permalinks: dict[str, str], article: Any) -> str:
    """The page's URL on the Hugo site: its section's permalink pattern, else the content path."""
    parts = plan.rel.removeprefix(f"{CONTENT_DIR}/").split("/")
    bundle = parts[-1].rsplit(".", 1)[0] == BUNDLE_INDEX_STEM and len(parts) > 1
    filename = parts[-2] if bundle else parts[-1].rsplit(".", 1)[0]
    folders = parts[:-2] if bundle else parts[:-1]
    section = folders[0] if folders else ""
    slug_field = next((f.value for k, f in plan.doc.fields.items() if k.lower() == "slug"), None)
    slug = str(slug_field) if slug_field else filename
    pattern = permalinks.get(section)
    if pattern is None:
        return normalise_url("/" + "/".join([*folders, slug]))
    when = article.date
    values = {"year": f"{when:%Y}" if when else "", "month": f"{when:%m}" if when else "",
              "day": f"{when:%d}" if when else "", "slug": slug, "title": slugify(article.title),
              "section": section, "sections": "/".join(folders), "filename": filename,
              "contentbasename": filename}  # fmt: skip
    return normalise_url(re.sub(r":(\w+)", lambda m: values.get(m.group(1), m.group(0)), pattern))


def _by_path(plans: list[generator.Planned]) -> dict[str, str]:
    """Each page under the names `ref` may give it: `post/x.md`, `post/x`, `x`."""
    found: dict[str, str] = {}
    for plan in plans:
        if not plan.url:
            continue
        key = _ref_key(plan.source.as_posix().split(f"/{CONTENT_DIR}/", 1)[-1])
        found.setdefault(key, plan.url)
        found.setdefault(key.rsplit("/", 1)[-1], plan.url)
    return found


def _ref_key(ref: str) -> str:
    key = ref.split("#", 1)[0].strip("/")
    for suffix in MARKDOWN_SUFFIXES:
        key = key.removesuffix(suffix)
    return key.removesuffix("/index").removesuffix("/_index")


def _report_config(settings: dict[str, Any], report: ImportReport) -> None:
    taxonomies = settings.get("taxonomies") or {}
    for singular, plural in taxonomies.items() if isinstance(taxonomies, dict) else []:
        if plural not in ("tags", "categories"):
            report.note("config", None, "", f"taxonomy {plural!r} ({singular}): sitegen has tags only; the "
                        f"front-matter key {plural!r} is kept and `sitegen check` names it", "warning")  # fmt: skip
    menus = settings.get("menu") or settings.get("menus") or {}
    for name, entries in menus.items() if isinstance(menus, dict) else []:
        report.menus[str(name)] = [str(e.get("name") or e.get("url")) for e in entries if isinstance(e, dict)]
    for key in ("params", "uglyurls", "paginate", "pagination"):
        if key in settings:
            report.note("config", None, "", f"{key} = {generator.settings_json(settings[key])!r}: not converted")
