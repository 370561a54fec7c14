"""The no-op build's check that the published output is intact, answered by a forked process beside the build."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sitegen.commands.build import BuildOptions, BuildResult, build
from sitegen.paths import MANIFEST_FILE, STAGING_DIR
from sitegen.publish import intact_check
from sitegen.publish.intact_check import IntactCheck
from tests.conftest import SiteWriter, article

SITE = {
    "content/news/2025/drills.md": article("Joint drills announced", "2025-09-01T09:00:00+04:00", "Drills."),
    "content/culture/2025/festival.md": article("Festival opens", "2025-09-10T18:00:00+04:00", "Music."),
}
FESTIVAL_PAGE = "culture/festival/index.html"


def run(root: Path) -> BuildResult:
    return build(BuildOptions(root=root, output=root / "public"))


@pytest.fixture
def forked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every check in a process of its own, however small the site (as at 100,000s of pages)."""
    monkeypatch.setattr(intact_check, "MIN_FORKED_MANIFEST", 0)


@pytest.fixture
def site(write_site: SiteWriter) -> Path:
    root = write_site(SITE)
    run(root)
    return root


def check(output: Path) -> tuple[bool, bool]:
    """(intact?, answered by another process?)"""
    started = IntactCheck.start(output)
    in_a_process = started.pid is not None
    return started.result(), in_a_process


@pytest.mark.usefixtures("forked")
def test_an_untouched_output_is_intact_by_another_process(site: Path) -> None:
    assert check(site / "public") == (True, True)


@pytest.mark.usefixtures("forked")
@pytest.mark.parametrize(
    "damage", ["deleted", "grown", "manifest gone", "manifest garbage", "staging left", "a name leading out"]
)
def test_damage_is_seen_by_the_other_process(site: Path, damage: str) -> None:
    output = site / "public"
    page = output / FESTIVAL_PAGE
    if damage == "deleted":
        page.unlink()
    elif damage == "grown":
        page.write_bytes(page.read_bytes() + b"<!-- added by hand -->")
    elif damage == "manifest gone":
        (output / MANIFEST_FILE).unlink()
    elif damage == "manifest garbage":
        (output / MANIFEST_FILE).write_bytes(b"\x00not json" * 100)
    elif damage == "staging left":
        (output / STAGING_DIR).mkdir()
    else:  # a manifest edited by hand to name a file outside the output, which is there with that size
        (site / "outside.html").write_bytes(b"x" * 7)
        manifest = json.loads((output / MANIFEST_FILE).read_text(encoding="utf-8"))
        manifest["files"] = {"../outside.html": ["0" * 64, 7]}
        (output / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    assert check(output)[0] is False


@pytest.mark.usefixtures("forked")
def test_a_page_deleted_by_hand_is_rendered_again_and_nothing_else(site: Path) -> None:
    (site / "public" / FESTIVAL_PAGE).unlink()
    result = run(site)
    assert result.rendered == 1 and (site / "public" / FESTIVAL_PAGE).is_file()
    assert run(site).rendered == 0


@pytest.mark.usefixtures("forked")
def test_a_check_not_needed_is_stopped_and_reaped(site: Path) -> None:
    started = IntactCheck.start(site / "public")
    pid = started.pid
    assert pid is not None
    with started:
        pass  # the inputs changed: the build does not ask
    assert started.pid is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped: no zombie left


@pytest.mark.usefixtures("forked")
def test_a_name_with_two_dots_that_stays_inside_is_intact(site: Path) -> None:
    output = site / "public"
    (output / "v1..2.txt").write_bytes(b"x" * 5)
    manifest = json.loads((output / MANIFEST_FILE).read_text(encoding="utf-8"))
    manifest["files"]["v1..2.txt"] = ["0" * 64, 5]
    (output / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    assert check(output) == (True, True)


@pytest.mark.usefixtures("forked")
def test_with_one_cpu_the_check_stays_in_this_process(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intact_check, "_cpus", lambda: 1)
    assert check(site / "public") == (True, False)


def test_a_small_output_is_checked_in_this_process(site: Path) -> None:
    assert check(site / "public") == (True, False)


@pytest.mark.usefixtures("forked")
def test_the_other_process_names_the_damaged_files(site: Path) -> None:
    output = site / "public"
    (output / FESTIVAL_PAGE).unlink()
    (output / "feed.xml").write_bytes(b"<rss/>")
    started = IntactCheck.start(output)
    assert started.pid is not None
    with started:
        assert started.damaged() == frozenset({FESTIVAL_PAGE, "feed.xml"})
        assert started.result() is False
    assert IntactCheck.start(output).damaged() is not None  # still answered by a process


@pytest.mark.usefixtures("forked")
def test_an_output_the_manifest_cannot_vouch_for_has_no_list(site: Path) -> None:
    (site / "public" / STAGING_DIR).mkdir()
    with IntactCheck.start(site / "public") as started:
        assert started.damaged() is None and started.result() is False


def test_a_check_in_this_process_lists_nothing_and_the_publisher_stats_each_file(site: Path) -> None:
    with IntactCheck.start(site / "public") as started:
        assert started.pid is None and started.damaged() is None and started.result() is True


@pytest.mark.usefixtures("forked")
def test_an_edit_build_keeps_pages_by_the_check_and_renders_the_damaged_again(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Something changed: the build keeps the pages it does not render without a stat of its own for each (the check
    looked at them all), and renders again the pages the check found damaged."""
    drills = site / "content/news/2025/drills.md"
    drills.write_text(drills.read_text(encoding="utf-8") + "\nA sentence more.\n", encoding="utf-8")
    (site / "public" / FESTIVAL_PAGE).unlink()
    stats: list[str] = []
    real_stat = os.stat
    counting = [True]

    def counting_stat(path: str, *args: object, **kwargs: object) -> os.stat_result:
        if counting:
            stats.append(str(path))
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("sitegen.publish.writer.os.stat", counting_stat)
    result = run(site)
    counting.clear()
    output = site / "public"
    assert (output / FESTIVAL_PAGE).is_file(), "the page deleted by hand is published again"
    assert result.rendered >= 2
    published = set(json.loads((output / MANIFEST_FILE).read_text(encoding="utf-8"))["files"])
    looked_at = {os.path.relpath(p, output) for p in stats if p.startswith(f"{output}{os.sep}")}
    assert looked_at & published <= {FESTIVAL_PAGE}, "kept pages were not looked at again"
    assert run(site).rendered == 0


@pytest.mark.usefixtures("forked")
def test_a_check_that_has_finished_is_reaped_without_a_signal(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the check has exited, its process number may be another process's: cancelling only reaps it."""
    started = IntactCheck.start(site / "public")
    pid = started.pid
    assert pid is not None
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # until it has exited, leaving it to be reaped
    signals: list[tuple[int, int]] = []
    monkeypatch.setattr(os, "kill", lambda *sent: signals.append(sent))
    started.cancel()
    assert signals == [] and started.pid is None and started.pipe is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no zombie left
