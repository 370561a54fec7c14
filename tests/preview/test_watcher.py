"""The watcher: editors' save sequences, bursts, and what is never watched.

Each test runs the real watchdog observer and the real build loop; it waits for builds to happen and then for the
debounce window to pass, and counts builds (no timing is asserted).
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest

import sitegen
from sitegen.preview.live_site import LiveSite
from sitegen.preview.search_build import SearchIndex
from sitegen.preview.update_loop import PreviewState, Updater, run_update_loop
from sitegen.preview.watcher import ObserverLike, Watcher, is_scratch_name, is_source
from tests.conftest import SiteWriter, article

SETTLE = 1.5  # longer than the longest debounce (1 s) plus the quiet window


@dataclass
class Loop:
    root: Path
    output: Path
    watcher: Watcher
    updater: Updater

    def wait_builds(self, count: int) -> int:
        """Wait until at least `count` builds have run, then until no more come; return the final count."""
        deadline = time.monotonic() + 20
        while self.updater.updates < count and time.monotonic() < deadline:
            time.sleep(0.02)
        while True:  # no more builds queued or running
            before = self.updater.updates
            time.sleep(SETTLE)
            if self.updater.updates == before and self.updater.state.outcome.serial == before:
                return before

    def page(self, rel: str) -> str:
        site = self.updater.state.outcome.site
        assert site is not None
        data = site.find(rel)
        assert data is not None, f"{rel} is not served"
        return data.decode("utf-8")

    def serves(self, rel: str) -> bool:
        site = self.updater.state.outcome.site
        return site is not None and site.has(rel)


@pytest.fixture
def loop(write_site: SiteWriter, tmp_path: Path) -> Iterator[Loop]:
    root = write_site(
        {
            "content/news/x.md": article("Ex", "2025-09-01", "Old words."),
            "content/news/y.md": article("Why", "2025-09-02", "Other words."),
        }
    )
    output = tmp_path / "out"
    watcher = Watcher(root)
    updater = Updater(LiveSite(root), PreviewState())
    index = SearchIndex(root, output, drafts=True, future=False)
    watcher.start()
    thread = threading.Thread(target=run_update_loop, args=(watcher, updater, index), daemon=True)
    thread.start()
    state = Loop(root, output, watcher, updater)
    assert state.wait_builds(1) == 1
    yield state
    watcher.close()
    thread.join(timeout=30)
    index.close()
    assert not thread.is_alive()


def test_plain_save_rebuilds_once(loop: Loop) -> None:
    (loop.root / "content/news/x.md").write_text(article("Ex", "2025-09-01", "New words."), encoding="utf-8")
    assert loop.wait_builds(2) == 2
    assert "New words." in loop.page("news/x/index.html")


def test_vim_save(loop: Loop) -> None:
    news = loop.root / "content/news"
    (news / ".x.md.swp").write_bytes(b"b0VIM 9.0")  # the swap file, written while editing
    probe = news / "4913"  # vim checks it may create files in the folder
    probe.write_bytes(b"")
    probe.unlink()
    (news / "x.md").rename(news / "x.md~")  # the backup
    (news / "x.md").write_text(article("Ex", "2025-09-01", "Vim words."), encoding="utf-8")
    (news / "x.md~").unlink()
    (news / ".x.md.swp").unlink()
    assert loop.wait_builds(2) == 2
    assert "Vim words." in loop.page("news/x/index.html")


def test_jetbrains_safe_write(loop: Loop) -> None:
    news = loop.root / "content/news"
    (news / "x.md___jb_tmp___").write_text(article("Ex", "2025-09-01", "JetBrains words."), encoding="utf-8")
    (news / "x.md").rename(news / "x.md___jb_old___")
    (news / "x.md___jb_tmp___").rename(news / "x.md")
    (news / "x.md___jb_old___").unlink()
    assert loop.wait_builds(2) == 2
    assert "JetBrains words." in loop.page("news/x/index.html")


def test_gedit_save(loop: Loop) -> None:
    news = loop.root / "content/news"
    (news / ".goutputstream-T1ZQC3").write_text(article("Ex", "2025-09-01", "Gedit words."), encoding="utf-8")
    (news / ".goutputstream-T1ZQC3").rename(news / "x.md")
    assert loop.wait_builds(2) == 2
    assert "Gedit words." in loop.page("news/x/index.html")


def test_emacs_save(loop: Loop) -> None:
    news = loop.root / "content/news"
    (news / ".#x.md").symlink_to("editor@host.4242:1757570400")  # emacs' lock: a dangling symlink
    (news / "#x.md#").write_text("autosaved draft", encoding="utf-8")
    (news / "x.md").write_text(article("Ex", "2025-09-01", "Emacs words."), encoding="utf-8")
    (news / "#x.md#").unlink()
    (news / ".#x.md").unlink()
    assert loop.wait_builds(2) == 2
    assert "Emacs words." in loop.page("news/x/index.html")


def test_scratch_files_alone_rebuild_nothing(loop: Loop) -> None:
    news = loop.root / "content/news"
    (news / ".#x.md").symlink_to("editor@host.4242:1757570400")
    (news / "#x.md#").write_text("autosave", encoding="utf-8")
    (news / "x.md~").write_text("backup", encoding="utf-8")
    (news / "4913").write_bytes(b"")
    (news / ".x.md.swp").write_bytes(b"swap")
    (news / "x.md___jb_tmp___").write_text("tmp", encoding="utf-8")
    assert loop.wait_builds(1) == 1


def test_output_and_cache_folders_are_not_watched(loop: Loop) -> None:
    for rel in ("public/news/index.html", ".sitegen-cache/state.json", ".git/index", "notes.txt"):
        path = loop.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    assert loop.wait_builds(1) == 1


def test_delete_and_move(loop: Loop) -> None:
    news = loop.root / "content/news"
    (news / "x.md").rename(news / "zed.md")
    assert loop.wait_builds(2) == 2
    assert loop.serves("news/zed/index.html")
    assert not loop.serves("news/x/index.html")
    (news / "zed.md").unlink()
    assert loop.wait_builds(3) == 3
    assert not loop.serves("news/zed/index.html")


def test_config_change_and_folder_created_later(loop: Loop) -> None:
    config = loop.root / "sitegen.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("Test News", "Renamed News"), encoding="utf-8")
    assert loop.wait_builds(2) == 2
    assert "Renamed News" in loop.page("index.html")
    (loop.root / "static/css").mkdir(parents=True)  # static/ did not exist when watching started
    assert loop.wait_builds(3) == 3
    (loop.root / "static/css/extra.css").write_text("p { color: red }", encoding="utf-8")
    assert loop.wait_builds(4) == 4
    assert loop.page("css/extra.css") == "p { color: red }"


def test_burst_of_500_files_gives_one_or_two_builds(loop: Loop) -> None:
    burst = loop.root / "content/burst"
    burst.mkdir()
    for n in range(500):
        (burst / f"a{n}.md").write_text(article(f"Burst {n}", "2025-09-03", f"Burst body {n}."), encoding="utf-8")
    assert loop.wait_builds(2) in (2, 3)
    assert all(loop.serves(f"burst/a{n}/index.html") for n in range(500))
    assert "Burst body 499." in loop.page("burst/a499/index.html")


def test_exception_in_handler_keeps_watching(loop: Loop, monkeypatch: pytest.MonkeyPatch) -> None:
    real = loop.watcher.record
    failures: list[tuple[str, ...]] = []
    healthy = threading.Event()

    def flaky(*rels: str) -> None:
        if not healthy.is_set():
            failures.append(rels)
            raise RuntimeError("boom")
        real(*rels)

    monkeypatch.setattr(loop.watcher, "record", flaky)
    news = loop.root / "content/news"
    (news / "y.md").write_text(article("Why", "2025-09-02", "Lost words."), encoding="utf-8")
    while not failures:
        time.sleep(0.02)
    time.sleep(0.3)  # the rest of that save's events fail too
    healthy.set()
    (news / "x.md").write_text(article("Ex", "2025-09-01", "Kept words."), encoding="utf-8")
    assert loop.wait_builds(2) == 2
    assert "Kept words." in loop.page("news/x/index.html")


def test_out_of_inotify_watches_falls_back_to_polling(
    write_site: SiteWriter, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_site({"content/news/x.md": article("Ex", "2025-09-01")})

    def exhausted() -> ObserverLike:
        raise OSError(errno.ENOSPC, "inotify watch limit reached")

    watcher = Watcher(root, observer_factory=exhausted)
    watcher.start()
    try:
        assert watcher.polling
        assert "fs.inotify.max_user_watches" in capsys.readouterr().err
        (root / "content/news/x.md").write_text(article("Ex", "2025-09-01", "Polled."), encoding="utf-8")
        assert watcher.next_batch() == {"content/news/x.md"}
    finally:
        watcher.close()


@pytest.mark.parametrize(
    "name", ["4913", "5036", "x.md~", ".x.md.swp", ".x.md.swx", "x.md___jb_tmp___", "x.md___jb_old___",
             ".goutputstream-T1ZQC3", ".#x.md", "#x.md#", ".hidden"],
)  # fmt: skip
def test_scratch_names(name: str) -> None:
    assert is_scratch_name(name)
    assert not is_source(PurePosixPath("content/news") / name)


@pytest.mark.parametrize(
    ("rel", "expected"),
    [("content/news/x.md", True), ("templates/base.html", True), ("static/css/site.css", True),
     ("data/pageviews.csv", True), ("content/news/2024/x.md", True), ("content/news/2024/4913", False),
     ("sitegen.toml", True), ("pyproject.toml", True), ("content", True),
     ("public/index.html", False), (".sitegen-cache/x", False), ("content/.git/x", False), ("README.md", False)],
)  # fmt: skip
def test_sources(rel: str, expected: bool) -> None:
    assert is_source(PurePosixPath(rel)) is expected


def test_the_build_loop_indexes_once_the_saves_stop(loop: Loop) -> None:
    entry = loop.output / "pagefind/sitegen-search.json"
    page = loop.output / "news/x/index.html"
    deadline = time.monotonic() + 60
    # The index's files are assets: a commit puts them live before the pages (publish/order.py), so wait for both.
    while not (entry.is_file() and page.is_file()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert entry.is_file() and page.is_file()
    assert not page.read_bytes().count(b"__sitegen"), "no live-reload script on disk"


def _state(pid: int) -> str:
    """The process state letter from /proc: R running, S sleeping, T stopped, Z zombie."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def wait_state(pid: int, state: str) -> None:
    """Signals are delivered asynchronously: wait (a little) for the process to be in `state`."""
    deadline = time.monotonic() + 10
    while _state(pid) != state:
        assert time.monotonic() < deadline, f"process {pid} is {_state(pid)}, not {state}"
        time.sleep(0.01)


def test_a_save_pauses_the_index_build_and_a_pause_resumes_it(write_site: SiteWriter, tmp_path: Path) -> None:
    root = write_site({"content/news/x.md": article("Drills", "2025-09-10", "Armenian drills near the border.")})
    index = SearchIndex(root, tmp_path / "preview", drafts=True, future=False)
    try:
        index.catch_up()
        assert index.running
        pid = index.pid
        assert pid is not None
        index.pause()
        wait_state(pid, "T")
        index.catch_up()
        assert _state(pid) != "T"
        deadline = time.monotonic() + 60
        while index.running and time.monotonic() < deadline:
            time.sleep(0.1)
            index.catch_up()
        assert index.runs == 1 and not index.running
        assert (tmp_path / "preview/pagefind/sitegen-search.json").is_file()
        index.catch_up()
        assert not index.running, "nothing changed: no second run"
        index.site_changed()
        index.catch_up()
        assert index.running
    finally:
        index.close()
    assert not index.running
    assert not Path(f"/proc/{pid}").exists() or _state(pid) == "Z"


def test_a_paused_index_build_resumes_even_while_the_site_has_errors(write_site: SiteWriter, tmp_path: Path) -> None:
    """It holds the site's build lock: left stopped, it would refuse the editor's own `sitegen build`."""
    root = write_site({"content/news/x.md": article("Drills", "2025-09-10", "Armenian drills near the border.")})
    index = SearchIndex(root, tmp_path / "preview", drafts=True, future=False)
    try:
        index.catch_up()
        pid = index.pid
        assert pid is not None
        index.pause()
        wait_state(pid, "T")
        index.catch_up(start=False)  # what the loop does when the site has errors
        assert _state(pid) != "T"
    finally:
        index.close()


ORPHAN = """
import sys, time
from pathlib import Path
from sitegen.preview.search_build import SearchIndex
index = SearchIndex(Path(sys.argv[1]), Path(sys.argv[2]), drafts=True, future=False)
index.catch_up()
index.pause()
print(index.pid, flush=True)
time.sleep(60)
"""


def test_a_stopped_index_build_ends_when_the_preview_dies(write_site: SiteWriter, tmp_path: Path) -> None:
    """Killed outright (no Ctrl-C, no cleanup), the preview leaves its build stopped in an orphaned process group:
    the kernel then sends it SIGHUP and SIGCONT, and it ends instead of holding the build lock forever."""
    root = write_site({"content/news/x.md": article("Drills", "2025-09-10")})
    env = {**os.environ, "PYTHONPATH": str(Path(sitegen.__file__).resolve().parent.parent)}
    preview = subprocess.Popen(
        [sys.executable, "-c", ORPHAN, str(root), str(tmp_path / "preview")], env=env, stdout=subprocess.PIPE, text=True
    )
    assert preview.stdout is not None
    child = int(preview.stdout.readline())
    wait_state(child, "T")
    preview.kill()
    preview.wait()
    preview.stdout.close()
    deadline = time.monotonic() + 20
    while Path(f"/proc/{child}").exists() and _state(child) != "Z" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{child}").exists() or _state(child) == "Z"
