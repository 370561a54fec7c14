"""The news sitemap's articles: found from the newest end of the archive, the same as looking through all of it."""

from __future__ import annotations

import random
from datetime import timedelta

from sitegen.config import Config
from sitegen.content.offsets import Now
from sitegen.site import distribution
from sitegen.site.assemble import Visibility, build_site
from tests.unit.parsing import NOW, parse


def test_the_news_window_is_found_from_the_newest_end() -> None:
    rng = random.Random(7)
    articles = []
    for i in range(400):  # from three days ahead (a preview with --future) to ten days back
        date = (NOW + timedelta(minutes=rng.randint(-14400, 4320))).isoformat()
        article, problems = parse(f"---\ntitle: Story {i}\ndate: {date}\n---\nBody.\n", f"content/news/s{i}.md")
        assert article is not None, problems
        articles.append(article)
    site = build_site(articles, {}, Config(), Visibility(NOW, future=True), [])
    now = Now(NOW)
    expected = tuple(a for a in site.articles if distribution._is_news(now, a))
    assert 50 < len(expected) < 150 and any(a.date is not None and a.date > NOW for a in site.articles)
    assert distribution._news(now, site.articles) == expected
