"""Three CommonMark rules Python-Markdown lacks, which editors' text relies on:

- a backslash escapes any ASCII punctuation (`\\$5`, `\\<br>` shown as written), not only Markdown's own signs;
- `<scheme:…>` is a link for any scheme (`<tel:+37410…>`, `<mailto:…>`), not only `scheme://`;
- a backslash at the end of a line is a line break, as two spaces are.
"""

from __future__ import annotations

import string

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import AutolinkInlineProcessor, SubstituteTagInlineProcessor

_AUTOLINK = r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*)>"
_BACKSLASH_BREAK = r"\\\n"


class CommonMarkExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        md.ESCAPED_CHARS = list(string.punctuation)
        # Registered after magiclink, whose own autolink knows only scheme:// (and makes <MAILTO:x> mailto:MAILTO:x).
        md.inlinePatterns.register(AutolinkInlineProcessor(_AUTOLINK, md), "autolink", 120)
        md.inlinePatterns.register(SubstituteTagInlineProcessor(_BACKSLASH_BREAK, "br"), "backslash_break", 185)
