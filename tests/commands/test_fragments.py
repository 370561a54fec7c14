"""The blocks that change with every publish (latest news, Most Popular, topics): embedded as of each page's edition,
published as they are now under fragments/, and swapped in by the page's script — checked in real Chromium on a page
the last build did not rewrite, and without JavaScript."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from sitegen.commands.build import BuildOptions, build
from tests.conftest import BASIC_CONFIG, BUILD_EPOCH, SiteWriter, article

CONFIG = BASIC_CONFIG + "latest_count = 3\n[popular]\ncount = 3\n[search]\nenabled = false\n"
OLD_PAGE = "news/s1/index.html"


def archive() -> dict[str, str]:
    files = {"sitegen.toml": CONFIG, "data/pageviews.csv": "path,views\n/news/s0/,50\n/news/s1/,40\n"}
    for i in range(8):
        date = (datetime(2025, 8, 1, 9, tzinfo=UTC) + timedelta(days=i)).isoformat()
        files[f"content/news/s{i}.md"] = article(f"Story {i}", date, "Text.", tags=f"[T{i % 3}]")
    return files


def breaking() -> str:
    date = (datetime.fromtimestamp(BUILD_EPOCH, UTC) - timedelta(hours=1)).isoformat()
    return article("Breaking", date, "News.", tags="[T2]")


@pytest.fixture
def served(write_site: SiteWriter) -> Iterator[tuple[str, Path]]:
    """A site built, then changed (a story published, the analytics refreshed) and built again, over HTTP."""
    root = write_site(archive())
    output = root / "public"
    build(BuildOptions(root=root, output=output))
    old = (output / OLD_PAGE).stat()
    (root / "content/news/breaking.md").write_text(breaking(), encoding="utf-8")
    (root / "data/pageviews.csv").write_text("path,views\n/news/s3/,90\n/news/s5/,80\n/news/s1/,5\n")
    build(BuildOptions(root=root, output=output))
    assert (output / OLD_PAGE).stat().st_ino == old.st_ino, "the old page was not rewritten"

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=output))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", output
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def texts(tab: Any, selector: str) -> list[str]:
    return [" ".join(t.split()) for t in tab.locator(selector).all_inner_texts()]


def test_a_page_not_rewritten_shows_the_current_blocks(served: tuple[str, Path], browser: Any) -> None:
    base, output = served
    embedded = lxml.html.fromstring((output / OLD_PAGE).read_bytes())
    assert [a.text for a in embedded.xpath('//section[@id="latest-news"]//li/a')] == ["Story 0"]  # as of its date
    context = browser.new_context()
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.goto(f"{base}/news/s1/")
    tab.wait_for_function("document.querySelector('#latest-news a')?.textContent === 'Breaking'")
    latest = [t.split(" ")[0] for t in texts(tab, "#latest-news li a")]
    assert latest == ["Breaking", "Story", "Story"]
    assert "Story 1" not in texts(tab, "#latest-news li a")  # the page's own article is left out
    assert len(texts(tab, "#latest-news li")) == 3  # the fragment's spare item fills the gap
    tab.wait_for_function("document.querySelector('#most-popular li')?.textContent === 'Story 3'")
    assert texts(tab, "#most-popular li") == ["Story 3", "Story 5", "Story 1"]  # the refreshed analytics
    assert "T2" in texts(tab, "#search-topics li")
    tab.goto(f"{base}/news/breaking/")
    tab.wait_for_function("!document.querySelector('#latest-news').hasAttribute('data-fragment')")
    assert "Breaking" not in texts(tab, "#latest-news li a")
    assert len(texts(tab, "#latest-news li")) == 3
    context.close()
    assert not errors, errors


def test_without_javascript_every_block_is_there_with_its_links(served: tuple[str, Path], browser: Any) -> None:
    base, _ = served
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    for url in ("/", "/news/s1/", "/news/breaking/", "/tags/t2/"):
        tab.goto(base + url)
        assert tab.locator("#most-popular a").count() > 0, url
        if url.startswith("/news/"):  # article pages show latest news and topics too
            assert tab.locator("#latest-news a").count() > 0, url
            assert tab.locator("#search-topics a").count() > 0, url
        assert tab.locator("time.site-date").inner_text(), url  # the page's own date
    context.close()


def test_include_directives_instead_of_embedded_blocks(write_site: SiteWriter) -> None:
    root = write_site({**archive(), "sitegen.toml": CONFIG + '[fragments]\ninclude = "ssi"\n'})
    build(BuildOptions(root=root, output=root / "public"))
    html = (root / "public" / OLD_PAGE).read_text(encoding="utf-8")
    for name in ("latest-news", "most-popular", "search-topics"):
        assert f'<!--#include virtual="/fragments/{name}.html" -->' in html
        assert (root / "public/fragments" / f"{name}.html").is_file()
    assert 'id="most-popular"' not in html and 'id="latest-news"' not in html
    root_esi = write_site({**archive(), "sitegen.toml": CONFIG + '[fragments]\ninclude = "esi"\n'})
    build(BuildOptions(root=root_esi, output=root_esi / "esi"))
    assert '<esi:include src="/fragments/most-popular.html"/>' in (root_esi / "esi" / OLD_PAGE).read_text()


def test_an_unknown_include_mode_is_a_configuration_error(write_site: SiteWriter) -> None:
    from sitegen.config import load_config
    from sitegen.errors import UsageError

    root = write_site({**archive(), "sitegen.toml": CONFIG + '[fragments]\ninclude = "php"\n'})
    with pytest.raises(UsageError) as raised:
        load_config(root)
    assert "sitegen.toml" in str(raised.value) and "fragments.include" in str(raised.value)
