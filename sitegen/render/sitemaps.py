"""sitemap.xml (sitemaps.org 0.9: an index over one sitemap per month, see site/distribution.py), the Google News
sitemap and robots.txt.

Sitemaps must list fully qualified URLs, so without base_url the build plans none (see pipeline.distribution_for) and
robots.txt names no sitemap."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from sitegen.config import Config
from sitegen.model import Site
from sitegen.paths import ROBOTS_FILE, STATIC_DIR
from sitegen.render.xmldoc import NEWS_NS, SITEMAP_NS, child, serialize
from sitegen.site.distribution import NEWS_SITEMAP_URL, SITEMAP_URL
from sitegen.site.plan import Route
from sitegen.urls import absolute

# Google News takes ISO 639 codes; Chinese is the exception, told apart by script.
_NEWS_LANGUAGE_EXCEPTIONS = {"zh-cn": "zh-cn", "zh-hans": "zh-cn", "zh-tw": "zh-tw", "zh-hant": "zh-tw"}


def sitemap(route: Route, site: Site, config: Config) -> bytes:
    root = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    for url, lastmod in route.listed:
        entry = child(root, _s("url"))
        child(entry, _s("loc"), absolute(config.base_url, url))
        if lastmod is not None:
            child(entry, _s("lastmod"), lastmod.astimezone(config.tz).isoformat())
    return serialize(root)


def sitemap_index(route: Route, site: Site, config: Config) -> bytes:
    root = ET.Element("sitemapindex", {"xmlns": SITEMAP_NS})
    for url, lastmod in route.listed:
        entry = child(root, _s("sitemap"))
        child(entry, _s("loc"), absolute(config.base_url, url))
        if lastmod is not None:
            child(entry, _s("lastmod"), lastmod.astimezone(config.tz).isoformat())
    return serialize(root)


def news_sitemap(route: Route, site: Site, config: Config) -> bytes:
    root = ET.Element("urlset", {"xmlns": SITEMAP_NS, "xmlns:news": NEWS_NS})  # declared even with no articles
    for article in route.items:
        assert article.date is not None  # planned only for dated articles
        entry = child(root, _s("url"))
        child(entry, _s("loc"), absolute(config.base_url, article.url))
        news = child(entry, _n("news"))
        publication = child(news, _n("publication"))
        child(publication, _n("name"), config.publisher)
        child(publication, _n("language"), news_language(config.language))
        child(news, _n("publication_date"), article.date.astimezone(config.tz).isoformat())
        child(news, _n("title"), article.title)
    return serialize(root)


def news_language(language: str) -> str:
    """`hy-AM` → `hy`: Google News wants the ISO 639 language, except zh-cn and zh-tw."""
    lowered = language.lower().replace("_", "-")
    for prefix, code in _NEWS_LANGUAGE_EXCEPTIONS.items():
        if lowered.startswith(prefix):
            return code
    return lowered.split("-", 1)[0]


def robots(route: Route, site: Site, config: Config) -> bytes:
    lines = [
        f"# Written by sitegen. To replace it, put your own {ROBOTS_FILE} in {STATIC_DIR}/.",
        "User-agent: *",
        "Disallow:",
    ]
    if config.base_url:
        lines += ["", *(f"Sitemap: {absolute(config.base_url, url)}" for url in (SITEMAP_URL, NEWS_SITEMAP_URL))]
    return ("\n".join(lines) + "\n").encode("utf-8")


# Names are written as given, under the namespaces the root element declares itself: that keeps the declarations
# fixed (ElementTree would otherwise declare a namespace only where it is used).
def _s(tag: str) -> str:
    return tag


def _n(tag: str) -> str:
    return f"news:{tag}"
