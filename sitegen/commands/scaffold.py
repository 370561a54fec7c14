"""Starting things for editors: `sitegen new` (an article with its front-matter filled in) and `sitegen init` (a site).

Both only ever create files: a path that exists is refused, never overwritten.
"""

from __future__ import annotations

import difflib
import json
import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from sitegen.config import Config
from sitegen.content.article import section_of, section_title
from sitegen.content.sources import find_content, find_content_folders
from sitegen.errors import UsageError
from sitegen.paths import (
    CACHE_DIR,
    CONFIG_FILE,
    CONTENT_DIR,
    INDEX_FILE,
    MARKDOWN_SUFFIX,
    OUTPUT_DIR,
    STATIC_DIR,
    TEMPLATES_DIR,
)
from sitegen.urls import slugify

MAX_SLUG = 80  # long headlines make unwieldy URLs; the cut falls on a word boundary


@dataclass(frozen=True)
class ArticleRequest:
    title: str
    section: str
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    slug: str | None = None
    create_section: bool = False


def known_sections(root: Path) -> list[str]:
    """Sections of the site: its content folders (year folders are filing, not sections) and their `_index.md`."""
    sections = {section_of(f"{CONTENT_DIR}/{folder}/x{MARKDOWN_SUFFIX}") for folder in find_content_folders(root)}
    sections |= {section_of(found.rel) for found in find_content(root).section_indexes}
    return sorted(s for s in sections if s)


def new_article(root: Path, config: Config, request: ArticleRequest, now: datetime) -> Path:
    """Create `content/<section>/<year>/<slug>.md` and return its path (relative to `root`)."""
    title = " ".join(request.title.split())
    if not title:
        raise UsageError("the title is empty")
    section = _section(root, request)
    slug = _slug(title, request.slug)
    local = now.astimezone(config.tz).replace(microsecond=0)
    rel = PurePosixPath(CONTENT_DIR, section, f"{local.year:04d}", f"{slug}{MARKDOWN_SUFFIX}")
    _refuse_same_url(root, section, slug, config, rel)
    authors = request.authors or ((config.default_author,) if config.default_author else ())
    text = _article_text(title, local, authors, request.tags)
    path = root / rel
    if request.create_section:
        _create_section(root, section)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:  # "x": fails if the file exists, even if created just now
            handle.write(text)
    except FileExistsError:
        raise UsageError(f"{rel} already exists: refusing to overwrite it (choose another --slug)") from None
    return Path(rel)


def _section(root: Path, request: ArticleRequest) -> str:
    wanted = request.section.strip().strip("/")
    known = known_sections(root)
    for section in known:
        if section.casefold() == wanted.casefold():
            return section
    if request.create_section:
        parts = wanted.split("/")
        if not wanted or any(not p or p != slugify(p) or p.isdigit() for p in parts):
            raise UsageError(
                f"{request.section!r} is not a section name: use lowercase words joined by hyphens, "
                "like news/world-cup (numeric folders are years, not sections)"
            )
        return wanted
    close = difflib.get_close_matches(wanted, known, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    listing = ", ".join(known) if known else "none yet"
    raise UsageError(
        f"unknown section '{wanted}'{hint}; known sections: {listing}. Use --create-section to start a new one"
    )


def _slug(title: str, given: str | None) -> str:
    if given is not None:
        slug = slugify(given)
        if not slug:
            raise UsageError(f"--slug {given!r} has no letters or digits to make a URL from")
        return slug
    slug = slugify(title)
    if not slug:
        raise UsageError("the title has no letters or digits to make a URL from: give one with --slug")
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0] or slug[:MAX_SLUG]
    return slug


def _refuse_same_url(root: Path, section: str, slug: str, config: Config, rel: PurePosixPath) -> None:
    """Another file of the section with this slug would claim the same URL, unless the permalink has a date in it."""
    dated = any(token in config.permalink for token in ("{year}", "{month}", "{day}"))
    for found in find_content(root).articles:
        same = section_of(found.rel) == section and slugify(PurePosixPath(found.rel).stem) == slug
        if same and (not dated or found.rel == str(rel)):
            raise UsageError(
                f"{found.rel} already uses the slug '{slug}' in section '{section}': "
                f"refusing to create a second article with the same URL (choose another with --slug)"
            )


def _create_section(root: Path, section: str) -> None:
    folder = root / CONTENT_DIR / section
    folder.mkdir(parents=True, exist_ok=True)
    index = folder / INDEX_FILE
    if not index.exists():
        index.write_text(f"---\ntitle: {_yaml_string(section_title(section))}\n---\n", encoding="utf-8")


def _article_text(title: str, date: datetime, authors: tuple[str, ...], tags: tuple[str, ...]) -> str:
    return "\n".join([
        "---",
        f"title: {_yaml_string(title)}",
        f"date: {date.isoformat()}",
        f"authors: {_yaml_list(authors)}",
        f"tags: {_yaml_list(tags)}",
        'summary: ""',
        "draft: true",
        "---",
        "",
        "<!-- Write the article here, in Markdown. The teaser is the summary above, or else the first words.",
        "     Remove `draft: true` to publish. -->",
        "",
    ])  # fmt: skip


def _yaml_string(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar: quotes, colons and `no` stay text.
    return json.dumps(text, ensure_ascii=False)


def _yaml_list(items: tuple[str, ...]) -> str:
    return "[" + ", ".join(_yaml_string(" ".join(i.split())) for i in items if i.strip()) + "]"


# ---------------------------------------------------------------------------------------------------------------- init


@dataclass(frozen=True)
class SiteRequest:
    folder: Path
    title: str = "My News"
    base_url: str = ""
    language: str = "en"
    timezone: str = "UTC"


GITIGNORE_LINES = (f"{OUTPUT_DIR}/", f"{CACHE_DIR}/")


def init_site(request: SiteRequest, now: datetime) -> list[Path]:
    """Create a site that builds at once with the packaged theme; return the files created."""
    _check_site_request(request)
    folder = request.folder
    year = now.astimezone(zoneinfo.ZoneInfo(request.timezone)).year
    files = {
        CONFIG_FILE: config_text(request),
        f"{CONTENT_DIR}/news/{INDEX_FILE}": '---\ntitle: "News"\ndescription: "The latest news."\n---\n',
        f"{CONTENT_DIR}/news/{year}/welcome{MARKDOWN_SUFFIX}": _welcome_text(request, now),
        f"{TEMPLATES_DIR}/.gitkeep": "",
        f"{STATIC_DIR}/.gitkeep": "",
    }
    taken = [rel for rel in [*files, CONTENT_DIR, TEMPLATES_DIR, STATIC_DIR] if (folder / rel).exists()]
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} exists and is not a folder")
    if taken:
        raise UsageError(f"{folder} already has {', '.join(sorted(set(taken)))}: refusing to overwrite a site")
    created: list[Path] = []
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
        created.append(path)
    created.append(ensure_gitignore(folder))
    return created


def _check_site_request(request: SiteRequest) -> None:
    try:
        zoneinfo.ZoneInfo(request.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"--timezone {request.timezone!r} is not an IANA time zone name such as Asia/Yerevan"
        ) from None
    if request.base_url and not request.base_url.startswith(("http://", "https://")):
        raise UsageError(f"--base-url must start with http:// or https://: {request.base_url!r}")


def ensure_gitignore(folder: Path) -> Path:
    """Output and cache stay out of version control; an existing .gitignore is extended, not replaced."""
    path = folder / ".gitignore"
    existing = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    missing = [line for line in GITIGNORE_LINES if line not in existing]
    if missing:
        with path.open("a", encoding="utf-8") as handle:
            if existing and existing[-1] != "":
                handle.write("\n")
            handle.write("# sitegen: build output and cache\n" + "".join(f"{line}\n" for line in missing))
    return path


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def config_text(request: SiteRequest) -> str:
    return (
        f"""\
# sitegen configuration. Every setting is optional; the commented-out lines show the defaults.

# Publication name: page titles, the header, feeds.
title = {_toml_string(request.title)}
# Absolute URL the site is served from, no trailing slash (canonical links, feeds, sitemaps).
base_url = {_toml_string(request.base_url)}
# Language of the content (ISO 639 code, "hy" for Armenian).
language = {_toml_string(request.language)}
# IANA time zone for dates on pages; dates written without an offset are in this zone.
timezone = {_toml_string(request.timezone)}

# URL of an article: {{section}}, {{slug}}, {{year}}, {{month}}, {{day}}.
# permalink = "/{{section}}/{{slug}}/"
# Articles per list page.
# page_size = 20
# How many articles "Catch up on the latest news" shows, and how many tags "Search other topics".
# latest_count = 5
# topics_count = 12
# Author of articles that name none.
# default_author = ""

# Raw HTML in articles is sanitised: no scripts, no event handlers, no javascript: links, iframes only from
# embed_hosts. Set raw_html = "allow" only if you trust every editor with the site's security.
# raw_html = "sanitize"
# embed_hosts = ["www.youtube.com", "youtube.com", "www.youtube-nocookie.com", "youtube-nocookie.com",
#                "player.vimeo.com"]
# A YouTube or Vimeo URL alone on a line is a player; an X, Instagram, Facebook, TikTok or Telegram URL a link
# card. true loads those platforms' scripts, which make the cards live posts (and let the platforms see readers).
# embed_scripts = false

# "Most Popular Articles", from an analytics export: data/pageviews.csv with columns path,views[,date].
# [popular]
# count = 5
# window_days = 7
# file = "data/pageviews.csv"

# Newsletter sign-up: a plain HTML form posting to your provider (Mailchimp, Buttondown, Kit, listmonk).
# [newsletter]
# action = ""
# email_field = "email"
# honeypot_field = "website"

# Sponsor slot: `html`, or `image` + `alt`, and the `url` it links to. Empty: no slot.
# [sponsor]
# heading = "A word from our sponsors"
# html = ""
# image = ""
# alt = ""
# url = ""
"""
        + _IMAGES_TEXT
    )


# Commented out like the tables above: the defaults, and what each does.
_IMAGES_TEXT = """
# Responsive images: the pictures articles show, resized (never upscaled) as AVIF, WebP and JPEG/PNG without their
# EXIF, GPS, XMP or comments; teasers and the 1200x630 social card crop around `image.focus`. false: an image CDN.
# [images]
# enabled = true
# widths = [480, 800, 1200, 1600]
# teaser_widths = [400, 800]
# quality = 80
# avif_quality = 60
# max_pixels = 60000000
"""


def _welcome_text(request: SiteRequest, now: datetime) -> str:
    date = now.astimezone(zoneinfo.ZoneInfo(request.timezone)).replace(microsecond=0).isoformat()
    return f"""\
---
title: {_yaml_string(f"Welcome to {request.title}")}
date: {date}
authors: ["The Editors"]
tags: ["sitegen"]
summary: "Your new site builds. Replace this article with your first story."
---

This is a sample article. Articles live in `content/<section>/<year>/` as Markdown files with front-matter.

- `sitegen new "Title" --section news` starts a new article (as a draft);
- `sitegen check` lists everything wrong with the site, without building it;
- `sitegen build` builds the site into `public/`.

Put your own templates in `templates/` and files such as images in `static/`: they override the packaged theme.
"""
