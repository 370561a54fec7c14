"""`sitegen build --watch`, run as a real process on a small site: saves are published to the output folder, only the
files a change touches are rewritten, a broken save publishes nothing, Ctrl-C and SIGTERM exit cleanly, and afterwards
a plain build leaves exactly what a clean build writes.

Nothing here asserts a time: each test polls for the file it expects, with a generous timeout.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import sitegen
from sitegen.paths import MANIFEST_FILE, STAGING_DIR
from sitegen.publish.writer import published_intact
from tests.conftest import BASIC_CONFIG, Run, SiteWriter, article

TIMEOUT = 60.0
NO_SEARCH = BASIC_CONFIG + "\n[search]\nenabled = false\n"
Cli = Callable[..., Run]


class Watching:
    """`python -m sitegen build --watch` in its own process, its output in files (a pipe could fill up)."""

    def __init__(self, root: Path, output: Path, logs: Path, *args: str) -> None:
        self.root, self.output = root, output
        self.out, self.err = logs / "watch.out", logs / "watch.err"
        package_parent = str(Path(sitegen.__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (package_parent, os.environ.get("PYTHONPATH"))
                                                            if p)}  # fmt: skip
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.process = subprocess.Popen([sys.executable, "-m", "sitegen", "build", "--watch", str(root), "-o",
                                             str(output), *args], stdout=out, stderr=err, env=env)  # fmt: skip
        self.wait_for(lambda: "Watching " in self.stdout, "the watch to start")

    @property
    def stdout(self) -> str:
        return self.out.read_text(encoding="utf-8")

    @property
    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8")

    def publishes(self) -> int:
        return self.stdout.count("\nPublished ")

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not condition():
            if self.process.poll() is not None:
                pytest.fail(f"the watch exited ({self.process.returncode}) waiting for {what}:\n{self.logs()}")
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}:\n{self.logs()}")
            time.sleep(0.05)

    def wait_published(self, count: int) -> None:
        self.wait_for(lambda: self.publishes() >= count, f"publish number {count}")

    def page(self, rel: str) -> str:
        path = self.output / rel
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    def stop(self, sig: signal.Signals = signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"the watch did not stop on {sig.name}:\n{self.logs()}")

    def logs(self) -> str:
        return f"--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


@pytest.fixture
def watching(tmp_path: Path) -> Iterator[Callable[..., Watching]]:
    started: list[Watching] = []

    def start(root: Path, *args: str) -> Watching:
        started.append(Watching(root, tmp_path / "public", tmp_path, *args))
        return started[-1]

    yield start
    for watch in started:
        watch.stop()


def newsroom(write_site: SiteWriter, config: str = NO_SEARCH) -> Path:
    """Eight stories in one section: the newest six are in "latest news", and none has tags or authors, so that
    adding an old story changes its own page, the lists and feeds it joins, and nothing else."""
    files = {"sitegen.toml": config}
    for n in range(8):
        files[f"content/news/s{n}.md"] = article(f"Story {n}", f"2025-09-0{n + 1}", f"Words of story {n}.")
    return write_site(files)


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file by (inode, mtime): a rewritten file has a new inode (the writer renames it into place)."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


def contents(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_save_is_published(write_site: SiteWriter, watching: Callable[..., Watching]) -> None:
    root = newsroom(write_site)
    watch = watching(root)
    assert "Built 8 articles" in watch.stdout
    assert "Words of story 3." in watch.page("news/s3/index.html")
    (root / "content/news/s3.md").write_text(article("Story 3", "2025-09-04", "Corrected words."), encoding="utf-8")
    watch.wait_for(lambda: "Corrected words." in watch.page("news/s3/index.html"), "the saved page")
    watch.wait_published(1)
    assert "Published content/news/s3.md in " in watch.stdout
    assert "Words of story 3." not in watch.page("news/s3/index.html")
    assert not (watch.output / STAGING_DIR).exists()
    assert published_intact(watch.output), "the manifest records every file as written"


def test_a_new_story_rewrites_its_page_and_lists_and_nothing_else(
    write_site: SiteWriter, watching: Callable[..., Watching]
) -> None:
    root = newsroom(write_site)
    watch = watching(root)
    before, old = stamps(watch.output), contents(watch.output)
    (root / "content/news/new.md").write_text(article("Breaking story", "2025-09-10", "New words."), encoding="utf-8")
    watch.wait_for(lambda: "New words." in watch.page("news/new/index.html"), "the new article's page")
    watch.wait_published(1)
    after, new = stamps(watch.output), contents(watch.output)
    rewritten = {rel for rel in after if before.get(rel) != after[rel]}
    assert rewritten == {rel for rel in new if old.get(rel) != new[rel]}, "only files whose bytes changed are written"
    assert {"news/new/index.html", "index.html", "news/index.html", "feed.xml"} <= rewritten
    for rel in ("index.html", "news/index.html", "feed.xml"):
        assert "Breaking story" in watch.page(rel)
    articles = {f"news/s{n}/index.html" for n in range(8)}
    assert not rewritten & articles, "no other article page is rewritten (each shows its own edition)"


def test_a_deleted_article_is_removed_with_its_links(write_site: SiteWriter, watching: Callable[..., Watching]) -> None:
    root = newsroom(write_site)
    watch = watching(root)
    assert "Story 2" in watch.page("news/index.html")
    (root / "content/news/s2.md").unlink()
    watch.wait_for(lambda: not (watch.output / "news/s2/index.html").exists(), "the page to go")
    watch.wait_published(1)
    assert "Story 2" not in watch.page("news/index.html") and "Story 2" not in watch.page("feed.xml")
    assert "news/s2/index.html" not in json.loads((watch.output / MANIFEST_FILE).read_text())["files"]


def test_a_broken_save_publishes_nothing_until_it_is_fixed(
    write_site: SiteWriter, watching: Callable[..., Watching]
) -> None:
    root = newsroom(write_site)
    watch = watching(root)
    before = contents(watch.output), stamps(watch.output)
    (root / "content/news/s5.md").write_text('---\ntitle: "Unclosed\ndate: 2025-09-06\n---\nNew words.\n')
    watch.wait_for(lambda: "nothing published" in watch.stderr, "the problem to be reported")
    assert "content/news/s5.md:2: invalid YAML" in watch.stderr
    assert (contents(watch.output), stamps(watch.output)) == before, "no file changed"
    (root / "content/news/s5.md").write_text(article("Story 5", "2025-09-06", "Fixed words."), encoding="utf-8")
    watch.wait_for(lambda: "Fixed words." in watch.page("news/s5/index.html"), "the fixed page")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_it_cleanly(
    write_site: SiteWriter, watching: Callable[..., Watching], sig: signal.Signals
) -> None:
    root = newsroom(write_site)
    watch = watching(root)
    (root / "content/news/s1.md").write_text(article("Story 1", "2025-09-02", "Last words."), encoding="utf-8")
    assert watch.stop(sig) == 0, watch.logs()  # at once: a publish may be under way
    assert "Traceback" not in watch.stderr
    assert not (watch.output / STAGING_DIR).exists()
    assert not list(watch.output.glob(".*.tmp")), "no half-written manifest"
    assert published_intact(watch.output)


def test_a_concurrent_build_is_refused(write_site: SiteWriter, watching: Callable[..., Watching], cli: Cli) -> None:
    root = newsroom(write_site)
    watching(root)
    result = cli("build", root)
    assert result.code == 2
    assert "another sitegen build of this site is running" in result.err


def test_a_second_watch_is_refused(write_site: SiteWriter, watching: Callable[..., Watching], tmp_path: Path) -> None:
    root = newsroom(write_site)
    watching(root)
    other = subprocess.run([sys.executable, "-m", "sitegen", "build", "--watch", str(root), "-o", str(tmp_path / "x")],
                           capture_output=True, text=True, timeout=TIMEOUT, check=False)  # fmt: skip
    assert other.returncode == 2 and "another sitegen build of this site is running" in other.stderr


def test_afterwards_a_build_writes_what_a_clean_build_does(
    write_site: SiteWriter, watching: Callable[..., Watching], cli: Cli, tmp_path: Path
) -> None:
    """Every kind of publish once (a body edit, an article added and one deleted, a template: the whole build), then
    the edit undone while nothing watched: the fingerprints the watch made stale must not keep its version."""
    root = newsroom(write_site, BASIC_CONFIG)  # search on: the index the watch made in the background is checked too
    watch = watching(root)
    original = (root / "content/news/s4.md").read_text(encoding="utf-8")
    (root / "content/news/s4.md").write_text(article("Story 4", "2025-09-05", "Edited words."), encoding="utf-8")
    watch.wait_published(1)
    (root / "content/news/new.md").write_text(article("Breaking", "2025-09-10", "Fresh words."), encoding="utf-8")
    (root / "content/news/s0.md").unlink()
    watch.wait_published(2)
    watch.wait_for(lambda: "Search index updated" in watch.stdout, "the search index")
    (root / "templates/partials").mkdir(parents=True)
    (root / "templates/partials/sponsor.html").write_text("<aside>Our sponsor</aside>\n", encoding="utf-8")
    watch.wait_published(3)
    assert "Our sponsor" in watch.page("news/s1/index.html") and "Fresh words." in watch.page("news/new/index.html")
    assert watch.stop() == 0
    (root / "content/news/s4.md").write_text(original, encoding="utf-8")
    assert cli("build", root, "-o", watch.output).code == 0
    assert cli("build", root, "--clean", "-o", tmp_path / "fresh").code == 0
    mine, clean = contents(watch.output), contents(tmp_path / "fresh")
    assert sorted(mine) == sorted(clean)
    assert [rel for rel in clean if mine[rel] != clean[rel]] == []
    assert "Words of story 4." in watch.page("news/s4/index.html")


def indexed_text(output: Path) -> bytes:
    """Every page's text as the published search index holds it (Pagefind keeps one compressed fragment per page)."""
    return b"".join(gzip.decompress(p.read_bytes()) for p in sorted((output / "pagefind").glob("*/fragment/*")))


def test_the_search_index_catches_up_in_the_background(
    write_site: SiteWriter, watching: Callable[..., Watching]
) -> None:
    root = newsroom(write_site, BASIC_CONFIG)
    watch = watching(root)
    assert b"Zanzibar" not in indexed_text(watch.output)
    (root / "content/news/s6.md").write_text(article("Story 6", "2025-09-07", "Zanzibar words."), encoding="utf-8")
    watch.wait_for(lambda: "Zanzibar" in watch.page("news/s6/index.html"), "the page")
    watch.wait_for(lambda: "Search index updated: 1 shard(s), 8 articles" in watch.stdout, "the search index")
    assert b"Zanzibar" in indexed_text(watch.output)
    assert published_intact(watch.output), "the index is in the manifest"
