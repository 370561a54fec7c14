"""Live reload in a real headless Chromium (the Debian package), driven by Playwright.

These must run in CI: without Chromium they fail with a message saying how to install it; they never skip.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sitegen.preview.server import Preview
from tests.conftest import SiteWriter, article

ARTICLE = "content/news/x.md"
WAIT_MS = 20_000


@pytest.fixture
def preview(write_site: SiteWriter) -> Iterator[Preview]:
    root = write_site(
        {
            ARTICLE: article("Ex", "2025-09-01", "Old words."),
            "content/news/y.md": article("Why", "2025-09-02", "Other words."),
            "static/css/extra.css": "body { color: rgb(0, 0, 0); }\n",
            "templates/article.html": _with_extra_css(),
        }
    )
    with Preview(root, port=0) as running:
        assert running.state.wait_ready(timeout=30)
        yield running


def _with_extra_css() -> str:
    """The theme's article template, plus a second stylesheet the tests can change."""
    theme = Path(__file__).resolve().parents[2] / "templates/article.html"
    text = theme.read_text(encoding="utf-8")
    return text.replace("{% block content %}", '{% block content %}\n<link rel="stylesheet" href="/css/extra.css">', 1)


@pytest.fixture
def page(browser: Any, preview: Preview) -> Iterator[Any]:
    context = browser.new_context()
    opened = context.new_page()
    opened.set_default_timeout(WAIT_MS)
    opened.goto(preview.url + "news/x/")
    opened.wait_for_function("document.documentElement.dataset.sitegenEpoch !== undefined")  # live reload is on
    yield opened
    context.close()


def write(preview: Preview, rel: str, text: str) -> None:
    (preview.root / rel).write_text(text, encoding="utf-8")


def test_edit_shows_up_without_navigation(preview: Preview, page: Any) -> None:
    assert "Old words." in page.inner_text("article")
    write(preview, ARTICLE, article("Ex", "2025-09-01", "Brand new words."))
    # `?.`: while the page reloads there is a moment with no <article>, and a predicate that throws fails the wait.
    page.wait_for_function("document.querySelector('article')?.innerText.includes('Brand new words.')")


def test_broken_front_matter_shows_overlay_and_fixing_clears_it(preview: Preview, page: Any) -> None:
    write(preview, ARTICLE, '---\ntitle: "Ex\ndate: 2025-09-01\n---\n\nBroken.\n')
    overlay = page.wait_for_selector("#sitegen-overlay")
    text = overlay.inner_text()
    assert f"{ARTICLE}:" in text
    line = text.split(f"{ARTICLE}:", 1)[1].split(":", 1)[0]
    assert line.isdigit()
    assert "Old words." in page.inner_text("article")  # the last good site is still shown
    write(preview, ARTICLE, article("Ex", "2025-09-01", "Fixed words."))
    page.wait_for_selector("#sitegen-overlay", state="detached")
    page.wait_for_function("document.querySelector('article')?.innerText.includes('Fixed words.')")


def test_css_change_swaps_styles_without_reload(preview: Preview, page: Any) -> None:
    page.evaluate("window.sitegenMarker = 'still here'")
    write(preview, "static/css/extra.css", "body { color: rgb(1, 2, 3); }\n")
    page.wait_for_function("getComputedStyle(document.body).color === 'rgb(1, 2, 3)'")
    assert page.evaluate("window.sitegenMarker") == "still here"


def test_unrelated_change_does_not_reload(preview: Preview, page: Any) -> None:
    page.evaluate("window.sitegenMarker = 'still here'")
    before = preview.state.outcome.epoch
    write(preview, "static/css/unused.css", "p { color: red }\n")  # a new site, but not this page
    page.wait_for_function(f"Number(document.documentElement.dataset.sitegenEpoch) > {before}")
    assert page.evaluate("window.sitegenMarker") == "still here"


def test_deleting_the_article_shows_the_404_page(preview: Preview, page: Any) -> None:
    (preview.root / ARTICLE).unlink()
    page.wait_for_function("document.body.innerText.toLowerCase().includes('not found')")


def test_new_article_appears_on_the_home_page(preview: Preview, page: Any) -> None:
    page.goto(preview.url)
    page.wait_for_function("document.documentElement.dataset.sitegenEpoch !== undefined")
    write(preview, "content/news/zed.md", article("Zed arrives", "2025-09-05", "Newest."))
    page.wait_for_function("document.body.innerText.includes('Zed arrives')")


def test_renamed_stylesheet_swaps_without_reload(preview: Preview, page: Any) -> None:
    """A fingerprinted stylesheet (css/site.<hash>.css) gets a new name when it changes: still no reload."""
    page.evaluate("window.sitegenMarker = 'still here'")
    write(preview, "static/css/extra-2.css", "body { color: rgb(4, 5, 6); }\n")
    template = preview.root / "templates/article.html"
    write(preview, "templates/article.html", template.read_text(encoding="utf-8").replace("extra.css", "extra-2.css"))
    page.wait_for_function("getComputedStyle(document.body).color === 'rgb(4, 5, 6)'")
    assert page.evaluate("window.sitegenMarker") == "still here"
