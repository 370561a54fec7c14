"""`sitegen new` and `sitegen init`: editors start articles and sites without reading code, and nothing is ever
overwritten."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen.content.article import parse_article
from sitegen.content.settings import ParseSettings
from tests.conftest import Run, SiteWriter, article

Cli = Callable[..., Run]
SETTINGS = ParseSettings("Asia/Yerevan", "/{section}/{slug}/", "")

SECTIONS = {
    "content/news/_index.md": "---\ntitle: News\n---\n",
    "content/news/armenia/2025/a.md": article("A", "2025-09-01"),
    "content/sports/2024/b.md": article("B", "2024-09-01"),
    "content/opinion/_index.md": "---\ntitle: Opinion\n---\n",
    "content/about.md": "---\ntitle: About\ntype: page\n---\n",
}


def test_new_creates_a_draft_with_its_front_matter(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SECTIONS)
    run = cli("new", "Defense: shorter service? no", "--section", "news/armenia", "--author", "Ani Petrosyan",
              "--author", "Aram", "--tag", "Defense", "--tag", "2026", "--site", root)  # fmt: skip
    assert run.code == 0, run.err
    path = Path(run.out.strip())
    assert path == root / "content/news/armenia/2025/defense-shorter-service-no.md"
    found, problems = parse_article("content/news/armenia/2025/x.md", path.read_bytes(), SETTINGS)
    assert problems == []
    assert found is not None
    assert found.title == "Defense: shorter service? no"
    assert found.date is not None and found.date.isoformat() == "2025-09-11T10:00:00+04:00"  # now, in the site's zone
    assert [a.name for a in found.authors] == ["Ani Petrosyan", "Aram"]
    assert [t.name for t in found.tags] == ["Defense", "2026"]
    assert found.draft is True and not found.summary and found.body_html == ""
    assert 'summary: ""' in path.read_text(encoding="utf-8")


def test_an_armenian_title_gets_a_readable_slug(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SECTIONS)
    run = cli("new", "Փաշինյանը Երևանում", "--section", "news", "--site", root)
    assert run.code == 0, run.err
    assert run.out.strip().endswith("content/news/2025/pashinyany-yerevanum.md")
    text = Path(run.out.strip()).read_text(encoding="utf-8")
    assert 'title: "Փաշինյանը Երևանում"' in text


def test_slug_option_wins(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SECTIONS)
    run = cli("new", "Երևան", "--section", "news", "--slug", "My Own Slug", "--site", root)
    assert run.out.strip().endswith("content/news/2025/my-own-slug.md")
    bad = cli("new", "Title", "--section", "news", "--slug", "!!!", "--site", root)
    assert bad.code == 2 and "--slug '!!!' has no letters or digits" in bad.err
    nothing = cli("new", "???", "--section", "news", "--site", root)
    assert nothing.code == 2 and "give one with --slug" in nothing.err


def test_long_titles_make_shorter_slugs(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SECTIONS)
    run = cli("new", " ".join(["word"] * 40), "--section", "news", "--site", root)
    slug = Path(run.out.strip()).stem
    assert len(slug) <= 80 and not slug.endswith("-") and slug.startswith("word-word")


def test_new_refuses_to_overwrite(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SECTIONS)
    first = cli("new", "Same", "--section", "news", "--site", root)
    path = Path(first.out.strip())
    path.write_text("edited by hand", encoding="utf-8")
    again = cli("new", "Same", "--section", "news", "--site", root)
    assert again.code == 2
    assert "already uses the slug 'same'" in again.err or "already exists" in again.err
    assert path.read_text(encoding="utf-8") == "edited by hand"


def test_new_refuses_a_second_article_with_the_same_url(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SECTIONS)
    run = cli("new", "B", "--section", "sports", "--site", root)  # content/sports/2024/b.md has /sports/b/
    assert run.code == 2
    assert "content/sports/2024/b.md already uses the slug 'b' in section 'sports'" in run.err
    assert not (root / "content/sports/2025").exists()


def test_unknown_sections_are_listed(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SECTIONS)
    run = cli("new", "T", "--section", "sprots", "--site", root)
    assert run.code == 2
    assert "unknown section 'sprots' (did you mean 'sports'?)" in run.err
    assert "known sections: news, news/armenia, opinion, sports" in run.err
    assert "--create-section" in run.err
    assert not (root / "content/sprots").exists()


def test_section_names_match_ignoring_case_and_slashes(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SECTIONS)
    run = cli("new", "T", "--section", "/News/Armenia/", "--site", root)
    assert run.code == 0
    assert run.out.strip().endswith("content/news/armenia/2025/t.md")


def test_create_section(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SECTIONS)
    run = cli("new", "Goal", "--section", "sports/world-cup", "--create-section", "--site", root)
    assert run.code == 0, run.err
    assert (root / "content/sports/world-cup/2025/goal.md").is_file()
    assert (root / "content/sports/world-cup/_index.md").read_text(encoding="utf-8") == '---\ntitle: "World Cup"\n---\n'
    assert cli("build", root, "--drafts").code == 0
    assert (root / "public/sports/world-cup/goal/index.html").is_file()


@pytest.mark.parametrize("section", ["../escape", "news/../../x", "2025", "News Room", ".hidden", "a//b", ""])
def test_create_section_refuses_bad_names(section: str, write_site: SiteWriter, cli: Cli, tmp_path: Path) -> None:
    root = write_site(SECTIONS)
    run = cli("new", "T", "--section", section, "--create-section", "--site", root)
    assert run.code == 2
    assert not (tmp_path / "escape").exists() and not (root / "content/x").exists()


def test_default_author_comes_from_the_config(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({**SECTIONS, "sitegen.toml": 'default_author = "Newsroom"\n'})
    run = cli("new", "T", "--section", "news", "--site", root)
    assert 'authors: ["Newsroom"]' in Path(run.out.strip()).read_text(encoding="utf-8")


def test_a_new_article_is_a_draft_until_published(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SECTIONS)
    path = Path(cli("new", "Hidden for now", "--section", "news", "--site", root).out.strip())
    assert cli("build", root).code == 0
    assert not (root / "public/news/hidden-for-now").exists()
    path.write_text(path.read_text(encoding="utf-8").replace("draft: true", "draft: false"), encoding="utf-8")
    assert cli("build", root).code == 0
    page = (root / "public/news/hidden-for-now/index.html").read_text(encoding="utf-8")
    assert "Write the article here" not in page  # the placeholder is an HTML comment, never shown


def test_new_outside_a_site(cli: Cli, tmp_path: Path) -> None:
    run = cli("new", "T", "--section", "news", "--site", tmp_path / "nope")
    assert run.code == 2 and "no such site folder" in run.err


# ----------------------------------------------------------------------------------------------------------- init


def test_init_makes_a_site_that_builds_at_once(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "mysite"
    run = cli("init", folder, "--title", "Armenian News", "--timezone", "Asia/Yerevan", "--language", "hy",
              "--base-url", "https://news.example.org")  # fmt: skip
    assert run.code == 0, run.err
    assert "sitegen new" in run.out
    for rel in ("sitegen.toml", "content/news/_index.md", "content/news/2025/welcome.md", ".gitignore"):
        assert (folder / rel).is_file(), rel
    assert (folder / "templates").is_dir() and (folder / "static").is_dir()
    assert (folder / ".gitignore").read_text(encoding="utf-8").splitlines()[-2:] == ["public/", ".sitegen-cache/"]
    assert cli("check", folder, "--strict").code == 0
    built = cli("build", folder)
    assert built.code == 0, built.err
    home = (folder / "public/index.html").read_text(encoding="utf-8")
    assert "Welcome to Armenian News" in home and 'lang="hy"' in home
    assert not (folder / "public/.gitkeep").exists()


def test_init_without_base_url_builds_and_says_what_to_set(cli: Cli, tmp_path: Path) -> None:
    run = cli("init", tmp_path / "s")
    assert "base_url" in run.out
    checked = cli("check", tmp_path / "s")
    assert checked.code == 0
    assert "sitegen.toml: warning: no base_url" in checked.out
    assert cli("build", tmp_path / "s").code == 0


def test_init_config_is_commented_and_valid(cli: Cli, tmp_path: Path) -> None:
    assert cli("init", tmp_path / "s", "--base-url", "https://news.example.org").code == 0
    text = (tmp_path / "s/sitegen.toml").read_text(encoding="utf-8")
    assert text.count("#") > 20
    assert 'base_url = "https://news.example.org"' in text
    for commented in ("# raw_html", "# embed_hosts", "# [popular]", "# [newsletter]", "# [sponsor]", "# permalink"):
        assert commented in text


def test_init_then_new_then_build(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "s"
    assert cli("init", folder).code == 0
    assert cli("new", "First story", "--section", "news", "--site", folder).code == 0
    assert cli("build", folder, "--drafts").code == 0
    assert (folder / "public/news/first-story/index.html").is_file()


def test_init_refuses_an_existing_site(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SECTIONS)
    before = (root / "sitegen.toml").read_text(encoding="utf-8")
    run = cli("init", root)
    assert run.code == 2
    assert "refusing to overwrite a site" in run.err
    assert (root / "sitegen.toml").read_text(encoding="utf-8") == before
    assert not (root / "content/news/2025/welcome.md").exists()


def test_init_in_a_fresh_repository_keeps_its_files(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "repo"
    (folder / ".git").mkdir(parents=True)
    (folder / "README.md").write_text("mine", encoding="utf-8")
    (folder / ".gitignore").write_text("*.pyc", encoding="utf-8")
    assert cli("init", folder).code == 0
    assert (folder / "README.md").read_text(encoding="utf-8") == "mine"
    assert (folder / ".gitignore").read_text(encoding="utf-8").startswith("*.pyc\n")
    assert "public/" in (folder / ".gitignore").read_text(encoding="utf-8")


@pytest.mark.parametrize(("option", "value"), [("--timezone", "Mars/Olympus"), ("--base-url", "javascript:alert(1)")])
def test_init_refuses_bad_options_before_writing(option: str, value: str, cli: Cli, tmp_path: Path) -> None:
    run = cli("init", tmp_path / "s", option, value)
    assert run.code == 2
    assert option in run.err
    assert not (tmp_path / "s").exists()


def test_init_refuses_a_file(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x", encoding="utf-8")
    run = cli("init", tmp_path / "f")
    assert run.code == 2


def test_several_tags_after_one_flag(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SECTIONS)
    run = cli("new", "T", "--section", "news", "--tag", "Politics", "Yerevan", "--tag", "Iran", "--site", root)
    assert 'tags: ["Politics", "Yerevan", "Iran"]' in Path(run.out.strip()).read_text(encoding="utf-8")
