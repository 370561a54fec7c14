"""`sitegen import jekyll`: a Jekyll site's posts, pages, drafts and files into a sitegen site.

- `_posts/` → `content/<section>/<year>/` (the file names stay: sitegen reads the date and slug from them as Jekyll
  does); `_drafts/` → the same, as drafts; Markdown pages at the root (`about.md`) → standalone pages.
- Every post keeps its old URL (the `permalink` style or pattern of `_config.yml`, or the post's own `permalink`) as
  an alias; `redirect_from` is read by sitegen as aliases already.
- Liquid: `post_url`, `link`, `relative_url`/`absolute_url`, `site.*` values, `gist` and `comment` are converted
  here, `highlight` and `raw` by sitegen's renderer; the rest is kept and reported.
- Files that are not Jekyll's own (`assets/`, images, `CNAME`) → `static/`. Templates Jekyll renders (HTML or XML
  with front-matter, Sass) and folders starting with `_` are reported, not copied: sitegen has its own theme.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from sitegen.config import Config
from sitegen.content.article import parse_head
from sitegen.content.settings import ParseSettings
from sitegen.importers import generator
from sitegen.importers.files import SiteWriter
from sitegen.importers.report import ImportReport
from sitegen.paths import CONTENT_DIR, MARKDOWN_SUFFIXES, STATIC_DIR
from sitegen.urls import slugify

CONFIG = "_config.yml"
STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
_NOT_SITE = frozenset({"Gemfile", "Gemfile.lock", "node_modules", "vendor", "package.json", "package-lock.json",
                       "README.md", "LICENSE", "LICENSE.md", "LICENSE.txt", "CHANGELOG.md"})  # fmt: skip
SITEGEN_FILES = frozenset({"atom.xml", "feed.xml", "404.html", "sitemap.xml", "robots.txt", "search/"})
_NAME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-(.+)$")


@dataclass(frozen=True)
class JekyllImport:
    source: Path
    site: Path
    config: Config
    section: str = "news"
    force: bool = False


def read_config(source: Path) -> dict[str, Any]:
    path = source / CONFIG
    if not path.is_file():
        return {}
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else {}


def site_details(settings: dict[str, Any]) -> tuple[str, str, str, str]:
    """(title, base URL, language, time zone) for the new site's sitegen.toml."""
    base = f"{settings.get('url') or ''}{settings.get('baseurl') or ''}".rstrip("/")
    language = str(settings.get("lang") or "en").split("-")[0].split("_")[0]
    return str(settings.get("title") or "News"), base, language, str(settings.get("timezone") or "UTC")


def import_jekyll(job: JekyllImport) -> ImportReport:
    report = ImportReport("jekyll", str(job.source), str(job.site))
    settings = read_config(job.source)
    pattern = str(settings.get("permalink") or "date")
    pattern = STYLES.get(pattern, pattern)
    lists: set[str] = set()
    plans = _posts(job, report) + _pages(job, report, lists, pretty=pattern.endswith("/"))
    tz = job.config.tz
    parse = ParseSettings.from_config(job.config)
    for plan in plans:
        head, _ = parse_head(plan.rel, generator.rendered(plan, body=False).encode("utf-8"), parse)
        if head is not None:
            plan.old_url = plan.old_url or _old_url(plan, pattern, head.article.date, tz)
    generator.settle_urls(plans, job.config, report)
    by_name = {_key(p.source.relative_to(job.source).as_posix()): p.url for p in plans if p.url}

    def resolve(name: str) -> str | None:
        """A post or page by its name; a file the import copies, or one sitegen writes too (atom.xml), by path."""
        found = by_name.get(_key(name)) or by_name.get(_key(f"_posts/{name}"))
        if found is None and _key(name.strip("/")) in lists:
            found = f"/{slugify(job.section) or 'news'}/"
        path = job.source / name.lstrip("/")
        if found is None and (name.lstrip("/") in SITEGEN_FILES or (path.is_file() and not _has_front_matter(path))):
            found = "/" + name.lstrip("/")
        return found

    writer = SiteWriter(job.site, force=job.force)
    base = site_details(settings)[1]
    for plan in plans:
        generator.write(plan, resolve, settings, base, writer, report)
    _static(job, settings, writer, report)
    writer.save()
    report.files.update(writer.outcomes.values())
    return report


def _key(name: str) -> str:
    """A post's name as `post_url` and `link` write it: without folder prefix noise and extension."""
    stem = name.removeprefix("/")
    for suffix in (*MARKDOWN_SUFFIXES, ".html"):
        stem = stem.removesuffix(suffix)
    return stem


def _posts(job: JekyllImport, report: ImportReport) -> list[generator.Planned]:
    plans: list[generator.Planned] = []
    section = slugify(job.section) or "news"
    for folder, draft in (("_posts", False), ("_drafts", True)):
        for path in sorted((job.source / folder).rglob("*")) if (job.source / folder).is_dir() else []:
            if not path.is_file() or not path.name.endswith(MARKDOWN_SUFFIXES) or path.name.startswith("."):
                continue
            found = _NAME.match(path.stem)
            year = found.group(1) if found else "drafts"
            plan = generator.read(path, f"{CONTENT_DIR}/{section}/{year}/{path.name}", report)
            if plan is None:
                continue
            if draft:
                plan.add["draft"] = True
                if "date" not in {k.lower() for k in plan.doc.fields} and not found:
                    plan.add["date"] = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
            _own_permalink(plan)
            plans.append(plan)
    return plans


def _own_permalink(plan: generator.Planned) -> None:
    for key, found in plan.doc.fields.items():
        if key.lower() == "permalink" and isinstance(found.value, str):
            plan.old_url = found.value
            plan.drop.add("permalink")


def _pages(job: JekyllImport, report: ImportReport, lists: set[str], *, pretty: bool) -> list[generator.Planned]:
    """Markdown pages with front-matter anywhere outside `_` folders: standalone pages. The names of the template
    pages that list posts (an archive) are added to `lists`."""
    plans: list[generator.Planned] = []
    for path in sorted(job.source.rglob("*")):
        rel = path.relative_to(job.source)
        if not path.is_file() or any(p.startswith(("_", ".")) or p in _NOT_SITE for p in rel.parts):
            continue
        if not path.name.endswith(MARKDOWN_SUFFIXES) or not _has_front_matter(path):
            continue
        plan = generator.read(path, f"{CONTENT_DIR}/{rel.as_posix()}", report)
        if plan is None:
            continue
        if "{% for " in plan.doc.body or "{%- for " in plan.doc.body:
            report.note(str(rel), None, "", "not imported: a Liquid template page (it lists the site's posts); "
                        "links to it lead to the posts' section, which lists them", "warning")  # fmt: skip
            lists.add(_key(rel.as_posix()))
            report.skipped["template pages"] += 1
            continue
        plan.add.setdefault("type", "page")
        plan.drop.add("layout")
        plan.old_url = "/" + (f"{rel.with_suffix('').as_posix()}/" if pretty else rel.with_suffix(".html").as_posix())
        _own_permalink(plan)
        plans.append(plan)
    return plans


def _has_front_matter(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) in (b"---\n", b"---\r")


def _old_url(plan: generator.Planned, pattern: str, when: datetime | None, tz: Any) -> str:
    """The post's URL on the Jekyll site, from the site's permalink pattern."""
    if "/_posts/" not in f"/{plan.source.as_posix()}" and "/_drafts/" not in f"/{plan.source.as_posix()}":
        return plan.old_url
    found = _NAME.match(plan.source.stem)
    title = found.group(4) if found else plan.source.stem
    local = when.astimezone(tz) if when else None
    categories = _categories(plan)
    values = {
        "categories": "/".join(categories), "title": title, "slug": slugify(title), "output_ext": ".html",
        "year": f"{local:%Y}" if local else "", "month": f"{local:%m}" if local else "",
        "day": f"{local:%d}" if local else "", "i_month": str(local.month) if local else "",
        "i_day": str(local.day) if local else "", "short_year": f"{local:%y}" if local else "",
        "y_day": f"{local:%j}" if local else "", "hour": f"{local:%H}" if local else "",
        "minute": f"{local:%M}" if local else "", "second": f"{local:%S}" if local else "",
    }  # fmt: skip
    url = re.sub(r":(\w+)", lambda m: values.get(m.group(1), m.group(0)), pattern)
    return re.sub(r"/+", "/", "/" + url)


def _categories(plan: generator.Planned) -> list[str]:
    for key, found in plan.doc.fields.items():
        if key.lower() in ("categories", "category"):
            value = found.value
            names = value.split() if isinstance(value, str) else [str(v) for v in value or []]
            return [n.lower().replace(" ", "-") for n in names]
    return []


def _static(job: JekyllImport, settings: dict[str, Any], writer: SiteWriter, report: ImportReport) -> None:
    """The site's own files into static/; what Jekyll renders (front-matter files, Sass, `_` folders) reported."""
    excluded = {str(e) for e in settings.get("exclude") or []} | _NOT_SITE
    for path in sorted(job.source.rglob("*")):
        rel = PurePosixPath(path.relative_to(job.source).as_posix())
        if not path.is_file() or path.is_symlink() or any(p.startswith(".") or p in excluded for p in rel.parts):
            continue
        if rel.parts[0].startswith("_"):
            if rel.parts[0] not in ("_posts", "_drafts", "_config.yml"):
                report.skipped[f"{rel.parts[0]}/ (Jekyll's templates or data)"] += 1
            continue
        if path.name.endswith(MARKDOWN_SUFFIXES):
            continue  # a page (imported above) or a template page (reported above)
        if _has_front_matter(path) or path.suffix in (".scss", ".sass"):
            report.note(str(rel), None, "", "not copied: Jekyll renders it (Liquid or Sass); sitegen's theme has "
                        "its own pages, feeds and styles", "info")  # fmt: skip
            report.skipped["templates"] += 1
            continue
        writer.copy(path, f"{STATIC_DIR}/{rel}")
        report.counts["static files"] += 1
