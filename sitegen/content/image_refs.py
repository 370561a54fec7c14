"""The images an article's body shows, found in its HTML once, when it is converted: the build processes those
files and fingerprints the page by them without reading the body again."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
# The raster formats Pillow reads and sitegen resizes; anything else (SVG above all) is linked as it is.
RASTER_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".tif", ".tiff", ".bmp")


def tag_attributes(tag: str) -> dict[str, str]:
    """The attributes of one `<img ...>` tag as the HTML parser reads them (entities decoded)."""
    found: dict[str, str] = {}

    class _Reader(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.update((k, v or "") for k, v in attrs)

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.handle_starttag(tag, attrs)

    reader = _Reader(convert_charrefs=True)
    reader.feed(tag)
    reader.close()
    return found


def site_path(src: str, page_url: str) -> str | None:
    """The path on this site an image's `src` names, resolved against the page it is on; None for another host, a
    data: URL, or a file that is not a raster image."""
    if not src or src.startswith(("data:", "//")) or "://" in src.split("?", 1)[0]:
        return None
    path = unquote(urlsplit(urljoin(page_url, src)).path)
    return path if path.lower().endswith(RASTER_SUFFIXES) else None


def image_sources(html: str, page_url: str) -> tuple[str, ...]:
    """Every local raster image the HTML shows, once each, in order."""
    if "<img" not in html:
        return ()
    paths: dict[str, None] = {}
    for tag in IMG_TAG.findall(html):
        path = site_path(tag_attributes(tag).get("src", ""), page_url)
        if path is not None:
            paths[path] = None
    return tuple(paths)
