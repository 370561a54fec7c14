"""Feed bodies: relative links made absolute. No files needed."""

from __future__ import annotations

from sitegen.render.feeds import absolute_links


def test_absolute_links_only_touches_url_attributes_of_real_tags() -> None:
    page = "https://x.org/a/b/"
    html = (
        '<p><a href="c/">c</a> <img srcset="i.png 1x, /j.png 2x" src=\'k.png\'> <a href="#top">t</a>'
        ' <a href="mailto:m@x.org">m</a> <a href="//cdn.org/z">z</a> href="text/"</p>'
    )
    assert absolute_links(html, page) == (
        '<p><a href="https://x.org/a/b/c/">c</a> <img srcset="https://x.org/a/b/i.png 1x, https://x.org/j.png 2x"'
        ' src="https://x.org/a/b/k.png"> <a href="#top">t</a> <a href="mailto:m@x.org">m</a>'
        ' <a href="//cdn.org/z">z</a> href="text/"</p>'
    )
