"""Editions: the blocks around a page as of the page's moment, checked against the definition on random sites."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from sitegen.config import Config
from sitegen.model import Article, Site
from sitegen.site import editions as editions_module
from sitegen.site.assemble import Visibility, build_site
from sitegen.site.editions import Editions, edition_moment, listed_moment
from sitegen.site.plan import plan
from sitegen.site.popular import fallback
from tests.unit.parsing import NOW, parse

TAGS = ["Iran", "Armenia", "Border", "Trade", "Music", "Football", "Yerevan", "Երևան", "Gas", "Wine"]


def random_site(seed: int, size: int) -> Site:
    rng = random.Random(seed)
    articles = []
    for i in range(size):
        # Some articles share a moment: an edition is the same for all of them.
        day = (NOW - timedelta(hours=rng.randint(1, 400) if i % 7 else 50)).isoformat()
        tags = ", ".join(rng.sample(TAGS, rng.randint(0, 4)))
        pinned = "true" if rng.random() < 0.1 else "false"
        text = f"---\ntitle: Story {i}\ndate: {day}\ntags: [{tags}]\npinned: {pinned}\n---\nBody.\n"
        article, problems = parse(text, f"content/news/s{i}.md")
        assert article is not None, problems
        articles.append(article)
    return build_site(articles, {}, Config(), Visibility(NOW), [])


def by_definition(site: Site, moment: datetime, count: int) -> tuple[list[str], list[str], list[str]]:
    """Latest, popular without analytics and top tags over the articles published by `moment`, computed plainly."""
    then = [a for a in site.articles if a.date is not None and a.date <= moment]
    counts: dict[str, int] = {}
    names = {slug: term.name for slug, term in site.tags.items()}  # as the site names them
    for article in reversed(then):
        for tag in article.tags:
            counts[tag.slug] = counts.get(tag.slug, 0) + 1
    top = sorted(counts, key=lambda slug: (-counts[slug], names[slug].lower(), slug))[:count]
    return [a.url for a in then[: count + 1]], [a.url for a in fallback(then, count)], top


def urls(articles: tuple[Article, ...]) -> list[str]:
    return [a.url for a in articles]


def test_an_edition_is_the_blocks_as_of_its_moment() -> None:
    for seed, size in ((0, 40), (1, 60), (2, 150), (3, 200)):
        site = random_site(seed, size)
        editions = Editions(site, 4, 4, 4)
        moments = [a.date for a in site.articles if a.date is not None]
        for moment in moments:
            edition = editions.as_of(moment)
            latest, popular, topics = by_definition(site, moment, 4)
            assert urls(edition.latest) == latest
            assert urls(edition.popular) == popular
            assert [t.slug for t in edition.topics] == topics, (seed, moment)
        # Past the threshold every moment's topics come from one pass over the archive; below it, one by one.
        assert editions._swept == (len(set(moments)) > 64)


def test_topics_counted_from_the_last_moment_asked_match_in_any_order() -> None:
    """Moments asked in random order, back and forth, fewer than the sweep's threshold: each edition's topics are
    counted from the nearer of the archive's ends and the last moment counted."""
    for seed in range(4):
        site = random_site(seed, 120)
        editions = Editions(site, 4, 4, 4)
        moments = sorted({a.date for a in site.articles if a.date is not None})
        random.Random(seed).shuffle(moments)
        for moment in moments[:60]:
            assert [t.slug for t in editions.as_of(moment).topics] == by_definition(site, moment, 4)[2], seed
        assert not editions._swept


def test_the_newest_edition_matches_the_site_without_analytics() -> None:
    site = random_site(7, 40)
    editions = Editions(site, Config().latest_count, Config().popular.count, Config().topics_count)
    newest = editions.of(site.articles[:3])
    assert newest.moment == site.articles[0].date == edition_moment(site.articles)
    assert newest.latest == site.latest
    assert newest.popular == site.popular  # no analytics: the fallback, pinned then newest
    assert newest.topics == site.top_tags
    assert editions.current().key == newest.key


def test_a_new_article_changes_no_older_edition() -> None:
    site = random_site(3, 50)
    newer = random_site(3, 51)  # the same 50 and one more
    extra = next(a for a in newer.articles if a.url not in {b.url for b in site.articles})
    old, new = Editions(site, 5, 5, 8), Editions(newer, 5, 5, 8)
    for article in site.articles:
        assert article.date is not None
        if article.date < (extra.date or NOW):
            assert old.as_of(article.date).key == new.as_of(article.date).key


def test_topics_name_a_tag_as_the_site_does() -> None:
    """Spellings of one tag ("iran" first, then "Iran" more often): every edition's topics name it as its tag page
    and the current topics fragment do, by the spelling most articles use."""
    spellings = ["iran", "Iran", "Iran", "Iran", "Trade"]
    articles = []
    for i, tag in enumerate(spellings):
        day = (NOW - timedelta(hours=10 - i)).isoformat()
        text = f"---\ntitle: Story {i}\ndate: {day}\ntags: [{tag}]\n---\nBody.\n"
        article, problems = parse(text, f"content/news/s{i}.md")
        assert article is not None, problems
        articles.append(article)
    site = build_site(articles, {}, Config(), Visibility(NOW), [])
    assert site.tags["iran"].name == "Iran"
    editions = Editions(site, 4, 4, 4)
    for article in site.articles:
        assert article.date is not None
        topics = editions.as_of(article.date).topics
        assert [t.name for t in topics if t.slug == "iran"] == ["Iran"], article.title
    assert editions.as_of(site.articles[0].date).topics == site.top_tags


def test_editions_made_again_once_forgotten_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the last few editions are kept (editions._KEPT_EDITIONS): one asked for again after it was forgotten is
    made again, the same blocks as of the same moment, and the cache never holds more than the bound."""
    monkeypatch.setattr(editions_module, "_KEPT_EDITIONS", 3)
    site = random_site(5, 80)
    moments = [a.date for a in site.articles if a.date is not None]
    bounded, first = Editions(site, 4, 4, 4), {}
    for moment in moments:
        first[moment] = bounded.as_of(moment).key
        assert len(bounded._editions) <= 3
    again = {moment: bounded.as_of(moment).key for moment in reversed(moments)}
    assert again == first
    for moment in moments[::7]:
        latest, popular, topics = by_definition(site, moment, 4)
        edition = bounded.as_of(moment)
        assert (urls(edition.latest), urls(edition.popular), [t.slug for t in edition.topics]) == (latest, popular,
                                                                                                 topics)  # fmt: skip


def test_a_list_page_moment_is_read_from_its_first_dated_article() -> None:
    """`listed_moment` trusts the lists' order (newest first by time): checked against `edition_moment` on every
    numbered page of lists with dates before 1970 (a negative timestamp), and moments written in two offsets."""
    dates = [
        "1960-05-01",
        "1969-12-31T23:00:00Z",
        "1970-01-01T00:00:00Z",
        "2025-09-01T12:00:00+04:00",
        "2025-09-01T08:00:00Z",
        "2025-09-01T08:00:00Z",
        "1999-01-01",
        "2025-09-10T10:00:00+04:00",
        "1950-01-01",
    ]
    articles = []
    for i, day in enumerate(dates * 3):
        text = f"---\ntitle: S{i}\ndate: {day}\ntags: [Iran]\n---\nBody.\n"
        article, problems = parse(text, f"content/news/s{i}.md")
        assert article is not None, problems
        articles.append(article)
    site = build_site(articles, {}, Config(), Visibility(NOW), [])
    routes, _ = plan(site, 2)
    numbered = [r for r in routes if r.pager is not None and not r.pager.front]
    assert len(numbered) > 20
    for route in numbered:
        expected = edition_moment(route.articles())
        assert listed_moment(route.items) is expected, route.url
