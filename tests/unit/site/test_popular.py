"""The "Most Popular" list: analytics rows read, normalised and ranked within their window. No files needed."""

from __future__ import annotations

from datetime import date

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
