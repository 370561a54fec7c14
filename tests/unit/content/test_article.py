"""Parsing an article: front matter, sections, excerpts. No files needed."""

from __future__ import annotations

from sitegen.content.article import section_of
from sitegen.content.markup import cut_words
from tests.unit.parsing import parse


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
