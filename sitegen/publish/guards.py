"""Refuse output folders where cleaning up after a build could destroy an editor's work."""

from __future__ import annotations

from pathlib import Path

from sitegen.errors import UsageError, error
from sitegen.paths import CACHE_DIR, CONFIG_FILE, CONTENT_DIR, SOURCE_DIRS, TEMPLATES_DIR


def check_output_folder(root: Path, output: Path) -> None:
    """Exit 2 before anything is touched if the output is, contains, or lives inside what sitegen must not own."""
    site = root.resolve()
    out = output.resolve()
    reason = _refusal(site, out)
    if reason:
        raise UsageError([error(str(output), None, f"refusing to use this output folder: {reason}")])


def _refusal(site: Path, out: Path) -> str | None:
    if out == site:
        return "it is the site folder itself"
    if site.is_relative_to(out):
        return "it contains the site folder"
    for name in (*SOURCE_DIRS, CACHE_DIR, ".git"):
        protected = site / name
        if out == protected or out.is_relative_to(protected):
            return f"it is inside the site's {name}/ folder"
    if (out / ".git").exists():
        return "it contains a .git folder (a repository, not a build output)"
    if out.exists() and not out.is_dir():
        return "it exists and is not a folder"
    for name in (CONTENT_DIR, TEMPLATES_DIR, CONFIG_FILE):
        if (out / name).exists():
            return f"it contains {name}, so it looks like a site, not a build output"
    return None
