"""Markdown as editors write it (GitHub habits, shortcodes of other generators), converted and sanitised."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitegen.content.article import parse_article
from sitegen.content.headings import THEME_IDS, heading_id
from sitegen.content.markup import render_markdown
from sitegen.content.sanitize import sanitize_html
from sitegen.content.settings import ParseSettings
from sitegen.content.shortcodes import leftovers
from sitegen.model import Article
from tests.unit.parsing import SETTINGS

THEME = Path(__file__).parents[3] / "templates"


def body(markdown: str, settings: ParseSettings = SETTINGS) -> tuple[str, list[str]]:
    """The article's sanitised HTML and its problems, as a build makes them."""
    article, problems = parse_article("content/news/x.md", f"---\ntitle: T\ndate: 2025-09-01\n---\n{markdown}".encode(),
                                      settings)  # fmt: skip
    assert isinstance(article, Article), problems
    return article.body_html, [str(p) for p in problems]


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


# -- lists ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("indent", [2, 4])
def test_lists_nest_by_two_spaces_or_four(indent: int) -> None:
    pad = " " * indent
    html = squeeze(render_markdown(f"- Yerevan\n{pad}- Kentron\n{pad}{pad}- Republic Square\n- Gyumri\n"))
    assert html == (
        "<ul><li>Yerevan<ul><li>Kentron<ul><li>Republic Square</li></ul></li></ul></li><li>Gyumri</li></ul>"
    )


def test_ordered_items_nest_under_their_text() -> None:
    html = squeeze(render_markdown("1. First\n   - a\n   - b\n2. Second\n"))
    assert html == "<ol><li>First<ul><li>a</li><li>b</li></ul></li><li>Second</li></ol>"


def test_a_fenced_block_inside_a_list_item_keeps_the_list() -> None:
    html = render_markdown("1. Install:\n\n   ```sh\n   pip install x\n   ```\n\n   Then run it.\n2. Done\n")
    assert html.count("<li>") == 2 and "<p>Then run it.</p>" in html and squeeze(html).endswith("<p>Done</p></li></ol>")
    assert '<span class="w"> </span>install' in html and "<pre>" in html


def test_a_list_right_after_a_paragraph_is_a_list() -> None:
    assert "<ul><li>one</li><li>two</li></ul>" in squeeze(render_markdown("Topics:\n- one\n- two\n"))


def test_a_list_with_blank_lines_between_items_is_one_list() -> None:
    html = squeeze(render_markdown("- one\n\n- two\n\n- three\n"))
    assert html.count("<ul>") == 1 and html.count("<li>") == 3


def test_code_indented_outside_lists_stays_code() -> None:
    assert "<pre><code>- not a list\n" in render_markdown("Text\n\n    - not a list\n").replace(
        '<div class="language-text highlight"><pre><span></span><code>', "<pre><code>"
    )


# -- GitHub's habits --------------------------------------------------------------------------------------------


def test_task_lists_strikethrough_and_bare_urls() -> None:
    html = render_markdown("- [ ] call back\n- [x] file story\n\n~~old~~ see https://example.org/a and www.x.am\n")
    assert '<input type="checkbox" disabled/> call back' in html and "checked" in html
    assert "<del>old</del> see" in html
    assert '<a href="https://example.org/a">https://example.org/a</a>' in html and 'href="http://www.x.am"' in html


def test_alerts_become_titled_boxes() -> None:
    html = squeeze(render_markdown("> [!WARNING]\n> Polls close at 20:00.\n\nText.\n\n> Just a quote [!NOTE]\n"))
    assert html.startswith(
        '<div class="markdown-alert markdown-alert-warning"><p class="markdown-alert-title">Warning</p>'
        "<p>Polls close at 20:00.</p></div>"
    )
    assert "<blockquote><p>Just a quote [!NOTE]</p></blockquote>" in html


def test_markdown_inside_details_is_converted() -> None:
    html = squeeze(render_markdown("<details>\n<summary>Full list</summary>\n\n- **one**\n- two\n\n</details>\n"))
    assert html == "<details><summary>Full list</summary><ul><li><strong>one</strong></li><li>two</li></ul></details>"


def test_code_is_highlighted_into_classes_the_theme_styles() -> None:
    html = render_markdown('```python\nprint("hi")\n```\n')
    assert '<div class="language-python highlight"><pre><span></span><code><span class="nb">print</span>' in html
    css = (Path(__file__).parents[3] / "static" / "css" / "site.css").read_text(encoding="utf-8")
    assert ".highlight .nb { color:" in css and ".highlight .s2 { color:" in css  # Pygments' own rules


def test_a_hash_needs_a_space_to_make_a_heading() -> None:
    assert render_markdown("#5 on the list\n") == "<p>#5 on the list</p>"


# -- heading ids ------------------------------------------------------------------------------------------------


def test_headings_get_readable_ids_in_their_own_script() -> None:
    html = render_markdown("## Budget vote: what's next?\n\n## Բյուջե 2025՝ ինչ է սպասվում\n\n## Выборы в Москве\n")
    assert '<h2 id="budget-vote-whats-next">' in html
    assert '<h2 id="բյուջե-2025-ինչ-է-սպասվում">' in html  # Armenian stays Armenian
    assert '<h2 id="выборы-в-москве">' in html


def test_heading_ids_are_unique_on_the_page() -> None:
    html = render_markdown("## Results\n\n## Results\n\n## Newsletter\n\n## Explicit {#results_2}\n")
    ids = re.findall(r'id="([^"]+)"', html)
    assert ids == ["results", "results_1", "newsletter_1", "results_2"]  # "newsletter" is the theme's
    assert len(set(ids)) == len(ids)


def test_theme_ids_are_known_to_the_heading_ids() -> None:
    written = {m for p in THEME.rglob("*.html") for m in re.findall(r'\bid="([^"{]+)"', p.read_text(encoding="utf-8"))}
    assert written <= THEME_IDS, f"add {sorted(written - THEME_IDS)} to headings.THEME_IDS"


def test_heading_id_rules() -> None:
    assert heading_id("Hello, World!") == "hello-world"
    assert heading_id("C++ & Python 3.12") == "c--python-312"  # as GitHub: each space is a hyphen
    assert heading_id("हिन्दी समाचार") == "हिन्दी-समाचार"  # vowel signs (marks) are kept


# -- attribute lists --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("## Budget vote {updated}", '<h2 id="budget-vote-updated">Budget vote {updated}</h2>'),
        ("Corrected.\n{Editor's note: corrected on Monday}", "<p>Corrected.\n{Editor's note: corrected on Monday}</p>"),
        ("## #1 {#1 in the charts}", '<h2 id="1-1-in-the-charts">#1 {#1 in the charts}</h2>'),
        ("## Vote {#vote}", '<h2 id="vote">Vote</h2>'),
        ("## Vote {.lead}", '<h2 class="lead" id="vote">Vote</h2>'),
        ("## Vote {: #v .lead }", '<h2 class="lead" id="v">Vote</h2>'),
        ("Para\n{: .note}", '<p class="note">Para</p>'),
    ],
)
def test_only_unambiguous_braces_are_attributes(markdown: str, html: str) -> None:
    assert render_markdown(markdown) == html


# -- embeds -----------------------------------------------------------------------------------------------------


def test_a_youtube_or_vimeo_url_alone_on_a_line_is_a_private_player() -> None:
    html, problems = body("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m30s\n\nhttps://vimeo.com/76979871\n")
    assert problems == []
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=90"' in html
    assert 'src="https://player.vimeo.com/video/76979871?dnt=1"' in html
    assert html.count('<figure class="embed embed-video') == 2 and 'loading="lazy"' in html


def test_a_video_url_in_a_sentence_or_list_stays_a_link() -> None:
    html, _ = body("Watch https://youtu.be/dQw4w9WgXcQ now.\n\n- https://youtu.be/dQw4w9WgXcQ\n")
    assert "<iframe" not in html and html.count('<a href="https://youtu.be/dQw4w9WgXcQ">') == 2


def test_no_player_from_a_host_the_site_does_not_allow() -> None:
    settings = ParseSettings("UTC", "/{section}/{slug}/", "", embed_hosts=("video.example.org",))
    html, problems = body("https://youtu.be/dQw4w9WgXcQ\n", settings)
    assert "<iframe" not in html and problems == [] and 'href="https://youtu.be/dQw4w9WgXcQ"' in html


SOCIAL = """\
https://x.com/armnews/status/1234567890

https://www.instagram.com/p/C8xYz12AbCd/

https://www.tiktok.com/@armnews/video/7300000000000000000

https://www.facebook.com/armnews/posts/pfbid02abc

https://t.me/armnews/4321
"""


def test_social_posts_are_link_cards_without_scripts() -> None:
    html, problems = body(SOCIAL)
    assert problems == [] and "<script" not in html
    assert html.count('<figure class="embed embed-card') == 5
    for link in ("https://twitter.com/armnews/status/1234567890", "https://www.instagram.com/p/C8xYz12AbCd/",
                 "https://www.tiktok.com/@armnews/video/7300000000000000000", "https://t.me/armnews/4321"):  # fmt: skip
        assert f'<a href="{link}">' in html


def test_a_site_that_opts_in_gets_each_platforms_script_once() -> None:
    settings = ParseSettings("UTC", "/{section}/{slug}/", "", embed_scripts=True)
    html, _ = body(SOCIAL + "\nhttps://x.com/other/status/42\n", settings)
    assert html.count("platform.twitter.com/widgets.js") == 1
    assert html.count("instagram.com/embed.js") == 1 and html.count("tiktok.com/embed.js") == 1
    assert 'data-telegram-post="armnews/4321"' in html and "connect.facebook.net" in html


# -- shortcodes -------------------------------------------------------------------------------------------------


def test_highlight_shortcodes_are_code_never_live_html() -> None:
    for markdown in ("{% highlight html %}\n<script>alert(1)</script>\n{% endhighlight %}\n",
                     "{{< highlight html >}}\n<script>alert(1)</script>\n{{< /highlight >}}\n"):  # fmt: skip
        html, problems = body(markdown)
        assert problems == [] and "<script>" not in html
        assert '<span class="nt">script</span>' in html and "alert" in html


def test_media_and_figure_shortcodes_become_embeds_and_figures() -> None:
    html, problems = body(
        '{{< youtube dQw4w9WgXcQ >}}\n\n{{< tweet user="armnews" id="99" >}}\n\n'
        '{{< figure src="/img/a.jpg" alt="A" caption="The square" >}}\n\n'
        '[caption id="a1" align="alignright" width="300"]<img src="/b.jpg" alt="B"> Night view[/caption]\n'
    )
    assert problems == []
    assert "youtube-nocookie.com/embed/dQw4w9WgXcQ" in html and 'href="https://twitter.com/armnews/status/99"' in html
    assert '<figure><img src="/img/a.jpg" alt="A"><figcaption>The square</figcaption></figure>' in html
    assert '<figure class="wp-caption alignright"><img src="/b.jpg" alt="B"><figcaption>Night view</figcaption>' in html


def test_leftover_shortcodes_are_found_outside_code() -> None:
    text = 'Intro\n{{< gallery >}}\n`{% not this %}`\n```\n{% nor this %}\n```\n[gallery ids="1,2"]\n{% include x %}\n'
    assert list(leftovers(text)) == [(1, "{{<"), (6, "[gallery"), (7, "{%")]


# -- sanitiser --------------------------------------------------------------------------------------------------


def test_responsive_images_and_alignment_survive_sanitising() -> None:
    html = (
        '<picture><source srcset="/a.webp 1x, /a@2x.webp 2x" type="image/webp" media="(min-width: 600px)">'
        '<img src="/a.jpg" srcset="/a.jpg 1x, /a@2x.jpg 2x" sizes="(max-width: 600px) 100vw, 600px" width="600" '
        'height="400" loading="lazy" align="right" alt="A"></picture><p align="center">Centred</p>'
    )
    cleaned, removed = sanitize_html(html, ())
    assert removed == [] and cleaned == html


def test_every_removal_is_named_with_its_line() -> None:
    _, problems = body('Fine.\n\n<p style="color:red">Red</p>\n\n<form action="/x"><button>Go</button></form>\n')
    assert sorted(problems) == [
        "content/news/x.md:7: warning: unsafe HTML removed: style= attribute on <p>",
        "content/news/x.md:9: warning: unsafe HTML removed: <button>",
        "content/news/x.md:9: warning: unsafe HTML removed: <form>",
    ]


def test_a_bodys_plain_text_is_worked_out_once_for_its_excerpt_and_reading_time() -> None:
    from sitegen.content.markup import excerpt, plain_text, reading_minutes

    body = "<p>" + " ".join(f"word{i}" for i in range(300)) + "</p>"
    plain_text.cache_clear()
    assert excerpt(None, "source", body).endswith("word54…")
    assert reading_minutes(body) == 2
    assert plain_text.cache_info().hits == 1 and plain_text.cache_info().misses == 1
