"""The pipeline's readers: one policy for each input, whichever command (build, check, serve) reads it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sitegen.config import load_config
from sitegen.content.sources import SourceFile
from sitegen.errors import Severity
from sitegen.incremental.listing import Statics, list_static
from sitegen.pipeline import fingerprint_assets, read_pageviews, read_section_indexes
from tests.conftest import Run, SiteWriter, article
from tests.unit.parsing import SETTINGS

STORY = {"content/news/x.md": article("X", "2025-09-01")}


def test_no_analytics_export_is_a_note_and_a_broken_one_a_warning(write_site: SiteWriter) -> None:
    root = write_site(STORY)
    config = load_config(root).config
    rows, problems = read_pageviews(root, config)
    assert rows == [] and [(p.path, p.severity) for p in problems] == [("data/pageviews.csv", Severity.INFO)]
    (root / "data/pageviews.csv").mkdir(parents=True)  # there, but not a file that can be read
    rows, problems = read_pageviews(root, config)
    assert rows == [] and [p.severity for p in problems] == [Severity.WARNING]
    assert "cannot be read" in problems[0].message


def test_every_command_reports_a_missing_export_as_a_note(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    root = write_site(STORY)
    built = cli("build", root, "-q")
    assert built.code == 0 and "data/pageviews.csv: info: no analytics export" in built.err
    checked = cli("check", root, "--strict")
    assert checked.code == 0, "a note never fails a strict check"
    assert "data/pageviews.csv: info: no analytics export" in checked.out


def test_a_section_index_gone_since_listing_is_skipped_and_an_unreadable_one_is_an_error(tmp_path: Path) -> None:
    gone = SourceFile("content/news/_index.md", str(tmp_path / "content/news/_index.md"), 0, 0)
    folder = tmp_path / "content/sport/_index.md"
    folder.mkdir(parents=True)
    unreadable = SourceFile("content/sport/_index.md", str(folder), 0, 0)
    indexes, problems = read_section_indexes([gone, unreadable], SETTINGS)
    assert indexes == {}
    assert [(p.path, p.severity) for p in problems] == [("content/sport/_index.md", Severity.ERROR)]
    assert "cannot be read" in problems[0].message


def test_assets_keep_their_plain_names_when_a_stylesheet_cannot_be_read(write_site: SiteWriter) -> None:
    root = write_site({**STORY, "static/css/extra.css": "body { color: red; }\n"})
    statics, _ = list_static(root, load_config(root).config)
    assert "css/extra.css" in fingerprint_assets(statics).hashed
    (root / "static/css/extra.css").unlink()  # listed, then gone before it was read
    assets = fingerprint_assets(statics)
    assert assets.hashed == {} and "css/extra.css" in assets.known
    assert fingerprint_assets(Statics({}, {})).known == frozenset()
