"""CommonMark and GitHub rules Python-Markdown lacks, which editors' text relies on:

- a backslash escapes any ASCII punctuation (`\\$5`, `\\<br>` shown as written), not only Markdown's own signs;
- `<scheme:…>` is a link for any scheme (`<tel:+37410…>`, `<mailto:…>`), not only `scheme://`;
- a backslash at the end of a line is a line break, as two spaces are;
- bare `https://…`, `www.…` and e-mail addresses are links (GitHub's autolinks), trailing punctuation left out.

The bare links are sitegen's own small patterns rather than pymdownx.magiclink, whose patterns (made for issue and
user references too) made converting a typical article a third slower.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from xml.etree import ElementTree

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import AutolinkInlineProcessor, InlineProcessor, SubstituteTagInlineProcessor
from markdown.util import AtomicString

_AUTOLINK = r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*)>"
_BACKSLASH_BREAK = r"\\\n"


_BARE_URL = r"(?<![\w/:.@&-])((?:https?://|ftp://|www\.)[\w-]+(?:\.[\w-]+)+[^\s<]*)"
_BARE_MAIL = r"(?<![\w.+/:-])([\w.+-]+@[\w-]+(?:\.[\w-]+)+)(?![\w@]|-\w)"
_TRAILING = "?!.,:*_~'\""
_ENTITY_AT_END = re.compile(r"&\w+;$")


class _Guarded:
    """A pattern searched for only in text that holds `needle`: most text has no URL, and searching costs."""

    def __init__(self, pattern: str, needles: tuple[str, ...]) -> None:
        self.pattern = re.compile(pattern, re.IGNORECASE)
        self.needles = needles

    def finditer(self, text: str, start: int = 0) -> Iterator[re.Match[str]]:
        if any(needle in text for needle in self.needles):
            yield from self.pattern.finditer(text, start)


class _BareLink(InlineProcessor):
    ANCESTOR_EXCLUDES = ("a",)

    def __init__(self, pattern: str, needles: tuple[str, ...], md: Markdown, *, mail: bool = False) -> None:
        super().__init__(pattern, md)
        self.guarded = _Guarded(pattern, needles)
        self.mail = mail

    def getCompiledRegExp(self) -> _Guarded:  # type: ignore[override]  # noqa: N802 - Python-Markdown's name
        return self.guarded

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[ElementTree.Element | None, int, int]:  # type: ignore[override]  # noqa: N802
        text = m.group(1) if self.mail else _trimmed(m.group(1))
        if self.mail and text[-1] in "-_":
            return None, None, None  # type: ignore[return-value]  # Python-Markdown's "no match here"
        link = ElementTree.Element("a")
        if self.mail:
            link.set("href", f"mailto:{text}")
        else:
            link.set("href", text if "://" in text else f"http://{text}")
        link.text = AtomicString(text)
        return link, m.start(1), m.start(1) + len(text)


def _trimmed(url: str) -> str:
    """GitHub's end of a bare link: no trailing punctuation, no unbalanced `)`, no entity reference."""
    while True:
        entity = _ENTITY_AT_END.search(url)
        if entity:
            url = url[: entity.start()]
        elif (url and url[-1] in _TRAILING) or (url.endswith(")") and url.count(")") > url.count("(")):
            url = url[:-1]
        else:
            return url


class CommonMarkExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        md.ESCAPED_CHARS = list(string.punctuation)
        # Python-Markdown's own knows only scheme://.
        md.inlinePatterns.register(AutolinkInlineProcessor(_AUTOLINK, md), "autolink", 120)
        md.inlinePatterns.register(SubstituteTagInlineProcessor(_BACKSLASH_BREAK, "br"), "backslash_break", 185)
        md.inlinePatterns.register(_BareLink(_BARE_URL, ("://", "www."), md), "bare_url", 85)
        md.inlinePatterns.register(_BareLink(_BARE_MAIL, ("@",), md, mail=True), "bare_mail", 84)
