"""The inline step that skips patterns which cannot match (content/quick_inline.py) gives the HTML Markdown's own
gives: on every CommonMark and GFM spec example, on the real documents of the fixtures, and on random documents
made of the characters inline patterns look for."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import frontmatter
import markdown
import pytest

from sitegen.content.markup import MarkupSettings, make_converter
from sitegen.content.quick_inline import QuickInlineProcessor, needs

FIXTURES = Path(__file__).parents[2] / "fixtures"
GOLDEN = Path(__file__).parents[2] / "golden"
SPEC = json.loads((FIXTURES / "commonmark" / "examples.json").read_text(encoding="utf-8"))
# What inline patterns start with, and what they hold: written together at random, they make every pattern match,
# fail, nest and overlap.
PIECES = ["a", "b", " ", " ", "  \n", "\n", "\n\n", "*", "**", "_", "__", "`", "``", "[", "]", "(", ")", "![",
          "[^1]", "<", ">", "&", "&amp;", "&#35;", ";", "\\", "\\\n", "~", "~~", "^", "@", "x@y.org", "http://e.org/a",
          "www.e.org", "<b>", "</b>", "<!-- c -->", "[a](/u)", "[r]", "[r]: /u", "![i](/i.png)", "{: .c}", "#", "- ",
          "1. ", "|", "'", '"', "Երևան", "\t"]  # fmt: skip


@pytest.fixture(scope="module")
def converters() -> tuple[markdown.Markdown, markdown.Markdown]:
    settings = MarkupSettings()
    quick, plain = make_converter(settings), make_converter(settings, quick_inline=False)
    assert isinstance(quick.treeprocessors["inline"], QuickInlineProcessor)
    assert not isinstance(plain.treeprocessors["inline"], QuickInlineProcessor)
    return quick, plain


def same(converters: tuple[markdown.Markdown, markdown.Markdown], text: str) -> None:
    quick, plain = converters
    assert quick.reset().convert(text) == plain.reset().convert(text), repr(text)


def test_every_spec_example_converts_alike(converters: tuple[markdown.Markdown, markdown.Markdown]) -> None:
    assert len(SPEC) > 500
    for example in SPEC:
        same(converters, str(example["markdown"]))


def test_real_documents_convert_alike(converters: tuple[markdown.Markdown, markdown.Markdown]) -> None:
    """Hugo's, Jekyll's and the golden sites' Markdown, as their authors wrote it."""
    documents = sorted([*FIXTURES.rglob("*.md"), *FIXTURES.rglob("*.markdown"), *GOLDEN.rglob("*.md")])
    assert len(documents) > 30
    for path in documents:
        same(converters, frontmatter.loads(path.read_text(encoding="utf-8")).content)


def test_random_documents_convert_alike(converters: tuple[markdown.Markdown, markdown.Markdown]) -> None:
    generator = random.Random(1304)
    for _ in range(4000):
        same(converters, "".join(generator.choices(PIECES, k=generator.randint(1, 40))))


def test_a_plain_text_is_not_tried_by_the_patterns_it_cannot_match(
    converters: tuple[markdown.Markdown, markdown.Markdown],
) -> None:
    """The table knows Python-Markdown's own patterns: when an upgrade changes one's expression, this says so (the
    pattern is then tried on every text again: correct, only slower), and the table is to be looked at again."""
    quick, _ = converters
    inline: Any = quick.treeprocessors["inline"]  # Python-Markdown's private parts, reached as the base does
    known = {item.name: needs(inline.inlinePatterns[item.name]) for item in inline.inlinePatterns._priority}
    unknown = [name for name, found in known.items() if found is None]
    assert unknown == ["bare_url", "bare_mail"], "commonmark.py's bare links guard their own search"
    tried: list[str] = []
    apply = inline._InlineProcessor__applyPattern

    def counting(pattern: object, *args: object) -> object:
        tried.append(type(pattern).__name__)
        return apply(pattern, *args)

    inline._InlineProcessor__applyPattern = counting
    try:
        assert quick.reset().convert("Plain words, a full stop.") == "<p>Plain words, a full stop.</p>"
        assert tried == ["_BareLink", "_BareLink"]
        tried.clear()
        assert quick.reset().convert("A [link](/u).") == '<p>A <a href="/u">link</a>.</p>'
        assert "LinkInlineProcessor" in tried and "BacktickInlineProcessor" not in tried
    finally:
        del inline._InlineProcessor__applyPattern


def test_outside_a_document_it_is_markdowns_own(converters: tuple[markdown.Markdown, markdown.Markdown]) -> None:
    """Called by something other than its own `run` (no document under way), it handles a text as the base does."""
    text = "a *b* [c](/d) `e`"
    handled = []
    for converter in converters:
        inline: Any = converter.treeprocessors["inline"]
        converter.reset()
        inline.stashed_nodes, inline.ancestors = {}, []
        handled.append((inline._InlineProcessor__handleInline(text), len(inline.stashed_nodes)))
    assert handled[0] == handled[1]
    assert handled[0][1] == 3, "emphasis, link and code were each put aside"
