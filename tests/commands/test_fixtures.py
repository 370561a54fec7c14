"""Real content from other generators (tests/fixtures: Hugo's basic example, Jekyll's own posts) built and checked
as an editor who moved it to sitegen would: nothing lost, nothing published by mistake, no false errors."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Run

Cli = Callable[..., Run]
FIXTURES = Path(__file__).parents[1] / "fixtures"


def copied(name: str, tmp_path: Path) -> Path:
    site = tmp_path / name
    shutil.copytree(FIXTURES / name, site, ignore=shutil.ignore_patterns("README.md", "LICENSE"))
    return site


def problems(cli: Cli, site: Path, severity: str) -> list[tuple[str, int | None, str]]:
    report = json.loads(cli("check", site, "--format", "json").out)
    return [(p["path"], p["line"], p["message"]) for p in report["problems"] if p["severity"] == severity]


def test_hugos_basic_example_checks_clean_and_builds_whole(cli: Cli, tmp_path: Path) -> None:
    site = copied("hugo-basic-example", tmp_path)
    assert problems(cli, site, "error") == []
    out = tmp_path / "out"
    assert cli("build", site, "-o", out).code == 0
    post = out / "post"
    assert sorted(p.name for p in post.iterdir() if (p / "index.html").exists()) == [
        "bundle-example", "emoji-support", "markdown-syntax", "math-typesetting", "placeholder-text", "rich-content",
    ]  # fmt: skip
    assert (post / "bundle-example" / "cover.png").read_bytes().startswith(b"\x89PNG")
    assert not (out / "homepage").exists()  # headless: never a page
    section = (post / "index.html").read_text(encoding="utf-8")
    assert "Posts" in section and "+++" not in section  # the TOML _index.md is read, not shown
    rich = (post / "rich-content" / "index.html").read_text(encoding="utf-8")
    assert "youtube-nocookie.com/embed/ZJthWmvUzzc" in rich and "player.vimeo.com/video/48912912?dnt=1" in rich
    assert 'href="https://twitter.com/designreviewed/status/1085870671291310081"' in rich and "{{&lt;" not in rich
    syntax = (post / "markdown-syntax" / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="headings">' in syntax and 'content="Sample article showcasing basic Markdown syntax' in syntax
    for alias in ("about-us", "about-hugo", "contact", "migrate-from-jekyl"):
        assert (out / alias / "index.html").exists()
    for tag in ("themes", "syntax", "markdown"):  # categories are tags too
        assert (out / "tags" / tag / "index.html").exists()


def test_hugos_shortcodes_sitegen_does_not_know_are_warnings_with_lines(cli: Cli, tmp_path: Path) -> None:
    warned = problems(cli, copied("hugo-basic-example", tmp_path), "warning")
    leftovers = {(path, line) for path, line, message in warned if "shortcode or template syntax" in message}
    assert ("content/post/math-typesetting.md", 29) in leftovers and ("content/post/emoji-support.md", 32) in leftovers
    assert (
        "content/homepage/about.md",
        None,
    ) in {(p, ln) for p, ln, m in warned if m.startswith("not used")}


def test_jekylls_posts_build_with_their_names_dates_and_code(cli: Cli, tmp_path: Path) -> None:
    site = copied("jekyll-posts", tmp_path)
    errors = problems(cli, site, "error")
    assert errors and all(message.startswith("link to /docs/") for _, _, message in errors), errors
    out = tmp_path / "out"
    assert cli("build", site, "-o", out).code == 0
    names = sorted(p.name for p in (out / "blog").iterdir() if (p / "index.html").exists())
    assert names == [
        "alfredxing-welcome-to-jekyll-core", "jekyll-1-0-0-released", "jekyll-1-5-1-released",
        "jekyll-3-0-0-beta1-released", "jekyll-3-0-4-released", "jekyll-3-7-2-released",
    ]  # fmt: skip
    page = (out / "blog" / "jekyll-1-5-1-released" / "index.html").read_text(encoding="utf-8")
    assert page.count('<div class="language-ruby highlight">') == 2 and "{% highlight" not in page
    assert 'datetime="2014-03-27T22:43:48-04:00"' in page
    raw = (out / "blog" / "jekyll-3-7-2-released" / "index.html").read_text(encoding="utf-8")
    assert "<code>{% post_url %}</code>" in raw and "{% raw %}" not in raw
    assert (out / "tags" / "release" / "index.html").exists()
