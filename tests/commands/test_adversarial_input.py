"""Adversarial input through `sitegen build`: a malformed or hostile site is refused with a clear `path:line:
message` and the right exit code, never a traceback, never a silently wrong page, and nothing outside the site is read
or written. The parser's side of these cases is in tests/unit/content/test_adversarial_input.py; cases from
../shared/guide/reliability.md and issue #6."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run, SiteWriter, article

Cli = Callable[..., Run]


# --------------------------------------------------------------------------------------------------------- YAML


def test_python_tag_in_a_build_is_exit_1_and_names_the_file(write_site: SiteWriter, cli: Cli, tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    root = write_site({"content/news/x.md": f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\n---\n"})
    run = cli("build", root)
    assert run.code == 1
    assert "content/news/x.md:2: invalid YAML" in run.err
    assert "Traceback" not in run.err
    assert not marker.exists()
    assert not (root / "public").exists()


def test_title_no_on_the_page_is_no(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({"content/news/a.md": "---\ntitle: no\ndate: 2025-09-01\n---\nBody\n"})
    assert cli("build", root).code == 0
    page = (root / "public/news/a/index.html").read_text(encoding="utf-8")
    assert "<title>no" in page
    assert "False" not in page


# ------------------------------------------------------------------------------------------------------ encodings


def test_non_utf8_in_a_build_names_the_file(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({"content/news/ok.md": article("Ok", "2025-09-01")})
    (root / "content/news/bad.md").write_bytes(b"---\ntitle: caf\xe9\ndate: 2025-09-01\n---\n")
    run = cli("build", root)
    assert run.code == 1
    assert "content/news/bad.md:2: not UTF-8 text" in run.err


def test_empty_file_in_a_build_is_exit_1_without_traceback(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({"content/news/empty.md": "", "content/news/open.md": "---\ntitle: T\n"})
    run = cli("build", root)
    assert run.code == 1
    assert "content/news/empty.md: the file is empty" in run.err
    assert "content/news/open.md:1: the front-matter opened on line 1 is never closed" in run.err
    assert "Traceback" not in run.err


# --------------------------------------------------------------------------------------------------- URL fields


@pytest.mark.parametrize(
    "setting",
    ['[sponsor]\nurl = "javascript:alert(1)"', '[sponsor]\nimage = "data:image/svg+xml,<svg onload=alert(1)>"',
     '[newsletter]\naction = "vbscript:x"', 'base_url = "javascript:alert(1)"', 'logo = "javascript:alert(1)"'],
)  # fmt: skip
def test_script_urls_in_config_are_refused(setting: str, write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({"sitegen.toml": 'title = "T"\n' + setting + "\n", "content/a.md": article("A", "2025-09-01")})
    run = cli("build", root)
    assert run.code == 2
    assert "sitegen.toml" in run.err
    assert not (root / "public").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("slug", "../../x"), ("slug", "a/b"), ("slug", ".."), ("aliases", "[/../../etc/x]"), ("aliases", "[../x]"),
     ("aliases", "[https://evil.example/]"), ("section", "../../etc"), ("aliases", "['/a\\\\b']")],
)  # fmt: skip
def test_paths_that_leave_the_output_are_refused(field: str, value: str, write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({"content/news/a.md": f"---\ntitle: T\ndate: 2025-09-01\n{field}: {value}\n---\n"})
    run = cli("build", root, "-o", root / "out" / "public")
    assert run.code == 1
    assert f"content/news/a.md:4: {field}:" in run.err
    assert not (root / "out").exists()


def test_a_permalink_that_leaves_the_output_is_refused(write_site: SiteWriter, cli: Cli, tmp_path: Path) -> None:
    root = write_site({"sitegen.toml": 'permalink = "/../../{slug}/"\n', "content/a.md": article("A", "2025-09-01")})
    run = cli("build", root, "-o", tmp_path / "deep/er/public")
    assert run.code != 0
    assert not (tmp_path / "a").exists() and not (tmp_path / "deep/a").exists()


def test_script_in_a_title_is_escaped(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({"content/news/a.md": article("<script>alert(1)</script> & co", "2025-09-01")})
    assert cli("build", root).code == 0
    for page in ("public/news/a/index.html", "public/index.html", "public/news/index.html"):
        text = (root / page).read_text(encoding="utf-8")
        assert "<script>alert(1)" not in text, page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, page


# --------------------------------------------------------------------------------------------------- raw HTML


def test_embed_hosts_and_raw_html_come_from_the_config(write_site: SiteWriter, cli: Cli) -> None:
    body = '<iframe src="https://video.example.org/e/1"></iframe>\n\n<iframe src="https://www.youtube.com/embed/x"></iframe>'
    root = write_site({
        "sitegen.toml": 'embed_hosts = ["video.example.org"]\n',
        "content/news/a.md": article("A", "2025-09-01", body),
    })  # fmt: skip
    run = cli("build", root)
    assert run.code == 0
    page = (root / "public/news/a/index.html").read_text(encoding="utf-8")
    assert "https://video.example.org/e/1" in page and "youtube" not in page
    assert "content/news/a.md:6: warning: unsafe HTML removed" in run.err

    (root / "sitegen.toml").write_text('raw_html = "allow"\n', encoding="utf-8")
    assert cli("build", root).code == 0
    assert "youtube" in (root / "public/news/a/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", ['raw_html = "trust"', "raw_html = true", 'embed_hosts = "youtube.com"',
                                     'embed_hosts = ["https://youtube.com/"]', "embed_hosts = [1]"])  # fmt: skip
def test_bad_raw_html_settings_are_config_errors(setting: str, write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({"sitegen.toml": setting + "\n"})
    run = cli("build", root)
    assert run.code == 2
    assert "sitegen.toml" in run.err


# ----------------------------------------------------------------------------------------------------- symlinks


def test_symlinks_out_of_the_site_are_not_followed(write_site: SiteWriter, cli: Cli, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.md").write_text(article("Secret", "2025-09-01"), encoding="utf-8")
    (outside / "folder/also.md").write_text(article("Also secret", "2025-09-01"), encoding="utf-8")
    (outside / "passwd").write_text("root:x:0:0", encoding="utf-8")
    root = write_site({"content/news/ok.md": article("Ok", "2025-09-01"), "static/img/x.txt": "x"})
    (root / "content/news/secret.md").symlink_to(outside / "secret.md")
    (root / "content/linked").symlink_to(outside / "folder")
    (root / "static/passwd").symlink_to(outside / "passwd")
    (root / "content/news/inside.md").symlink_to(root / "content/news/ok.md")  # inside the site: fine
    run = cli("build", root)
    assert run.code == 0, run.err
    assert "content/news/secret.md: warning: symlink to" in run.err
    assert "static/passwd: warning: symlink to" in run.err
    assert not (root / "public/news/secret").exists()
    assert not (root / "public/passwd").exists()
    assert not (root / "public/linked").exists()
    assert "Secret" not in (root / "public/index.html").read_text(encoding="utf-8")
    assert (root / "public/news/inside/index.html").exists()


# --------------------------------------------------------------------------------------------------- collisions


def test_case_insensitive_names_collide(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(
        {"content/news/Foo.md": article("A", "2025-09-01"), "content/news/foo.md": article("B", "2025-09-02")}
    )
    run = cli("build", root)
    assert run.code == 1
    assert "content/news/Foo.md" in run.err and "content/news/foo.md" in run.err
    assert "also claimed by" in run.err
    assert not (root / "public").exists()


def test_unicode_normalisation_forms_collide(write_site: SiteWriter, cli: Cli) -> None:
    nfc, nfd = unicodedata.normalize("NFC", "café"), unicodedata.normalize("NFD", "café")
    assert nfc != nfd
    root = write_site({f"content/news/{nfc}.md": article("A", "2025-09-01"),
                       f"content/news/{nfd}.md": article("B", "2025-09-02")})  # fmt: skip
    if len(list((root / "content/news").iterdir())) != 2:
        pytest.fail("this file system merges NFC and NFD names; the collision can't be set up here")
    run = cli("build", root)
    assert run.code == 1
    assert "also claimed by" in run.err


def test_slug_in_front_matter_collides_with_a_file_name(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({"content/news/a.md": article("A", "2025-09-01"),
                       "content/news/b.md": article("B", "2025-09-01", slug="A")})  # fmt: skip
    run = cli("build", root)
    assert run.code == 1
    assert "URL /news/a/ is also claimed by" in run.err


def test_a_page_cannot_take_a_section_url(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(
        {"content/news/a.md": article("A", "2025-09-01"), "content/news.md": "---\ntitle: N\ntype: page\n---\n"}
    )
    run = cli("build", root)
    assert run.code == 1
    assert "content/news.md" in run.err


def test_special_files_in_content_are_skipped(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({"content/news/ok.md": article("Ok", "2025-09-01")})
    os.mkfifo(root / "content/news/pipe.md")  # reading it would block the build for ever
    (root / "content/news/gone.md").symlink_to(root / "content/news/missing.md")
    run = cli("build", root)
    assert run.code == 0
    assert "content/news/gone.md: warning: symlink to a missing file: skipped" in run.err


def test_a_loop_of_symlinks_is_a_warning_not_a_crash(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({"content/news/ok.md": article("Ok", "2025-09-01")})
    (root / "content/news/a.md").symlink_to(root / "content/news/b.md")
    (root / "content/news/b.md").symlink_to(root / "content/news/a.md")
    run = cli("build", root)
    assert run.code == 0, run.err
    assert "content/news/a.md: warning: symlink loop: skipped" in run.err
    assert (root / "public/news/ok/index.html").exists()


def test_os_errors_are_a_message_not_a_traceback(write_site: SiteWriter, cli: Cli, tmp_path: Path) -> None:
    root = write_site({"content/news/ok.md": article("Ok", "2025-09-01")})
    (tmp_path / "blocker").write_text("a file", encoding="utf-8")
    run = cli("build", root, "-o", tmp_path / "blocker/public")  # a file where a folder must be created
    assert run.code == 2
    assert "Traceback" not in run.err and "blocker" in run.err


def test_a_content_folder_linked_outside_the_site_is_not_followed(
    write_site: SiteWriter, cli: Cli, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "news").mkdir(parents=True)
    (elsewhere / "news/a.md").write_text(article("Outside", "2025-09-01"), encoding="utf-8")
    root = write_site({})
    (root / "content").symlink_to(elsewhere)
    (root / "static").symlink_to(elsewhere)
    run = cli("build", root)
    assert run.code == 0
    assert "content: warning: symlink to" in run.err and "static: warning: symlink to" in run.err
    assert not (root / "public/news/a").exists() and not (root / "public/news/a.md").exists()


def test_sanitised_bodies_reach_every_output(write_site: SiteWriter, cli: Cli) -> None:
    body = 'Text <img src="/x.png" onerror="alert(1)"> <script>alert(2)</script> [x](javascript:alert(3))'
    root = write_site({"content/news/a.md": article("A", "2025-09-01", body)})
    assert cli("build", root).code == 0
    for rel in ("news/a/index.html", "index.html", "feed.xml", "atom.xml", "news/feed.xml"):
        text = (root / "public" / rel).read_text(encoding="utf-8")
        assert "alert(" not in text and "onerror" not in text, rel
