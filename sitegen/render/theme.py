"""Where the default theme lives: inside the installed package, or at the top of a source checkout."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sitegen.paths import STATIC_DIR, TEMPLATES_DIR

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
