"""`sitegen import wordpress`: a WordPress export (WXR) into sitegen articles, pages, sections and media.

Two passes over the export, each a stream: the first learns the attachments, the menus and where every post goes
(wpplan.py), and refuses the export when an attachment's path would leave the uploads folder; the second converts
and writes each post. Nothing is written before the whole export has been read once, so a hostile or broken export
leaves the site as it was.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from sitegen.config import Config
from sitegen.errors import Problem, UsageError, error
from sitegen.importers import wpplan
from sitegen.importers.files import SiteWriter, safe_relative
from sitegen.importers.media import MediaMap
from sitegen.importers.report import ImportReport
from sitegen.importers.wpbody import Attachment, BodyContext, convert_body
from sitegen.importers.wxr import Channel, Item, read_channel, read_items
from sitegen.paths import CONTENT_DIR, DATA_DIR, INDEX_FILE, STATIC_DIR

_TAG = re.compile(r"<[^>]+>")
REDIRECTS_FILE = f"{STATIC_DIR}/_redirects"  # Netlify's and Cloudflare's format, published with the site
NGINX_MAP = "redirects.nginx.map"  # for `map $request_uri $new_uri { include …; }`: server configuration, unpublished


@dataclass(frozen=True)
class WordPressImport:
    export: Path
    site: Path
    config: Config
    now: datetime
    uploads: Path | None = None
    force: bool = False
    options: wpplan.Options = field(default_factory=wpplan.Options)


@dataclass
class _Scan:
    """What the first pass learns."""

    plans: dict[str, wpplan.Planned] = field(default_factory=dict)
    attachments: dict[str, Attachment] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # an old page's address (no scheme, no slash) → post id
    children: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def import_wordpress(job: WordPressImport) -> ImportReport:
    report = ImportReport("wordpress", str(job.export), str(job.site))
    channel = read_channel(job.export)
    media = MediaMap(job.uploads)
    media.add_site(channel.base_blog_url)
    media.add_site(channel.link)
    scan = _scan(job, channel, media, report)
    if scan.problems:
        raise UsageError(scan.problems)
    notes: list[tuple[wpplan.Planned, str]] = []
    wpplan.settle(list(scan.plans.values()), job.config, channel, notes)
    for noted, message in notes:
        report.note(noted.rel, None, noted.title, message, "warning")
    writer = SiteWriter(job.site, force=job.force)
    children = {k: tuple(v) for k, v in scan.children.items()}
    published = _new_address(scan, media)
    for item in read_items(job.export):
        plan = scan.plans.get(item.post_id) if item.post_type in ("post", "page") else None
        if plan is not None:
            context = BodyContext(item.post_id, scan.attachments, children, published)
            _write_item(item, plan, context, channel, job, writer, report)
    _write_sections(scan, channel, writer)
    _write_redirects(scan, writer, report)
    _copy_media(media, writer, report)
    writer.save()
    report.files.update(Counter(writer.outcomes.values()))
    for rel, outcome in sorted(writer.outcomes.items()):
        if outcome.startswith("kept"):
            report.note(rel, None, "", f"{outcome}: it differs from what the import would write (--force replaces it)",
                        "warning")  # fmt: skip
    return report


# -- the first pass --------------------------------------------------------------------------------------------------


def _scan(job: WordPressImport, channel: Channel, media: MediaMap, report: ImportReport) -> _Scan:
    scan = _Scan()
    tz = job.config.tz
    report.counts.update({"authors": len(channel.authors), "categories": len(channel.categories),
                          "tags": len(channel.tags)})  # fmt: skip
    for item in read_items(job.export):
        kind = item.post_type
        if kind == "attachment":
            _attachment(item, job, media, scan)
        elif kind == "nav_menu_item":
            menu = next((name for domain, _, name in item.terms if domain == "nav_menu"), "menu")
            report.menus.setdefault(menu, []).append(_menu_label(item))
        elif kind == "wp_navigation":
            report.menus.setdefault(item.title or "navigation", []).append("(block navigation: see the export)")
        if item.link and kind in ("attachment", "post", "page"):
            scan.links[_address(item.link)] = item.post_id
        if kind in ("post", "page"):
            planned = wpplan.plan_item(item, channel, job.options, tz, job.now)
            if isinstance(planned, str):
                report.skipped[planned] += 1
                continue
            scan.plans[item.post_id] = planned
        elif kind not in ("attachment", "nav_menu_item", "wp_navigation"):
            report.skipped[f"post type {kind}"] += 1
    report.counts["media"] = len(scan.attachments)
    for menu, entries in report.menus.items():  # an entry naming a post or page: its title, now that all are read
        report.menus[menu] = [_menu_title(e, scan) for e in entries]
    for ids in scan.children.values():
        ids.sort(key=lambda i: (scan.attachments[i].order, int(i) if i.isdigit() else 0))
    return scan


def _menu_label(item: Item) -> str:
    """A menu entry as the report shows it: its own label, its link, or what it points at (`page #12`)."""
    kind, target = item.meta.get("_menu_item_object", "item"), item.meta.get("_menu_item_object_id", "")
    return item.title or item.meta.get("_menu_item_url", "") or f"{kind} #{target}"


def _menu_title(entry: str, scan: _Scan) -> str:
    kind, _, target = entry.partition(" #")
    plan = scan.plans.get(target) if kind in ("page", "post") else None
    return f"{kind} {plan.title!r}" if plan is not None and plan.title else entry


def _attachment(item: Item, job: WordPressImport, media: MediaMap, scan: _Scan) -> None:
    attached = item.meta.get("_wp_attached_file", "")
    media.learn(item.attachment_url, attached)
    for name in (attached, media.relative(item.attachment_url) or ""):
        reason = safe_relative(name) if name else None
        if reason is not None:
            scan.problems.append(error(str(job.export), item.line, (
                f"refused: attachment {item.post_id} ({item.title!r}) names the file {name!r}, which {reason}; "
                "WordPress never writes such a path"
            )))  # fmt: skip
    scan.attachments[item.post_id] = Attachment(
        item.post_id,
        item.attachment_url,
        item.parent,
        item.title,
        item.meta.get("_wp_attachment_image_alt", ""),
        _plain(item.excerpt),
        item.menu_order,
        attached,
    )
    scan.children.setdefault(item.parent, []).append(item.post_id)


def _address(url: str) -> str:
    """An old page's address as links write it in any form: `https://h/p/`, `http://h/p`, `//h/p/` → `h/p`."""
    return url.split("://", 1)[-1].lstrip("/").split("#", 1)[0].rstrip("/")


def _new_address(scan: _Scan, media: MediaMap) -> Callable[[str], str]:
    """What a URL in a body becomes: a link to an old post its new URL (when it is published), to an attachment's
    page the file itself, to a file in the old uploads folder the copy's URL; any other URL stays."""

    def published(url: str) -> str:
        target = scan.links.get(_address(url))
        if target in scan.attachments:
            return media.published(scan.attachments[target].url)
        plan = scan.plans.get(target or "")
        if plan is not None and plan.status != wpplan.DRAFT:
            return plan.url
        return media.published(url)

    return published


# -- the second pass -------------------------------------------------------------------------------------------------


def _write_item(item: Item, plan: wpplan.Planned, context: BodyContext, channel: Channel, job: WordPressImport,
                writer: SiteWriter, report: ImportReport) -> None:  # fmt: skip
    _, why = wpplan.status_of(item, job.now, plan.date)
    if why:
        report.note(plan.rel, None, plan.title, why, "warning" if item.password else "info")
    report.counts["pages" if plan.kind in ("page", "index") else "posts"] += 1
    report.counts[plan.status] += 1
    report.counts["private"] += item.status == "private"
    report.counts["password-protected"] += bool(item.password)
    report.counts["pinned"] += item.sticky
    body, done = convert_body(item.content, context)
    report.conversions.update(done.counts)
    head = _front_matter(item, plan, context, channel, job.config)
    text = "---\n" + yaml.safe_dump(head, allow_unicode=True, sort_keys=False, width=1000) + "---\n"
    for line, message in done.notes:
        report.note(plan.rel, text.count("\n") + line if line else None, plan.title, message)
    writer.write(plan.rel, (text + body).encode("utf-8"))
    report.counts["aliases"] += len(plan.aliases)
    comments = [_comment(c) for c in item.comments if c.approved in ("1", "0") and c.type not in ("pingback",)]
    if comments:
        report.counts["comments"] += len(comments)
        stem = plan.rel.removeprefix(f"{CONTENT_DIR}/").rsplit(".", 1)[0]
        data = json.dumps({"article": plan.rel, "wordpress_id": item.post_id, "comments": comments},
                          ensure_ascii=False, indent=1)  # fmt: skip
        writer.write(f"{DATA_DIR}/comments/{stem}.json", (data + "\n").encode("utf-8"))


def _front_matter(item: Item, plan: wpplan.Planned, context: BodyContext, channel: Channel,
                  config: Config) -> dict[str, Any]:  # fmt: skip
    head: dict[str, Any] = {"title": html.unescape(item.title) or f"Untitled {item.post_id}"}
    if plan.kind == "index":
        return head  # a section's page: title (and the page's text as its introduction)
    if plan.kind == "page":
        head["type"] = "page"
    if plan.date is not None:
        head["date"] = plan.date.astimezone(config.tz).isoformat()
    if plan.status == wpplan.DRAFT:
        head["draft"] = True
    if item.sticky:
        head["pinned"] = True
    author = channel.authors.get(item.creator)
    if item.creator:
        head["authors"] = [author.display_name if author and author.display_name else item.creator]
    tags = _tags(item, plan)
    if tags:
        head["tags"] = tags
    summary = _plain(item.excerpt)
    if summary:
        head["summary"] = summary
    image = _featured(item, context)
    if image:
        head["image"] = image
    if plan.aliases:
        head["aliases"] = plan.aliases
    if item.guid:
        head["guid"] = item.guid
    return head


def _tags(item: Item, plan: wpplan.Planned) -> list[str]:
    """Tags once each however they are capitalised; the categories that are not the section are tags too."""
    names: dict[str, str] = {}
    categories = [name for domain, _, name in item.terms if domain == "category"]
    section_category = categories[:1] if plan.kind == "post" and plan.folder != "" else []
    for domain, _, name in item.terms:
        text = html.unescape(name).strip()
        if text and (domain == "post_tag" or (domain == "category" and name not in section_category)):
            names.setdefault(text.casefold(), text)
    return list(names.values())


def _featured(item: Item, context: BodyContext) -> dict[str, str] | None:
    attachment = context.attachments.get(item.meta.get("_thumbnail_id", ""))
    if attachment is None:
        return None
    image = {"src": context.media_url(attachment.url), "alt": attachment.alt}
    if attachment.caption:
        image["caption"] = attachment.caption
    return image


def _comment(comment: Any) -> dict[str, str]:
    """A comment as data: who, when, what (no e-mail address or IP: they are personal data the site never shows)."""
    return {"id": comment.id, "parent": comment.parent, "author": comment.author, "author_url": comment.author_url,
            "date_gmt": comment.date_gmt, "content": comment.content,
            "status": "approved" if comment.approved == "1" else "pending",
            "type": comment.type or "comment"}  # fmt: skip


def _plain(text: str) -> str:
    return html.unescape(_TAG.sub("", text)).strip()


# -- the site's sections, redirects and media ------------------------------------------------------------------------


def _write_sections(scan: _Scan, channel: Channel, writer: SiteWriter) -> None:
    """A `_index.md` for each category that is a section (and its parents), titled as the category was."""
    folders = {p.folder for p in scan.plans.values() if p.kind == "post"}
    folders |= {"/".join(f.split("/")[:n]) for f in folders for n in range(1, f.count("/") + 1)}
    pages = {p.folder for p in scan.plans.values() if p.kind == "index"}
    by_folder = {wpplan.section_path(c.nicename, channel): c for c in channel.categories.values()}
    for folder in sorted(folders - pages):
        category = by_folder.get(folder)
        head: dict[str, str] = {"title": html.unescape(category.name) if category else folder.rsplit("/")[-1]}
        if category and category.description:
            head["description"] = _plain(category.description)
        text = "---\n" + yaml.safe_dump(head, allow_unicode=True, sort_keys=False, width=1000) + "---\n"
        writer.write(f"{CONTENT_DIR}/{folder}/{INDEX_FILE}", text.encode("utf-8"))


def _write_redirects(scan: _Scan, writer: SiteWriter, report: ImportReport) -> None:
    """Every old URL → its new one: `_redirects` (published) and an nginx map (server configuration)."""
    pairs: list[tuple[str, str]] = []
    for plan in scan.plans.values():
        if plan.status == wpplan.DRAFT:
            continue  # a redirect to a page that is not published would be a broken link
        pairs += [(old, plan.url) for old in plan.aliases + plan.old_queries if old != plan.url]
    if not pairs:
        return
    report.counts["redirects"] = len(pairs)
    lines = []
    for old, new in sorted(pairs):
        path, _, query = old.partition("?")
        lines.append(f"{path} {query} {new} 301" if query else f"{old} {new} 301")
    writer.write(REDIRECTS_FILE, ("\n".join(lines) + "\n").encode("utf-8"))
    nginx = [f"{json.dumps(old)} {json.dumps(new)};" for old, new in sorted(pairs)]
    writer.write(NGINX_MAP, ("# old WordPress URL → sitegen URL\n" + "\n".join(nginx) + "\n").encode("utf-8"))


def _copy_media(media: MediaMap, writer: SiteWriter, report: ImportReport) -> None:
    for rel, source in sorted(media.copies.items()):
        writer.copy(source, rel)
    report.counts["media copied"] = len(media.copies)
    report.counts["media missing"] = len(media.missing)
    for url, why in sorted(media.missing.items()):
        report.note(str(media.uploads), None, "", f"{url}: not copied ({why}); the page links the old site", "warning")
