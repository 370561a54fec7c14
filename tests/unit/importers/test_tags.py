"""Hugo shortcodes and Liquid tags that name other pages or the configuration, settled by an import."""

from __future__ import annotations

from sitegen.importers.tags import convert_tags

PAGES = {"post/first": "/post/first/", "2014-01-02-hello": "/blog/hello/", "about": "/about/"}


def resolve(name: str) -> str | None:
    return PAGES.get(name.removesuffix(".md").strip("/").removeprefix("_posts/"))


def test_references_become_the_new_urls() -> None:
    done = convert_tags(
        '[a]({{< ref "post/first.md" >}}) [b]({{% relref "/post/first" %}}) [c]({% post_url 2014-01-02-hello %}) '
        "[d]({% link about.md %}) [e]({{ 'about' | relative_url }}) [f]({{ '/about' | absolute_url }})",
        resolve, {}, "https://news.example.org",
    )  # fmt: skip
    assert done.text == (
        "[a](/post/first/) [b](/post/first/) [c](/blog/hello/) [d](/about/) [e](/about/) "
        "[f](https://news.example.org/about/)"
    )
    assert not done.notes


def test_comments_go_gists_are_links_settings_are_values() -> None:
    done = convert_tags(
        "{% comment %}\nsecret\n{% endcomment %}{{/* hugo note */}}\n{% gist mdo/13f94b734a4ddb132735 %}\n"
        '{{< gist spf13 7896402 >}}\nBy {{ site.author.name }}, {{< param "tagline" >}}.',
        resolve, {"author": {"name": "Mark"}, "params": {"tagline": "Fast"}},
    )  # fmt: skip
    assert "secret" not in done.text and "hugo note" not in done.text
    assert "https://gist.github.com/mdo/13f94b734a4ddb132735" in done.text
    assert "https://gist.github.com/spf13/7896402" in done.text
    assert "By Mark, Fast." in done.text


def test_what_is_unknown_is_kept_and_noted_with_its_line_but_the_renderers_own_are_left_to_it() -> None:
    done = convert_tags(
        "Intro\n{% include note.html %}\n{{< highlight go >}}\nx := 1\n{{< /highlight >}}\n[x]({% post_url gone %})",
        resolve, {},
    )  # fmt: skip
    assert "{% include note.html %}" in done.text and "{% post_url gone %}" in done.text
    assert sorted(line for line, _ in done.notes) == [2, 6]
