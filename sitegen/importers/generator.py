"""What importing a Hugo or a Jekyll site share: each Markdown file read with sitegen's own front-matter reader, its
new URL found the way a build will find it, its old URL kept as an alias, its tags converted, and every other file
copied. sitegen already reads both generators' front-matter keys (docs/front-matter.md), so a file's front-matter is
rewritten only when the import must change it (an alias to add, a key sitegen would refuse).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from sitegen.config import Config
from sitegen.content.article import parse_head
from sitegen.content.frontmatter import Document, decode, split
from sitegen.content.settings import ParseSettings
from sitegen.importers.files import SiteWriter
from sitegen.importers.report import ImportReport
from sitegen.importers.tags import Resolver, convert_tags
from sitegen.model import PAGE
from sitegen.urls import normalise_url


@dataclass
class Planned:
    """One Markdown file of the old site: where it goes and what its front-matter needs."""

    source: Path
    rel: str  # where it is written in the site, `content/...`
    text: str  # the file as read
    doc: Document
    old_url: str  # its URL on the old site ("" when unknown)
    add: dict[str, Any] = field(default_factory=dict)  # keys to set
    drop: set[str] = field(default_factory=set)  # keys to remove (lower case)
    url: str = ""  # its URL in sitegen
    published: bool = True


def read(source: Path, rel: str, report: ImportReport) -> Planned | None:
    """A Markdown file's front-matter and body, or None (reported) when sitegen can't read it."""
    data = source.read_bytes()
    text, problems = decode(rel, data)
    doc = None
    if text is not None:
        doc, problems = split(rel, text, required=False)
    if text is None or doc is None:
        for problem in problems:
            report.note(str(source), problem.line, "", f"not imported: {problem.message}", "warning")
        return None
    return Planned(source, rel, text, doc, "")


def settle_urls(plans: list[Planned], config: Config, report: ImportReport) -> None:
    """Each file's sitegen URL (read as the build will read it) and, when the old one differs, an alias for it."""
    settings = ParseSettings.from_config(config)
    for plan in plans:
        head, problems = parse_head(plan.rel, rendered(plan, body=False).encode("utf-8"), settings)
        if head is None:
            for problem in problems:
                report.note(plan.rel, problem.line, "", problem.message, problem.severity.value)
            continue
        article = head.article
        plan.url = article.url
        plan.published = not article.draft
        old = normalise_url(plan.old_url) if plan.old_url and not plan.old_url.endswith(".html") else plan.old_url
        if old and old != plan.url and old not in article.aliases:
            aliases = [*_aliases(plan), old]
            plan.add["aliases"] = aliases
            report.counts["aliases"] += 1
        report.counts["pages" if article.kind == PAGE else "posts"] += 1
        report.counts["drafts"] += article.draft


def _aliases(plan: Planned) -> list[str]:
    for key, found in plan.doc.fields.items():
        if key.lower() in ("aliases", "redirect_from"):
            plan.drop.add(key.lower())
            value = found.value
            return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return []


def write(plan: Planned, resolve: Resolver, settings: Mapping[str, object], base_url: str, writer: SiteWriter,
          report: ImportReport) -> None:  # fmt: skip
    """The file with its tags converted (and its front-matter rewritten when it must be)."""
    converted = convert_tags(plan.doc.body, resolve, settings, base_url)
    for kind, n in converted.counts.items():
        report.conversions[kind] += n
    head = rendered(plan, body=False)
    offset = head.count("\n") if (plan.add or plan.drop) else plan.doc.body_line - 1
    for line, message in converted.notes:
        report.note(plan.rel, offset + line, "", message)
    text = (head if (plan.add or plan.drop) else plan.text[: len(plan.text) - len(plan.doc.body)]) + converted.text
    writer.write(plan.rel, text.encode("utf-8"))


def rendered(plan: Planned, *, body: bool = True) -> str:
    """The file's text with the front-matter changes made: YAML, since sitegen reads it as it reads TOML and JSON."""
    if not plan.add and not plan.drop:
        return plan.text if body else plan.text[: len(plan.text) - len(plan.doc.body)]
    fields = {k: _plain(f.value) for k, f in plan.doc.fields.items() if k.lower() not in plan.drop}
    fields.update(plan.add)
    head = "---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1000) + "---\n"
    return head + (plan.doc.body if body else "")


def _plain(value: Any) -> Any:
    """TOML's dates as ISO text (sitegen reads them the same), lists and tables through."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def copy_tree(folder: Path, into: str, writer: SiteWriter, skip: frozenset[str] = frozenset()) -> int:
    """Every file under `folder` (dot names and `skip` left out) copied to `into/…` in the site."""
    copied = 0
    if not folder.is_dir():
        return 0
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if not path.is_file() or path.is_symlink() or any(p.startswith(".") or p in skip for p in parts):
            continue
        writer.copy(path, f"{into}/{'/'.join(parts)}".lstrip("/"))
        copied += 1
    return copied


def settings_json(value: Any) -> Any:
    """A configuration value JSON can carry (for the report), dates as text."""
    return json.loads(json.dumps(_plain(value), default=str))
