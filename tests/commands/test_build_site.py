"""End to end: fixture sites built through the CLI, the published pages read back with an HTML parser."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import lxml.html
from lxml.html import HtmlElement

from tests.conftest import Run, SiteWriter, article

SECTIONED = {
    "content/news/_index.md": "---\ntitle: News\ndescription: All the news.\nweight: 1\n---\n",
    "content/news/armenia/2025/drills.md": article(
        "Iran Holds Joint Drills",
        "2025-09-10T12:00:00+04:00",
        "First paragraph.\n\n<!--more-->\n\nSecond.",
        authors='["Ani Petrosyan", "Aram Hakobyan"]',
        tags="[Iran, Defense]",
    ),
    "content/news/armenia/2025/service.md": article(
        "Service Cut", "2025-09-09", "A long body. " * 80, tags="[Defense]", author="Ani Petrosyan"
    ),
    "content/news/world/old.md": article("World Story", "2024-01-05T08:00:00Z", summary='"Given summary."'),
    "content/sports/award.md": article("Award", "2025-09-08T10:00:00+04:00", pinned="true"),
    "content/sports/draft.md": article("Secret Draft", "2025-09-08", draft="true"),
    "content/sports/future.md": article("Tomorrow's Story", "2025-09-12T09:00:00+04:00"),
    "content/sports/expired.md": article("Gone Story", "2025-09-01", expires="2025-09-05"),
    "content/about.md": "---\ntitle: About Us\ntype: page\n---\nWho we are.\n",
}


def page(root: Path, url: str) -> HtmlElement:
    path = root / "public" / url.strip("/") / "index.html"
    assert path.is_file(), f"{url} was not published"
    return lxml.html.fromstring(path.read_bytes())


def texts(tree: HtmlElement, xpath: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in tree.xpath(xpath)]


def build(write_site: SiteWriter, cli: Callable[..., Run], files: dict[str, str], *args: str) -> Path:
    root = write_site(files)
    result = cli("build", root, *args)
    assert result.code == 0, result.err
    return root


def test_every_page_type_is_published(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root = build(write_site, cli, SECTIONED)
    for url in [
        "/", "/news/", "/news/armenia/", "/news/world/", "/sports/", "/news/armenia/drills/",
        "/tags/iran/", "/tags/defense/", "/authors/ani-petrosyan/", "/authors/aram-hakobyan/", "/about/",
    ]:  # fmt: skip
        page(root, url)
    assert (root / "public/css/site.css").is_file()


def test_every_page_has_the_shared_blocks(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root = build(write_site, cli, SECTIONED)
    for url in ["/", "/news/", "/news/armenia/drills/", "/tags/iran/", "/about/"]:
        tree = page(root, url)
        date = tree.xpath('//time[@class="site-date"]')[0]
        # The page's edition (its newest article, here everywhere the same), not the build's date (2025-09-11).
        assert date.get("datetime") == "2025-09-10"
        assert date.text_content() == "Wednesday, September 10, 2025"
        assert tree.xpath('//section[@id="most-popular"]//ol/li/a')
        form = tree.xpath('//section[@id="newsletter"]//form')[0]
        assert form.get("method") == "post"
        email = form.xpath('.//input[@type="email"]')[0]
        assert form.xpath(f'.//label[@for="{email.get("id")}"]')
        assert form.xpath('.//*[@aria-hidden="true"]//input[@tabindex="-1"]')
        assert texts(tree, '//nav[@aria-label="Sections"]//a') == ["Home", "News", "Sports"]
        assert not tree.xpath('//*[@id="sponsor"]'), "no sponsor configured: no slot"


def test_article_page(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    tree = page(build(write_site, cli, SECTIONED), "/news/armenia/drills/")
    assert texts(tree, '//nav[@aria-label="Breadcrumb"]//li') == ["Home", "News", "Armenia", "Iran Holds Joint Drills"]
    assert [a.get("href") for a in tree.xpath('//nav[@aria-label="Breadcrumb"]//a')] == [
        "/",
        "/news/",
        "/news/armenia/",
    ]
    assert texts(tree, "//h1") == ["Iran Holds Joint Drills"]
    assert [a.get("href") for a in tree.xpath('//a[@rel="author"]')] == [
        "/authors/ani-petrosyan/", "/authors/aram-hakobyan/",
    ]  # fmt: skip
    assert tree.xpath('//time[@class="published"]')[0].get("datetime") == "2025-09-10T12:00:00+04:00"
    assert texts(tree, '//a[@rel="tag"]') == ["Iran", "Defense"]
    latest = texts(tree, '//section[@id="latest-news"]//li/a')
    assert "Iran Holds Joint Drills" not in latest and latest[0] == "Service Cut"
    assert tree.xpath('//*[@id="search-topics"]//a[@href="/tags/defense/"]')
    assert "<!--more-->" not in (tree.xpath('//div[@class="article-body"]')[0].text_content())


def test_home_lead_story_and_teasers(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    tree = page(build(write_site, cli, SECTIONED), "/")
    assert texts(tree, '//*[contains(@class,"teaser--lead")]//h2') == ["Award"]  # pinned wins over newer
    assert texts(tree, '//section[@class="headlines"]//article[@class="teaser"]//h3') == [
        "Iran Holds Joint Drills", "Service Cut", "World Story",
    ]  # fmt: skip
    teasers = tree.xpath('//section[@class="headlines"]//article')
    excerpts = {texts(t, ".//h3")[0]: texts(t, './/p[@class="excerpt"]')[0] for t in teasers}
    assert excerpts["Iran Holds Joint Drills"] == "First paragraph."  # text before <!--more-->
    assert excerpts["World Story"] == "Given summary."
    assert excerpts["Service Cut"].endswith("…") and len(excerpts["Service Cut"].split()) == 55


def test_unpublished_articles_are_nowhere(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root = build(write_site, cli, SECTIONED)
    published = "".join(p.read_text(encoding="utf-8") for p in (root / "public").rglob("*.html"))
    for title in ("Secret Draft", "Tomorrow", "Gone Story"):
        assert title not in published
    assert not (root / "public/sports/draft").exists()


def test_drafts_and_future_when_asked(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root = build(write_site, cli, SECTIONED, "--drafts", "--future")
    assert texts(page(root, "/sports/draft/"), "//h1") == ["Secret Draft"]
    page(root, "/sports/future/")


def test_nested_section_lists_subsection_articles(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root = build(write_site, cli, SECTIONED)
    news = page(root, "/news/")
    assert texts(news, "//h1") == ["News"]
    assert "All the news." in news.text_content()
    assert texts(news, "//article//h3") == ["Iran Holds Joint Drills", "Service Cut", "World Story"]
    assert texts(page(root, "/news/world/"), "//h1") == ["World"]  # no _index.md: titled from the folder
    tag = page(root, "/tags/defense/")
    assert texts(tag, "//article//h3") == ["Iran Holds Joint Drills", "Service Cut"]


def test_pagination(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    files = {f"content/news/a{i:02d}.md": article(f"Story {i:02d}", f"2025-08-{i:02d}") for i in range(1, 26)}
    files["sitegen.toml"] = 'title = "T"\npage_size = 10\n'
    root = build(write_site, cli, files)
    # Numbered from the oldest: page 1 holds the oldest ten for good, the front page the newest ten to nineteen.
    assert texts(page(root, "/news/"), "//article//h3") == [f"Story {i:02d}" for i in range(25, 10, -1)]
    assert page(root, "/news/").xpath('//a[@rel="next"]/@href') == ["/news/page/1/"]
    first = page(root, "/news/page/1/")
    assert texts(first, "//article//h3") == [f"Story {i:02d}" for i in range(10, 0, -1)]
    assert first.xpath('//a[@rel="prev"]/@href') == ["/news/page/2/"]  # the next number up: a redirect to the front
    assert not first.xpath('//a[@rel="next"]')
    assert 'http-equiv="refresh" content="0; url=/news/"' in (root / "public/news/page/2/index.html").read_text()
    assert not (root / "public/news/page/3").exists()
    before = (root / "public/news/page/1/index.html").read_bytes()
    for i in range(26, 31):
        (root / f"content/news/a{i:02d}.md").write_text(article(f"Story {i:02d}", f"2025-08-{i:02d}"), encoding="utf-8")
    assert cli("build", root).code == 0
    assert (root / "public/news/page/1/index.html").read_bytes() == before  # a published page keeps its articles
    assert texts(page(root, "/news/page/2/"), "//article//h3") == [f"Story {i:02d}" for i in range(20, 10, -1)]
    assert texts(page(root, "/news/"), "//article//h3") == [f"Story {i:02d}" for i in range(30, 20, -1)]
    assert 'content="0; url=/news/"' in (root / "public/news/page/3/index.html").read_text()


def test_popular_uses_pageviews_with_window(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    files = {
        **SECTIONED,
        "data/pageviews.csv": "path,views,date\n"
        "/news/world/old/,50,2025-09-10\n"
        "/news/world/old?utm_source=x,30,2025-09-09\n"
        "/sports/award,60,2025-09-11\n"
        "/news/armenia/drills/,1000,2025-06-01\n"  # outside the 7-day window
        "/sports/draft/,5000,2025-09-10\n"  # a draft: never listed
        "/about/,9999,2025-09-10\n",  # not an article
    }
    root = build(write_site, cli, files)
    fragment = lxml.html.fromstring((root / "public/fragments/most-popular.html").read_bytes())
    assert texts(fragment, '//section[@id="most-popular"]//li') == ["World Story", "Award"]
    # Pages embed what the block shows without analytics, as of their edition: a refresh rewrites the fragment only.
    embedded = texts(page(root, "/"), '//section[@id="most-popular"]//li')
    assert embedded == ["Award", "Iran Holds Joint Drills", "Service Cut", "World Story"]


def test_popular_falls_back_when_analytics_are_broken(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root = write_site({**SECTIONED, "data/pageviews.csv": "nonsense\n1,2,3\n"})
    result = cli("build", root)
    assert result.code == 0
    assert "data/pageviews.csv:1: warning:" in result.err
    popular = texts(page(root, "/"), '//section[@id="most-popular"]//li')
    assert popular == ["Award", "Iran Holds Joint Drills", "Service Cut", "World Story"]  # pinned, then newest


def test_sponsor_slot_when_configured(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    config = 'title = "T"\n[sponsor]\nurl = "https://ads.example.org/"\nhtml = "<b>Buy</b>"\n'
    tree = page(build(write_site, cli, {**SECTIONED, "sitegen.toml": config}), "/")
    sponsor = tree.xpath('//aside[@id="sponsor"]')[0]
    assert sponsor.xpath('.//a[@href="https://ads.example.org/"]//b')


def test_armenian_article(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    files = {"content/hy/yerevan.md": article("Երևանի նորություններ", "2025-09-10", "Բարև Ձեզ։", tags="[Երևան]")}
    root = build(write_site, cli, files)
    tree = page(root, "/hy/yerevan/")
    assert texts(tree, "//h1") == ["Երևանի նորություններ"]
    assert tree.xpath('//a[@rel="tag"]/@href') == ["/tags/yerevan/"]


def test_titles_are_escaped(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    files = {"content/x.md": article('<script>alert(1)</script> & \\"q\\"', "2025-09-10")}
    root = build(write_site, cli, files)
    html = (root / "public/x/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html
    assert texts(lxml.html.fromstring(html), "//h1") == ['<script>alert(1)</script> & "q"']


def test_permalink_pattern(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    files = {"sitegen.toml": 'title = "T"\npermalink = "/{year}/{month}/{slug}/"\n', **SECTIONED}
    root = build(write_site, cli, files)
    assert texts(page(root, "/2025/09/drills/"), "//h1") == ["Iran Holds Joint Drills"]


def test_pyproject_tool_table(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root = write_site({"content/x.md": article("X", "2025-09-10")})
    (root / "sitegen.toml").unlink()
    (root / "pyproject.toml").write_text('[tool.sitegen]\ntitle = "From Pyproject"\n', encoding="utf-8")
    assert cli("build", root).code == 0
    assert texts(page(root, "/"), '//p[@class="site-title"]') == ["From Pyproject"]


def test_site_template_overrides_theme(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    override = '<section id="most-popular"><p>Custom popular</p></section>\n'
    root = build(write_site, cli, {**SECTIONED, "templates/partials/most_popular.html": override})
    assert texts(page(root, "/"), '//section[@id="most-popular"]') == ["Custom popular"]


def test_second_build_writes_nothing(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root = build(write_site, cli, SECTIONED)
    second = cli("build", root)
    assert second.code == 0
    assert " 0 written" in second.out and " 0 removed" in second.out


def test_deleted_article_disappears(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root = build(write_site, cli, SECTIONED)
    (root / "content/news/world/old.md").unlink()
    assert cli("build", root).code == 0
    assert not (root / "public/news/world").exists()
    published = "".join(p.read_text(encoding="utf-8") for p in (root / "public").rglob("*.html"))
    assert "/news/world/old/" not in published
