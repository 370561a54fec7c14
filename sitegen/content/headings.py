"""An id on every heading, readable in the heading's own script, so that a table of contents and `#links` work.

The id is made as GitHub makes it, which is what editors' links were written against: the heading's text, lowercased,
punctuation and symbols dropped, each space a hyphen. Letters of every script stay as they are (`## Բյուջե 2025` is
`#բյուջե-2025`), because a reader sees the fragment in the address bar. A repeated id gets `_1`, `_2` (the page's
own ids, an editor's `{#id}` and the theme's ids all count), so every id is unique on the page.
"""

from __future__ import annotations

import html
import unicodedata
from xml.etree import ElementTree

from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.toc import remove_fnrefs, render_inner_html, strip_tags, unique
from markdown.treeprocessors import Treeprocessor

# Ids the default theme gives elements of every page (templates/): a heading must not take one of them. A test
# keeps this in step with the templates.
THEME_IDS = frozenset({
    "main", "search", "search-q", "site-search-q", "topics-search-q", "search-status", "search-results",
    "search-more", "latest-news", "latest-news-heading", "most-popular", "most-popular-heading", "newsletter",
    "newsletter-heading", "newsletter-email", "newsletter-hp", "search-topics", "search-topics-heading", "sponsor",
})  # fmt: skip
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def heading_id(text: str) -> str:
    """`Budget vote: what's next?` → `budget-vote-whats-next`; letters, marks and digits of any script are kept."""
    kept = []
    for char in unicodedata.normalize("NFC", text.strip().lower()):
        kind = unicodedata.category(char)
        if char in " \t\n":
            kept.append("-")
        elif char in "-_" or kind[0] in "LMN":
            kept.append(char)
    return "".join(kept)


class HeadingIds(Treeprocessor):
    def run(self, root: ElementTree.Element) -> None:
        used = set(THEME_IDS)
        used.update(str(el.get("id")) for el in root.iter() if el.get("id"))
        counters: dict[str, int] = {}
        for el in root.iter():
            if el.tag in _HEADINGS and not el.get("id"):
                text = html.unescape(strip_tags(render_inner_html(remove_fnrefs(el), self.md)))
                el.set("id", unique(heading_id(text), used, counters))


class HeadingIdsExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        md.treeprocessors.register(HeadingIds(md), "heading_ids", 5)  # after inline markup and attributes, as toc
