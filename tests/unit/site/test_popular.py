"""The "Most Popular" list: analytics rows read, normalised and ranked within their window. No files needed."""

from __future__ import annotations

from datetime import date

from sitegen.model import Article
from sitegen.site.popular import PageViews, normalise_path, parse_pageviews, rank
from tests.unit.parsing import NOW, parse


def test_pageviews_normalisation_and_window() -> None:
    assert normalise_path("https://site.org/news/x?utm=1#c") == "/news/x/"
    assert normalise_path("/news/x/index.html") == "/news/x/"
    rows, problems = parse_pageviews("p.csv", b"path,views,date\n/a/,10,2025-09-10\n/a,5,2025-08-01\n/b/,x,\n")
    assert rows == [PageViews("/a/", 10, date(2025, 9, 10)), PageViews("/a", 5, date(2025, 8, 1))]
    assert problems and "p.csv:4: warning: views 'x' is not a number" in str(problems[0])
    a, _ = parse("---\ntitle: A\ndate: 2025-09-01\n---\n", "content/a.md")
    b, _ = parse("---\ntitle: B\ndate: 2025-09-02\n---\n", "content/b.md")
    assert a is not None and b is not None
    views = [PageViews("/a/", 10, date(2025, 9, 10)), PageViews("/b", 8, None), PageViews("/b/", 8, None)]
    assert rank(views, [a, b], NOW, 7, 5) == (b, a)
    assert rank([PageViews("/a/", 10, date(2025, 8, 1))], [a, b], NOW, 7, 5) == ()


def test_missing_pageviews_is_only_a_warning() -> None:
    rows, problems = parse_pageviews("data/pageviews.csv", None)
    assert rows == [] and problems[0].severity.value == "warning"


def test_exports_as_spreadsheets_write_them() -> None:
    """Columns in any order and case, extra columns, blank lines, short rows and a BOM, each problem at its line."""
    data = '\ufeffDate,Views,Page title,Path\n2025-09-10,"1,200",Home,/a/\n\n2025-09-11,7\n,3,X,/b/\n'.encode()
    rows, problems = parse_pageviews("p.csv", data)
    assert rows == [PageViews("/a/", 1200, date(2025, 9, 10)), PageViews("/b/", 3, None)]
    assert [str(p) for p in problems] == ["p.csv:4: warning: empty path: row skipped"]
    twice = b"path,views,views\n/a/,1,2\n"  # two columns of one name: the last one counts
    assert parse_pageviews("p.csv", twice)[0] == [PageViews("/a/", 2, None)]


def _stamp(article: Article) -> float:
    return article.date.timestamp() if article.date else 0.0


def test_ranking_is_the_whole_sort_cut_to_the_count() -> None:
    """Ranking sorts only the pages with at least the `count`th largest total: the same list as sorting every page
    viewed by (views, newer, URL), ties at the cut included."""
    import random
    from dataclasses import replace
    from datetime import timedelta

    base, _ = parse("---\ntitle: A\ndate: 2025-09-01\n---\n", "content/a.md")
    assert base is not None and base.date is not None
    start = base.date
    generator = random.Random(13)
    for _ in range(300):
        articles = [
            replace(
                base,
                url=f"/a{i}/",
                source=f"content/a{i}.md",
                date=start + timedelta(hours=generator.randint(0, 5)),
            )
            for i in range(generator.randint(1, 30))
        ]
        rows = [PageViews(f"/a{generator.randint(0, 35)}/", generator.choice([0, 1, 2, 2, 3]), None) for _ in range(40)]
        count = generator.randint(1, 8)
        totals: dict[str, int] = {}
        for row in rows:
            totals[row.path] = totals.get(row.path, 0) + row.views
        by_url = {a.url: a for a in articles}
        viewed = [u for u in totals if u in by_url]
        whole = sorted(viewed, key=lambda u: (-totals[u], -_stamp(by_url[u]), u))[:count]
        assert rank(rows, articles, NOW, 7, count) == tuple(by_url[u] for u in whole if totals[u] > 0)


def test_counts_written_in_other_ways_read_as_before() -> None:
    data = "path,views\n/a/, 12 \n/b/,1_000\n/c/,٣\n/d/,2.9\n/e/,-1\n/f/\n".encode()
    rows, problems = parse_pageviews("p.csv", data)
    assert rows == [PageViews("/a/", 12, None), PageViews("/b/", 1000, None), PageViews("/c/", 3, None),
                    PageViews("/d/", 2, None)]  # fmt: skip
    assert [str(p) for p in problems] == ["p.csv:6: warning: views -1 is negative: row skipped",
                                          "p.csv:7: warning: views '' is not a number: row skipped"]  # fmt: skip
