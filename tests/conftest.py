"""Shared fixtures: small sites written into tmp_path, and the CLI run in-process with a fixed build time."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from sitegen.cli import main

pytest_plugins = ["tests.browser"]  # the Chromium fixture, for the tests that use a real browser

# Thursday, September 11, 2025 10:00 in Yerevan (06:00 UTC): the seed page's date.
BUILD_EPOCH = 1757570400

SiteWriter = Callable[[Mapping[str, str]], Path]

BASIC_CONFIG = """\
title = "Test News"
base_url = "https://news.example.org"
language = "en"
timezone = "Asia/Yerevan"
"""


def article(title: str, date: str, body: str = "Body text.", **fields: str) -> str:
    """The text of an article file; extra front-matter lines are given as key=YAML value."""
    lines = ["---", f'title: "{title}"', f"date: {date}"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    lines += ["---", "", body, ""]
    return "\n".join(lines)


# The small sites of these tests show images that are placeholders (a .jpg holding text) or no file at all, which
# image processing rightly refuses. They are about other things, so they build with processing off unless their
# configuration has an [images] table: tests/commands/test_images.py builds real photographs with it on.
IMAGES_OFF = "\n[images]\nenabled = false\n"


def with_images_off(config: str) -> str:
    return config if "[images]" in config or "images." in config else config + IMAGES_OFF


@pytest.fixture(autouse=True)
def fixed_build_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(BUILD_EPOCH))


@pytest.fixture
def write_site(tmp_path: Path) -> SiteWriter:
    """Write {relative path: text} into a fresh site folder; a sitegen.toml is added unless given."""

    def write(files: Mapping[str, str]) -> Path:
        root = tmp_path / "site"
        all_files = {"sitegen.toml": BASIC_CONFIG, **files}
        all_files["sitegen.toml"] = with_images_off(all_files["sitegen.toml"])
        for rel, text in all_files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")
        root.mkdir(parents=True, exist_ok=True)
        return root

    return write


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run `sitegen ARGS...` in-process and capture what it prints."""

    def run(*args: str | Path) -> Run:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite the golden sites' expected output")
