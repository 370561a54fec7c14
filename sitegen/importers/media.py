"""An export's media: where its files were on the old site, and where they are on the new one.

Files are published where WordPress had them (`/wp-content/uploads/2013/03/photo.jpg`), so links to them from other
sites keep working. A URL into the old uploads folder (its own host, or the CDN host a WordPress.com site serves it
from) is rewritten to that path when the file was found in `--uploads` and copied; otherwise it is left pointing at
the old site and reported, never fatal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from sitegen.importers.files import safe_relative
from sitegen.paths import STATIC_DIR

PUBLISHED_UPLOADS = "/wp-content/uploads/"
_DATED = re.compile(r"^(.*?/)\d{4}/\d{2}/[^/]+$")


@dataclass
class MediaMap:
    uploads: Path | None  # the copy of wp-content/uploads given with --uploads
    bases: set[str] = field(default_factory=set)  # "host/path/" of the old uploads folders, without scheme
    copies: dict[str, Path] = field(default_factory=dict)  # rel in static/ → the file in uploads
    missing: dict[str, str] = field(default_factory=dict)  # old URL → why it was not copied

    def learn(self, url: str, attached_file: str) -> None:
        """An attachment's URL and its path in uploads tell where the old uploads folder was."""
        plain = _plain(url)
        if attached_file and plain.endswith("/" + attached_file):
            self.bases.add(plain[: -len(attached_file)])
            return
        # Without `_wp_attached_file` (WordPress.com exports): uploads are filed by year and month, or under
        # wp-content/uploads/.
        dated = _DATED.match(plain)
        if dated is not None:
            self.bases.add(dated.group(1))
        elif PUBLISHED_UPLOADS in plain:
            self.bases.add(plain.split(PUBLISHED_UPLOADS, 1)[0] + PUBLISHED_UPLOADS)

    def add_site(self, site_url: str) -> None:
        if site_url:
            self.bases.add(_plain(site_url).rstrip("/") + "/wp-content/uploads/")

    def relative(self, url: str) -> str | None:
        """The path of an old media URL inside the uploads folder (percent-decoded), or None when it is not one."""
        plain = _plain(url)
        for base in self.bases:
            if plain.startswith(base) and len(plain) > len(base):
                return unquote(urlsplit("//" + plain).path.removeprefix(urlsplit("//" + base).path))
        return None

    def published(self, url: str) -> str:
        """The URL to publish for `url`: the local copy's when there is one, else `url` unchanged."""
        rel = self.relative(url)
        if rel is None or self.uploads is None or safe_relative(rel) is not None:
            return url
        source = self.uploads.joinpath(*PurePosixPath(rel).parts)
        if not source.is_file() or not source.resolve().is_relative_to(self.uploads.resolve()):
            self.missing.setdefault(url, f"{rel} is not in {self.uploads}")
            return url
        self.copies[f"{STATIC_DIR}{PUBLISHED_UPLOADS}{rel}"] = source
        path = urlsplit("//" + _plain(url)).path
        base_path = next(urlsplit("//" + b).path for b in self.bases if _plain(url).startswith(b))
        return PUBLISHED_UPLOADS + path.removeprefix(base_path)


def _plain(url: str) -> str:
    """A URL without its scheme, query and fragment: `https://h/p?w=300` → `h/p` (http and https are one host)."""
    text = url.strip()
    for prefix in ("https://", "http://", "//"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text.split("?", 1)[0].split("#", 1)[0]
