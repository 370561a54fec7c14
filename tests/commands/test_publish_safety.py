"""The published site is never damaged and nothing sitegen did not write is touched: dangerous output folders, files
that are not ours, builds that fail or are killed halfway, and two builds of one site at once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen.paths import MANIFEST_FILE, STAGING_DIR, temp_name
from sitegen.publish.lock import site_lock
from tests.conftest import BUILD_EPOCH, Run, SiteWriter, article

Cli = Callable[..., Run]
REPO = Path(__file__).resolve().parents[2]

SITE = {
    "content/news/a.md": article("Alpha", "2025-09-01", "First story."),
    "content/news/b.md": article("Beta", "2025-09-02", "Second story."),
    "content/sports/c.md": article("Gamma", "2025-09-03", "Third story."),
}


def snapshot(top: Path) -> dict[str, str | bytes]:
    """Every file, folder and link under `top`, with contents: to prove that nothing changed."""
    found: dict[str, str | bytes] = {}
    for folder, dirs, files in os.walk(top):
        for name in dirs + files:
            path = Path(folder) / name
            rel = path.relative_to(top).as_posix()
            if path.is_symlink():
                found[rel] = f"link to {path.readlink()}"
            elif path.is_dir():
                found[rel] = "folder"
            else:
                found[rel] = path.read_bytes()
    return found


# ------------------------------------------------------------------------------------------------ output folders


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        (".", "it is the site folder itself"),
        ("..", "it contains the site folder"),
        ("../..", "it contains the site folder"),
        ("content", "inside the site's content/ folder"),
        ("content/news", "inside the site's content/ folder"),
        ("content/out", "inside the site's content/ folder"),  # not there yet
        ("templates", "inside the site's templates/ folder"),
        ("static", "inside the site's static/ folder"),
        ("data", "inside the site's data/ folder"),
        (".sitegen-cache", "inside the site's .sitegen-cache/ folder"),
        (".git", "inside the site's .git/ folder"),
        ("../repo", "it contains a .git folder"),
        ("../notes.txt", "it exists and is not a folder"),
        ("../othersite", "it contains sitegen.toml"),
        ("../othercontent", "it contains content"),
        ("../linked-root", "it is the site folder itself"),
    ],
)
def test_dangerous_output_folders_are_refused_before_anything_is_touched(
    output: str, reason: str, write_site: SiteWriter, cli: Cli, tmp_path: Path
) -> None:
    root = write_site({**SITE, "templates/.keep": "", "static/s.css": "x", "data/d.csv": "path,views\n"})
    (root / ".git").mkdir()
    (root / ".git/HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (tmp_path / "repo/.git").mkdir(parents=True)
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "othersite").mkdir()
    (tmp_path / "othersite/sitegen.toml").write_text("", encoding="utf-8")
    (tmp_path / "othercontent/content").mkdir(parents=True)
    (tmp_path / "linked-root").symlink_to(root)
    before = snapshot(tmp_path)
    run = cli("build", root, "-o", root / output)
    assert run.code == 2
    assert "refusing to use this output folder" in run.err and reason in run.err
    assert snapshot(tmp_path) == before


def test_a_git_worktree_file_counts_as_a_repository(write_site: SiteWriter, cli: Cli, tmp_path: Path) -> None:
    root = write_site(SITE)
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy/.git").write_text("gitdir: /somewhere/else\n", encoding="utf-8")
    before = snapshot(tmp_path / "deploy")
    assert cli("build", root, "-o", tmp_path / "deploy").code == 2
    assert snapshot(tmp_path / "deploy") == before


# ------------------------------------------------------------------------------------------ files we did not write


def test_foreign_files_in_the_output_survive_every_build(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SITE)
    out = root / "public"
    (out / "keep").mkdir(parents=True)
    (out / "CNAME").write_text("news.example.org\n", encoding="utf-8")
    (out / "keep/report.pdf").write_bytes(b"%PDF")
    assert cli("build", root).code == 0
    (root / "content/news/b.md").unlink()  # a deleted article: its page goes, foreign files stay
    assert cli("build", root).code == 0
    assert (out / "CNAME").read_text(encoding="utf-8") == "news.example.org\n"
    assert (out / "keep/report.pdf").read_bytes() == b"%PDF"
    assert not (out / "news/b").exists()
    assert (out / "news/a/index.html").exists()
    manifest = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert "CNAME" not in manifest["files"] and "news/b/index.html" not in manifest["files"]


def test_a_foreign_file_where_a_page_goes_is_refused(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SITE)
    out = root / "public"
    (out / "news/a").mkdir(parents=True)
    (out / "news/a/index.html").write_text("my own page", encoding="utf-8")
    before = snapshot(out)
    run = cli("build", root)
    assert run.code == 2
    assert "news/a/index.html: exists and was not written by sitegen: refusing to overwrite it" in run.err
    assert snapshot(out) == before  # nothing published, no manifest, no staging left


def test_an_identical_foreign_file_is_adopted(write_site: SiteWriter, cli: Cli, tmp_path: Path) -> None:
    root = write_site(SITE)
    assert cli("build", root, "-o", tmp_path / "first").code == 0
    out = root / "public"
    out.mkdir()
    (out / "index.html").write_bytes((tmp_path / "first/index.html").read_bytes())
    assert cli("build", root).code == 0


def test_a_file_where_a_folder_is_needed_is_refused(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SITE)
    out = root / "public"
    out.mkdir()
    (out / "news").write_text("a file called news", encoding="utf-8")
    before = snapshot(out)
    run = cli("build", root)
    assert run.code == 2
    assert "is a file or a symlink where sitegen needs a folder" in run.err
    assert snapshot(out) == before


def test_nothing_is_written_through_a_symlink_in_the_output(write_site: SiteWriter, cli: Cli, tmp_path: Path) -> None:
    root = write_site(SITE)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = root / "public"
    out.mkdir()
    (out / "sports").symlink_to(elsewhere)
    (out / STAGING_DIR).symlink_to(elsewhere)  # even our own staging name
    run = cli("build", root)
    assert run.code == 2
    assert list(elsewhere.iterdir()) == []


def test_a_tampered_manifest_cannot_delete_outside_the_output(write_site: SiteWriter, cli: Cli, tmp_path: Path) -> None:
    root = write_site(SITE)
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me", encoding="utf-8")
    assert cli("build", root).code == 0
    manifest_path = root / "public" / MANIFEST_FILE
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["files"]["../../precious.txt"] = ["x", 7]
    manifest["files"]["/etc/hostname"] = ["x", 7]
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert cli("build", root).code == 0
    assert precious.read_text(encoding="utf-8") == "keep me"


# ------------------------------------------------------------------------------------------- interrupted builds


FAILING_TEMPLATE = """\
{% extends "base.html" %}
{% block content %}{% if article.title == "Broken" %}{{ article.no_such_field }}{% endif %}
{{ article.title }}{% endblock %}
"""


def test_a_build_failing_halfway_leaves_the_published_site_as_it_was(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({**SITE, "templates/article.html": FAILING_TEMPLATE})
    assert cli("build", root).code == 0
    before = snapshot(root / "public")
    (root / "content/news/a.md").write_text(article("Alpha, edited", "2025-09-01"), encoding="utf-8")
    (root / "content/news/b.md").unlink()
    (root / "content/news/z.md").write_text(article("Broken", "2025-09-05"), encoding="utf-8")
    run = cli("build", root)
    assert run.code == 1
    assert "templates/article.html:2: template error" in run.err
    assert snapshot(root / "public") == before


KILLER = """\
import os, signal, sys
import sitegen.paths
import sitegen.publish.writer

WHERE, AFTER = sys.argv[1], int(sys.argv[2])
calls = 0

def count() -> None:
    global calls
    calls += 1
    if calls > AFTER:
        os.kill(os.getpid(), signal.SIGKILL)

if WHERE == "render":
    put = sitegen.publish.writer.Publisher.put
    def put_then_die(self, rel, data):
        count()
        put(self, rel, data)
    sitegen.publish.writer.Publisher.put = put_then_die
else:
    replace = os.replace
    def replace_then_die(source, target, **kwargs):
        if sitegen.paths.STAGING_DIR in str(source):
            count()
        return replace(source, target, **kwargs)
    os.replace = replace_then_die

from sitegen.cli import main
sys.exit(main(["build", sys.argv[3], "-q"]))
"""


def _kill_build(root: Path, where: str, after: int) -> int:
    env = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": str(BUILD_EPOCH)}
    done = subprocess.run(
        [sys.executable, "-c", KILLER, where, str(after), str(root)], env=env, capture_output=True, check=False
    )
    return done.returncode


def _edit_everything(root: Path) -> None:
    for rel in SITE:
        (root / rel).write_text(article(f"Edited {rel}", "2025-09-04", "New text of the same length?"), "utf-8")
    (root / "content/news/new.md").write_text(article("Brand new", "2025-09-05"), "utf-8")


def test_sigkill_while_rendering_leaves_the_published_site_as_it_was(
    write_site: SiteWriter, cli: Cli, tmp_path: Path
) -> None:
    root = write_site(SITE)
    assert cli("build", root).code == 0
    before = snapshot(root / "public")
    _edit_everything(root)
    # Past the static files (unchanged, so never staged: the theme's CSS and JS, plain and fingerprinted).
    assert _kill_build(root, "render", 8) == -signal.SIGKILL
    assert (root / "public" / STAGING_DIR).exists()  # the kill left its temp files...
    after = snapshot(root / "public")
    assert {k: v for k, v in after.items() if not k.startswith(STAGING_DIR)} == before
    assert cli("build", root).code == 0  # ...and the next build cleans them up and publishes
    assert not (root / "public" / STAGING_DIR).exists()
    assert cli("build", root, "-o", tmp_path / "clean").code == 0
    assert _without_manifest(snapshot(root / "public")) == _without_manifest(snapshot(tmp_path / "clean"))


def test_sigkill_while_publishing_is_repaired_by_the_next_build(
    write_site: SiteWriter, cli: Cli, tmp_path: Path
) -> None:
    root = write_site(SITE)
    assert cli("build", root).code == 0
    _edit_everything(root)
    assert _kill_build(root, "commit", 3) == -signal.SIGKILL
    assert cli("build", root).code == 0
    assert not (root / "public" / STAGING_DIR).exists()
    assert cli("build", root, "-o", tmp_path / "clean").code == 0
    assert _without_manifest(snapshot(root / "public")) == _without_manifest(snapshot(tmp_path / "clean"))


def test_a_manifest_write_cut_short_is_cleaned_up(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SITE)
    assert cli("build", root).code == 0
    leftover = root / "public" / temp_name(MANIFEST_FILE, 12345)
    leftover.write_text("{", encoding="utf-8")
    assert cli("build", root).code == 0
    assert not leftover.exists()


def _without_manifest(files: dict[str, str | bytes]) -> dict[str, str | bytes]:
    # The search index is left out too: Pagefind (1.5) names and orders its index chunks differently on every run,
    # so two builds of the same pages never give the same pagefind/ files (test_search.py covers the index).
    return {k: v for k, v in files.items() if k != MANIFEST_FILE and not k.startswith("pagefind")}


# ----------------------------------------------------------------------------------------------------- the lock


def test_a_second_build_of_the_same_site_stops_with_a_clear_message(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SITE)
    with site_lock(root):
        run = cli("build", root)
    assert run.code == 2
    assert "another sitegen build of this site is running" in run.err
    assert f"(process {os.getpid()})" in run.err
    assert not (root / "public").exists()
    assert cli("build", root).code == 0  # the lock is released afterwards


HOLDER = """\
import sys
from pathlib import Path
from sitegen.publish.lock import site_lock
with site_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    sys.stdin.readline()
"""


def test_a_build_in_another_process_holds_the_lock(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SITE)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-c", HOLDER, str(root)]
    with subprocess.Popen(command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as holder:
        assert holder.stdin is not None and holder.stdout is not None
        try:
            assert holder.stdout.readline().strip() == "locked"
            run = cli("build", root)
            assert run.code == 2
            assert f"another sitegen build of this site is running (process {holder.pid})" in run.err
        finally:
            holder.stdin.write("\n")
            holder.stdin.flush()
    assert cli("build", root).code == 0


def test_a_killed_build_leaves_no_stale_lock(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SITE)
    assert _kill_build(root, "render", 1) == -signal.SIGKILL
    assert cli("build", root).code == 0


def test_a_failed_build_releases_the_lock(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site({**SITE, "content/news/bad.md": "---\ntitle: [\n---\n"})
    assert cli("build", root).code == 1
    (root / "content/news/bad.md").unlink()
    assert cli("build", root).code == 0


def test_the_lock_lives_in_the_cache_folder(write_site: SiteWriter, cli: Cli) -> None:
    root = write_site(SITE)
    assert cli("build", root).code == 0
    assert (root / ".sitegen-cache/build.lock").is_file()
