"""Markdown bodies to HTML, and the plain-text excerpts teasers show."""

from __future__ import annotations

import html
import re

import markdown

MORE_MARKER = "<!--more-->"
EXCERPT_WORDS = 55
WORDS_PER_MINUTE = 200
_EXTENSIONS = ["extra", "sane_lists"]
_TAG = re.compile(r"<[^>]+>")
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_SPACE = re.compile(r"\s+")

# Building a Markdown instance loads every extension; one per process, reset between documents, is much cheaper.
_converter: markdown.Markdown | None = None


def render_markdown(text: str) -> str:
    global _converter
    if _converter is None:
        _converter = markdown.Markdown(extensions=_EXTENSIONS, output_format="html")
    try:
        return _converter.reset().convert(text)
    except RecursionError:
        _converter = None  # its state is unknown after an aborted conversion: the next document gets a fresh one
        raise


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


def excerpt(summary: str | None, body_source: str, body_html: str) -> str:
    """Front-matter summary, else the text before `<!--more-->`, else the first words of the body."""
    if summary:
        return summary.strip()
    if MORE_MARKER in body_source:
        lead = body_source.split(MORE_MARKER, 1)[0]
        return plain_text(render_markdown(lead))
    return cut_words(plain_text(body_html))


def reading_minutes(body_html: str) -> int:
    return max(1, round(len(plain_text(body_html).split()) / WORDS_PER_MINUTE))
