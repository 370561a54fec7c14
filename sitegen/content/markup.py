"""Markdown bodies to HTML, and the plain-text excerpts teasers show.

Python-Markdown with the extensions that make it behave as editors used to GitHub expect: pymdown-extensions
(fenced code anywhere, lists included; task lists; ~~strikethrough~~; `#` headings only with a space; code
highlighted by Pygments into classes the theme's stylesheet colours), and sitegen's own: lists nested by two spaces
or four (lists.py), attribute lists only where unambiguous (attributes.py), an id on every heading (headings.py),
GitHub's `> [!NOTE]` alerts (alerts.py), CommonMark's escapes and autolinks and GitHub's bare links
(commonmark.py), Markdown inside `<details>`, media URLs alone on a line as embeds (embeds.py), and other
generators' shortcodes (shortcodes.py).
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, field
from typing import Any

import markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

from sitegen.content.alerts import AlertsExtension
from sitegen.content.attributes import StrictAttrListExtension
from sitegen.content.commonmark import CommonMarkExtension
from sitegen.content.embeds import EmbedSettings, EmbedsExtension
from sitegen.content.headings import HeadingIdsExtension
from sitegen.content.lists import ListsExtension
from sitegen.content.quick_inline import QuickInlineExtension
from sitegen.content.shortcodes import ShortcodesExtension

MORE_MARKER = "<!--more-->"
EXCERPT_WORDS = 55
WORDS_PER_MINUTE = 200
_EXTENSIONS = [
    "abbr", "def_list", "footnotes", "md_in_html", "tables", "admonition",  # Python-Markdown's "extra" and more
    "pymdownx.superfences", "pymdownx.highlight", "pymdownx.tasklist", "pymdownx.tilde",
    "pymdownx.saneheaders", "sane_lists",
]  # fmt: skip
_EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    # Pygments writes classes (the theme's stylesheet colours them), never inline styles; a fence without a
    # language is not guessed at (a guess colours prose as code).
    "pymdownx.highlight": {"use_pygments": True, "guess_lang": False, "pygments_lang_class": True},
    "pymdownx.tilde": {"subscript": False},  # ~one~ is GitHub's strikethrough too, never a subscript
    "pymdownx.tasklist": {"custom_checkbox": False},
}
_TAG = re.compile(r"<[^>]+>")
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_DETAILS = re.compile(r"^<details(?![^>]*\bmarkdown=)(?=[\s>])", re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class MarkupSettings:
    """What conversion depends on besides the text: which embeds a site allows."""

    embeds: EmbedSettings = field(default_factory=EmbedSettings)


class _DetailsMarkdown(Preprocessor):
    """`<details>` on a line of its own holds Markdown, as on GitHub (md_in_html converts what is marked so)."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "<details" not in text.lower():
            return lines
        return _DETAILS.sub('<details markdown="1"', text).split("\n")


class _DetailsExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        md.preprocessors.register(_DetailsMarkdown(md), "details_markdown", 22)  # after fences are put aside


# Building a Markdown instance loads every extension; one per process and settings, reset between documents.
_converters: dict[MarkupSettings, markdown.Markdown] = {}


def _converter(settings: MarkupSettings) -> markdown.Markdown:
    found = _converters.get(settings)
    if found is None:
        found = _converters[settings] = make_converter(settings)
    return found


def make_converter(settings: MarkupSettings, *, quick_inline: bool = True) -> markdown.Markdown:
    """A converter with every extension sitegen uses; `quick_inline`: with the inline step that skips the patterns
    that cannot match a text (quick_inline.py; False only to compare the two)."""
    own: list[Extension] = [
        StrictAttrListExtension(), HeadingIdsExtension(), AlertsExtension(), _DetailsExtension(),
        EmbedsExtension(settings.embeds), ShortcodesExtension(), ListsExtension(), CommonMarkExtension(),
    ]  # fmt: skip
    if quick_inline:
        own.append(QuickInlineExtension())
    return markdown.Markdown(
        extensions=[*_EXTENSIONS, *own], extension_configs=_EXTENSION_CONFIGS, output_format="html"
    )


def render_markdown(text: str, settings: MarkupSettings = MarkupSettings()) -> str:
    converter = _converter(settings)
    try:
        return converter.reset().convert(text)
    except RecursionError:
        del _converters[settings]  # its state is unknown after an aborted conversion: the next document gets a new one
        raise


@functools.lru_cache(maxsize=4)  # an article's body is asked twice in a row: for its excerpt and its reading time
def plain_text(fragment: str) -> str:
    """The text of an HTML fragment, tags dropped, entities decoded, white space folded."""
    without_code = _SCRIPT.sub(" ", fragment)  # a teaser never shows a script's source as text
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", without_code))).strip()


def cut_words(text: str, limit: int = EXCERPT_WORDS) -> str:
    """The first `limit` words; "…" only when something was cut."""
    words = text.split()
    if len(words) <= limit:
        return " ".join(words)
    return " ".join(words[:limit]).rstrip(",;:—–-") + "…"


def excerpt(summary: str | None, body_source: str, body_html: str, settings: MarkupSettings = MarkupSettings()) -> str:
    """Front-matter summary, else the text before `<!--more-->`, else the first words of the body."""
    if summary:
        return summary.strip()
    if MORE_MARKER in body_source:
        lead = body_source.split(MORE_MARKER, 1)[0]
        return plain_text(render_markdown(lead, settings))
    return cut_words(plain_text(body_html))


def reading_minutes(body_html: str) -> int:
    return max(1, round(len(plain_text(body_html).split()) / WORDS_PER_MINUTE))
