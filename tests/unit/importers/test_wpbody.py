"""WordPress bodies made sitegen bodies: paragraphs, shortcodes, blocks, and a note for whatever is left."""

from __future__ import annotations

from sitegen.importers.wpbody import Attachment, BodyContext, autop, convert_body

PHOTO = Attachment("7", "https://old.example/wp-content/uploads/2020/01/a.jpg", "3", "A", "A harbour", "At dawn", 0, "")
OTHER = Attachment("8", "https://old.example/wp-content/uploads/2020/01/b.jpg", "3", "B", "", "", 1, "")


def context(media: dict[str, str] | None = None) -> BodyContext:
    rewrites = media or {}
    return BodyContext("3", {"7": PHOTO, "8": OTHER}, {"3": ("7", "8")}, lambda url: rewrites.get(url, url))


def test_paragraphs_and_line_breaks_as_wordpress_adds_them() -> None:
    made = autop("First line\nsecond line\n\nNext paragraph\n<ul>\n<li>item</li>\n</ul>\n<pre>a\n\nb</pre>")
    assert "<p>First line<br>\nsecond line</p>" in made
    assert "<p>Next paragraph</p>" in made
    assert "<li>\nitem\n</li>" in made and "<p>item" not in made, "no paragraph inside a list item"
    assert "<pre>a\n\nb</pre>" in made, "preformatted text keeps its blank lines"


def test_captions_galleries_and_embeds_become_html_and_urls() -> None:
    body, done = convert_body(
        '[caption id="x" align="alignleft" width="300" caption="Dawn &amp; dusk"]<img src="a.jpg" alt="">[/caption]'
        '\n\n[gallery]\n\n[gallery ids="8"]\n\n[embed]https://www.youtube.com/watch?v=dQw4w9WgXcQ[/embed]',
        context(),
    )
    assert '<figure class="wp-caption alignleft"><img src="a.jpg" alt=""><figcaption>Dawn &amp; dusk' in body
    assert body.count('class="gallery-item"') == 3 and 'alt="A harbour"' in body and "At dawn" in body
    assert "\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n" in body
    assert done.counts == {"caption": 1, "gallery": 2, "embed": 1}


def test_blocks_are_dropped_their_markup_kept_and_dynamic_ones_noted() -> None:
    body, done = convert_body(
        "<!-- wp:paragraph -->\n<p>Hello</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:latest-posts /-->\n\n"
        '<!-- wp:embed {"url":"https://vimeo.com/22439234","type":"video"} -->\n<figure class="wp-block-embed">'
        '<div class="wp-block-embed__wrapper">https://vimeo.com/22439234</div></figure>\n<!-- /wp:embed -->',
        context(),
    )
    assert "<!-- wp:" not in body and "<p>Hello</p>" in body and "\nhttps://vimeo.com/22439234\n" in body
    assert any("wp:latest-posts" in message for _, message in done.notes)


def test_more_is_kept_nextpage_dropped_and_unknown_shortcodes_noted_with_their_line() -> None:
    body, done = convert_body(
        'Lead\n\n<!--more-->\n\nRest\n\n<!--nextpage-->\n\nPage 2\n\n[contact-form to="a"]', context()
    )
    assert "<!--more-->" in body and "<!--nextpage-->" not in body
    assert '[contact-form to="a"]' in body, "kept visible"
    lines = {message.split(" ")[0]: line for line, message in done.notes}
    written = body.split("\n")
    assert lines["[contact-form]"] == written.index('<p>[contact-form to="a"]</p>') + 1, (lines, written)
    assert lines["<!--nextpage-->"] == written.index("<p>Page 2</p>") + 1, (lines, written)


def test_escaped_shortcodes_are_text() -> None:
    body, done = convert_body("Write [[gallery]] to show a gallery.", context())
    assert "Write [gallery] to show" in body and not done.counts


def test_old_media_urls_go_through_the_map_srcset_too() -> None:
    old = "https://old.example/wp-content/uploads/2020/01/a.jpg"
    body, _ = convert_body(f'<img src="{old}" srcset="{old} 300w, {old} 600w">', context({old: "/m/a.jpg"}))
    assert old not in body and body.count("/m/a.jpg") == 3
