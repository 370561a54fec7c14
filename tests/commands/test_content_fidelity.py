"""Nothing an editor wrote is dropped or published by mistake: bundles, other file names and formats, unused files,
refused publish controls, in-page links, leftover shortcodes, meta descriptions. Through the CLI, as editors run it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Run, SiteWriter, article

Cli = Callable[..., Run]

BUNDLE = {
    "content/news/drills/index.md": article(
        "Drills",
        "2025-09-01",
        "![The square](cover.jpg)\n\n[Map](files/map.pdf) and [read on](#aftermath)\n\n## Aftermath\n\nText.",
        image="cover.jpg",
    ),
    "content/news/drills/cover.jpg": "jpeg bytes",
    "content/news/drills/files/map.pdf": "pdf bytes",
    "content/news/secret/index.md": article("Secret", "2025-09-01", "![x](x.jpg)", draft="true"),
    "content/news/secret/x.jpg": "secret jpeg",
}


def test_a_page_bundle_is_published_with_its_files(write_site: SiteWriter, cli: Cli, tmp_path: Path) -> None:
    root = write_site(BUNDLE)
    out = tmp_path / "out"
    run = cli("build", root, "-o", out)
    assert run.code == 0, run.err
    page = (out / "news" / "drills" / "index.html").read_text(encoding="utf-8")
    assert '<img alt="The square" src="cover.jpg">' in page or 'src="cover.jpg"' in page
    assert (out / "news" / "drills" / "cover.jpg").read_text() == "jpeg bytes"
    assert (out / "news" / "drills" / "files" / "map.pdf").read_text() == "pdf bytes"
    assert 'property="og:image" content="https://news.example.org/news/drills/cover.jpg"' in page
    assert not (out / "news" / "secret").exists()  # a draft's files are not published either
    assert "not used" not in run.err
    check = cli("check", root, "-o", out)
    assert check.code == 0, check.out


def test_a_changed_bundle_file_is_published_again(write_site: SiteWriter, cli: Cli, tmp_path: Path) -> None:
    root = write_site(BUNDLE)
    out = tmp_path / "out"
    assert cli("build", root, "-o", out).code == 0
    (root / "content" / "news" / "drills" / "cover.jpg").write_text("new jpeg")
    assert cli("build", root, "-o", out).code == 0
    assert (out / "news" / "drills" / "cover.jpg").read_text() == "new jpeg"


def test_files_sitegen_does_not_use_are_named(write_site: SiteWriter, cli: Cli, tmp_path: Path) -> None:
    root = write_site({
        "content/news/a.md": article("A", "2025-09-01"),
        "content/news/notes.txt": "editor's notes",
        "content/news/photo.jpg": "not in a bundle",
    })  # fmt: skip
    run = cli("build", root, "-o", tmp_path / "out")
    assert run.code == 0
    assert "content/news/notes.txt: warning: not used" in run.err
    assert "content/news/photo.jpg: warning: not used" in run.err


def test_markdown_files_named_as_jekyll_names_them(write_site: SiteWriter, cli: Cli, tmp_path: Path) -> None:
    root = write_site({"content/blog/2014-08-08-welcome-to-jekyll.markdown": "---\ntitle: Welcome\n---\nHello.\n"})
    out = tmp_path / "out"
    assert cli("build", root, "-o", out).code == 0
    assert "Hello." in (out / "blog" / "welcome-to-jekyll" / "index.html").read_text(encoding="utf-8")


def test_a_publish_control_sitegen_cannot_honour_stops_the_build(
    write_site: SiteWriter, cli: Cli, tmp_path: Path
) -> None:
    root = write_site({
        "content/news/a.md": article("A", "2025-09-01", hidden="true"),
        "content/news/b.md": article("B", "2025-09-01", published="false"),
    })  # fmt: skip
    out = tmp_path / "out"
    run = cli("build", root, "-o", out)
    assert run.code == 1 and "content/news/a.md:4: hidden: true" in run.err
    assert not out.exists()
    (root / "content" / "news" / "a.md").write_text(article("A", "2025-09-01"), encoding="utf-8")
    assert cli("build", root, "-o", out).code == 0
    assert not (out / "news" / "b").exists()  # published: false is a draft


def test_check_reports_links_to_missing_fragments(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({
        "content/news/a.md": article("A", "2025-09-01", "## Բյուջե 2025\n\n[ok](#բյուջե-2025) [bad](#budget) "
                                     "[other ok](/news/b/#results) [other bad](/news/b/#nothing) [theme](#main)"),
        "content/news/b.md": article("B", "2025-09-01", "## Results\n\nText [^1] [back](#fnref:1)\n\n[^1]: Note."),
    })  # fmt: skip
    run = cli("check", root, "--format", "json")
    report = json.loads(run.out)
    messages = [(p["path"], p["line"], p["message"]) for p in report["problems"] if p["severity"] == "warning"]
    assert messages == [
        ("content/news/a.md", 8, 'link to #budget: this page has no heading or element with id "budget"'),
        ("content/news/a.md", 8, 'link to /news/b/#nothing: that page has no heading or element with id "nothing"'),
    ]
    assert report["counts"]["error"] == 0


def test_check_warns_about_leftover_shortcodes_with_their_line(write_site: SiteWriter, cli: Cli) -> None:
    body = 'Intro\n\n{{< gallery dir="x" >}}\n\n`{% inline code is fine %}`\n\n[gallery ids="1,2"]\n'
    root = write_site({"content/news/a.md": "---\ntitle: A\ndate: 2025-09-01\n---\n" + body})
    run = cli("check", root)
    assert "content/news/a.md:7: warning: '{{<' is shortcode or template syntax" in run.out
    assert "content/news/a.md:11: warning: '[gallery' is shortcode or template syntax" in run.out
    assert "inline code" not in run.out


def test_description_is_the_meta_description(write_site: SiteWriter, cli: Cli, tmp_path: Path) -> None:
    root = write_site(
        {"content/news/a.md": article("A", "2025-09-01", "The body's words.", description="'For search.'")}
    )
    out = tmp_path / "out"
    assert cli("build", root, "-o", out).code == 0
    page = (out / "news" / "a" / "index.html").read_text(encoding="utf-8")
    assert '<meta name="description" content="For search.">' in page
    assert "The body&#39;s words." in page or "The body's words." in page
