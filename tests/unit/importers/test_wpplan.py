"""Where WordPress posts and pages go: collisions settled so that old URLs keep working, each one noted."""

from __future__ import annotations

from datetime import UTC, datetime

from sitegen.config import Config
from sitegen.importers.wpplan import PUBLISHED, Planned, settle
from sitegen.importers.wxr import Channel

WHEN = datetime(2024, 5, 1, 12, tzinfo=UTC)


def post(post_id: str, slug: str, folder: str, old: str = "") -> Planned:
    return Planned(post_id, "post", slug.title(), slug, folder, WHEN, PUBLISHED, "0", old_paths=[old] if old else [])


def page(post_id: str, slug: str, parent: str = "0") -> Planned:
    return Planned(post_id, "page", slug.title(), slug, "", None, PUBLISHED, parent, old_paths=[f"/{slug}/"])


def test_a_page_named_like_a_section_becomes_its_page_and_nested_pages_keep_their_path() -> None:
    plans = [post("1", "story", "blog"), page("2", "blog"), page("3", "about"), page("4", "team", parent="3")]
    notes: list[tuple[Planned, str]] = []
    settle(plans, Config(), Channel(), notes)
    assert plans[1].kind == "index" and plans[1].rel == "content/blog/_index.md" and plans[1].url == "/blog/"
    assert plans[3].url == "/about/team/" and plans[3].rel == "content/about/team.md"
    assert [n for _, n in notes] == ["page /blog/ has the URL of section blog: it became the section's page"]


def test_two_posts_on_one_url_and_pages_on_sitegens_own_urls_move_and_are_noted() -> None:
    plans = [post("1", "x", "news", "/2024/05/01/x/"), post("2", "x", "news", "/2024/05/01/x/"), page("3", "search")]
    notes: list[tuple[Planned, str]] = []
    settle(plans, Config(), Channel(), notes)
    assert [p.url for p in plans] == ["/news/x/", "/news/x-2/", "/search-page/"]
    assert plans[0].aliases == ["/2024/05/01/x/"] and plans[1].aliases == [], "an old URL has one new page"
    assert len(notes) == 4, notes  # x-2, search-page, and the two old URLs that could not be kept
