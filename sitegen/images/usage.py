"""Which images the published site shows, who shows them, and the sources they are made from.

An image is a file of the site's `static/` (published at the root) or of a page bundle (published beside its page),
named by its path on the site. A reference to a raster image that is neither is an error naming the article's line:
the page could not say how big the picture is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sitegen.content.image_refs import RASTER_SUFFIXES
from sitegen.content.sources import SourceFile, read_optional
from sitegen.errors import Problem, error
from sitegen.images.recipes import CENTRE
from sitegen.model import Article, Image


@dataclass
class Use:
    """One image and what is needed of it."""

    path: str  # on the site: /img/drills.jpg
    source: SourceFile
    users: list[tuple[str, str]] = field(default_factory=list)  # (article source, the text that names the image)
    focuses: set[tuple[float, float]] = field(default_factory=set)  # teaser and social crops, per focal point


def image_path(image: Image) -> str | None:
    """The site path of a front-matter image (already absolute: fields.py resolves a bundle's relative names)."""
    src = image.src
    if src.startswith(("http://", "https://", "//")):
        return None
    path = unquote(urlsplit(src).path)
    return path if path.lower().endswith(RASTER_SUFFIXES) else None


def focus_of(image: Image) -> tuple[float, float]:
    return (image.focus[0], image.focus[1]) if len(image.focus) == 2 else CENTRE


Uses = dict[str, Use]


def collect(articles: Iterable[Article], available: Mapping[str, SourceFile], root: Path) -> tuple[Uses, list[Problem]]:
    """The images `articles` show, each once; a missing one is an error at the line that names it."""
    uses: dict[str, Use] = {}
    problems: list[Problem] = []
    for article in articles:
        wanted: list[tuple[str, str, tuple[float, float] | None]] = []
        if article.image is not None and (front := image_path(article.image)) is not None:
            wanted.append((front, article.image.src.rsplit("/", 1)[-1], focus_of(article.image)))
        wanted += [(path, path.rsplit("/", 1)[-1], None) for path in article.images]
        for path, needle, focus in wanted:
            found = available.get(path)
            if found is None:
                problems.append(error(article.source, line_of(root / article.source, needle),
                                      f"image {path} is not a file in static/ or in the article's bundle"))  # fmt: skip
                continue
            use = uses.setdefault(path, Use(path, found))
            use.users.append((article.source, needle))
            if focus is not None:
                use.focuses.add(focus)
    return uses, problems


def site_paths(statics: Mapping[str, SourceFile], bundles: Mapping[str, SourceFile]) -> dict[str, SourceFile]:
    """Every file that is published, by its path on the site: static files at the root, bundles' beside pages."""
    return {"/" + rel: found for rel, found in (*statics.items(), *bundles.items())}


def line_of(path: Path, needle: str) -> int | None:
    """The first line of an article's file naming an image, for the message; None when it can't be read."""
    try:
        data = read_optional(path)
    except OSError:
        return None
    text = data.decode("utf-8", errors="replace") if data is not None else ""
    for number, line in enumerate(text.splitlines(), 1):
        if needle and needle in line:
            return number
    return None
