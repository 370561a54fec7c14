"""RSS 2.0 and Atom feeds: the site's, each section's (its subsections' articles included) and each tag's.

Every item carries its permalink as link and guid (an imported article's old `guid` instead, when it has one), the
publication time with its offset, authors, categories (section and tags), the excerpt, and the whole body with every
link and image made absolute, because a feed reader shows it far from the site. Without base_url the URLs stay
root-relative, which both formats allow (readers resolve them against the feed's own address); RSS guids are then
marked `isPermaLink="false"` and Atom ids become stable `urn:uuid:`s.
"""

from __future__ import annotations

import html
import re
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import urljoin

from sitegen.config import Config
from sitegen.images.markup import ImageMarkup
from sitegen.model import Article, Site
from sitegen.render.xmldoc import ATOM_NS, CONTENT_NS, DC_NS, XML_LANG, child, serialize
from sitegen.site.distribution import last_changed
from sitegen.site.plan import Route
from sitegen.urls import absolute

_TAG = re.compile(r"<[a-zA-Z][^<>]*>")
_URL_ATTR = re.compile(r"""(\s(?:href|src|poster|srcset)\s*=\s*)(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
GENERATOR = "sitegen"


class FeedContext:
    """What every feed of one build shares: the configuration, the site, its processed images, and how to make a URL
    absolute."""

    def __init__(self, site: Site, config: Config, images: ImageMarkup | None = None) -> None:
        self.site = site
        self.config = config
        self.images = images

    def url(self, path: str) -> str:
        return absolute(self.config.base_url, path)

    def when(self, moment: datetime) -> datetime:
        return moment.astimezone(self.config.tz)

    def channel_title(self, route: Route) -> str:
        return f"{self.config.title}: {route.title}" if route.title else self.config.title

    def channel_description(self, route: Route) -> str:
        own = route.section.description if route.section else ""
        return own or self.config.description or f"The latest from {self.channel_title(route)}"

    def list_url(self, route: Route) -> str:
        page = route.section.url if route.section else route.term.url if route.term else "/"
        return self.url(page)

    def categories(self, article: Article) -> list[str]:
        section = self.site.sections.get(article.section)
        names = ([section.title] if section else []) + [tag.name for tag in article.tags]
        return list(dict.fromkeys(names))  # a tag named like the section once

    def body(self, article: Article) -> str:
        """The full HTML body, led by the article's image, every URL in it absolute (or root-relative)."""
        figure = ""
        if article.image:
            whole = self.images.whole(article.image) if self.images else None
            src, alt = html.escape(self.url(whole[0] if whole else article.image.src)), html.escape(article.image.alt)
            size = f' width="{whole[1]}" height="{whole[2]}"' if whole else ""
            figure = f'<figure><img src="{src}" alt="{alt}"{size}></figure>\n'
        body = self.images.plain_body(article.body_html, article) if self.images else article.body_html
        return absolute_links(figure + body, self.url(article.url))


def absolute_links(fragment: str, page_url: str) -> str:
    """Resolve relative href/src/poster/srcset URLs in an HTML fragment against the URL of the page it comes from.

    Only real tags are touched: Markdown escapes `<` in text and code, so markup shown as text stays as written.
    """

    def fix_url(value: str) -> str:
        value = value.strip()
        if not value or value.startswith(("#", "//")) or _SCHEME.match(value):
            return value
        return urljoin(page_url, value)

    def fix_attr(match: re.Match[str]) -> str:
        prefix, raw = match.group(1), match.group(2) if match.group(2) is not None else match.group(3)
        value = html.unescape(raw)
        if prefix.strip().lower().startswith("srcset"):
            fixed = ", ".join(" ".join([fix_url(p.split()[0]), *p.split()[1:]]) for p in value.split(",") if p.strip())
        else:
            fixed = fix_url(value)
        return f'{prefix}"{html.escape(fixed)}"' if fixed != value else match.group(0)

    return _TAG.sub(lambda tag: _URL_ATTR.sub(fix_attr, tag.group(0)), fragment)


def rss(route: Route, site: Site, config: Config, images: ImageMarkup | None = None) -> bytes:
    ctx = FeedContext(site, config, images)
    root = ET.Element("rss", {"version": "2.0"})
    channel = child(root, "channel")
    child(channel, "title", ctx.channel_title(route))
    child(channel, "link", ctx.list_url(route))
    child(channel, "description", ctx.channel_description(route))
    child(channel, "language", config.language)
    newest = _newest(route.items)
    if newest is not None:
        child(channel, "lastBuildDate", format_datetime(ctx.when(newest)))
    child(channel, "generator", GENERATOR)
    if config.base_url:
        child(channel, f"{{{ATOM_NS}}}link", attrs={"href": ctx.url(route.url), "rel": "self",
                                                   "type": "application/rss+xml"})  # fmt: skip
    if config.logo:
        image = child(channel, "image")
        for tag, value in (("url", ctx.url(config.logo)), ("title", ctx.channel_title(route)),
                           ("link", ctx.list_url(route))):  # fmt: skip
            child(image, tag, value)
    for article in route.items:
        _rss_item(channel, article, ctx)
    return serialize(root)


def _rss_item(channel: ET.Element, article: Article, ctx: FeedContext) -> None:
    item = child(channel, "item")
    link = ctx.url(article.url)
    child(item, "title", article.title)
    child(item, "link", link)
    if article.guid:  # an imported article keeps its old id: readers that saw it then don't show it as new
        child(item, "guid", article.guid, {"isPermaLink": "false"})
    else:
        child(item, "guid", link, {"isPermaLink": "true" if ctx.config.base_url else "false"})
    if article.date is not None:
        child(item, "pubDate", format_datetime(ctx.when(article.date)))
    for author in article.authors:
        child(item, f"{{{DC_NS}}}creator", author.name)
    for category in ctx.categories(article):
        child(item, "category", category)
    # Readers take an RSS description as HTML: the plain-text excerpt is escaped so that `<b>` in it stays text.
    child(item, "description", html.escape(article.excerpt, quote=False))
    child(item, f"{{{CONTENT_NS}}}encoded", ctx.body(article))


def atom(route: Route, site: Site, config: Config, images: ImageMarkup | None = None) -> bytes:
    ctx = FeedContext(site, config, images)
    # Unqualified names under an explicit xmlns: ElementTree's default_namespace refuses unqualified attributes.
    root = ET.Element("feed", {"xmlns": ATOM_NS, XML_LANG: config.language})
    child(root, _a("id"), _atom_id(ctx, ctx.url(route.url)))
    child(root, _a("title"), ctx.channel_title(route))
    child(root, _a("subtitle"), ctx.channel_description(route))
    child(root, _a("updated"), ctx.when(_newest(route.items) or site.build_time).isoformat())
    child(root, _a("link"), attrs={"rel": "alternate", "type": "text/html", "href": ctx.list_url(route)})
    child(root, _a("link"), attrs={"rel": "self", "type": "application/atom+xml", "href": ctx.url(route.url)})
    child(child(root, _a("author")), _a("name"), config.publisher)  # for entries without an author of their own
    child(root, _a("generator"), GENERATOR)
    if config.logo:
        child(root, _a("logo"), ctx.url(config.logo))
    for article in route.items:
        _atom_entry(root, article, ctx)
    return serialize(root)


def _atom_entry(root: ET.Element, article: Article, ctx: FeedContext) -> None:
    entry = child(root, _a("entry"))
    link = ctx.url(article.url)
    child(entry, _a("id"), article.guid if _is_iri(article.guid) else _atom_id(ctx, link))
    child(entry, _a("title"), article.title, {"type": "text"})
    child(entry, _a("link"), attrs={"rel": "alternate", "type": "text/html", "href": link})
    changed = last_changed(article)
    if article.date is not None:
        child(entry, _a("published"), ctx.when(article.date).isoformat())
    child(entry, _a("updated"), ctx.when(changed or ctx.site.build_time).isoformat())
    for author in article.authors:
        person = child(entry, _a("author"))
        child(person, _a("name"), author.name)
        child(person, _a("uri"), ctx.url(author.url))
    for category in ctx.categories(article):
        child(entry, _a("category"), attrs={"term": category})
    child(entry, _a("summary"), article.excerpt, {"type": "text"})
    child(entry, _a("content"), ctx.body(article), {"type": "html"})


def _a(tag: str) -> str:
    return tag  # names the Atom elements, which the root's xmlns puts in the Atom namespace


def _atom_id(ctx: FeedContext, url: str) -> str:
    """Atom ids must be absolute IRIs: the permalink, or without base_url a UUID derived from the path (stable)."""
    if ctx.config.base_url:
        return url
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{ctx.config.title}|{url}").urn


def _is_iri(guid: str) -> bool:
    """An old GUID can be an Atom id only when it is an absolute IRI (WordPress's are `http://host/?p=1`)."""
    return bool(_SCHEME.match(guid)) and " " not in guid


def _newest(articles: tuple[Article, ...]) -> datetime | None:
    moments = [m for m in (last_changed(a) for a in articles) if m is not None]
    return max(moments) if moments else None
