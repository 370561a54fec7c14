"""Where the default theme lives (inside the installed package, or at the top of a source checkout), and the
template folders a site renders with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sitegen.paths import STATIC_DIR, TEMPLATES_DIR

SEARCH_ASSETS = ("js/search.js",)  # theme files only the search page uses: not published with search off
_PACKAGE = Path(__file__).resolve().parents[1]  # the sitegen package


@dataclass(frozen=True)
class Theme:
    templates: Path
    static: Path


def default_theme() -> Theme:
    packaged = _PACKAGE / "theme"
    if (packaged / TEMPLATES_DIR).is_dir():
        return Theme(packaged / TEMPLATES_DIR, packaged / STATIC_DIR)
    # An editable install or a plain checkout: the repository's own templates/ and static/ are the theme.
    checkout = _PACKAGE.parent
    return Theme(checkout / TEMPLATES_DIR, checkout / STATIC_DIR)


@dataclass(frozen=True)
class TemplateSet:
    """The template folders in lookup order: the site's own overrides first, then the theme."""

    folders: tuple[Path, ...]
    root: Path  # the site root, to name templates in messages as `templates/x.html`

    def display(self, filename: str) -> str:
        path = Path(filename)
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)
