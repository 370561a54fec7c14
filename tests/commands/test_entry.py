"""The `sitegen` command as installed (`sitegen.cli:entry`): it leaves without tearing the interpreter down, so what
it prints must be flushed and its exit code kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import SiteWriter, article

ENTRY = "import sys; from sitegen.cli import entry; sys.argv[0] = 'sitegen'; entry()"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The command with its streams piped and buffered, as a deploy script or CI job runs it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    command = [sys.executable, "-c", ENTRY, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, env=env)


def test_a_build_prints_its_summary_and_exits_zero(write_site: SiteWriter, tmp_path: Path) -> None:
    site = write_site({"content/news/a.md": article("Talks resume", "2025-09-01T10:00:00+04:00")})
    done = run("build", str(site), "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Built 1 articles into") and done.stdout.endswith("\n"), "flushed, whole"
    assert (tmp_path / "out/news/a/index.html").is_file()


def test_problems_are_printed_and_the_exit_code_kept(write_site: SiteWriter, tmp_path: Path) -> None:
    site = write_site({"content/news/a.md": "---\ntitle: [unclosed\n---\nBody.\n"})
    done = run("build", str(site), "-o", str(tmp_path / "out"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "content/news/a.md:3: invalid YAML" in done.stderr and "nothing published" in done.stderr


def test_what_a_command_printed_without_flushing_is_all_there(tmp_path: Path) -> None:
    """`sitegen init` prints its next steps with plain prints: held in the buffer of a piped stdout until the end."""
    done = run("init", str(tmp_path / "paper"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Created a new site in") and done.stdout.endswith("  sitegen build\n")


def test_output_that_cannot_be_written_is_said_and_fails_the_command(tmp_path: Path) -> None:
    """A full disk under `sitegen ... > file`: what was held in the buffer is lost, and the exit code says so."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    with open("/dev/full", "w") as full:  # noqa: PTH123 - a device, written by the child
        done = subprocess.run([sys.executable, "-c", ENTRY, "init", str(tmp_path / "paper")], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120, check=False, env=env)  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "could not write the output" in done.stderr
    assert (tmp_path / "paper/sitegen.toml").is_file(), "the command itself did its work"


def test_under_a_profiler_the_command_exits_the_usual_way(tmp_path: Path) -> None:
    """`python -m cProfile -o FILE -m sitegen`: the profiler writes its file at exit, which a hard exit would skip."""
    stats = tmp_path / "init.prof"
    command = [sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "sitegen", "init", str(tmp_path / "paper")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert stats.is_file() and stats.stat().st_size > 0


def test_a_reader_gone_does_not_fail_a_published_build(write_site: SiteWriter, tmp_path: Path) -> None:
    """`sitegen build | head -c 0`: the summary has no one to read it, the site is published, and the build's exit
    code is its own (it was 2, "Broken pipe", although the site had been published)."""
    site = write_site({"content/news/a.md": article("Talks resume", "2025-09-01T10:00:00+04:00")})
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    read, write = os.pipe()
    os.close(read)  # before the command starts: every write to its stdout fails with EPIPE
    try:
        command = [sys.executable, "-c", ENTRY, "build", str(site), "-o", str(tmp_path / "out")]
        done = subprocess.run(command, stdout=write, stderr=subprocess.PIPE, text=True, timeout=120, check=False,
                              env=env)  # fmt: skip
    finally:
        os.close(write)
    assert done.returncode == 0, done.stderr
    assert "Broken pipe" not in done.stderr and "error" not in done.stderr, done.stderr
    assert (tmp_path / "out/news/a/index.html").is_file()
