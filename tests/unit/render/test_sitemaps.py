"""The news sitemap's language codes. No files needed."""

from __future__ import annotations

from sitegen.render.sitemaps import news_language


def test_news_language_codes() -> None:
    assert news_language("hy") == "hy"
    assert news_language("en-US") == "en"
    assert news_language("zh-Hant-TW") == "zh-tw"
    assert news_language("zh_CN") == "zh-cn"
