"""Tags compared without case: one tag page, named by the spelling most articles use."""

from __future__ import annotations

from sitegen.config import Config
from sitegen.model import Article
from sitegen.site.assemble import Visibility, build_site
from tests.unit.parsing import NOW, parse


def tagged(name: str, day: int, *tags: str) -> Article:
    article, problems = parse(f"---\ntitle: {name}\ndate: 2025-09-0{day}\ntags: [{', '.join(tags)}]\n---\n",
                              f"content/news/{name}.md")  # fmt: skip
    assert article is not None, problems
    return article


def test_spellings_of_one_tag_are_one_page_named_by_the_most_used() -> None:
    articles = [tagged("a", 1, "iran"), tagged("b", 2, "Iran"), tagged("c", 3, "Iran"), tagged("d", 4, "IRAN")]
    site = build_site(articles, {}, Config(), Visibility(NOW), [])
    assert list(site.tags) == ["iran"]
    assert site.tags["iran"].name == "Iran" and site.tags["iran"].url == "/tags/iran/"
    assert len(site.tag_articles["iran"]) == 4


def test_a_tie_is_named_by_the_spelling_used_first() -> None:
    site = build_site([tagged("a", 1, "Yerevan"), tagged("b", 2, "yerevan")], {}, Config(), Visibility(NOW), [])
    assert site.tags["yerevan"].name == "Yerevan"
    site = build_site([tagged("a", 1, "Москва"), tagged("b", 2, "москва")], {}, Config(), Visibility(NOW), [])
    assert list(site.tags) == ["moskva"] and site.tags["moskva"].name == "Москва"
