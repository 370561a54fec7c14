"""`sitegen check`: every problem with a site, found without building it or writing a single file.

Check runs the build's own stages (configuration, output-folder safety, load and parse, assemble, plan), compiles
every template and renders one page of each kind in memory, and so finds what would stop `sitegen build`; then it
looks further, for things a build publishes but a reader would trip over: links to pages that don't exist, missing
images, colliding aliases, unknown front-matter keys. A template error that only one particular page triggers is
still found by `build` alone (check does not render every page).

The JSON output (`--format json`) is stable for CI and editor integrations:

    {"format": "sitegen-check", "version": 1, "site": "/abs/site", "exit_code": 1, "ok": false,
     "counts": {"error": 1, "warning": 0, "info": 0}, "articles": 12, "pages": 40,
     "problems": [{"path": "content/news/x.md", "line": 3, "severity": "error", "message": "..."}]}

`path` is relative to the site folder (a config or output problem may name that file or folder), `line` is a number
or null, `severity` is "error", "warning" or "info". Problems are sorted by path, line, severity and message. New
keys may be added; existing keys keep their meaning while `version` is 1.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from sitegen.config import LoadedConfig, build_time, load_config
from sitegen.content.frontmatter import body_of, decode
from sitegen.content.headings import THEME_IDS
from sitegen.content.settings import ParseSettings
from sitegen.content.shortcodes import leftovers
from sitegen.content.sources import read_optional
from sitegen.errors import EXIT_CONTENT, EXIT_OK, EXIT_USAGE, Problem, Severity, UsageError, error, warning
from sitegen.images.catalogue import verify
from sitegen.images.store import DerivativeStore
from sitegen.incremental.listing import list_site
from sitegen.model import Article
from sitegen.paths import CONFIG_FILE, OUTPUT_DIR, STATIC_DIR
from sitegen.pipeline import (
    Inputs,
    Planned,
    check_templates,
    image_uses,
    plan_site,
    read_articles,
    read_inputs,
)
from sitegen.publish.guards import check_output_folder
from sitegen.publish.writer import read_manifest
from sitegen.site.assemble import Visibility
from sitegen.site.plan import Route

FORMAT_VERSION = 1
_LINK = re.compile(r"""\b(href|src)="([^"]*)\"""")
_ID = re.compile(r'\bid="([^"]+)"')
_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class CheckOptions:
    root: Path
    output: Path | None = None  # default: SITE_DIR/public, as for build
    drafts: bool = False
    future: bool = False
    strict: bool = False  # warnings fail the check too


@dataclass
class CheckReport:
    root: Path
    strict: bool = False
    problems: list[Problem] = field(default_factory=list)
    articles: int = 0
    pages: int = 0
    refused: bool = False  # configuration or safety problems: the build would exit 2

    def count(self, severity: Severity) -> int:
        return sum(1 for p in self.problems if p.severity is severity)

    @property
    def exit_code(self) -> int:
        if self.refused:
            return EXIT_USAGE
        failing = self.count(Severity.ERROR) + (self.count(Severity.WARNING) if self.strict else 0)
        return EXIT_CONTENT if failing else EXIT_OK

    def sorted_problems(self) -> list[Problem]:
        unique = set(self.problems)
        return sorted(unique, key=lambda p: (p.path, p.line or 0, _SEVERITY_ORDER[p.severity], p.message))

    def to_json(self) -> str:
        data = {
            "format": "sitegen-check",
            "version": FORMAT_VERSION,
            "site": str(self.root),
            "exit_code": self.exit_code,
            "ok": self.exit_code == EXIT_OK,
            "counts": {s.value: self.count(s) for s in Severity},
            "articles": self.articles,
            "pages": self.pages,
            "problems": [
                {"path": p.path, "line": p.line, "severity": p.severity.value, "message": p.message}
                for p in self.sorted_problems()
            ],
        }
        return json.dumps(data, indent=2, ensure_ascii=False)

    def to_text(self) -> str:
        lines = [str(p) for p in self.sorted_problems()]
        counts = ", ".join(_plural(self.count(s), s.value) for s in Severity)
        verdict = "ok" if self.exit_code == EXIT_OK else "failed"
        lines.append(f"sitegen check: {verdict}: {counts} in {_plural(self.articles, 'article')}")
        return "\n".join(lines)


def check(options: CheckOptions) -> CheckReport:
    root = options.root.resolve()
    report = CheckReport(root, options.strict)
    try:
        loaded = load_config(root)
        now = build_time()
    except UsageError as exc:
        report.problems += exc.problems
        report.refused = True
        return report
    try:
        check_output_folder(root, _output(options))
    except UsageError as exc:
        report.problems += exc.problems
        report.refused = True
    _Checker(root, loaded, now, options, report).run()
    return report


def _output(options: CheckOptions) -> Path:
    return options.output if options.output is not None else options.root.resolve() / OUTPUT_DIR


class _Checker:
    def __init__(
        self, root: Path, loaded: LoadedConfig, now: datetime, options: CheckOptions, report: CheckReport
    ) -> None:
        self.root = root
        self.loaded = loaded
        self.config = loaded.config
        self.now = now
        self.options = options
        self.report = report
        self.problems = report.problems

    def run(self) -> None:
        """The build's stages (sitegen.pipeline) with every article parsed, then the checks a build does not make."""
        listing, problems = list_site(self.root, self.loaded)
        articles, found = read_articles(listing.content.articles, ParseSettings.from_config(self.config))
        inputs, more = read_inputs(listing)
        self.problems += [*problems, *found, *more]
        planned, planned_problems = plan_site(inputs, articles, Visibility(self.now, self.options.drafts,
                                                                           self.options.future))  # fmt: skip
        self.problems += planned_problems
        # Everything, drafts and scheduled articles included: what will collide or exist once they are published.
        everything, all_planned = plan_site(inputs, articles, Visibility(self.now, True, True))
        later = " (once drafts and scheduled articles are published)"
        self.problems += [_as_warning(p, later) for p in all_planned if p not in planned_problems]
        self.report.articles = len(articles)
        self.report.pages = len(planned.routes)
        self.problems += check_templates(inputs, planned)
        static = set(inputs.statics.files) | set(inputs.assets.hashed.values())
        self.problems += self._foreign_files({r.output for r in planned.routes} | static | set(planned.files))
        links = _Targets(planned.routes, everything.routes, static | set(planned.files), set(everything.files))
        links.ids = {a.url: _ids(a.body_html) for a in articles}
        links.ids.update({f"/{info.path}/": _ids(info.intro_html) for info in inputs.indexes.values()})
        links.everywhere = set(THEME_IDS) | _template_ids(inputs.templates.folders)
        for article in articles:
            self.problems += self._links(article.source, article.url, article.body_html, links)
            self.problems += self._image(article, links)
            self.problems += self._leftovers(article.source)
        for info in inputs.indexes.values():
            self.problems += self._links(info.source, f"/{info.path}/", info.intro_html, links)
            self.problems += self._leftovers(info.source)
        self.problems += self._schedule(articles)
        self.problems += self._config_images(links)
        self.problems += self._image_files(inputs, planned)

    def _image_files(self, inputs: Inputs, planned: Planned) -> list[Problem]:
        """The images the build would process, decoded: corrupt, mislabelled and oversized ones are errors (missing
        ones are reported with the links above)."""
        uses, _ = image_uses(inputs, planned, self.root)
        return verify(uses, DerivativeStore.of_site(self.root), self.config.images, self.root)

    def _foreign_files(self, outputs: set[str]) -> list[Problem]:
        """Files in the output folder that the build would have to overwrite but did not write: it will refuse."""
        output = _output(self.options)
        if not output.is_dir():
            return []
        ours = read_manifest(output)
        problems: list[Problem] = []
        for rel in sorted(outputs - set(ours)):
            target = output / rel
            if target.exists() or target.is_symlink():
                message = "exists and was not written by sitegen: the build will refuse to overwrite it"
                problems.append(error(str(target), None, message + " (unless it is identical)"))
        if problems:
            self.report.refused = True
        return problems

    def _links(self, source: str, page_url: str, body_html: str, targets: _Targets) -> list[Problem]:
        problems: list[Problem] = []
        text: str | None = None
        for attribute, written in _LINK.findall(body_html):
            href = html.unescape(written)
            path = self._internal_path(href, page_url)
            if path is None:
                continue
            state = targets.state(path)
            fragment = unquote(urlsplit(href).fragment) if attribute == "href" else ""
            if state == _Targets.FOUND and (not fragment or targets.has_id(path, fragment)):
                continue
            if text is None:
                text = self._source_text(source)
            line = _line_of(text, href)
            what = "image" if attribute == "src" else "link"
            if state == _Targets.FOUND:
                where = "this page" if href.startswith("#") else "that page"
                message = f'link to {href}: {where} has no heading or element with id "{fragment}"'
                problems.append(warning(source, line, message))
            elif state == _Targets.LATER:
                problems.append(warning(source, line, f"{what} to {href}: not published yet (draft or scheduled)"))
            else:
                problems.append(error(source, line, f"{what} to {href}: no page or static file has this URL"))
        return problems

    def _leftovers(self, source: str) -> list[Problem]:
        """Shortcodes and template tags of other generators left in the text: published as written."""
        found = body_of(self._source_text(source))
        if found is None:
            return []
        body, first_line = found
        return [
            warning(source, first_line + number, f"'{marker}' is shortcode or template syntax sitegen does not "
                    "understand: it is published as written")
            for number, marker in leftovers(body)
        ]  # fmt: skip

    def _internal_path(self, href: str, page_url: str) -> str | None:
        """The site path a link points to, or None for external links, anchors, mail and phone links."""
        href = href.strip()
        base = self.config.base_url.rstrip("/")
        if base and (href == base or href.startswith(base + "/")):
            href = href[len(base) :] or "/"
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not (parts.path or parts.fragment):
            return None
        return unquote(urljoin(page_url, parts.path))  # "#x" alone is this page

    def _source_text(self, source: str) -> str:
        text, _ = decode(source, read_optional(self.root / source) or b"")
        return text or ""

    def _image(self, article: Article, targets: _Targets) -> list[Problem]:
        image = article.image
        if image is None or not image.src.startswith("/") or image.src.startswith("//"):
            return []
        if targets.state(unquote(urlsplit(image.src).path)) == _Targets.FOUND:
            return []
        line = _line_of(self._source_text(article.source), image.src.lstrip("/"))
        return [error(article.source, line, f"image: {image.src} is not a file in {STATIC_DIR}/")]

    def _config_images(self, targets: _Targets) -> list[Problem]:
        where = self.loaded.path.name if self.loaded.path else CONFIG_FILE
        problems: list[Problem] = []
        for name, src in (("sponsor.image", self.config.sponsor.image), ("logo", self.config.logo)):
            if not src or "://" in src or src.startswith("//"):
                continue
            path = src if src.startswith("/") else "/" + src
            if targets.state(path) != _Targets.FOUND:
                problems.append(error(where, None, f"'{name}' {src} is not a file in {STATIC_DIR}/"))
        return problems

    def _schedule(self, articles: Iterable[Article]) -> list[Problem]:
        notes: list[Problem] = []
        tz = self.config.tz
        for article in articles:
            if article.draft:
                notes.append(_info(article.source, "draft: published only by a build with --drafts"))
            elif article.date and article.date > self.now:
                when = article.date.astimezone(tz).isoformat(timespec="minutes")
                when_local = f"{when} ({self.config.timezone})"
                notes.append(_info(article.source, f"scheduled: published by the first build after {when_local}"))
            if article.expires and article.expires <= self.now:
                when = article.expires.astimezone(tz).isoformat(timespec="minutes")
                notes.append(_info(article.source, f"expired at {when}: not published"))
        return notes


class _Targets:
    """What a link can point at: a page of this build, a page that exists once drafts are published, a static file."""

    FOUND = "found"
    LATER = "later"
    MISSING = "missing"

    def __init__(self, routes: Sequence[Route], all_routes: Sequence[Route], static: set[str],
                 later_files: set[str]) -> None:  # fmt: skip
        self.urls = {r.url for r in routes}
        self.later = {r.url for r in all_routes} | {"/" + rel for rel in later_files}
        self.static = static
        self.ids: dict[str, set[str]] = {}  # the ids in each article's and section's own text, by URL
        self.everywhere: set[str] = set()  # the ids every page has (the theme's)

    def has_id(self, path: str, fragment: str) -> bool:
        """True unless `path` is a page whose text sitegen knows and no element on it has the id."""
        page = self.ids.get(path if path.endswith("/") else path + "/")
        return page is None or fragment in page or fragment in self.everywhere

    def state(self, path: str) -> str:
        candidates = {path, path + "/"}
        if path.endswith("/index.html"):
            candidates.add(path.removesuffix("index.html"))
        rel = path.lstrip("/")
        if rel in self.static or (rel.rstrip("/") + "/index.html").lstrip("/") in self.static:
            return self.FOUND
        if candidates & self.urls:
            return self.FOUND
        if candidates & self.later:
            return self.LATER
        return self.MISSING


def _ids(body_html: str) -> set[str]:
    return {html.unescape(found) for found in _ID.findall(body_html)}


def _template_ids(folders: Sequence[Path]) -> set[str]:
    """Ids written in the templates (a site's own templates may add some to every page)."""
    found: set[str] = set()
    for folder in folders:
        for path in folder.rglob("*.htm*"):
            found |= {i for i in _ID.findall(path.read_text(encoding="utf-8", errors="replace")) if "{" not in i}
    return found


def _line_of(text: str, needle: str) -> int | None:
    at = text.find(needle) if needle else -1
    return text.count("\n", 0, at) + 1 if at >= 0 else None


def _info(path: str, message: str) -> Problem:
    return Problem(path, None, message, Severity.INFO)


def _as_warning(problem: Problem, note: str) -> Problem:
    return Problem(problem.path, problem.line, problem.message + note, Severity.WARNING)


def _plural(count: int, noun: str) -> str:
    if noun == "info":
        return f"{count} info"
    return f"{count} {noun}{'' if count == 1 else 's'}"
