"""`sitegen check`: every problem at once, nothing built or written, stable JSON, and never more lenient than build."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from tests.conftest import Run, SiteWriter, article

Cli = Callable[..., Run]

GOOD = {
    "content/news/_index.md": "---\ntitle: News\n---\n",
    "content/news/a.md": article("Alpha", "2025-09-01", "See [beta](/news/b/) and [sports](../../sports/)."),
    "content/news/b.md": article(
        "Beta", "2025-09-02", "Logo: ![logo](/img/logo.png) [home](https://news.example.org/)"
    ),
    "content/sports/c.md": article(
        "Gamma", "2025-09-03", "## Top {#t}\n\n[ext](https://example.com/x) [mail](mailto:a@b.c) [top](#t)"
    ),
    "static/img/logo.png": "png",
}


def tree(top: Path) -> dict[str, bytes | None]:
    found: dict[str, bytes | None] = {}
    for folder, dirs, files in os.walk(top):
        for name in dirs + files:
            path = Path(folder) / name
            found[path.relative_to(top).as_posix()] = path.read_bytes() if path.is_file() else None
    return found


def check_json(cli: Cli, *args: str | Path) -> tuple[int, dict[str, object]]:
    run = cli("check", *args, "--format", "json")
    return run.code, json.loads(run.out)


def messages(report: Mapping[str, object]) -> list[str]:
    problems = report["problems"]
    assert isinstance(problems, list)
    return [f"{p['path']}:{p['line']}: {p['severity']}: {p['message']}" for p in problems]


def test_a_good_site_passes(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(GOOD)
    run = cli("check", root)
    assert run.code == 0, run.out
    assert run.out.strip().splitlines()[-1].startswith("sitegen check: ok: 0 errors, 0 warnings")
    assert cli("check", root, "--strict").code == 0


def test_check_writes_nothing(write_site: SiteWriter, cli: Cli, tmp_path: Path) -> None:
    root = write_site({**GOOD, "content/news/bad.md": "---\ntitle: [\n---\n"})
    before = tree(tmp_path)
    assert cli("check", root).code == 1
    assert cli("check", root, "--format", "json", "--strict").code == 1
    (root / "content/news/bad.md").unlink()
    before = tree(tmp_path)
    assert cli("check", root).code == 0
    assert tree(tmp_path) == before  # no public/, no .sitegen-cache/, no lock, no manifest


def test_every_problem_at_once(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({
        **GOOD,
        "content/news/yaml.md": '---\ntitle: "open\ndate: 2025-09-01\n---\n',
        "content/news/notitle.md": "---\ndate: 2025-09-01\n---\nx",
        "content/news/baddate.md": "---\ntitle: T\ndate: 2024-13-01\n---\nx",
        "content/news/typo.md": article("Typo", "2025-09-01", tgas="[a]"),
        "content/news/A.md": article("Alpha again", "2025-09-04"),
        "content/news/links.md": article("L", "2025-09-01", "One.\n\n[gone](/news/nowhere/) ![x](/img/no.png)"),
        "content/news/img.md": article("Img", "2025-09-01", image="/img/missing.jpg"),
    })  # fmt: skip
    code, report = check_json(cli, root)
    assert code == 1
    found = messages(report)
    expected = [
        "content/news/yaml.md:2: error: invalid YAML",
        "content/news/notitle.md:None: error: missing title",
        "content/news/baddate.md:3: error: date: '2024-13-01' is not an ISO 8601 date",
        "content/news/typo.md:4: warning: unknown front-matter key 'tgas' (did you mean 'tags'?)",
        "is also claimed by content/news/A.md",
        "content/news/links.md:8: error: link to /news/nowhere/: no page or static file has this URL",
        "content/news/links.md:8: error: image to /img/no.png: no page or static file has this URL",
        "content/news/img.md:4: error: image: /img/missing.jpg is not a file in static/",
    ]
    for message in expected:
        assert any(message in m for m in found), (message, found)
    counts = report["counts"]
    assert isinstance(counts, dict) and counts["error"] >= 7 and counts["warning"] == 1


def test_links_to_drafts_and_scheduled_articles_are_warnings(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({
        "content/news/a.md": article("A", "2025-09-01", "[soon](/news/soon/) [draft](/news/d/)"),
        "content/news/soon.md": article("Soon", "2025-12-24T09:00:00"),
        "content/news/d.md": article("D", "2025-09-01", draft="true"),
    })  # fmt: skip
    run = cli("check", root)
    assert run.code == 0, run.out
    assert "content/news/a.md:6: warning: link to /news/soon/: not published yet" in run.out
    assert "content/news/soon.md: info: scheduled: published by the first build after 2025-12-24T09:00+04:00" in run.out
    assert "content/news/d.md: info: draft" in run.out
    assert cli("check", root, "--strict").code == 1
    assert cli("check", root, "--drafts", "--future", "--strict").code == 0


def test_expired_articles_are_noted(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({"content/news/a.md": article("A", "2025-09-01", expires="2025-09-05")})
    run = cli("check", root)
    assert run.code == 0
    assert "content/news/a.md: info: expired at 2025-09-05T00:00+04:00" in run.out


def test_colliding_aliases(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({
        "content/news/a.md": article("A", "2025-09-01", aliases="[/old/a/, /News/B/]"),
        "content/news/b.md": article("B", "2025-09-01", aliases="[/old/A]"),
        "content/news/c.md": article("C", "2025-09-01", aliases="[/news/c/]"),
    })  # fmt: skip
    code, report = check_json(cli, root)
    found = messages(report)
    assert code == 1
    assert "content/news/a.md:None: error: URL /News/B/ is also claimed by content/news/b.md" in found
    assert "content/news/b.md:None: error: URL /old/A/ is also claimed by content/news/a.md" in found
    assert any(m.startswith("content/news/c.md:None: error: URL /news/c/ is also claimed by") for m in found)
    assert cli("build", root).code == 1  # the build's own planner finds them: check and build agree


def test_collisions_that_appear_once_drafts_are_published_are_warnings(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({"content/news/a.md": article("A", "2025-09-01"),
                       "content/news/A.md": article("A2", "2025-09-01", draft="true")})  # fmt: skip
    run = cli("check", root)
    assert run.code == 0
    assert "(once drafts and scheduled articles are published)" in run.out
    assert cli("check", root, "--drafts").code == 1


def test_template_syntax_errors_are_found(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({**GOOD, "templates/article.html": '{% extends "base.html" %}\n{% block content %}{% if %}\n'})
    run = cli("check", root)
    assert run.code == 1
    assert "templates/article.html:2: template syntax error" in run.out


def test_config_errors_are_exit_2_with_json(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({"sitegen.toml": 'titel = "x"\ntimezone = "Mars/Base"\n'})
    code, report = check_json(cli, root)
    assert code == 2
    assert report["exit_code"] == 2 and report["ok"] is False
    found = messages(report)
    assert any("unknown key 'titel' (did you mean 'title'?)" in m for m in found)
    assert any("'timezone' is not an IANA time zone name" in m for m in found)


def test_a_refused_output_folder_is_exit_2(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(GOOD)
    run = cli("check", root, "-o", root / "content")
    assert run.code == 2
    assert "refusing to use this output folder" in run.out


def test_json_is_stable_and_documented(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({**GOOD, "content/news/typo.md": article("T", "2025-09-01", tgas="x", sumary="y")})
    first = cli("check", root, "--format", "json").out
    second = cli("check", root, "--format", "json").out
    assert first == second
    report = json.loads(first)
    assert set(report) == {"format", "version", "site", "exit_code", "ok", "counts", "articles", "pages", "problems"}
    assert (report["format"], report["version"], report["exit_code"], report["ok"]) == ("sitegen-check", 1, 0, True)
    assert report["counts"] == {"error": 0, "warning": 2, "info": 1}
    assert report["site"] == str(root.resolve())
    for problem in report["problems"]:
        assert set(problem) == {"path", "line", "severity", "message"}
    keys = [(p["path"], p["line"] or 0) for p in report["problems"]]
    assert keys == sorted(keys)


NOT_UTF8 = "(written as Latin-1 bytes)"
BROKEN_SITES: dict[str, dict[str, str]] = {
    "yaml": {"content/a.md": "---\ntitle: A: B\n---\n"},
    "python tag": {"content/a.md": "---\ntitle: !!python/object/apply:os.getcwd []\ndate: 2025-09-01\n---\n"},
    "duplicate url": {"content/a.md": article("A", "2025-09-01"), "content/A.md": article("B", "2025-09-01")},
    "empty": {"content/a.md": ""},
    "unclosed": {"content/a.md": "---\ntitle: A\n"},
    "bad date": {"content/a.md": article("A", "31/12/2024")},
    "escaping slug": {"content/a.md": article("A", "2025-09-01", slug="../../x")},
    "script image": {"content/a.md": article("A", "2025-09-01", image="javascript:alert(1)")},
    "bad config": {"sitegen.toml": "page_size = 0\n", "content/a.md": article("A", "2025-09-01")},
    "template": {"content/a.md": article("A", "2025-09-01"), "templates/home.html": "{% for %}"},
    "not utf-8": {"content/a.md": NOT_UTF8},
}


@pytest.mark.parametrize("name", sorted(BROKEN_SITES))
def test_check_fails_whenever_build_fails(name: str, write_site: SiteWriter, cli: Cli, tmp_path: Path) -> None:
    files = BROKEN_SITES[name]
    root = write_site(files)
    for rel, text in files.items():
        if text == NOT_UTF8:
            (root / rel).write_bytes(b"---\ntitle: caf\xe9\n---\n")
    checked = cli("check", root)
    built = cli("build", root, "-o", tmp_path / "out")
    assert built.code != 0, name
    assert checked.code == built.code, (name, checked.out, built.err)


def test_no_such_site_folder(cli: Cli, tmp_path: Path) -> None:
    run = cli("check", tmp_path / "nope")
    assert run.code == 2
    assert "no such site folder" in run.err


def test_the_example_site_passes_strict(cli: Cli) -> None:
    run = cli("check", Path(__file__).resolve().parents[2], "--strict")
    assert run.code == 0, run.out


def test_an_undefined_template_variable_is_found_without_writing(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({**GOOD, "templates/section.html": '{% extends "base.html" %}\n{% block content %}\n{{ nope }}\n'
                       "{% endblock %}\n"})  # fmt: skip
    run = cli("check", root)
    assert run.code == 1
    assert "templates/section.html:3: template error: 'nope' is undefined" in run.out
    assert not (root / "public").exists()


def test_config_images_must_exist(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({**GOOD, "sitegen.toml": 'base_url = "https://news.example.org"\nlogo = "/img/nologo.png"\n'
                       '[sponsor]\nimage = "img/logo.png"\n'})  # fmt: skip
    run = cli("check", root)
    assert run.code == 1
    assert "sitegen.toml: 'logo' /img/nologo.png is not a file in static/" in run.out
    assert "sponsor.image" not in run.out


def test_a_foreign_file_where_a_page_goes_is_reported(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(GOOD)
    (root / "public/news/a").mkdir(parents=True)
    (root / "public/news/a/index.html").write_text("mine", encoding="utf-8")
    run = cli("check", root)
    assert run.code == 2 == cli("build", root).code
    assert "public/news/a/index.html: exists and was not written by sitegen" in run.out
    assert (root / "public/news/a/index.html").read_text(encoding="utf-8") == "mine"
    (root / "public/news/a/index.html").unlink()
    assert cli("build", root).code == 0
    assert cli("check", root).code == 0  # what sitegen wrote itself is fine
