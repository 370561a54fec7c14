"""The sitemaps' entries for list pages (when each last changed), checked against their definition on a site where
some articles were updated after newer ones were published. No files needed."""

from __future__ import annotations

from datetime import datetime

from sitegen.config import Config
from sitegen.model import Article
from sitegen.site.assemble import Visibility, build_site
from sitegen.site.distribution import SITEMAP, Distribution
from sitegen.site.plan import plan
from tests.unit.parsing import NOW, parse


def newest_change(articles: tuple[Article, ...]) -> datetime | None:
    """A page last changed when the newest of its articles did (updated, else published), the first of equal ones."""
    moments = [m for m in (a.updated or a.date for a in articles) if m is not None]
    return max(moments) if moments else None


def test_a_list_page_last_changed_with_its_newest_or_updated_article() -> None:
    articles = []
    for i in range(30):
        # Every fifth article corrected later (a month on), two in an offset of their own: pages with and without.
        updated = f"updated: 2025-0{3 + i % 5}-1{i % 9}T10:00:00{'+04:00' if i % 2 else 'Z'}\n" if i % 5 == 0 else ""
        text = f"---\ntitle: S{i}\ndate: 2025-01-{1 + i % 28:02d}T0{i % 10}:00:00+04:00\n{updated}tags: [Iran]\n---\n"
        article, problems = parse(text + "Body.\n", f"content/news/s{i}.md")
        assert article is not None, problems
        articles.append(article)
    site = build_site(articles, {}, Config(), Visibility(NOW), [])
    routes, _ = plan(site, 2, Distribution().planner())
    listed = {url: lastmod for r in routes if r.kind == SITEMAP for url, lastmod in r.listed}
    lists = [r for r in routes if r.pager is not None]
    assert len(lists) > 20
    assert any(a.updated is not None for r in lists for a in r.items)
    assert any(all(a.updated is None for a in r.items) for r in lists)
    for route in lists:
        expected = newest_change(route.articles())
        found = listed[route.url]
        assert found == expected and found is not None and expected is not None, route.url
        assert found.isoformat() == expected.isoformat(), route.url  # the offset written is the article's own
