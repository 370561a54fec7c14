"""Search in a real browser: the built site served over HTTP, Pagefind's index queried by headless Chromium.

Needs Debian's Chromium at /usr/bin/chromium (Playwright's own browsers are not used). Without it these tests fail
with a message saying so: a search that was never tried in a browser is not a tested search.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sitegen.commands.build import BuildOptions, build
from tests.commands.test_search import SIDEBAR_CONFIG
from tests.conftest import BASIC_CONFIG, BUILD_EPOCH, article

SITE = {
    "sitegen.toml": SIDEBAR_CONFIG,
    "content/news/_index.md": "---\ntitle: News\n---\n",
    "content/news/drills.md": article(
        "Joint Drills Near the Border", "2025-09-10T12:00:00+04:00",
        "The brigade rehearsed manoeuvres. Officials discussed the reservoir.", tags="[Defense]",
    ),
    "content/news/budget.md": article(
        "Budget Debate", "2025-09-09T12:00:00+04:00", "Parliament argued about the reservoir budget.", tags="[Economy]"
    ),
    "content/sports/final.md": article(
        "Cup Final", "2025-09-08T12:00:00+04:00", "A reservoir of talent won the cup.", tags="[Football]"
    ),
    "content/culture/festival.md": article(
        "Երաժշտական փառատոն Երևանում", "2025-09-09T18:00:00+04:00", "Փառատոնը տեղի կունենա Երևանում։", tags="[Music]"
    ),
    "content/sports/draft.md": article("Secret Draft", "2025-09-08", "A draftonly reservoir.", draft="true"),
    # Equally relevant (same length, same words): newest first, whatever order Pagefind gives them in.
    "content/ties/aaa.md": article("Tie One", "2025-09-01T12:00:00+04:00", "A tiebreak story.", slug="aaa"),
    "content/ties/mmm.md": article("Tie Two", "2025-09-05T12:00:00+04:00", "A tiebreak story.", slug="mmm"),
    "content/ties/zzz.md": article("Tie Six", "2025-09-03T12:00:00+04:00", "A tiebreak story.", slug="zzz"),
}  # fmt: skip
ARMENIAN_SITE = {
    "sitegen.toml": BASIC_CONFIG.replace('language = "en"', 'language = "hy"'),
    "content/lur/festival.md": article(
        "Երաժշտական փառատոն Երևանում", "2025-09-09T18:00:00+04:00", "Փառատոնը տեղի կունենա Երևանում։"
    ),
    "content/lur/sport.md": article("Ֆուտբոլ", "2025-09-08T18:00:00+04:00", "Հավաքականը հաղթեց Գյումրիում։"),
}


@dataclass
class Served:
    base: str
    output: Path


def _build_and_serve(root: Path, files: Mapping[str, str]) -> Iterator[Served]:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(BUILD_EPOCH))
        build(BuildOptions(root=root, output=root / "public"))

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=root / "public"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_port}", root / "public")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from _build_and_serve(tmp_path_factory.mktemp("search-site"), SITE)


@pytest.fixture(scope="module")
def armenian_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from _build_and_serve(tmp_path_factory.mktemp("search-hy"), ARMENIAN_SITE)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, errors


def wait_for_results(page: Any) -> list[str]:
    """The URLs in the result list once a search has finished."""
    page.wait_for_function("() => /found/.test(document.getElementById('search-status').textContent)", timeout=15000)
    hrefs: list[str] = page.eval_on_selector_all(
        "#search-results .teaser-title a", "links => links.map(a => a.getAttribute('href'))"
    )
    return hrefs


def test_typing_a_word_finds_exactly_its_article(site: Served, page: Any) -> None:
    page.goto(f"{site.base}/search/")
    page.wait_for_selector(".search-filters:not([hidden])")  # the index is loaded
    page.fill("#search-q", "manoeuvres")
    assert wait_for_results(page) == ["/news/drills/"]
    assert page.inner_text("#search-status") == "1 article found."
    result = page.locator("#search-results li").first
    assert result.locator("time").inner_text() == "Wednesday, September 10, 2025"
    assert result.locator("mark").first.inner_text().lower().startswith("manoeuvres")
    assert "q=manoeuvres" in page.url, "the address follows the search, so it can be shared"


def test_query_in_the_address_runs_on_load(site: Served, page: Any) -> None:
    page.goto(f"{site.base}/search/?q=budget")
    assert wait_for_results(page) == ["/news/budget/"]
    assert page.input_value("#search-q") == "budget"


def test_filter_by_section(site: Served, page: Any) -> None:
    page.goto(f"{site.base}/search/?q=reservoir")
    assert sorted(wait_for_results(page)) == ["/news/budget/", "/news/drills/", "/sports/final/"]
    page.click(".search-filters summary")
    page.wait_for_selector("select[name=section] option[value=Sports]", state="attached")
    page.evaluate("document.getElementById('search-status').textContent = ''")
    page.select_option("select[name=section]", "Sports")
    assert wait_for_results(page) == ["/sports/final/"]
    assert "section=Sports" in page.url
    page.goto(f"{site.base}/search/?q=reservoir&section=News")
    assert sorted(wait_for_results(page)) == ["/news/budget/", "/news/drills/"]
    assert page.input_value("select[name=section]") == "News", "a filter in the address opens the filters"


def test_equally_relevant_results_come_newest_first(site: Served, page: Any) -> None:
    page.goto(f"{site.base}/search/?q=tiebreak")
    assert wait_for_results(page) == ["/ties/mmm/", "/ties/zzz/", "/ties/aaa/"]
    raw = page.evaluate(
        """async () => {
            const pagefind = await import("/pagefind/recent/pagefind.js");  // this small a site: one shard
            const found = await pagefind.search("tiebreak");
            return Promise.all(found.results.map(async r => [r.score, (await r.data()).url]));
        }"""
    )
    assert len({score for score, _ in raw}) == 1, "the articles must be equally relevant for this test to mean anything"
    assert [url for _, url in raw] != ["/ties/mmm/", "/ties/zzz/", "/ties/aaa/"], "Pagefind alone orders them otherwise"


def test_newest_first_order(site: Served, page: Any) -> None:
    page.goto(f"{site.base}/search/?q=reservoir&sort=date")
    assert wait_for_results(page) == ["/news/drills/", "/news/budget/", "/sports/final/"]


def test_words_outside_article_bodies_and_unpublished_articles_are_not_found(site: Served, page: Any) -> None:
    for word in ("quokkaletter", "Zanzibarcorp", "Subscribe", "draftonly"):
        page.goto(f"{site.base}/search/?q={word}")
        assert wait_for_results(page) == [], word
        assert page.inner_text("#search-status").startswith("No articles found")


def test_armenian_query_finds_the_armenian_article(site: Served, page: Any) -> None:
    page.goto(f"{site.base}/search/")
    page.wait_for_selector(".search-filters:not([hidden])")
    # The exact word; lower case and a prefix; a prefix of an inflected form; "և" spelled "եւ" (classical) and "ԵՎ".
    for query in ("Երևանում", "երևան", "փառատոն", "Երեւանում", "ԵՐԵՎԱՆՈՒՄ"):
        page.fill("#search-q", query)
        page.evaluate("document.getElementById('search-status').textContent = ''")
        assert wait_for_results(page) == ["/culture/festival/"], query


def test_armenian_site(armenian_site: Served, page: Any) -> None:
    assert 'lang="hy"' in (armenian_site.output / "search/index.html").read_text(encoding="utf-8")
    page.goto(f"{armenian_site.base}/search/?q=Գյումրի")
    assert wait_for_results(page) == ["/lur/sport/"]
    page.goto(f"{armenian_site.base}/search/?q=ՓԱՌԱՏՈՆԸ")
    assert wait_for_results(page) == ["/lur/festival/"]
    # With lang="hy" Pagefind stems Armenian: the genitive finds the article that has only "Փառատոնը" (not a prefix).
    page.goto(f"{armenian_site.base}/search/?q=Փառատոնի")
    assert wait_for_results(page) == ["/lur/festival/"]


def test_the_search_box_on_an_article_page_is_a_plain_form(site: Served, page: Any) -> None:
    page.goto(f"{site.base}/news/budget/")
    page.fill("#topics-search-q", "manoeuvres")
    page.press("#topics-search-q", "Enter")
    page.wait_for_url("**/search/?q=manoeuvres")
    assert wait_for_results(page) == ["/news/drills/"]
