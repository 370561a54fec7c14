"""What the unit tests parse articles with: the test site's settings and build time, and a parser taking text."""

from __future__ import annotations

from datetime import UTC, datetime

from sitegen.content.article import parse_article
from sitegen.content.settings import ParseSettings
from sitegen.model import Article

SETTINGS = ParseSettings("Asia/Yerevan", "/{section}/{slug}/", "")
NOW = datetime(2025, 9, 11, 6, 0, tzinfo=UTC)  # Thursday 10:00 in Yerevan, as tests.conftest.BUILD_EPOCH


def parse(text: str | bytes, source: str = "content/news/2025/x.md") -> tuple[Article | None, list[str]]:
    """An article and its problems as `file:line: message` lines."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    article, problems = parse_article(source, data, SETTINGS)
    return article, [str(p) for p in problems]
