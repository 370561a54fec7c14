"""Where each post and page of an export goes: its file, its URL, its section and every old URL that must keep
working. Planned from a first pass over the export, before anything is written, so that collisions (two posts on
one URL, a page named like a section, an old URL that is now another page's) are settled, and reported, up front.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from sitegen.config import Config
from sitegen.importers.wxr import Channel, Item
from sitegen.paths import CONTENT_DIR, INDEX_FILE, MARKDOWN_SUFFIX
from sitegen.urls import normalise_url, permalink, slugify, unsafe_url_reason

PUBLISHED, DRAFT, SCHEDULED = "published", "draft", "scheduled"
SKIPPED_STATUSES = frozenset({"trash", "auto-draft", "inherit"})
# First URL segments sitegen's own pages use: a WordPress page there would collide with them.
RESERVED = frozenset({"tags", "authors", "search", "page", "feed.xml", "atom.xml", "sitemaps", "sitemap.xml",
                      "news-sitemap.xml", "fragments", "pagefind", "404.html", "robots.txt", "wp-content"})  # fmt: skip


@dataclass
class Planned:
    post_id: str
    kind: str  # "post", "page", or "index" (a page whose URL is a section's: it becomes that section's page)
    title: str
    slug: str
    folder: str  # the section (posts) or the parent pages' path (pages)
    date: datetime | None
    status: str  # published, draft, scheduled
    parent: str  # pages: the parent page's id
    old_paths: list[str] = field(default_factory=list)  # old URLs that are paths: aliases
    old_queries: list[str] = field(default_factory=list)  # /?p=1: a redirect map's entries
    url: str = ""
    rel: str = ""
    aliases: list[str] = field(default_factory=list)


@dataclass
class Options:
    categories: str = "sections"  # or "tags"
    section: str = "news"  # posts without a category (or all posts with categories as tags)


def moment(item: Item, tz: ZoneInfo) -> datetime | None:
    """The exact publication time: post_date_gmt; for a draft WordPress leaves that empty, so post_date (local)."""
    for value, zone in ((item.post_date_gmt, UTC), (item.post_date, tz)):
        if value and not value.startswith("0000"):
            try:
                return datetime.fromisoformat(value).replace(tzinfo=zone)
            except ValueError:
                continue
    return None


def status_of(item: Item, now: datetime, when: datetime | None) -> tuple[str | None, str]:
    """sitegen's status for a WordPress one, and why when it is not the obvious one (for the report)."""
    status = item.status.lower()
    if status in SKIPPED_STATUSES:
        return None, f"status {status}: not imported"
    if item.password:
        return DRAFT, "password-protected: imported as a draft (sitegen has no password-protected pages)"
    if status == "publish":
        return PUBLISHED, ""
    if status == "future":
        if when is not None and when <= now:
            return DRAFT, "scheduled for a time already past and never published: imported as a draft"
        return SCHEDULED, ""
    if status in ("draft", "pending", "private"):
        return DRAFT, f"status {status}: imported as a draft" if status != "draft" else ""
    return DRAFT, f"status {status!r} is not one WordPress documents: imported as a draft"


def section_path(nicename: str, channel: Channel) -> str:
    """A category's section folder, its parents' folders first (`parent/child`)."""
    parts: list[str] = []
    seen: set[str] = set()
    current = nicename
    while current and current not in seen:
        seen.add(current)
        category = channel.categories.get(current)
        parts.append(slugify(unquote(current)) or "category")
        current = category.parent if category else ""
    return "/".join(reversed(parts))


def plan_item(item: Item, channel: Channel, options: Options, tz: ZoneInfo, now: datetime) -> Planned | str:
    """The plan for one post or page, or why it is not imported."""
    when = moment(item, tz)
    status, _ = status_of(item, now, when)
    if status is None:
        return f"status {item.status}"
    slug = slugify(unquote(item.post_name)) or slugify(item.title) or f"{item.post_type}-{item.post_id}"
    if item.post_type == "page":
        folder = ""
    else:
        categories = [nicename for domain, nicename, _ in item.terms if domain == "category"]
        folder = section_path(categories[0], channel) if categories and options.categories == "sections" else ""
        folder = folder or slugify(options.section) or "news"
    planned = Planned(item.post_id, "page" if item.post_type == "page" else "post", item.title, slug[:200], folder,
                      when, status, item.parent if item.post_type == "page" else "0")  # fmt: skip
    planned.old_paths, planned.old_queries = old_urls(item, channel, tz)
    return planned


def old_urls(item: Item, channel: Channel, tz: ZoneInfo) -> tuple[list[str], list[str]]:
    """The URLs a post had: its `<link>`, `/?p=ID`, `/YYYY/MM/DD/slug/` (and the same with each old slug)."""
    paths: list[str] = []
    queries = [f"/?page_id={item.post_id}" if item.post_type == "page" else f"/?p={item.post_id}"]
    link = urlsplit(item.link)
    if link.query:
        queries.append(f"{normalise_url(link.path) if link.path.strip('/') else '/'}?{link.query}")
    elif link.path.strip("/"):
        paths.append(normalise_url(unquote(link.path)))
    local = item.post_date if item.post_date and not item.post_date.startswith("0000") else ""
    if item.post_type == "post" and local[:10].count("-") == 2:
        year, month, day = local[:10].split("-")
        for name in (item.post_name, item.meta.get("_wp_old_slug", "")):
            if name:
                paths.append(f"/{year}/{month}/{day}/{unquote(name)}/")
    return list(dict.fromkeys(p for p in paths if unsafe_url_reason(p) is None)), list(dict.fromkeys(queries))


def settle(plans: list[Planned], config: Config, channel: Channel, notes: list[tuple[Planned, str]]) -> None:
    """URLs, files and aliases for every plan; collisions resolved the way that keeps old URLs, and noted."""
    pages = {p.post_id: p for p in plans if p.kind == "page"}
    for page in pages.values():
        page.folder = _page_folder(page, pages)
    taken: dict[str, Planned] = {}
    sections = {p.folder for p in plans if p.kind == "post"}
    sections |= {"/".join(s.split("/")[:n]) for s in sections for n in range(1, s.count("/") + 1)}
    for plan in sorted(plans, key=lambda p: (p.kind != "post", p.date or datetime.min.replace(tzinfo=UTC), p.post_id)):
        _place(plan, config, sections, taken, notes)
    for plan in plans:
        for alias in plan.old_paths:
            owner = taken.get(alias)
            if owner is plan:
                continue
            if owner is not None or alias.strip("/").split("/")[0] in RESERVED:
                whose = f"{owner.title!r}'s" if owner is not None else "one of sitegen's own pages"
                notes.append((plan, f"old URL {alias} is now {whose}: not redirected"))
                continue
            taken[alias] = plan
            plan.aliases.append(alias)


def _place(plan: Planned, config: Config, sections: set[str], taken: dict[str, Planned],
           notes: list[tuple[Planned, str]]) -> None:  # fmt: skip
    if plan.kind == "page":
        path = f"{plan.folder}/{plan.slug}".strip("/")
        if path in sections:
            plan.kind, plan.folder = "index", path
            plan.url, plan.rel = normalise_url(f"/{path}/"), f"{CONTENT_DIR}/{path}/{INDEX_FILE}"
            notes.append((plan, f"page /{path}/ has the URL of section {path}: it became the section's page"))
            taken[plan.url] = plan
            return
        if path.split("/")[0] in RESERVED:
            notes.append((plan, f"/{path}/ is one of sitegen's own pages: the page moved to /{path}-page/"))
            plan.slug += "-page"
    base = plan.slug
    for number in range(2, 10_000):
        plan.url = _url(plan, config)
        if plan.url not in taken:
            break
        plan.slug = f"{base}-{number}"
    if plan.slug != base:
        notes.append((plan, f"{_url_with(plan, config, base)} was taken by another post: published at {plan.url}"))
    taken[plan.url] = plan
    year = f"{plan.date.astimezone(config.tz).year}" if plan.date and plan.kind == "post" else ""
    folder = "/".join(p for p in (plan.folder, year) if p)
    plan.rel = f"{CONTENT_DIR}/{folder + '/' if folder else ''}{plan.slug}{MARKDOWN_SUFFIX}"


def _url(plan: Planned, config: Config) -> str:
    if plan.kind == "page":
        return normalise_url(f"/{plan.folder}/{plan.slug}/")
    local = plan.date.astimezone(config.tz) if plan.date else None
    return permalink(config.permalink, plan.folder, plan.slug, local)


def _url_with(plan: Planned, config: Config, slug: str) -> str:
    current = plan.slug
    plan.slug = slug
    try:
        return _url(plan, config)
    finally:
        plan.slug = current


def _page_folder(page: Planned, pages: dict[str, Planned]) -> str:
    """A nested page's parents' slugs: `about/team` for the page `contact` under them."""
    parts: list[str] = []
    seen = {page.post_id}
    current = pages.get(page.parent)
    while current is not None and current.post_id not in seen:
        seen.add(current.post_id)
        parts.append(current.slug)
        current = pages.get(current.parent)
    return "/".join(reversed(parts))
