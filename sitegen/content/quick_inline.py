"""Python-Markdown's inline step, without trying the patterns that cannot match a text.

Markdown turns each text of a document into inline markup by trying every inline pattern on it in turn (19 here:
code, escapes, links, images, footnotes, autolinks, HTML, entities, emphasis, strikethrough, bare URLs...). Most texts
hold none of the characters most patterns start with, and each try is a Python call: the inline step was half of
converting an article (1.2 of 2.6 ms), and converting is most of what a cold build spends reading 100,000 articles.

A pattern whose regular expression cannot match without one of a few texts (`[` for a link, `` ` `` for code) is not
tried on a text without any of them: what it would have done (nothing) is done without the call. Only patterns
whose expression is exactly one of those known below are skipped so, and their expressions say why each text is
needed; any other pattern (an extension's, or a changed one in another Python-Markdown) is tried as before. The
tests convert real documents both ways and compare the HTML.
"""

from __future__ import annotations

import re
from typing import Any

from markdown import Markdown, util
from markdown.extensions import Extension
from markdown.treeprocessors import InlineProcessor

# An inline pattern's expression → texts of which one must be in a text for the expression to match it.
_NEEDS: dict[str, tuple[str, ...]] = {
    r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)": ("`",),  # code: a backtick, after any backslashes
    r"\\\n": ("\\\n",),  # a line break written as a backslash at the end of a line
    r"\\(.)": ("\\",),  # an escape
    r"\[\^([^\]]*)\]": ("[^",),  # a footnote reference
    r"(?<!\!)\[": ("[",),  # links and references
    r"\!\[": ("![",),  # images
    r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*)>": ("<",),  # <https://...>
    r"<([^<> !]+@[^@<> ]+)>": ("<",),  # <name@example.org>
    r"  \n": ("  \n",),  # a line break written as two spaces at the end of a line
    r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)": ("&",),  # an entity
    r"\*|_": ("*", "_"),  # emphasis
    r"\~": ("~",),  # strikethrough
    # Inline HTML: every alternative is inside `<(` ... `)>`.
    r"""(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>]++))?+)*+\s*+/?"""
    r"""|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)""": ("<",),
}


def needs(pattern: Any) -> tuple[str, ...] | None:
    """The texts one of which a text must hold for `pattern` to match it; None: try it on every text."""
    expression = getattr(pattern, "pattern", None)
    compiled = pattern.getCompiledRegExp() if hasattr(pattern, "getCompiledRegExp") else None
    if type(expression) is not str or not isinstance(compiled, re.Pattern) or compiled.pattern != expression:
        return None  # searched with another expression than it says (commonmark.py's bare links guard their own)
    if compiled.flags & re.IGNORECASE:
        return None  # `www.` would not be all it could match
    return _NEEDS.get(expression)


class QuickInlineProcessor(InlineProcessor):
    """Markdown's InlineProcessor, trying only the patterns that can match each text (see the module's docstring)."""

    def __init__(self, md: Any) -> None:
        super().__init__(md)
        self._order: list[Any] | None = None  # the patterns in the order tried, and what each needs
        self._needs: list[tuple[str, ...] | None] = []

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        self._order = list(self.inlinePatterns)  # once per document: indexing the registry sorts and looks it up
        self._needs = [needs(pattern) for pattern in self._order]
        try:
            return super().run(tree, ancestors)
        finally:
            self._order = None

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803 - the base's
        """The base's `__handleInline` (the name it calls it by), with the patterns that cannot match skipped."""
        order, wanted = self._order, self._needs
        if order is None:  # called outside `run`: the base's own way
            handled: str = super()._InlineProcessor__handleInline(data, patternIndex)  # type: ignore[misc]
            return handled
        if isinstance(data, util.AtomicString):
            return data
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        index, start, count = patternIndex, 0, len(order)
        while index < count:
            need = wanted[index]
            if need is not None:
                for text in need:  # a loop, not any(): asked 250 times an article
                    if text in data:
                        break
                else:
                    index, start = index + 1, 0  # what the base does when a pattern does not match
                    continue
            data, matched, start = apply(order[index], data, index, start)
            if not matched:
                index += 1
        return data


class QuickInlineExtension(Extension):
    """Put QuickInlineProcessor in the place of Markdown's own (its name, at its documented priority, 20)."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        md.treeprocessors.register(QuickInlineProcessor(md), "inline", 20)
