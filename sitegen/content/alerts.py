"""GitHub's alerts: a block quote that starts with `[!NOTE]`, `[!TIP]`, `[!IMPORTANT]`, `[!WARNING]` or `[!CAUTION]`
becomes a titled box, with GitHub's own markup and class names (the theme styles them):

    > [!WARNING]                       <div class="markdown-alert markdown-alert-warning">
    > Polls close at 20:00.      →       <p class="markdown-alert-title">Warning</p><p>Polls close at 20:00.</p></div>

Any other block quote is left alone, `[!NOTE]` in the middle of one too.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

KINDS = ("note", "tip", "important", "warning", "caution")
_MARKER = re.compile(r"^\[!(" + "|".join(KINDS) + r")\][ \t]*(?:\n|$)", re.IGNORECASE)


class Alerts(Treeprocessor):
    def run(self, root: ElementTree.Element) -> None:
        for quote in list(root.iter("blockquote")):
            first = quote[0] if len(quote) else None
            if first is None or first.tag != "p" or not first.text:
                continue
            found = _MARKER.match(first.text)
            if found is None:
                continue
            kind = found.group(1).lower()
            first.text = first.text[found.end() :]
            if not first.text.strip() and not len(first):
                quote.remove(first)  # the marker had a line of its own, and the text is in the next paragraph
            quote.tag = "div"
            quote.set("class", f"markdown-alert markdown-alert-{kind}")
            title = ElementTree.Element("p", {"class": "markdown-alert-title"})
            title.text = kind.title()
            quote.insert(0, title)


class AlertsExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        md.treeprocessors.register(Alerts(md), "alerts", 25)  # before inline markup: the marker is plain text then
