"""What a page's head tells machines: description, canonical URL, OpenGraph and Twitter cards, feed links, JSON-LD.

Values are plain strings and dicts; templates escape them (`|tojson` for JSON-LD, which escapes `<`, `>`, `&` and `'`,
so a `</script>` in a headline stays text). Without base_url, canonical links, feed links and JSON-LD URLs are
root-relative (HTML and JSON-LD resolve them against the page), while `og:url`, `og:image`, `article:author` and
`twitter:image`, which must be absolute, are left out unless the URL already is absolute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sitegen.config import Config
from sitegen.images.markup import ImageMarkup
from sitegen.model import Article, Image, Site
from sitegen.site.distribution import NOT_FOUND, feed_urls, last_changed
from sitegen.site.plan import ARTICLE_PAGE, AUTHOR, HOME, SECTION, STANDALONE, TAG, Route
from sitegen.urls import absolute

SCHEMA = "https://schema.org"


@dataclass(frozen=True)
class FeedLink:
    title: str
    url: str
    type: str


@dataclass(frozen=True)
class PageMeta:
    description: str
    canonical: str | None
    robots: str | None = None
    og: list[tuple[str, str]] = field(default_factory=list)  # (property, content), in order, repeats allowed
    twitter: list[tuple[str, str]] = field(default_factory=list)
    feeds: list[FeedLink] = field(default_factory=list)
    json_ld: list[dict[str, Any]] = field(default_factory=list)


class Metadata:
    """Builds the PageMeta of each route of one build."""

    def __init__(self, site: Site, config: Config, atom: bool, images: ImageMarkup | None = None) -> None:
        self.site = site
        self.config = config
        self.atom = atom
        self.images = images

    def url(self, path: str) -> str:
        return absolute(self.config.base_url, path)

    def shareable(self, path: str) -> str | None:
        """An absolute URL, or None: OpenGraph and Twitter cards accept nothing else."""
        url = self.url(path)
        return url if url.startswith(("http://", "https://")) else None

    def iso(self, moment: datetime) -> str:
        return moment.astimezone(self.config.tz).isoformat()

    def for_route(self, route: Route) -> PageMeta:
        if route.kind == NOT_FOUND:
            return PageMeta("The page you asked for does not exist.", None, robots="noindex",
                            feeds=self._feeds(route))  # fmt: skip
        description = self.description(route)
        article = route.article if route.kind in (ARTICLE_PAGE, STANDALONE) else None
        title = article.title if article else route.title or self.config.title
        canonical = self.url(route.url)
        card = self.images.social(article.image) if self.images and article and article.image else None
        image = self.shareable(card[0] if card else article.image.src) if article and article.image else None
        og = [
            ("og:type", "article" if route.kind == ARTICLE_PAGE else "website"),
            ("og:title", title),
            ("og:description", description),
            ("og:site_name", self.config.title),
        ]
        if self.shareable(route.url):
            og.append(("og:url", canonical))
        twitter = [
            ("twitter:card", "summary_large_image" if image else "summary"),
            ("twitter:title", title),
            ("twitter:description", description),
        ]
        if image and article and article.image:
            og += [("og:image", image), ("og:image:alt", article.image.alt)]
            if card:
                og += [("og:image:width", str(card[1])), ("og:image:height", str(card[2]))]
            twitter += [("twitter:image", image), ("twitter:image:alt", article.image.alt)]
        if route.kind == ARTICLE_PAGE and article is not None:
            og += self._article_og(article)
        return PageMeta(description, canonical, None, og, twitter, self._feeds(route), self._json_ld(route))

    def description(self, route: Route) -> str:
        config = self.config
        if route.kind in (ARTICLE_PAGE, STANDALONE) and route.article is not None:
            article = route.article
            return article.description or article.excerpt or config.description or article.title
        if route.kind == SECTION and route.section is not None:
            return route.section.description or f"The latest news in {route.section.title} from {config.title}."
        if route.kind == TAG:
            return f"Articles about {route.title} from {config.title}."
        if route.kind == AUTHOR:
            return f"Articles by {route.title} from {config.title}."
        return config.description or f"The latest news from {config.title}."

    def _article_og(self, article: Article) -> list[tuple[str, str]]:
        og: list[tuple[str, str]] = []
        if article.date is not None:
            og.append(("article:published_time", self.iso(article.date)))
        changed = last_changed(article)
        if changed is not None:
            og.append(("article:modified_time", self.iso(changed)))
        for author in article.authors:
            profile = self.shareable(author.url)
            if profile:
                og.append(("article:author", profile))
        section = self.site.sections.get(article.section)
        if section is not None:
            og.append(("article:section", section.title))
        og += [("article:tag", tag.name) for tag in article.tags]
        return og

    def _feeds(self, route: Route) -> list[FeedLink]:
        lists = [("/", self.config.title)]
        section = route.section
        if route.kind == ARTICLE_PAGE and route.article is not None:
            section = self.site.sections.get(route.article.section)
        if section is not None:
            lists.append((section.url, f"{self.config.title}: {section.title}"))
        if route.kind == TAG and route.term is not None:
            lists.append((route.term.url, f"{self.config.title}: {route.term.name}"))
        links = []
        for base, title in lists:
            for url, media_type in feed_urls(base, self.atom):
                suffix = " (Atom)" if "atom" in media_type else ""
                links.append(FeedLink(title + suffix, self.url(url), media_type))
        return links

    def _json_ld(self, route: Route) -> list[dict[str, Any]]:
        if route.kind == ARTICLE_PAGE and route.article is not None:
            return [self.news_article(route.article), self.breadcrumbs(route)]
        if route.kind == SECTION:
            return [self.breadcrumbs(route)]
        if route.kind == HOME and (route.pager is None or route.pager.front):
            return [self.website(), self.organization()]
        return []

    def organization(self) -> dict[str, Any]:
        org: dict[str, Any] = {
            "@context": SCHEMA,
            "@type": "Organization",
            "@id": self.url("/") + "#organization",
            "name": self.config.publisher,
            "url": self.url("/"),
        }
        if self.config.logo:
            org["logo"] = {"@type": "ImageObject", "url": self.url(self.config.logo)}
        return org

    def website(self) -> dict[str, Any]:
        site: dict[str, Any] = {
            "@context": SCHEMA,
            "@type": "WebSite",
            "@id": self.url("/") + "#website",
            "name": self.config.title,
            "url": self.url("/"),
            "inLanguage": self.config.language,
            "publisher": {"@id": self.url("/") + "#organization"},
        }
        if self.config.description:
            site["description"] = self.config.description
        return site

    def news_article(self, article: Article) -> dict[str, Any]:
        canonical = self.url(article.url)
        data: dict[str, Any] = {
            "@context": SCHEMA,
            "@type": "NewsArticle",
            "headline": article.title,
            "description": article.description or article.excerpt,
            "url": canonical,
            "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
            "inLanguage": self.config.language,
            "author": [{"@type": "Person", "name": a.name, "url": self.url(a.url)} for a in article.authors],
            "publisher": self._publisher(),
        }
        if article.image is not None:
            data["image"] = self._images(article.image)
        if article.date is not None:
            data["datePublished"] = self.iso(article.date)
        changed = last_changed(article)
        if changed is not None:
            data["dateModified"] = self.iso(changed)
        section = self.site.sections.get(article.section)
        if section is not None:
            data["articleSection"] = section.title
        if article.tags:
            data["keywords"] = [tag.name for tag in article.tags]
        return data

    def _images(self, image: Image) -> list[str]:
        """The social card and the largest whole picture when the image is processed (Google asks for wide ones of
        at least 1200 pixels), else the image itself."""
        card = self.images.social(image) if self.images else None
        largest = self.images.largest(image) if self.images else None
        if card is None or largest is None:
            return [self.url(image.src)]
        return [self.url(card[0]), self.url(largest)]

    def _publisher(self) -> dict[str, Any]:
        publisher: dict[str, Any] = {"@type": "Organization", "name": self.config.publisher, "url": self.url("/")}
        if self.config.logo:
            publisher["logo"] = {"@type": "ImageObject", "url": self.url(self.config.logo)}
        return publisher

    def breadcrumbs(self, route: Route) -> dict[str, Any]:
        """The visible breadcrumb (partials/breadcrumb.html) as a BreadcrumbList: Home, the sections, the article."""
        article = route.article if route.kind == ARTICLE_PAGE else None
        path = article.section if article else route.section.path if route.section else ""
        trail = [("Home", "/")]
        if path in self.site.sections:
            trail += [(s.title, s.url) for s in self.site.breadcrumb(path)]
        items: list[dict[str, Any]] = [
            {"@type": "ListItem", "position": n, "name": name, "item": self.url(url)}
            for n, (name, url) in enumerate(trail, 1)
        ]
        if article is not None:
            items.append({"@type": "ListItem", "position": len(items) + 1, "name": article.title})
        return {"@context": SCHEMA, "@type": "BreadcrumbList", "itemListElement": items}
