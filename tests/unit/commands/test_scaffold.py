"""`sitegen new`'s list of the site's sections."""

from __future__ import annotations

from sitegen.commands.scaffold import known_sections
from tests.commands.test_scaffold import SECTIONS
from tests.conftest import SiteWriter


def test_known_sections_come_from_folders_and_index_files(write_site: SiteWriter) -> None:
    root = write_site({**SECTIONS, "content/world/europe/.hidden/x.md": "", "content/2025/x.md": ""})
    assert known_sections(root) == ["news", "news/armenia", "opinion", "sports", "world", "world/europe"]
