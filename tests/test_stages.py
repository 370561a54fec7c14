"""Unit tests per stage: content parsing, URLs, popularity, planning. No files needed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sitegen.config import Config
from sitegen.content.article import ParseSettings, parse_article, section_of
from sitegen.content.markup import cut_words
from sitegen.model import Article
from sitegen.site.assemble import Visibility, build_site
from sitegen.site.plan import Pager, plan
from sitegen.site.popular import PageViews, normalise_path, parse_pageviews, rank
from sitegen.urls import permalink, slugify, unsafe_url_reason

SETTINGS = ParseSettings("Asia/Yerevan", "/{section}/{slug}/", "")
NOW = datetime(2025, 9, 11, 6, 0, tzinfo=UTC)


def parse(text: str | bytes, source: str = "content/news/2025/x.md") -> tuple[Article | None, list[str]]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    article, problems = parse_article(source, data, SETTINGS)
    return article, [str(p) for p in problems]


def test_title_is_the_text_as_written() -> None:
    for raw in ("no", "2024", "1.0", "null-ish"):
        article, problems = parse(f"---\ntitle: {raw}\ndate: 2025-09-10\n---\nx\n")
        assert problems == [] and article is not None and article.title == raw


def test_naive_dates_are_in_the_site_time_zone() -> None:
    article, _ = parse("---\ntitle: T\ndate: 2025-09-10 09:30\n---\n")
    assert article is not None and article.date is not None
    assert article.date.isoformat() == "2025-09-10T09:30:00+04:00"
    article, _ = parse("---\ntitle: T\ndate: 2025-09-10\n---\n")
    assert article is not None and article.date is not None and article.date.utcoffset() is not None


def test_bom_and_crlf_parse_like_plain_utf8() -> None:
    plain, _ = parse("---\ntitle: Tête\ndate: 2025-09-10\n---\nBody\n")
    bom, problems = parse(b"\xef\xbb\xbf" + "---\r\ntitle: Tête\r\ndate: 2025-09-10\r\n---\r\nBody\r\n".encode())
    assert problems == [] and bom is not None and plain is not None
    assert (bom.title, bom.body_html) == (plain.title, plain.body_html)


def test_non_utf8_names_the_byte() -> None:
    article, problems = parse(b"---\ntitle: caf\xe9\n---\n")
    assert article is None
    assert problems == ["content/news/2025/x.md:2: not UTF-8 text (invalid byte 0xe9 at offset 14)"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("   \n\n", "the file is empty"),
        ("no front matter", "no front-matter"),
        ("---\ntitle: x\n", "never closed"),
        ("---\n- a\n- b\n---\n", "must be a mapping"),
        ("---\njust text\n---\n", "must be a mapping"),
        ("---\ntitle: T\ndate: 2025-09-10\ndraft: maybe\n---\n", "draft: must be true or false"),
        ("---\ntitle: T\ndate: 2025-09-10\nimage: javascript:alert(1)\n---\n", "forbidden URL scheme"),
        ("---\ntitle: T\ndate: 2025-09-10\naliases: ['../../etc']\n---\n", "aliases:"),
        ("---\ntitle: T\ntitle: U\ndate: 2025-09-10\n---\n", "given twice"),
    ],
)
def test_bad_files_get_one_clear_error(text: str, expected: str) -> None:
    article, problems = parse(text)
    assert article is None
    assert any(expected in p for p in problems), problems


def test_unknown_key_is_a_warning_with_a_suggestion() -> None:
    article, problems = parse("---\ntitle: T\ndate: 2025-09-10\ntagz: [a]\n---\n")
    assert article is not None
    assert problems == ["content/news/2025/x.md:4: warning: unknown front-matter key 'tagz' (did you mean 'tags'?)"]


def test_front_matter_fields() -> None:
    text = """---
title: T
date: 2025-09-10T10:00:00+04:00
updated: 2025-09-11
authors: Ani Petrosyan
tags: [Iran, Defense]
image: {src: img/x.jpg, alt: A, caption: C, credit: Photo Co}
slug: Custom Slug
section: world
---
Body
"""
    article, problems = parse(text)
    assert problems == [] and article is not None
    assert [a.url for a in article.authors] == ["/authors/ani-petrosyan/"]
    assert [t.slug for t in article.tags] == ["iran", "defense"]
    assert article.image is not None and article.image.src == "/img/x.jpg" and article.image.credit == "Photo Co"
    assert article.url == "/world/custom-slug/"


def test_section_drops_numeric_folders() -> None:
    assert section_of("content/news/armenia/2025/09/x.md") == "news/armenia"
    assert section_of("content/x.md") == ""


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Ani Petrosyan", "ani-petrosyan"),
        ("Iran", "iran"),
        ("Երևան", "yerevan"),
        ("Փաշինյան", "pashinyan"),
        ("Ուրախ օր", "urakh-or"),
        ("Որոտան", "vorotan"),
        ("Tête-à-tête!", "tete-a-tete"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_permalink_and_unsafe_urls() -> None:
    when = datetime(2025, 9, 10, tzinfo=UTC)
    assert permalink("/{section}/{slug}/", "", "x", when) == "/x/"
    assert permalink("/{year}/{month}/{day}/{slug}/", "news", "x", when) == "/2025/09/10/x/"
    for bad in ("/../x/", "/a/./b/", "/a\\b/", "/a\x00/"):
        assert unsafe_url_reason(bad)
    assert unsafe_url_reason("/news/x/") is None


def test_cut_words() -> None:
    assert cut_words("one two three", 3) == "one two three"
    assert cut_words("one two three four", 3) == "one two three…"


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


def test_pager_window_is_bounded() -> None:
    assert Pager(1, 1, "/").window() == [1]
    assert Pager(50, 500, "/x/").window() == [1, None, 48, 49, 50, 51, 52, None, 500]
    assert Pager(2, 500, "/x/").url(1) == "/x/" and Pager(2, 500, "/x/").url(3) == "/x/page/3/"


def test_case_and_unicode_collisions_are_errors() -> None:
    one, _ = parse("---\ntitle: A\ndate: 2025-09-01\nslug: Cafe\u0301\n---\n", "content/a.md")
    two, _ = parse("---\ntitle: B\ndate: 2025-09-01\nslug: caf\u00e9\n---\n", "content/b.md")
    assert one is not None and two is not None
    site = build_site([one, two], {}, Config(), Visibility(NOW), [])
    _, problems = plan(site, 20)
    assert any("content/a.md" in str(p) and "content/b.md" in str(p) for p in problems)
