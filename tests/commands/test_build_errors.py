"""Bad input: every problem reported at once as `path:line: message`, the right exit code, nothing published."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run, SiteWriter, article

GOOD = {"content/news/good.md": article("Good", "2025-09-10")}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_all_content_errors_at_once(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root = write_site({
        **GOOD,
        "content/news/a.md": "---\ntitle: \"unclosed\ndate: 2025-09-10\n---\n",
        "content/news/b.md": "---\ndate: 2025-09-10\n---\nNo title.\n",
        "content/news/c.md": "---\ntitle: C\ndate: 2024-13-01\n---\n",
        "content/news/d.md": "---\ntitle: D\ndate: 31/12/2024\n---\n",
        "content/news/e.md": "---\ntitle: E\n---\n",
        "content/news/f.md": "---\ntitle: !!python/object/apply:os.system [echo pwned]\ndate: 2025-09-10\n---\n",
    })  # fmt: skip
    result = cli("build", root)
    assert result.code == 1
    assert "content/news/a.md:2: invalid YAML" in result.err
    assert "content/news/b.md: missing title" in result.err
    assert "content/news/c.md:3: date:" in result.err
    assert "content/news/d.md:3: date:" in result.err
    assert "content/news/e.md: missing date" in result.err
    assert "content/news/f.md:2: invalid YAML" in result.err and "python/object" in result.err
    assert not (root / "public").exists()


def test_failed_build_leaves_published_site_as_it_was(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root = write_site(GOOD)
    assert cli("build", root).code == 0
    before = snapshot(root / "public")
    (root / "content/news/good.md").write_text(article("Changed", "2025-09-10"), encoding="utf-8")
    (root / "content/news/bad.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    assert cli("build", root).code == 1
    assert snapshot(root / "public") == before


def test_template_error_names_template_and_line(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    template = "{% extends 'base.html' %}\n{% block content %}\n{{ nope.x }}\n{% endblock %}\n"
    root = write_site(
        {**GOOD, "templates/page.html": template, "content/about.md": "---\ntitle: About\ntype: page\n---\n"}
    )
    result = cli("build", root)
    assert result.code == 1
    assert "templates/page.html:3: template error:" in result.err and "nope" in result.err


def test_template_syntax_error(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root = write_site({**GOOD, "templates/partials/nav.html": "<nav>\n{% for x in %}\n</nav>\n"})
    result = cli("build", root)
    assert result.code == 1
    assert "templates/partials/nav.html:2: template syntax error" in result.err


def test_duplicate_urls_name_both_files(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root = write_site({
        "content/news/2024/story.md": article("One", "2024-09-10"),
        "content/news/2025/story.md": article("Two", "2025-09-10"),
    })  # fmt: skip
    result = cli("build", root)
    assert result.code == 1
    assert "content/news/2025/story.md" in result.err and "content/news/2024/story.md" in result.err


@pytest.mark.parametrize("slug", ["../../x", "/etc/passwd", ".."])
def test_escaping_slug_is_an_error(write_site: SiteWriter, cli: Callable[..., Run], slug: str) -> None:
    root = write_site({"content/x.md": article("X", "2025-09-10", slug=f'"{slug}"')})
    result = cli("build", root)
    assert result.code == 1
    assert "content/x.md:4: slug:" in result.err
    assert not (root.parent / "x").exists()


def test_unknown_config_key(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root = write_site({**GOOD, "sitegen.toml": 'title = "T"\ntimezon = "UTC"\n[popular]\ncont = 3\n'})
    result = cli("build", root)
    assert result.code == 2
    assert "sitegen.toml:2: unknown key 'timezon' (did you mean 'timezone'?)" in result.err
    assert "sitegen.toml:4: unknown key 'popular.cont' (did you mean 'popular.count'?)" in result.err


def test_bad_config_values(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root = write_site({**GOOD, "sitegen.toml": 'title = 3\ntimezone = "Mars/Base"\nbase_url = "ftp://x"\n'})
    result = cli("build", root)
    assert result.code == 2
    assert "sitegen.toml:1: 'title' must be a string" in result.err
    assert "'timezone' is not an IANA time zone" in result.err
    assert "'base_url' must start with http" in result.err


def test_invalid_toml_has_a_line(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root = write_site({**GOOD, "sitegen.toml": 'title = "T"\nbroken = \n'})
    result = cli("build", root)
    assert result.code == 2
    assert "sitegen.toml:2: invalid TOML" in result.err


def test_usage_errors(cli: Callable[..., Run], tmp_path: Path) -> None:
    assert cli("build", tmp_path / "missing").code == 2
    empty = cli("build", tmp_path)
    assert empty.code == 2 and "not a site folder" in empty.err
    assert not (tmp_path / "public").exists()
    with pytest.raises(SystemExit) as exc:
        cli("build", "--no-such-flag")
    assert exc.value.code == 2


def test_version(cli: Callable[..., Run]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli("--version")
    assert exc.value.code == 0
