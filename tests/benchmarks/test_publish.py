"""benchmarks/publish.py's count of files written and removed, against real builds of a small site, and its edits."""

from __future__ import annotations

import csv
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

import frontmatter

from tests.conftest import BASIC_CONFIG, Run, SiteWriter, article

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import publish

Cli = Callable[..., Run]
SITE = {
    "sitegen.toml": BASIC_CONFIG + publish.SEARCH_OFF,
    "content/news/2025/alpha.md": article("Alpha", "2025-09-01", "First story."),
    "content/news/2025/beta.md": article("Beta", "2025-09-02", "Second story."),
    "content/sports/2025/gamma.md": article("Gamma", "2025-09-03", "Third story."),
}
ALPHA_PAGE = "news/alpha/index.html"


def build(cli: Cli, root: Path) -> None:
    result = cli("build", root, "-q")
    assert result.code == 0, result.err


def rebuild(cli: Cli, root: Path) -> publish.Diff:
    output = root / "public"
    before = publish.take_snapshot(output)
    build(cli, root)
    return publish.diff(before, publish.take_snapshot(output), output)


def replace(path: Path, data: bytes) -> None:
    """Put new bytes at `path` the way a publisher does: a new file renamed over the old one (a new inode)."""
    tmp = path.with_name(path.name + ".new")
    tmp.write_bytes(data)
    tmp.replace(path)


def test_a_cold_build_writes_every_file_and_a_no_op_build_none(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SITE)
    cold = rebuild(cli, root)
    on_disk = sorted(p.relative_to(root / "public").as_posix() for p in (root / "public").rglob("*") if p.is_file())
    assert cold.written == [rel for rel in on_disk if not rel.startswith(".")]
    assert ALPHA_PAGE in cold.written
    noop = rebuild(cli, root)
    assert noop == publish.Diff([], [], [], [], [])


def test_an_edit_counts_the_pages_it_changed_and_no_other(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SITE)
    build(cli, root)
    alpha = root / "content/news/2025/alpha.md"
    alpha.write_text(alpha.read_text(encoding="utf-8") + "One more sentence.\n", encoding="utf-8")
    edit = rebuild(cli, root)
    assert ALPHA_PAGE in edit.written
    assert "news/beta/index.html" not in edit.written
    assert "sports/gamma/index.html" not in edit.written
    assert (edit.removed, edit.same_bytes, edit.untracked, edit.mismatched) == ([], [], [], [])


def test_identical_bytes_are_not_written_but_new_bytes_are(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SITE)
    build(cli, root)
    output = root / "public"
    before = publish.take_snapshot(output)
    same, other = output / ALPHA_PAGE, output / "sports/gamma/index.html"
    replace(same, same.read_bytes())  # what a writer that does not skip unchanged files would do
    replace(other, other.read_bytes() + b"\n")  # changed behind the manifest's back: it is still a write
    found = publish.diff(before, publish.take_snapshot(output), output)
    assert found.written == ["sports/gamma/index.html"]
    assert found.same_bytes == [ALPHA_PAGE]
    assert found.mismatched == ["sports/gamma/index.html"]  # the manifest's size no longer matches the disk


def test_a_deleted_article_is_removed_not_written(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SITE)
    build(cli, root)
    (root / "content/news/2025/alpha.md").unlink()
    found = rebuild(cli, root)
    assert ALPHA_PAGE in found.removed
    assert ALPHA_PAGE not in found.written
    assert set(found.removed).isdisjoint(found.written)


def test_files_outside_the_manifest_are_reported(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SITE)
    build(cli, root)
    output = root / "public"
    before = publish.take_snapshot(output)
    (output / "stray.html").write_text("not sitegen's", encoding="utf-8")
    found = publish.diff(before, publish.take_snapshot(output), output)
    assert found.untracked == ["stray.html"]
    assert found.written == ["stray.html"]  # a deploy would upload it


def test_lists_of_paths_are_capped() -> None:
    paths = [f"page/{n:02}/index.html" for n in range(45)]
    lines = list(publish.path_list("written", paths))
    assert lines[0] == "- written:"
    assert len(lines) == 1 + publish.SHOWN_PATHS + 1
    assert lines[-1] == "  - … and 5 more"
    assert list(publish.path_list("removed", [])) == []


def test_limits_check_time_files_and_which_files() -> None:
    def built(seconds: float, written: list[str]) -> publish.Build:
        return publish.Build(seconds, 1024, publish.Diff(written, [], [], [], []))

    newday = publish.Limit(3, only=publish.NEWS)
    assert newday.met(built(2.9, ["news-sitemap.xml"]))
    assert not newday.met(built(2.9, ["news-sitemap.xml", "index.html"]))
    assert not newday.met(built(3.1, []))
    assert publish.Limit(2, 3).met(built(1.0, ["a", "b", "c"]))
    assert not publish.Limit(2, 3).met(built(1.0, ["a", "b", "c", "d"]))


def test_title_edit_keeps_the_slug_and_front_matter_valid(tmp_path: Path) -> None:
    path = tmp_path / "content/news/2016/old-story-1.md"
    path.parent.mkdir(parents=True)
    path.write_text(article("Old Story", "2016-01-01T08:00:00+04:00", "Body."), encoding="utf-8")
    publish.change_title(tmp_path / "content", "old-story-1")
    post = frontmatter.load(str(path))
    assert post["title"] == "Old Story (Corrected)"
    assert post.content == "Body."


def test_pageviews_refresh_keeps_the_paths_and_turns_the_ranking_over(tmp_path: Path) -> None:
    path = tmp_path / "pageviews.csv"
    rows = [("/news/a/", "900"), ("/news/b/", "50"), ("/news/c/", "7")]
    path.write_text("path,views\n" + "".join(f"{p},{v}\n" for p, v in rows), encoding="utf-8")
    publish.turn_over_pageviews(path)
    with path.open(newline="", encoding="utf-8") as f:
        after = [(row["path"], row["views"]) for row in csv.DictReader(f)]
    assert after == [("/news/a/", "7"), ("/news/b/", "50"), ("/news/c/", "900")]


def test_the_build_time_is_after_the_newest_and_the_added_article() -> None:
    newest = "2025-12-29T23:59:00+04:00"
    base = publish.base_build_time(newest)
    added = base - publish.ADDED_BEFORE_BUILD
    assert base.isoformat() == "2025-12-30T12:00:00+04:00"
    assert dt.datetime.fromisoformat(newest) < added < base
