"""Parsing an article: front matter, sections, excerpts. No files needed."""

from __future__ import annotations

import pytest

from sitegen.content.article import ParseSettings, parse_article, section_of
from sitegen.content.markup import cut_words
from sitegen.model import Article

SETTINGS = ParseSettings("Asia/Yerevan", "/{section}/{slug}/", "")


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


def test_cut_words() -> None:
    assert cut_words("one two three", 3) == "one two three"
    assert cut_words("one two three four", 3) == "one two three…"
